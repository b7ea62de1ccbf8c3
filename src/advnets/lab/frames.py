"""What the page draws, computed from the live game: samples, D, p_g, D*, the JSD, G's map and gradients.

p_data is exact (the target's mixture density). p_g is G's push-forward of p_z, tabulated by sending a fine
grid of z through G and adding each z cell's probability to the x cell it lands in: no kernel bandwidth, only
the grid's resolution (a 2-D z on 1-D data takes evenly spread quasi-random z instead of a grid). On those
tabulated densities advnets.metrics.theory gives D* (Proposition 1), the JSD and V(G, D) exactly as the paper
defines them. Both densities are normalised over the plotted window.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy.ndimage import gaussian_filter
from torch import nn

from advnets.game.loop import Game
from advnets.game.losses import discriminator_output, generator_loss
from advnets.game.updates import g_loss_name
from advnets.lab.diagnosis import diagnose, mode_masses
from advnets.lab.targets import Target
from advnets.metrics.theory import js_divergence, optimal_discriminator, value

SHOWN = 300  # real and generated points drawn per frame
GRID_2D, HEAT_2D = 100, 50  # theory grid and heat-map cells per axis (2-D)
GRID_1D, CURVE_1D = 400, 200  # theory bins and curve points (1-D)
Z_GRID_2D, Z_GRID_1D = 160, 20_000  # z grid for the push-forward of p_z
Z_SPREAD = 2**15  # evenly spread z for a 2-D z on 1-D data


@contextmanager
def evaluating(*modules: nn.Module) -> Iterator[None]:
    """Eval mode (no dropout) for drawing, restoring each module's mode afterwards."""
    modes = [m.training for m in modules]
    for m in modules:
        m.eval()
    try:
        yield
    finally:
        for m, mode in zip(modules, modes, strict=True):
            m.train(mode)


def _z_spread(kind: str, count: int = Z_SPREAD) -> tuple[torch.Tensor, np.ndarray]:
    """(count, 2) z spread evenly over p_z (a scrambled Sobol sequence, sent through the inverse normal CDF
    for a Gaussian p_z) with equal probabilities: for a 2-D z on 1-D data, where a lattice of z lands on a
    lattice of x (G's image of the sum of z's coordinates, say) that the x cells alias."""
    u = torch.quasirandom.SobolEngine(2, scramble=True, seed=0).draw(count).double()
    u = u.clamp(1e-9, 1 - 1e-9)
    z = torch.special.ndtri(u) if kind == "gaussian" else (2 * u - 1) * math.sqrt(3.0)
    return z.float(), np.full(count, 1.0 / count)


def _z_grid(kind: str, dim: int, per_axis: int) -> tuple[torch.Tensor, np.ndarray]:
    """(n, dim) z cell centres covering p_z and their probabilities (summing to 1)."""
    bound = math.sqrt(3.0) if kind == "uniform" else 4.5
    axis = torch.linspace(-bound, bound, per_axis)
    mesh = torch.stack(torch.meshgrid(*[axis] * dim, indexing="ij"), -1).reshape(-1, dim)
    weights = np.ones(len(mesh)) if kind == "uniform" else np.exp(-0.5 * (mesh.double() ** 2).sum(1).numpy())
    return mesh, weights / weights.sum()


