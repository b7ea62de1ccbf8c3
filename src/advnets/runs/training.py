"""Train a run: the game's loop with the side effects around it (progress, logs, grids, checkpoints).

Ctrl-C finishes the current step, writes a checkpoint and returns; `resume=True` continues a run exactly.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from advnets.data import load_dataset
from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError
from advnets.game.loop import Game
from advnets.game.schedules import learning_rate, momentum
from advnets.plots.grid import save_grid
from advnets.runs.checkpoint import checkpoint_path, load_checkpoint, prune_checkpoints, save_checkpoint
from advnets.runs.config import RunConfig
from advnets.runs.rundir import MetricsLog, RunDir
from advnets.runs.state import build_game, resolve_device, restore, snapshot

GRID_SEED_OFFSET = 7919  # the fixed grid noise comes from its own generator, never the training RNG


@dataclass
class TrainResult:
    run_dir: Path
    step: int
    epoch: int
    status: str  # "finished" or "interrupted"
    checkpoint: Path | None
    last_grid: Path | None
    seconds: float


def set_threads(requested: int) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    torch.set_num_threads(requested or cores)


@contextmanager
def interrupt_flag() -> Iterator[Callable[[], bool]]:
    """Turn the first Ctrl-C into a flag the loop checks between steps; a second one stops at once."""
    caught = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield caught.is_set
        return

    def handler(signum: int, frame: Any) -> None:
        if caught.is_set():
            raise KeyboardInterrupt
        caught.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield caught.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


class StatsWindow:
    """Sums step statistics as tensors (no per-step host sync) and reports their means."""

    def __init__(self) -> None:
        self.sums: dict[str, torch.Tensor] = {}
        self.count = 0
        self.started = time.perf_counter()

    def add(self, stats: dict[str, torch.Tensor]) -> None:
        for key, value in stats.items():
            self.sums[key] = self.sums[key] + value if key in self.sums else value.clone()
        self.count += 1

    def means(self) -> dict[str, float]:
        return {key: float(value) / max(self.count, 1) for key, value in self.sums.items()}

    def seconds(self) -> float:
        return time.perf_counter() - self.started


def write_checkpoint(game: Game, run: RunDir, keep: int) -> Path:
    tensors, meta = snapshot(game)
    path = save_checkpoint(checkpoint_path(run.checkpoints_dir, game.step_count), tensors, meta)
    prune_checkpoints(run.checkpoints_dir, keep)
    return path


def prepare(
    config: RunConfig, run: RunDir, resume: bool, dataset: ImageDataset | None
) -> tuple[Game, ImageDataset]:
    dataset = dataset or load_dataset(
        config.data.name, config.data.data_dir, config.data.image_size, config.data.channels
    )
    game = build_game(config, dataset, resolve_device(config.train.device))
    if resume:
        tensors, meta = load_checkpoint(run.latest_checkpoint())
        restore(game, tensors, meta)
    return game, dataset


def train(
    config: RunConfig,
    run_dir: str | os.PathLike[str],
    resume: bool = False,
    dataset: ImageDataset | None = None,
    console: Console | None = None,
    max_steps: int | None = None,
) -> TrainResult:
    """Train `config` in `run_dir` until `train.epochs` (or `max_steps` more steps, for tests)."""
    console = console or Console(stderr=True)
    run = RunDir(Path(run_dir)).create()
    set_threads(config.train.threads)
    game, dataset = prepare(config, run, resume, dataset)
    run.save_config(config)
    log = MetricsLog(run.metrics_file, resume_step=game.step_count if resume else None)
    total = config.train.epochs * game.steps_per_epoch
    stop_at = total if max_steps is None else min(total, game.step_count + max_steps)
    grid_noise = torch.Generator().manual_seed(config.train.seed + GRID_SEED_OFFSET)
    grid_z_state = grid_noise.get_state()
    images_per_step = config.game.batch_size * (1 if config.game.update == "simultaneous" else config.game.k + 1)
    started, last_checkpoint, last_grid, status = time.perf_counter(), None, None, "finished"
    window = StatsWindow()
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[stats]}"),
    )
    with (
        Progress(*columns, console=console, disable=not config.train.progress) as progress,
        interrupt_flag() as interrupted,
    ):
        task = progress.add_task(f"training {config.preset}", total=total, completed=game.step_count, stats="")
        while game.step_count < stop_at:
            window.add(game.step())
            step, epoch_done = game.step_count, game.step_count % game.steps_per_epoch == 0
            progress.advance(task)
            if step % config.train.log_every == 0 or epoch_done or step == stop_at:
                means = window.means()
                check_finite(means, step, run)
                rate = window.count * images_per_step / max(window.seconds(), 1e-9)
                row = {
                    "step": step,
                    "epoch": step / game.steps_per_epoch,
                    **{k: round(v, 6) for k, v in means.items()},
                    "lr": learning_rate(config.optim, step),
                    "momentum": momentum(config.optim, game.epoch),
                    "images_per_s": round(rate, 1),
                }
                log.write(row)
                progress.update(task, stats=format_stats(row))
                window = StatsWindow()
            if epoch_done and dataset.is_image and config.train.grid_every:
                epoch = step // game.steps_per_epoch
                if epoch % config.train.grid_every == 0 or step == total:
                    grid_noise.set_state(grid_z_state)
                    samples = game.sample(config.train.grid_size, grid_noise)
                    last_grid = save_grid(samples, run.sample_grid_path(epoch))
            every = config.train.checkpoint_every
            if (every and step % every == 0) or (epoch_done and not every) or step == stop_at:
                last_checkpoint = write_checkpoint(game, run, config.train.keep_checkpoints)
            if interrupted():
                status = "interrupted"
                if last_checkpoint is None or not last_checkpoint.name.endswith(f"{step:08d}.safetensors"):
                    last_checkpoint = write_checkpoint(game, run, config.train.keep_checkpoints)
                break
    log.close()
    return TrainResult(
        run.path,
        game.step_count,
        game.step_count // game.steps_per_epoch,
        status,
        last_checkpoint,
        last_grid,
        time.perf_counter() - started,
    )


def format_stats(row: dict[str, Any]) -> str:
    return (
        f"D {row['d_loss']:.3f}  G {row['g_loss']:.3f}  D(x) {row['d_real']:.2f}  "
        f"D(G(z)) {row['d_fake']:.2f}  {row['images_per_s']:,.0f} img/s"
    )


def check_finite(means: dict[str, float], step: int, run: RunDir) -> None:
    bad = [key for key, value in means.items() if not math.isfinite(value)]
    if bad:
        raise AdvnetsError(
            f"training diverged at step {step} ({', '.join(bad)} not finite); the last good checkpoint is in "
            f"{run.checkpoints_dir}; lower optim.lr or use the non-saturating loss, then resume or restart"
        )
