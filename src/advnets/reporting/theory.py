"""`advnets theory`: the paper's propositions checked numerically on 1-D densities with exact pdfs.

1. Theorem 1 on pairs (p_data, p_g): C(G) = V(G, D*) equals -log 4 + 2 JSD, is >= -log 4, and equals it
   exactly when p_g = p_data.
2. Proposition 1: D trained with p_g fixed converges to D* = p_data / (p_data + p_g).
3. A real 1-D GAN (preset toy-1d, the engine's Game): JSD(p_data || p_g) over iterations; Figure 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from advnets.config.overrides import resolve_config, setting
from advnets.data import load_dataset
from advnets.data.toy import TOYS, GaussianMixture
from advnets.files import save_animation, save_figure, write_json
from advnets.metrics.theory import gaussian_pdf, identities
from advnets.metrics.toygame import EDGES, ToyFrame, discriminator_error, fit_discriminator, toy_frame
from advnets.plots.toy import dstar_figure, jsd_figure, toy_animation, toy_figure
from advnets.runs.training import build_game
from advnets.variants import DataInfo, get_variant

DATA = "toy-gaussian-1d"
# p_g candidates for Theorem 1, as (mean, std); the first is p_data itself (N(4, 0.5^2)).
CASES = ((4.0, 0.5), (3.5, 0.5), (4.0, 1.0), (2.0, 0.5), (0.0, 0.5), (4.0, 0.25))
# p_g held fixed while D trains: same width as p_data, so D* is a logistic curve a small D can represent.
FIXED_G = GaussianMixture(((3.0,),), 0.5)


@dataclass
class TheoryOptions:
    gan_steps: int = 2000
    every: int = 40
    d_steps: int = 3000
    seed: int = 0


def theorem_one() -> list[dict[str, float]]:
    x = np.linspace(-10, 20, 300_001)
    cell = float(x[1] - x[0])
    density = TOYS[DATA]
    p_data = gaussian_pdf(x, density.means[0][0], density.std)
    return [{"mean": m, "std": s, **identities(p_data, gaussian_pdf(x, m, s), cell)} for m, s in CASES]


def proposition_one(options: TheoryOptions) -> tuple[list[tuple[int, float]], Any]:
    config = resolve_config("toy-1d", None, setting("train.seed", options.seed))
    discriminator = get_variant("gan").build_discriminator(config, DataInfo(DATA, (1,)))
    errors = fit_discriminator(
        discriminator, config.optim, TOYS[DATA], FIXED_G, options.d_steps, seed=options.seed
    )
    return errors, discriminator_error(discriminator, TOYS[DATA], FIXED_G)


def gan_frames(options: TheoryOptions) -> list[ToyFrame]:
    """Train the toy-1d preset with the engine's Game, a frame every `every` steps."""
    config = resolve_config("toy-1d", None, setting("train.seed", options.seed))
    game = build_game(config, load_dataset(DATA))
    noise = config.generator.noise
    frames = [toy_frame(game.generator, game.discriminator, TOYS[DATA], 0, noise)]
    while game.step_count < options.gan_steps:
        game.step()
        if game.step_count % options.every == 0 or game.step_count == options.gan_steps:
            frames.append(toy_frame(game.generator, game.discriminator, TOYS[DATA], game.step_count, noise))
    return frames


def stages(frames: list[ToyFrame], count: int = 4) -> list[ToyFrame]:
    """`count` frames spread over the run (first and last included), for the four-panel figure."""
    picks = np.unique(np.round(np.geomspace(1, len(frames), count)).astype(int) - 1)
    return [frames[i] for i in picks]


def run_theory(
    out: Path,
    options: TheoryOptions | None = None,
    show: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """All three checks; writes theory.json, fig1_panels.png, fig1.gif, jsd.png and dstar.png into `out`.

    `show(record)` is called before anything is written, so a failed write never loses the numbers.
    """
    options = options or TheoryOptions()
    table = theorem_one()
    errors, (final_error, x, d, d_star) = proposition_one(options)
    frames = gan_frames(options)
    record = {
        "theorem_1": table,
        "proposition_1": {
            "fixed_p_g": "N(3, 0.5^2)",
            "steps": options.d_steps,
            "max_abs_error": final_error,
            "errors": errors,
        },
        "gan_jsd": [{"step": f.step, "jsd": f.jsd} for f in frames],
        "grid": {"x_min": float(EDGES[0]), "x_max": float(EDGES[-1]), "cells": len(EDGES) - 1},
        "options": options.__dict__,
    }
    if show is not None:
        show(record)
    elsewhere = "choose another --out"
    save_figure(toy_figure(stages(frames)), out / "fig1_panels.png", elsewhere)
    save_animation(toy_animation(frames), out / "fig1.gif", elsewhere=elsewhere)
    save_figure(jsd_figure([f.step for f in frames], [f.jsd for f in frames]), out / "jsd.png", elsewhere)
    save_figure(dstar_figure(x, d, d_star, errors), out / "dstar.png", elsewhere)
    write_json(out / "theory.json", record, elsewhere)
    return record
