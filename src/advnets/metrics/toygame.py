"""The 1-D game of the paper's Figure 1, measured exactly: p_g pushed forward from p_z, D against D*.

G is a 1-D rectifier MLP, hence piecewise linear, so p_g's mass in each x cell is the p_z mass of the z
that land there: a fine z grid weighted by N(0, 1) mass gives it to ~1e-3 of its peak (no kernel). p_data
is one of the engine's toy densities with an exact pdf.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import norm
from torch import nn

from advnets.config.schema import OptimConfig
from advnets.data.toy import GaussianMixture
from advnets.game.losses import discriminator_loss
from advnets.game.optim import apply_schedule, make_optimizer
from advnets.metrics.theory import js_divergence, optimal_discriminator

# x cells for the 1-D pictures: wide enough for G's start near 0 and the data near 4.
EDGES = np.linspace(-4.0, 10.0, 1401)


@dataclass
class ToyFrame:
    """One moment of a 1-D game: densities and D on the cell centres x, and the map z -> G(z)."""

    step: int
    x: np.ndarray  # (cells,) centres
    p_data: np.ndarray  # (cells,) exact pdf
    p_g: np.ndarray  # (cells,) G's pdf (cell mass / width)
    d: np.ndarray  # (cells,) D(x), eval mode
    z: np.ndarray  # (k,) a few noise values
    gz: np.ndarray  # (k,) G(z)
    jsd: float  # JSD(p_data || p_g) in nats on the cells


def pdf(density: GaussianMixture, x: np.ndarray) -> np.ndarray:
    """Exact pdf of a 1-D toy density at points x (float64)."""
    return density.log_prob(torch.from_numpy(x.reshape(-1, 1)).double()).exp().numpy()


@torch.no_grad()
def pushforward_density(
    generator: nn.Module, edges: np.ndarray = EDGES, noise: str = "gaussian", points: int = 2_000_001
) -> np.ndarray:
    """p_g on the cells between `edges` (len(edges) - 1,), for a G with 1-D noise; mass outside is dropped."""
    if noise == "gaussian":
        z_edges = np.linspace(-7.0, 7.0, points)
        mass = np.diff(norm.cdf(z_edges))
    else:
        bound = math.sqrt(3.0)
        z_edges = np.linspace(-bound, bound, points)
        mass = np.full(points - 1, 1.0 / (points - 1))
    middles = torch.from_numpy(0.5 * (z_edges[1:] + z_edges[:-1])).float()[:, None]
    x = generator(middles).reshape(-1).double().numpy()
    counts, _ = np.histogram(x, bins=edges, weights=mass)
    return counts / np.diff(edges)


@torch.no_grad()
def discriminator_on(discriminator: nn.Module, x: np.ndarray) -> np.ndarray:
    """D(x) (probabilities) at points x, in eval mode (dropout off)."""
    was = discriminator.training
    discriminator.eval()
    out = torch.sigmoid(discriminator(torch.from_numpy(x).float()[:, None])).double().numpy()
    discriminator.train(was)
    return out


def toy_frame(
    generator: nn.Module,
    discriminator: nn.Module,
    density: GaussianMixture,
    step: int,
    noise: str = "gaussian",
    edges: np.ndarray = EDGES,
) -> ToyFrame:
    x = 0.5 * (edges[1:] + edges[:-1])
    p_data, p_g = pdf(density, x), pushforward_density(generator, edges, noise)
    z = np.linspace(-2.0, 2.0, 13)
    with torch.no_grad():
        gz = generator(torch.from_numpy(z).float()[:, None]).reshape(-1).double().numpy()
    cell = float(edges[1] - edges[0])
    return ToyFrame(
        step, x, p_data, p_g, discriminator_on(discriminator, x), z, gz, js_divergence(p_data, p_g, cell)
    )


def fit_discriminator(
    discriminator: nn.Module,
    config: OptimConfig,
    p_data: GaussianMixture,
    p_g: GaussianMixture,
    steps: int,
    check_every: int = 100,
    batch: int = 250,
    seed: int = 0,
) -> list[tuple[int, float]]:
    """The inner maximisation of Algorithm 1 run long: D ascends V with p_g held fixed.

    Each step draws a minibatch from p_data and one from p_g (exact samplers) and takes one optimiser step
    on D's loss, with the config's optimiser and schedules. Returns (step, max |D - D*|) every
    `check_every` steps (see `discriminator_error`).
    """
    optimizer = make_optimizer(discriminator, config)
    gen = torch.Generator().manual_seed(seed)
    errors = [(0, discriminator_error(discriminator, p_data, p_g)[0])]
    for step in range(1, steps + 1):
        apply_schedule(optimizer, config, step, 0)
        logits = discriminator(torch.cat([p_data.sample(batch, gen), p_g.sample(batch, gen)]))
        loss = discriminator_loss(logits[:batch], logits[batch:])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % check_every == 0 or step == steps:
            errors.append((step, discriminator_error(discriminator, p_data, p_g)[0]))
    return errors


def discriminator_error(
    discriminator: nn.Module, p_data: GaussianMixture, p_g: GaussianMixture, mass: float = 1e-3
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """max |D(x) - D*(x)| over the grid points where p_data + p_g >= `mass` (D is unconstrained elsewhere).

    Returns the error, the grid, D and D* on it.
    """
    x = 0.5 * (EDGES[1:] + EDGES[:-1])
    a, b = pdf(p_data, x), pdf(p_g, x)
    d, d_star = discriminator_on(discriminator, x), optimal_discriminator(a, b)
    region = (a + b) >= mass
    return float(np.abs(d - d_star)[region].max()), x, d, d_star
