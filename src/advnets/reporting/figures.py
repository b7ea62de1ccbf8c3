"""`advnets figures`: every figure for a run, written as PNG into RUN_DIR/figures/.

Image runs get Figures 2 and 3, the training curves and the saturation figure; 1-D toy runs get Figure 1
(four panels and an animated GIF) and the curves. Every net comes from the one loader (`advnets.load`), so
G draws its samples under the run's own prior and condition: a conditional run shows one class per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from matplotlib.figure import Figure

import advnets
from advnets.files import save_figure
from advnets.metrics.neighbours import nearest_neighbours
from advnets.metrics.saturation import observed_gradients
from advnets.plots.curves import training_curves
from advnets.plots.interpolation import interpolate, interpolation_figure
from advnets.plots.samples import nearest_neighbour_figure
from advnets.plots.saturation import saturation_figure
from advnets.reporting.curve import read_curve
from advnets.reporting.evaluate import load_run_dataset
from advnets.runs.checkpoint import list_checkpoints
from advnets.runs.model import TrainedModel, class_rows
from advnets.runs.rundir import RESULTS_HINT, RunDir, read_metrics


@dataclass
class FigureOptions:
    rows: int = 6  # of an unconditional run's Figure 2; a conditional run has one row per class
    columns: int = 6
    pairs: int = 4
    steps: int = 10
    seed: int = 0
    data_dir: str | None = None


def save(figure: Figure, path: Path) -> Path:
    return save_figure(figure, path, RESULTS_HINT)


def samples_with_neighbours(model: TrainedModel, options: FigureOptions) -> Figure:
    """Figure 2: rows of samples, the last of each beside its nearest training image (one class a row)."""
    train = load_run_dataset(model.config, options.data_dir)["train"].images
    labels, title = None, ""
    if model.variant.conditional:
        labels = class_rows(model, options.columns)
        title = "one class per row; yellow: nearest training example of the sample to its left"
    n = len(labels) if labels is not None else options.rows * options.columns
    samples = model.sample(n, seed=options.seed, labels=labels)
    last = samples.reshape(-1, options.columns, *samples.shape[1:])[:, -1]
    index, _ = nearest_neighbours(last, train)  # over the full training set
    return nearest_neighbour_figure(samples, train[index], options.columns, title)


def interpolations(model: TrainedModel, options: FigureOptions) -> Figure:
    """Figure 3: linear and spherical walks between pairs of z; a conditional run keeps a class per walk."""
    # Ends drawn from the run's own prior: a uniform-prior G never saw N(0, 1)'s tails.
    ends = model.noise(options.pairs * 2, options.seed + 1).reshape(options.pairs, 2, -1)
    labels = None
    if model.variant.conditional and model.info.num_classes:
        labels = (torch.arange(options.pairs) % model.info.num_classes).repeat_interleave(options.steps)
    walks = {}
    for kind in ("linear", "spherical"):
        z = torch.stack([interpolate(a, b, options.steps, kind) for a, b in ends])  # (pairs, steps, dim)
        images = model.sample(z.shape[0] * z.shape[1], z=z.reshape(-1, z.shape[-1]), labels=labels)
        walks[kind] = images.reshape(options.pairs, options.steps, *images.shape[1:])
    return interpolation_figure(walks)


def early_gradients(run_dir: Path, options: FigureOptions) -> Figure:
    """The saturation figure, observed at the run's earliest saved checkpoint."""
    first = list_checkpoints(RunDir(run_dir).checkpoints_dir)[0]
    model = advnets.load(run_dir, first)
    z = model.noise(1000, options.seed)
    condition = model.condition(None, len(z))  # a conditional run: the classes in turn
    observed = observed_gradients(
        model.generator, model.discriminator, z, condition, model.judged_condition(condition, z)
    )
    return saturation_figure(observed, f"at step {model.step} (epoch {model.epoch}), 1,000 z")


def write_figures(run_dir: Path, options: FigureOptions | None = None) -> list[Path]:
    """Every figure that applies to the run; returns the PNG (and GIF) paths."""
    options = options or FigureOptions()
    run_dir = Path(run_dir)
    config = RunDir(run_dir).load_config()  # first: a path that is not a run is said so, before any write
    out = run_dir / "figures"
    written = [
        save(
            training_curves(read_metrics(run_dir / "metrics.jsonl"), read_curve(run_dir)), out / "curves.png"
        )
    ]
    if config.data.name.startswith("toy-"):
        from advnets.reporting.toyfigures import write_toy_figures

        return written + write_toy_figures(run_dir, out)
    model = advnets.load(run_dir)
    written.append(save(samples_with_neighbours(model, options), out / "fig2_samples_nearest.png"))
    written.append(save(interpolations(model, options), out / "fig3_interpolation.png"))
    written.append(save(early_gradients(run_dir, options), out / "saturation.png"))
    return written
