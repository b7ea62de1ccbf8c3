"""Train a run, assembled in one place and in the order each part needs the last:

    data -> variant -> nets -> game -> distribution -> restore -> trainer

`train` joins torchrun's process group (none on one process) and claims the run directory; `assemble` builds
the parts; the Trainer (trainer.py) runs Algorithm 1 around them. Ctrl-C finishes the current step, writes a
checkpoint and returns; `resume=True` continues a run exactly.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from rich.console import Console

from advnets.config.schema import RunConfig
from advnets.data import load_dataset
from advnets.data.base import ImageDataset, check_labels
from advnets.errors import AdvnetsError
from advnets.game.loop import Game
from advnets.game.optim import optimizer_name
from advnets.game.parallel import unwrap
from advnets.runs import distributed, group, health
from advnets.runs.checkpoint import load_checkpoint
from advnets.runs.claim import claim_run
from advnets.runs.device import set_threads
from advnets.runs.group import Context
from advnets.runs.resume import check_resumable
from advnets.runs.rundir import MetricsLog, RunDir
from advnets.runs.state import restore
from advnets.runs.trainer import Trainer, TrainResult
from advnets.variants import DataInfo, Variant, get_variant


def train(
    config: RunConfig,
    run_dir: str | os.PathLike[str],
    resume: bool = False,
    dataset: ImageDataset | None = None,
    console: Console | None = None,
    max_steps: int | None = None,
    overwrite: bool = False,
) -> TrainResult:
    """Train `config` in `run_dir` until `train.epochs` (or `max_steps` more steps, for tests).

    A fresh run refuses a directory that holds another run unless `overwrite` (which clears it); `resume`
    continues the run there, refusing a changed configuration (see resume.py). One process at a time trains a
    run directory (see lock.py). Under torchrun every rank calls this; they train one game together and rank 0
    writes the files; a worker that `--max-restarts` restarted continues its job's run.
    """
    if resume and overwrite:
        raise AdvnetsError("--resume continues a run and --overwrite clears it; pass one of them")
    console = console or Console(stderr=True)
    set_threads(config.train.threads)
    with group.session(config.train.device) as (context, device):
        run = RunDir(Path(run_dir))
        lock, resume = claim_run(run, context, device, resume, overwrite, console)
        try:
            trainer = assemble(config, run, resume, dataset, context, device, console)
            try:
                return trainer.run(max_steps)
            finally:
                if trainer.log is not None:
                    trainer.log.close()
        finally:
            if lock is not None:
                lock.release()


def assemble(
    config: RunConfig,
    run: RunDir,
    resume: bool,
    dataset: ImageDataset | None,
    context: Context,
    device: torch.device,
    console: Console,
) -> Trainer:
    """Every part of the run `config` describes, built in order, restored from the latest checkpoint of `run`
    when `resume`; `dataset` (for tests) replaces the one the config names."""
    checkpoint = None
    if resume:  # the checkpoint's own configuration first: only RESUMABLE_KEYS may differ (resume.py)
        path = run.latest_checkpoint()
        checkpoint = load_checkpoint(path)
        check_resumable(config, checkpoint[1], path)
    # Data: in memory; the game moves the training split to the device.
    data = config.data
    dataset = dataset or load_dataset(data.name, data.data_dir, data.image_size, data.channels)
    # Variant, nets, game.
    game = build_game(config, dataset, device)
    # Distribution: this rank's share of every batch, the shared noise stream, its own dropout stream.
    if context.active:
        distributed.shard_game(game, context)
    # Restore: weights, optimisers, counters, the place in the data, the random streams.
    if checkpoint is not None:
        tensors, meta = checkpoint
        restore(game, tensors, meta)
        distributed.restore_streams(game, tensors, context)
    # Distribution: the nets wrapped in DDP under torchrun (a one-process game is left as is).
    distributed.wrap_nets(game, context, config.train.sync_batchnorm)
    # Trainer: rank 0 checks there is room for the checkpoints, saves the config and opens the metrics log.
    log = None
    if context.is_main:
        # Adam's two moments; SGD's momentum buffer (the larger, when the players' optimisers differ)
        slots = 2 if "adam" in {optimizer_name(config.optim, p) for p in ("d", "g")} else 1
        per_checkpoint = health.checkpoint_bytes([unwrap(game.generator), unwrap(game.discriminator)], slots)
        health.check_free_space(run.path, per_checkpoint, config.train.keep_checkpoints)
        run.save_config(config)
        log = MetricsLog(run.metrics_file, game.step_count if resume else None)
    try:
        return Trainer(config, run, game, dataset, context, console, log)
    except BaseException:
        if log is not None:
            log.close()
        raise


def build_game(config: RunConfig, dataset: ImageDataset, device: torch.device | str = "cpu") -> Game:
    """A fresh game: the variant's nets initialised from the config's seed, G's output bias from the data's
    marginals, and their optimisers."""
    torch.manual_seed(config.train.seed)
    variant = get_variant(config.variant)
    info = data_info(dataset)
    check_data(config, variant, dataset, info)
    generator = variant.build_generator(config, info)
    discriminator = variant.build_discriminator(config, info)
    set_bias = getattr(generator, "set_output_bias_from_marginals", None)
    if config.generator.output_bias_from_data and callable(set_bias):
        set_bias(dataset["train"].images.mean(dim=0))
    return Game(config, variant, info, generator, discriminator, dataset["train"], device)


def data_info(dataset: ImageDataset) -> DataInfo:
    return DataInfo(dataset.name, dataset.sample_shape, dataset.num_classes)


def check_data(config: RunConfig, variant: Variant, dataset: ImageDataset, info: DataInfo) -> None:
    """Refuse data the game cannot train on: fewer examples than a minibatch, no labels for a conditional."""
    if len(dataset["train"]) < config.game.batch_size:
        raise AdvnetsError(
            f"game.batch_size={config.game.batch_size} exceeds the {len(dataset['train'])} training "
            f"examples of '{dataset.name}'; lower it with --set game.batch_size=N"
        )
    if variant.conditional and info.num_classes is None:
        raise AdvnetsError(f"variant '{variant.name}' needs labels, but dataset '{dataset.name}' has none")
    if info.num_classes is not None:  # again here: a Split's labels may have been replaced since loading
        check_labels(dataset["train"], info.num_classes, f"dataset '{dataset.name}' (train split)")