@dataclass
class Tabulation:
    """Everything fixed for one game: grids, p_data on them, and the fixed z and x that frames draw."""

    target: Target
    edges: np.ndarray  # (GRID + 1,) cell edges per axis
    centres: torch.Tensor  # (GRID^dim, dim) theory grid
    cell: float  # cell length (1-D) or area (2-D)
    p_data: np.ndarray  # (GRID^dim,) density at the centres, normalised over the window
    z_cells: torch.Tensor
    z_weights: np.ndarray
    z_shown: torch.Tensor  # (SHOWN, noise_dim) fixed noise for the drawn fake points
    real_shown: np.ndarray  # (SHOWN, dim)
    # (lines, points, noise_dim): the z whose image G draws: a grid (2-D z), a line (1-D z, Figure 1's in
    # 1-D data); none (0 lines) for 2-D z on 1-D data, where Figure 1's lines from z to x cannot be drawn.
    z_lines: torch.Tensor

    @property
    def noise_dim(self) -> int:
        return self.z_cells.shape[1]

    @classmethod
    def build(cls, target: Target, noise: str, seed: int = 0, noise_dim: int | None = None) -> Tabulation:
        """The tables for `target`, with z ~ p_z (`noise`) of `noise_dim` dimensions (None: the data's)."""
        dim, per_axis = target.dim, GRID_1D if target.dim == 1 else GRID_2D
        zdim = noise_dim or dim
        edges = np.linspace(target.low, target.high, per_axis + 1)
        mids = torch.tensor((edges[:-1] + edges[1:]) / 2)
        centres = torch.stack(torch.meshgrid(*[mids] * dim, indexing="ij"), -1).reshape(-1, dim)
        cell = float((edges[1] - edges[0]) ** dim)
        p_data = np.exp(target.density.log_prob(centres.double()).numpy())
        p_data /= p_data.sum() * cell
        if zdim > dim:
            z_cells, z_weights = _z_spread(noise)
        else:
            z_cells, z_weights = _z_grid(noise, zdim, Z_GRID_1D if zdim == 1 else Z_GRID_2D)
        generator = torch.Generator().manual_seed(seed + 12345)
        z_shown = torch.randn(SHOWN, zdim, generator=generator)
        if noise == "uniform":
            z_shown = (torch.rand(SHOWN, zdim, generator=generator) * 2 - 1) * math.sqrt(3.0)
        real_shown = target.density.sample(SHOWN, generator).numpy()
        span = torch.linspace(-2.0, 2.0, 33)
        if zdim == 1:  # Figure 1's z in 1-D; in 2-D one finely drawn line, the curve G bends it into
            z_lines = torch.linspace(-2.0, 2.0, 25 if dim == 1 else 81).reshape(1, -1, 1)
        elif dim == 1:
            z_lines = torch.zeros(0, 25, zdim)
        else:
            ticks = torch.linspace(-2.0, 2.0, 9)
            rows = [torch.stack([span, torch.full_like(span, t)], -1) for t in ticks]
            cols = [torch.stack([torch.full_like(span, t), span], -1) for t in ticks]
            z_lines = torch.stack(rows + cols)
        return cls(
            target, edges, centres.float(), cell, p_data, z_cells, z_weights, z_shown, real_shown, z_lines
        )

    def push_forward(self, generator: nn.Module) -> np.ndarray:
        """p_g's density on the theory grid (normalised over the window): G's image of the z grid."""
        with torch.no_grad():
            x = generator(self.z_cells).reshape(len(self.z_cells), -1).double().numpy()
        if self.target.dim == 1:
            mass, _ = np.histogram(x[:, 0], bins=self.edges, weights=self.z_weights)
        else:
            mass, _, _ = np.histogram2d(
                x[:, 0], x[:, 1], bins=[self.edges, self.edges], weights=self.z_weights
            )
            mass = mass.reshape(-1)
        total = mass.sum()
        if total <= 0:  # G sent everything outside the window: treat p_g as uniform-free (all zero)
            return np.zeros_like(self.p_data)
        return mass / (total * self.cell)


