"""`advnets figures`: every figure for a run, written as PNG into RUN_DIR/figures/.

Image runs get Figures 2 and 3, the training curves and the saturation figure; 1-D toy runs get Figure 1
(four panels and an animated GIF) and the curves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from matplotlib.figure import Figure

import advnets
from advnets.files import save_figure
from advnets.game.noise import sample_noise
from advnets.metrics.neighbours import nearest_neighbours
from advnets.metrics.saturation import observed_gradients
from advnets.plots.curves import training_curves
from advnets.plots.interpolation import interpolate, interpolation_figure
from advnets.plots.samples import nearest_neighbour_figure
from advnets.plots.saturation import saturation_figure
from advnets.reporting.curve import read_curve
from advnets.reporting.evaluate import load_run_dataset
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint
from advnets.runs.rundir import RESULTS_HINT, RunDir, read_metrics
from advnets.runs.state import info_from_meta, module_state
from advnets.variants import get_variant


@dataclass
class FigureOptions:
    rows: int = 6
    columns: int = 6
    pairs: int = 4
    steps: int = 10
    seed: int = 0
    data_dir: str | None = None


def save(figure: Figure, path: Path) -> Path:
    return save_figure(figure, path, RESULTS_HINT)


def samples_with_neighbours(run_dir: Path, options: FigureOptions) -> Figure:
    model = advnets.load(run_dir)
    train = load_run_dataset(model.config, options.data_dir)["train"].images
    samples = model.sample(options.rows * options.columns, seed=options.seed)
    last = samples.reshape(options.rows, options.columns, *samples.shape[1:])[:, -1]
    index, _ = nearest_neighbours(last, train)  # over the full training set
    return nearest_neighbour_figure(samples, train[index], options.columns)


def interpolations(run_dir: Path, options: FigureOptions) -> Figure:
    model = advnets.load(run_dir)
    prior = model.config.generator
    gen = torch.Generator().manual_seed(options.seed + 1)
    # Ends drawn from the run's own prior: a uniform-prior G never saw N(0, 1)'s tails.
    ends = sample_noise(options.pairs * 2, prior.noise_dim, prior.noise, generator=gen)
    ends = ends.reshape(options.pairs, 2, prior.noise_dim)
    walks = {}
    for kind in ("linear", "spherical"):
        z = torch.stack([interpolate(a, b, options.steps, kind) for a, b in ends])  # (pairs, steps, dim)
        images = model.sample(z.shape[0] * z.shape[1], z=z.reshape(-1, z.shape[-1]))
        walks[kind] = images.reshape(options.pairs, options.steps, *images.shape[1:])
    return interpolation_figure(walks)


def early_gradients(run_dir: Path, options: FigureOptions) -> Figure:
    """The saturation figure, observed at the run's earliest saved checkpoint."""
    first = list_checkpoints(RunDir(run_dir).checkpoints_dir)[0]
    tensors, meta = load_checkpoint(first)
    config, info = info_from_meta(meta)
    variant = get_variant(config.variant)
    generator, discriminator = (
        variant.build_generator(config, info),
        variant.build_discriminator(config, info),
    )
    generator.load_state_dict(module_state(tensors, "generator"))
    discriminator.load_state_dict(module_state(tensors, "discriminator"))
    prior = config.generator
    z = sample_noise(
        1000, prior.noise_dim, prior.noise, generator=torch.Generator().manual_seed(options.seed)
    )
    observed = observed_gradients(generator, discriminator, z)
    return saturation_figure(observed, f"at step {meta['game']['step']} (epoch {meta.get('epoch')}), 1,000 z")


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
    written.append(save(samples_with_neighbours(run_dir, options), out / "fig2_samples_nearest.png"))
    written.append(save(interpolations(run_dir, options), out / "fig3_interpolation.png"))
    written.append(save(early_gradients(run_dir, options), out / "saturation.png"))
    return written
