"""The Parzen figure over a run's saved checkpoints: the curve for model selection and the report.

For each checkpoint: G's samples, sigma chosen on the first validation images (the validation figure is
that sigma's mean log-likelihood there, which is what a model would be selected on), then the test figure
at that sigma. Written to RUN_DIR/parzen_curve.json.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from pathlib import Path
from typing import Any

import advnets
from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError
from advnets.files import read_json, write_json
from advnets.metrics.parzen import parzen_protocol, select_sigma
from advnets.reporting.evaluate import EvalOptions, load_run_dataset
from advnets.runs.checkpoint import list_checkpoints
from advnets.runs.rundir import RESULTS_HINT, RunDir

CURVE_FILE = "parzen_curve.json"
POINT_KEYS = ("checkpoint", "step", "epoch", "sigma", "valid_ll")


def checkpoint_point(
    checkpoint: Path, dataset: ImageDataset, options: EvalOptions, with_test: bool = True
) -> dict[str, Any]:
    """One point of the curve: step, epoch, validation figure, sigma and (optionally) the test figure."""
    model = advnets.load(checkpoint.parent.parent, checkpoint)
    samples = model.sample(options.n_samples, seed=options.sample_seed)
    valid, test = dataset["valid"].images, dataset["test"].images
    point: dict[str, Any] = {"checkpoint": checkpoint.name, "step": model.step, "epoch": model.epoch}
    point["n_samples"] = options.n_samples
    if with_test:
        result = parzen_protocol(samples, valid, test, options.sigmas, options.n_valid)
        key = f"{result.sigma:.6g}"
        point |= {"valid_ll": result.valid_means[key], "sigma": result.sigma}
        point |= {"test_ll": result.mean, "test_stderr": result.stderr}
    else:
        sigma, means, _ = select_sigma(valid[: options.n_valid], samples, options.sigmas)
        point |= {"valid_ll": means[f"{sigma:.6g}"], "sigma": sigma}
    return point


def checkpoint_curve(
    run_dir: Path,
    options: EvalOptions,
    with_test: bool = True,
    on_point: Callable[[dict[str, Any]], None] | None = None,
    save: bool = True,
) -> list[dict[str, Any]]:
    """The curve over every checkpoint in the run (oldest first), saved beside the run's metrics.

    Points already in the run's curve file for the same checkpoint and sample count are reused, so a run
    that is still training can be re-scored cheaply as checkpoints arrive. With `save=False` the caller
    saves (`save_curve`), after showing the points, so a failed write loses nothing.
    """
    run = RunDir(run_dir)
    dataset = load_run_dataset(run.load_config(), options.data_dir)
    known = {p["checkpoint"]: p for p in read_curve(run_dir) if p.get("n_samples") == options.n_samples}
    points: list[dict[str, Any]] = []
    for checkpoint in list_checkpoints(run.checkpoints_dir):
        old = known.get(checkpoint.name)
        if old is not None and (not with_test or "test_ll" in old):
            points.append(old)
        else:
            points.append(checkpoint_point(checkpoint, dataset, options, with_test))
        if on_point is not None:
            on_point(points[-1])
    if save:
        save_curve(run_dir, points)
    return points


def save_curve(run_dir: Path, points: list[dict[str, Any]]) -> Path:
    record = {"advnets_version": advnets.__version__, "points": points}
    return write_json(Path(run_dir) / CURVE_FILE, record, RESULTS_HINT)


def _is_point(point: Any) -> bool:
    return (
        isinstance(point, dict)
        and all(key in point for key in POINT_KEYS)
        and all(isinstance(point[key], Real) for key in ("step", "sigma", "valid_ll"))
    )


def read_curve(run_dir: Path) -> list[dict[str, Any]]:
    """The run's saved curve points ([] when there is no curve file); a damaged file is one line."""
    path = Path(run_dir) / CURVE_FILE
    if not path.is_file():
        return []
    fix = f"delete it, and `advnets eval {run_dir} --all-checkpoints` computes it again"
    data = read_json(path, fix)
    points = data.get("points") if isinstance(data, dict) else None
    if not isinstance(points, list) or not all(_is_point(point) for point in points):
        raise AdvnetsError(
            f"{path} is not a Parzen curve (a list of points with {', '.join(POINT_KEYS)}); {fix}"
        )
    return points