def _pool(values: np.ndarray, dim: int, factor: int) -> np.ndarray:
    """Average `factor`-sized blocks of a (GRID^dim,) array down to the display resolution."""
    if dim == 1:
        return values.reshape(-1, factor).mean(1)
    side = round(math.sqrt(len(values)))
    grid = values.reshape(side // factor, factor, side // factor, factor)
    return grid.mean((1, 3)).reshape(-1)


def _rounded(array: np.ndarray | torch.Tensor, digits: int = 4) -> list[Any]:
    values = array.detach().cpu().numpy() if isinstance(array, torch.Tensor) else array
    return np.round(np.nan_to_num(values.astype(np.float64)), digits).tolist()


def generator_gradient(game: Game, x: torch.Tensor) -> torch.Tensor:
    """-dL_G/dx per sample at points x (n, d): the direction D pushes each of G's samples (eval-mode D)."""
    x = x.detach().clone().requires_grad_(True)
    with evaluating(game.discriminator):
        loss = generator_loss(game.discriminator(x), g_loss_name(game)) * len(x)
    (grad,) = torch.autograd.grad(loss, x)
    return -grad


# The D* the page draws: p_g's tabulation smoothed by a Gaussian of this many theory-grid cells, and D* left
# undefined (None) where p_data and smoothed p_g together hold less than this share of their peak density.
DISPLAY_SMOOTHING_CELLS = 2.0
DISPLAY_MIN_DENSITY = 1e-3


def displayed_optimal_discriminator(tab: Tabulation, p_g: np.ndarray) -> np.ndarray:
    """D* = p_data / (p_data + p_g~) for the picture, NaN where it is not defined.

    Exact D* from the tabulated p_g is 1 in every empty cell of G's histogram, however far from the data,
    and blocky where G's image is thin. The picture uses p_g~, the tabulation smoothed over a few cells, and
    shows nothing where neither density is there to compare; the JSD and C(G) stay exact (unsmoothed).
    """
    grid = (len(tab.edges) - 1,) * tab.target.dim
    smooth = gaussian_filter(p_g.reshape(grid), DISPLAY_SMOOTHING_CELLS, mode="constant").reshape(-1)
    total = tab.p_data + smooth
    defined = total > DISPLAY_MIN_DENSITY * total.max()
    return np.where(defined, optimal_discriminator(tab.p_data, smooth), np.nan)


def _rounded_or_none(values: np.ndarray, digits: int = 4) -> list[Any]:
    """Like _rounded, with None for NaN (a value the picture leaves undefined)."""
    return [None if math.isnan(v) else round(float(v), digits) for v in values]


def theory(game: Game, tab: Tabulation) -> dict[str, Any]:
    """p_g, D on the grid, D*, JSD(p_data || p_g), V(G, D) and C(G) = V(G, D*) for the current nets.

    D is what the game's loss makes of D's output (a probability in the log game, the raw output under least
    squares, whose optimum is the same D*); V(G, D), the log game's value, is NaN under least squares.
    """
    loss = game.config.game.loss
    with evaluating(game.generator, game.discriminator), torch.no_grad():
        p_g = tab.push_forward(game.generator)
        d = discriminator_output(game.discriminator(tab.centres), loss).double().numpy()
    d_star = optimal_discriminator(tab.p_data, p_g)
    jsd = js_divergence(tab.p_data, p_g, tab.cell)
    return {
        "p_g": p_g,
        "d": d,
        "d_star": d_star,
        "jsd": jsd,
        "value": value(tab.p_data, p_g, d, tab.cell) if loss == "log" else math.nan,
        "c_of_g": -math.log(4.0) + 2.0 * jsd,
    }


def make_frame(game: Game, tab: Tabulation) -> dict[str, Any]:
    """One picture of the game, as JSON-ready lists (see the module docstring for what is exact)."""
    dim = tab.target.dim
    numbers = theory(game, tab)
    d_star_shown = displayed_optimal_discriminator(tab, numbers["p_g"])
    with evaluating(game.generator), torch.no_grad():
        fake = game.generator(tab.z_shown).reshape(SHOWN, dim)
        lines = tab.z_lines.reshape(-1, tab.noise_dim)
        mapped = game.generator(lines).reshape(*tab.z_lines.shape[:2], dim) if len(lines) else tab.z_lines
    grad = generator_gradient(game, fake)
    loss = game.config.game.loss
    with evaluating(game.discriminator), torch.no_grad():
        d_fake = float(discriminator_output(game.discriminator(fake), loss).mean())
    masses = mode_masses(tab.target.density, tab.centres, numbers["p_g"], tab.cell)
    frame: dict[str, Any] = {
        "dim": dim,
        "window": [tab.target.low, tab.target.high],
        "real": _rounded(tab.real_shown, 3),
        "fake": _rounded(fake, 3),
        "grad": _rounded(grad, 4),
        "jsd": numbers["jsd"],
        "value": numbers["value"],
        "c_of_g": numbers["c_of_g"],
        # What went wrong, with the numbers that show it (advnets.lab.diagnosis).
        "diagnosis": diagnose(loss, g_loss_name(game), d_fake, grad.numpy(), numbers["jsd"], masses),
    }
    if dim == 1:
        factor = GRID_1D // CURVE_1D
        frame["curves"] = {
            "x": _rounded(_pool(tab.centres[:, 0].double().numpy(), 1, factor), 3),
            "p_data": _rounded(_pool(tab.p_data, 1, factor)),
            "p_g": _rounded(_pool(numbers["p_g"], 1, factor)),
            "d": _rounded(_pool(numbers["d"], 1, factor)),
            "d_star": _rounded_or_none(_pool(d_star_shown, 1, factor)),
        }
        # Figure 1's lines from z to G(z) need a 1-D z: none for 2-D z.
        figure_1 = tab.noise_dim == 1
        frame["mapping"] = (
            {"z": _rounded(tab.z_lines[0, :, 0], 3), "x": _rounded(mapped[0, :, 0], 3)} if figure_1 else None
        )
    else:
        factor = GRID_2D // HEAT_2D
        frame["heat"] = {
            "n": HEAT_2D,
            "d": _rounded(_pool(numbers["d"], 2, factor), 3),
            "d_star": _rounded_or_none(_pool(d_star_shown, 2, factor), 3),
        }
        frame["warp"] = _rounded(mapped, 3)
    return frame
