"""Train a run: set up (data, game, torchrun's process group, run directory) and hand over to the loop.

Ctrl-C finishes the current step, writes a checkpoint and returns; `resume=True` continues a run exactly.
A run directory holds one run, trained by one process at a time.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from rich.console import Console

from advnets.config.schema import MAX_THREADS, RunConfig
from advnets.data import load_dataset
from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError
from advnets.game.loop import Game
from advnets.game.parallel import unwrap
from advnets.runs import distributed, health
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint, remove_partial_writes
from advnets.runs.distributed import Context
from advnets.runs.lock import Holder, RunLock
from advnets.runs.resume import check_resumable
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
    if not 0 <= requested <= MAX_THREADS:
        raise AdvnetsError(f"threads must be between 0 (one per core) and {MAX_THREADS}, not {requested}")
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
    """Build the game (and under torchrun shard it and wrap its nets), restoring the latest checkpoint.

    On resume the checkpoint's own configuration is checked first: only RESUMABLE_KEYS may differ.
    """
    if resume:
        path = run.latest_checkpoint()
        tensors, meta = load_checkpoint(path)
        check_resumable(config, meta, path)
    dataset = dataset or load_dataset(
        config.data.name, config.data.data_dir, config.data.image_size, config.data.channels
    )
    game = build_game(config, dataset, device or resolve_device(config.train.device))
    if context.active:
        distributed.shard_game(game, context)
    if resume:
        restore(game, tensors, meta)
        distributed.restore_streams(game, tensors, context)
    distributed.wrap_nets(game, context, config.train.sync_batchnorm)
    return game, dataset


def own_restart(run: RunDir, record: Holder | None, console: Console) -> bool | None:
    """For a worker torchrun restarted into the run its own job trains: True to resume it, False to start it
    over (that job wrote no checkpoint yet). None otherwise: another job's run, or none.

    The lock's job, not the restart count, decides: on several nodes an agent whose own workers were healthy
    restarts them as a membership change without counting it, and rank 0 may be on that node.
    """
    job = distributed.job_id()
    if job is None or record is None or record.job != job:
        return None
    if not list_checkpoints(run.checkpoints_dir):
        return False
    count = distributed.restart_count()
    why = f"torchrun restart {count}" if count else "torchrun restart (another node's workers)"
    console.print(f"{why}: resuming {run.path}", highlight=False)
    return True


def open_run(
    run: RunDir, context: Context, device: torch.device, resume: bool, overwrite: bool, console: Console
) -> tuple[RunLock | None, bool]:
    """Rank 0 makes the directory, takes its lock, makes way for a fresh run, clears half-written files.

    Returns the lock (rank 0's) and whether the run resumes, the same on every rank.
    """
    lock = RunLock(run.path) if context.is_main else None
    if lock is not None:
        run.create()
        record = lock.acquire()
        try:
            if record is not None and not record.released:
                console.print(
                    f"[yellow]notice:[/] took over the lock of {run.path} from {record.describe()}, which "
                    "ended without letting go of it (killed?)",
                    highlight=False,
                )
            restart = own_restart(run, record, console)
            resume = resume or bool(restart)
            if not resume:
                run.claim_fresh(overwrite or restart is False)
            lock.claim(distributed.job_id())
            remove_partial_writes(run.checkpoints_dir)
            remove_partial_writes(run.path)
        except BaseException:
            lock.release()
            raise
    [resume] = distributed.any_rank([resume], context, device)  # rank 0's decision, and a barrier
    return lock, resume


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
    with distributed.session(config.train.device) as (context, device):
        run = RunDir(Path(run_dir))
        lock, resume = open_run(run, context, device, resume, overwrite, console)
        try:
            game, dataset = prepare(config, run, resume, dataset, context, device)
            slots = 2 if config.optim.name == "adam" else 1  # Adam's two moments; SGD's momentum buffer
            nets = [unwrap(game.generator), unwrap(game.discriminator)]
            per_checkpoint = health.checkpoint_bytes(nets, slots)
            if context.is_main:
                health.check_free_space(run.path, per_checkpoint, config.train.keep_checkpoints)
                run.save_config(config)
            log = (
                MetricsLog(run.metrics_file, game.step_count if resume else None) if context.is_main else None
            )
            try:
                return Trainer(config, run, game, dataset, context, console, log).run(max_steps)
            finally:
                if log is not None:
                    log.close()
        finally:
            if lock is not None:
                lock.release()
