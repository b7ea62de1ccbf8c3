"""The training loop around Game.step(): progress, metrics, sample grids, checkpoints, and safety checks.

Ctrl-C finishes the current step, writes a checkpoint and returns. A NaN or Inf in a loss or a parameter
stops the run before any checkpoint holds it. Under torchrun every rank runs this loop; rank 0 writes files.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from advnets.config.schema import RunConfig
from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError
from advnets.files import save_image
from advnets.game.loop import Game
from advnets.game.parallel import unwrap
from advnets.game.schedules import learning_rate, momentum
from advnets.plots.grid import grid_image
from advnets.runs import distributed, health
from advnets.runs.blowup import BlowupWatch, blowup_marks
from advnets.runs.checkpoint import checkpoint_path, prune_checkpoints, save_checkpoint
from advnets.runs.group import Context
from advnets.runs.rundir import MetricsLog, RunDir, read_metrics
from advnets.runs.state import snapshot

GRID_SEED_OFFSET = 7919  # the fixed grid noise comes from its own generator, never the training RNG
NEVER = 2**62  # StatsWindow's first non-finite step of a statistic that stayed finite
SINGLE = Context()  # one process, no process group


@dataclass
class TrainResult:
    run_dir: Path
    step: int
    epoch: int
    status: str  # "finished" or "interrupted"
    checkpoint: Path | None
    last_grid: Path | None
    seconds: float
    warnings: list[str] = field(default_factory=list)  # e.g. that the game blew up, for the summary


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
    """Step statistics since the last log row, kept on the device: their sums, and for each the first step
    at which it was NaN or infinite. Nothing is read back to the host until the window is reported."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.sums: torch.Tensor | None = None  # (keys,)
        self.first_bad: torch.Tensor | None = None  # (keys,) int64 steps; NEVER where finite throughout
        self.count = 0
        self.started = time.perf_counter()

    def add(self, stats: dict[str, torch.Tensor], step: int) -> None:
        values = torch.stack([value.detach().float() for value in stats.values()])  # (keys,)
        if self.sums is None or self.first_bad is None:
            self.keys, self.sums = list(stats), values.clone()
            self.first_bad = torch.full(values.shape, NEVER, dtype=torch.int64, device=values.device)
        else:
            self.sums += values
        self.first_bad = torch.minimum(self.first_bad, torch.where(torch.isfinite(values), NEVER, step))
        self.count += 1

    def means(self) -> dict[str, float]:
        if self.sums is None:
            return {}
        sums = self.sums.tolist()
        return {key: value / max(self.count, 1) for key, value in zip(self.keys, sums, strict=True)}

    def nonfinite(self) -> tuple[int, list[str]]:
        """(first step with a NaN or Inf statistic, the names of those statistics then), or (0, [])."""
        if self.first_bad is None:
            return 0, []
        steps = self.first_bad.tolist()
        first = min(steps)
        if first == NEVER:
            return 0, []
        return first, [key for key, at in zip(self.keys, steps, strict=True) if at == first]

    def seconds(self) -> float:
        return time.perf_counter() - self.started


def write_checkpoint(game: Game, run: RunDir, keep: int, context: Context = SINGLE) -> Path:
    """Save the game's state (rank 0 writes; every rank must call: the RNG gather is a collective)."""
    tensors, meta = snapshot(game)
    tensors.update(distributed.rank_rng_tensors(context, game.device))
    path = checkpoint_path(run.checkpoints_dir, game.step_count)
    if not context.is_main:
        return path
    try:
        save_checkpoint(path, tensors, meta)
    except OSError as error:  # the atomic write removed its temp file; older checkpoints are untouched
        raise AdvnetsError(
            f"could not write checkpoint {path.name} ({error.strerror or error}); the earlier checkpoints in "
            f"{run.checkpoints_dir} are intact: free space (or fix permissions), then resume with "
            f"advnets train --resume {run.path}"
        ) from None
    prune_checkpoints(run.checkpoints_dir, keep)
    return path


