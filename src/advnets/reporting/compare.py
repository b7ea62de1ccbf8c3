"""`advnets compare`: the Parzen curves of several runs, grouped by what their configurations change.

Runs that differ only in their seed (and in bookkeeping such as threads or epochs) form one group; the
groups are named by the settings that set them apart (e.g. `generator.noise=uniform`). For chosen epochs
it gives each group's validation and test figures as mean ± standard deviation across its seeds, beside
the mean per-image standard error that the paper's Table 1 reports, so the two spreads can be compared.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advnets.errors import AdvnetsError
from advnets.reporting.curve import checkpoint_point, read_curve
from advnets.reporting.evaluate import EvalOptions, load_run_dataset
from advnets.runs.rundir import RunDir

# Settings that do not change the experiment: a seed tells runs of one group apart, the rest is bookkeeping.
IGNORED = {
    "preset",
    "train.seed",
    "train.epochs",
    "train.threads",
    "train.progress",
    "train.device",
    "train.log_every",
    "train.checkpoint_every",
    "train.keep_checkpoints",
    "train.grid_every",
    "data.data_dir",
}


@dataclass
class RunCurve:
    run_dir: Path
    seed: int
    settings: dict[str, Any]  # flattened configuration
    points: list[dict[str, Any]]  # the run's Parzen curve, oldest first


@dataclass
class Group:
    label: str
    runs: list[RunCurve] = field(default_factory=list)


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def read_runs(run_dirs: list[Path]) -> list[RunCurve]:
    runs = []
    for run_dir in run_dirs:
        points = read_curve(run_dir)
        if not points:
            raise AdvnetsError(
                f"{run_dir} has no Parzen curve (parzen_curve.json); make one with "
                f"advnets eval {run_dir} --all-checkpoints, or train it with advnets reproduce"
            )
        settings = flatten(RunDir(run_dir).load_config().to_dict())
        runs.append(RunCurve(Path(run_dir), int(settings["train.seed"]), settings, points))
    return runs


def group_runs(runs: list[RunCurve]) -> list[Group]:
    """Groups of runs with equal settings apart from IGNORED, labelled by the settings that differ."""
    keys = sorted({k for run in runs for k in run.settings} - IGNORED)
    differing = [k for k in keys if len({repr(run.settings.get(k)) for run in runs}) > 1]
    groups: dict[str, Group] = {}
    for run in runs:
        label = ", ".join(f"{k}={run.settings.get(k)}" for k in differing) or "all runs"
        groups.setdefault(label, Group(label)).runs.append(run)
    return list(groups.values())


def point_at(run: RunCurve, epoch: int) -> dict[str, Any] | None:
    return next((p for p in run.points if int(p["epoch"]) == epoch), None)


def add_test_figures(runs: list[RunCurve], epochs: list[int], options: EvalOptions) -> None:
    """Score the test set at the given epochs' checkpoints where the curve has only validation figures.

    The test figure is computed at the sigma that validation chose; it selects nothing.
    """
    for run in runs:
        dataset = None
        for epoch in epochs:
            point = point_at(run, epoch)
            if point is None or "test_ll" in point:
                continue
            dataset = dataset or load_run_dataset(RunDir(run.run_dir).load_config(), options.data_dir)
            checkpoint = RunDir(run.run_dir).checkpoints_dir / point["checkpoint"]
            point |= checkpoint_point(checkpoint, dataset, options, with_test=True)


def _mean_sd(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def seed_table(groups: list[Group], epochs: list[int]) -> list[dict[str, Any]]:
    """Per group and epoch: validation and test mean ± sd across seeds, and the mean per-image s.e."""
    rows = []
    for group in groups:
        for epoch in epochs:
            points = [p for run in group.runs if (p := point_at(run, epoch)) is not None]
            if not points:
                continue
            row: dict[str, Any] = {"group": group.label, "epoch": epoch, "seeds": len(points)}
            row["valid_mean"], row["valid_sd"] = _mean_sd([p["valid_ll"] for p in points])
            tests = [p for p in points if "test_ll" in p]
            if len(tests) == len(points):
                row["test_mean"], row["test_sd"] = _mean_sd([p["test_ll"] for p in tests])
                row["test_stderr"] = statistics.fmean(p["test_stderr"] for p in tests)
            rows.append(row)
    return rows
