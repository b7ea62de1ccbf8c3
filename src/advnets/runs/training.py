"""Train a run: set up (data, game, torchrun's process group, run directory) and hand over to the loop.

Ctrl-C finishes the current step, writes a checkpoint and returns; `resume=True` continues a run exactly.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from rich.console import Console

from advnets.data import load_dataset
from advnets.data.base import ImageDataset
from advnets.game.loop import Game
from advnets.game.parallel import unwrap
from advnets.runs import distributed, health
from advnets.runs.checkpoint import load_checkpoint, remove_partial_writes
from advnets.runs.config import RunConfig
from advnets.runs.distributed import Context
from advnets.runs.rundir import MetricsLog, RunDir
from advnets.runs.state import build_game, resolve_device, restore
from advnets.runs.trainer import (  # noqa: F401  (the loop's pieces, importable from here as before)
    SINGLE,
    StatsWindow,
    Trainer,
    TrainResult,
    interrupt_flag,
    write_checkpoint,
)


def set_threads(requested: int) -> None:
    """`requested` threads, or (0) this machine's cores shared among torchrun's processes on it."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    local_processes = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))  # set by torchrun
    torch.set_num_threads(requested or max(cores // local_processes, 1))


def prepare(
    config: RunConfig,
    run: RunDir,
    resume: bool,
    dataset: ImageDataset | None,
    context: Context = SINGLE,
    device: torch.device | None = None,
) -> tuple[Game, ImageDataset]:
    """Build the game (and under torchrun shard it and wrap its nets), restoring the latest checkpoint."""
    dataset = dataset or load_dataset(
        config.data.name, config.data.data_dir, config.data.image_size, config.data.channels
    )
    game = build_game(config, dataset, device or resolve_device(config.train.device))
    if context.active:
        distributed.shard_game(game, context)
    if resume:
        tensors, meta = load_checkpoint(run.latest_checkpoint())
        restore(game, tensors, meta)
        distributed.restore_streams(game, tensors, context)
    distributed.wrap_nets(game, context, config.train.sync_batchnorm)
    return game, dataset


def open_run(run: RunDir, context: Context) -> None:
    """Rank 0 makes the directory, clears half-written files, checks it is writable and has room."""
    if context.is_main:
        run.create()
        remove_partial_writes(run.checkpoints_dir)
        remove_partial_writes(run.path)
    distributed.barrier(context)


def train(
    config: RunConfig,
    run_dir: str | os.PathLike[str],
    resume: bool = False,
    dataset: ImageDataset | None = None,
    console: Console | None = None,
    max_steps: int | None = None,
) -> TrainResult:
    """Train `config` in `run_dir` until `train.epochs` (or `max_steps` more steps, for tests).

    Under torchrun every rank calls this; they train one game together and rank 0 writes the files.
    """
    console = console or Console(stderr=True)
    set_threads(config.train.threads)
    with distributed.session(config.train.device) as (context, device):
        # A torchrun restart on several nodes: a node whose workers were healthy restarts them without
        # counting it (restart_count() stays 0 there), so its ranks must follow the ranks that resume.
        if distributed.any_rank([resume], context, device)[0] and not resume:
            resume = True
            if context.is_main:
                console.print(f"torchrun restart on another node: resuming {run_dir}")
        run = RunDir(Path(run_dir))
        open_run(run, context)
        game, dataset = prepare(config, run, resume, dataset, context, device)
        slots = 2 if config.optim.name == "adam" else 1  # Adam's two moments; SGD's momentum buffer
        nets = [unwrap(game.generator), unwrap(game.discriminator)]
        per_checkpoint = health.checkpoint_bytes(nets, slots)
        if context.is_main:
            health.check_free_space(run.path, per_checkpoint, config.train.keep_checkpoints)
            run.save_config(config)
        log = MetricsLog(run.metrics_file, game.step_count if resume else None) if context.is_main else None
        try:
            return Trainer(config, run, game, dataset, context, console, log).run(max_steps)
        finally:
            if log is not None:
                log.close()