class Trainer:
    """The loop of `train`: steps the game and, around the steps, logs, draws grids and checkpoints.

    Under torchrun every rank runs it: the steps, the metric means, the divergence and Ctrl-C decisions and
    the checkpoint RNG gather are shared (collectives); files, progress and warnings are rank 0's alone.
    """

    def __init__(
        self,
        config: RunConfig,
        run: RunDir,
        game: Game,
        dataset: ImageDataset,
        context: Context,
        console: Console,
        log: MetricsLog | None,
    ) -> None:
        self.config, self.rundir, self.game, self.dataset = config, run, game, dataset
        self.context, self.console, self.log = context, console, log
        self.total = config.train.epochs * game.steps_per_epoch
        self.grid_noise = torch.Generator().manual_seed(config.train.seed + GRID_SEED_OFFSET)
        self.grid_z_state = self.grid_noise.get_state()
        # Training examples per step, for images_per_s: the minibatches one step draws (k, or 1 in the
        # simultaneous order), whatever passes of G's samples each makes.
        self.images_per_step = config.game.batch_size * game.minibatches_per_step
        self.window = StatsWindow()
        self.last_checkpoint: Path | None = None
        self.last_grid: Path | None = None
        self.diversity: float | None = None
        self.reference, self.best_diversity = 0.0, 0.0
        if context.is_main and dataset.is_image and config.train.collapse_threshold > 0:
            self.reference = health.reference_spread(dataset["train"].images, config.train.seed)
            earlier = [row["diversity"] for row in read_metrics(run.metrics_file) if "diversity" in row]
            self.best_diversity = max(earlier, default=0.0)  # a resumed run remembers how spread G was
        self.watch = BlowupWatch(
            f"Train it again with a lower optim.lr: {health.retrain_command(run.path, config)}"
        )

    def run(self, max_steps: int | None) -> TrainResult:
        game, config = self.game, self.config
        stop_at = self.total if max_steps is None else min(self.total, game.step_count + max_steps)
        started, status = time.perf_counter(), "finished"
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[stats]}"),
        )
        show = config.train.progress and self.context.is_main
        with Progress(*columns, console=self.console, disable=not show) as progress, interrupt_flag() as flag:
            task = progress.add_task(
                f"training {config.preset}", total=self.total, completed=game.step_count, stats=""
            )
            while game.step_count < stop_at:
                self.window.add(game.step(), game.step_count)
                progress.advance(task)
                if self.after_step(stop_at, progress, task, flag()):
                    status = "interrupted"
                    if self.last_checkpoint != checkpoint_path(self.rundir.checkpoints_dir, game.step_count):
                        self.check_stats(True)  # between log rows, the statistics are not checked yet
                        self.checkpoint()
                    break
        summary = self.watch.summary(game.step_count)
        return TrainResult(
            self.rundir.path,
            game.step_count,
            game.step_count // game.steps_per_epoch,
            status,
            self.last_checkpoint,
            self.last_grid,
            time.perf_counter() - started,
            [summary] if summary else [],
        )

    def after_step(self, stop_at: int, progress: Progress, task: TaskID, ctrl_c: bool) -> bool:
        """Log, draw, checkpoint as due; True when the run should stop for a Ctrl-C (on any rank).

        The device is read here only at a log row: the statistics are checked for NaN or Inf then, before
        any grid or checkpoint. Under torchrun whether any rank saw a Ctrl-C is agreed then too (in the same
        collective, once per log row); one process looks at its flag after every step, which costs nothing.
        """
        game, train_cfg = self.game, self.config.train
        step, epoch_done = game.step_count, game.step_count % game.steps_per_epoch == 0
        every = train_cfg.checkpoint_every
        checkpoint_now = (every and step % every == 0) or (epoch_done and not every) or step == stop_at
        log_now = step % train_cfg.log_every == 0 or epoch_done or step == stop_at or bool(checkpoint_now)
        if not log_now:
            return ctrl_c and self.context.world_size == 1
        interrupted = self.check_stats(ctrl_c)
        if epoch_done and self.dataset.is_image and train_cfg.grid_every and self.context.is_main:
            epoch = step // game.steps_per_epoch
            if epoch % train_cfg.grid_every == 0 or step == self.total:
                self.grid(epoch)
        self.write_log(progress, task, self.check_parameters())
        if checkpoint_now:
            self.checkpoint()
        return interrupted

    def check_stats(self, ctrl_c: bool) -> bool:
        """Stop, naming the first bad step, if a statistic since the last log row was NaN or Inf on any
        rank; else whether any rank saw a Ctrl-C (one collective for both under torchrun)."""
        step, bad = self.window.nonfinite()
        diverged, interrupted = distributed.any_rank([bool(bad), ctrl_c], self.context, self.game.device)
        if diverged:
            where = step or self.game.step_count
            what = bad or ["a loss on another process"]
            raise health.divergence_error(where, what, self.rundir.path, self.config)
        return interrupted

    def grid(self, epoch: int) -> None:
        self.grid_noise.set_state(self.grid_z_state)
        samples = self.game.sample(self.config.train.grid_size, self.grid_noise)
        self.last_grid = save_image(grid_image(samples), self.rundir.sample_grid_path(epoch))
        if self.reference > 0:
            self.diversity = health.diversity(samples, self.reference)
            threshold = self.config.train.collapse_threshold
            warning = health.collapse_warning(epoch, self.diversity, threshold, self.best_diversity)
            self.best_diversity = max(self.best_diversity, self.diversity)
            if warning:
                self.console.print(f"[yellow]warning:[/] {warning}", highlight=False)

    def check_parameters(self) -> float:
        """Stop on a NaN or Inf parameter; else the largest |parameter| of G and D."""
        nets = [
            ("generator", unwrap(self.game.generator)),
            ("discriminator", unwrap(self.game.discriminator)),
        ]
        extremes = health.parameter_extremes(nets)
        bad = [name for name, value in extremes.items() if not math.isfinite(value)]
        if bad:  # parameters are identical on every rank, so every rank stops here together
            raise health.divergence_error(self.game.step_count, bad, self.rundir.path, self.config)
        return max(extremes.values(), default=0.0)

    def write_log(self, progress: Progress, task: TaskID, largest_weight: float) -> None:
        game, config = self.game, self.config
        window_means = self.window.means()
        keys = sorted(window_means)
        local = torch.tensor([window_means[k] for k in keys], dtype=torch.float64)
        means = dict(zip(keys, distributed.reduce_mean(local, self.context).tolist(), strict=True))
        rate = self.window.count * self.images_per_step / max(self.window.seconds(), 1e-9)
        self.window = StatsWindow()
        step = game.step_count
        marks = blowup_marks(means, largest_weight)
        warning = self.watch.observe(step, marks)
        if warning and self.context.is_main:
            self.console.print(f"[yellow]warning:[/] {warning}", highlight=False)
        if self.log is None:
            return
        row: dict[str, Any] = {
            "step": step,
            "epoch": step / game.steps_per_epoch,
            **{k: round(v, 6) for k, v in means.items()},
            "lr": learning_rate(config.optim, step),
            "momentum": momentum(config.optim, game.epoch),
            "images_per_s": round(rate, 1),
            "param_max": float(f"{largest_weight:.4g}"),
        }
        if marks:
            row["blowup"] = sorted(marks)
        if config.optim.lr_d is not None or config.optim.lr_g is not None:
            row["lr_d"] = learning_rate(config.optim, step, "d")
            row["lr_g"] = learning_rate(config.optim, step, "g")
        if self.diversity is not None:
            row["diversity"] = round(self.diversity, 4)
            self.diversity = None
        self.log.write(row)
        progress.update(task, stats=format_stats(row))

    def checkpoint(self) -> None:
        self.last_checkpoint = write_checkpoint(
            self.game, self.rundir, self.config.train.keep_checkpoints, self.context
        )


def format_stats(row: dict[str, Any]) -> str:
    return (
        f"D {row['d_loss']:.3f}  G {row['g_loss']:.3f}  D(x) {row['d_real']:.2f}  "
        f"D(G(z)) {row['d_fake']:.2f}  {row['images_per_s']:,.0f} img/s"
    )
