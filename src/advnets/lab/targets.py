"""The data distributions the lab's toy game can play on, each with an exact density.

The paper's 1-D Gaussian, a 1-D mixture and the 2-D ring come from advnets.data.toy. A line and points the
user draws are mixtures of small Gaussians too (one bump per point), so p_data, D* and the JSD stay exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from advnets.data import load_dataset
from advnets.data.base import ImageDataset, Split
from advnets.data.toy import TOYS, GaussianMixture
from advnets.errors import AdvnetsError

# The 2-D view is the square [-PLANE, PLANE]^2; drawn points are given in these coordinates.
PLANE = 3.0
# Each drawn point becomes an isotropic Gaussian bump of this std (in data units).
DRAWN_STD = 0.1
MIN_DRAWN_POINTS = 3
MAX_DRAWN_POINTS = 2000
# Training pool sizes for the line and drawn targets (the toys keep their own 50,000 / 5,000 / 5,000).
POOL = (20_000, 2_000, 2_000)

# The menu's short names; TARGETS below says what each is, under the menu.
MENU_NAMES: dict[str, str] = {
    "toy-gaussian-1d": "1-D Gaussian (Figure 1)",
    "toy-mixture-1d": "1-D mixture of 2 Gaussians",
    "toy-ring-2d": "2-D ring of 8 Gaussians",
    "line-2d": "2-D line segment",
    "drawn-2d": "2-D points you draw",
}

TARGETS: dict[str, str] = {
    "toy-gaussian-1d": "1-D Gaussian N(4, 0.5²) — the paper's Figure 1",
    "toy-mixture-1d": "1-D mixture of two Gaussians at ±2",
    "toy-ring-2d": "2-D ring of 8 Gaussians (radius 2, std 0.05)",
    "line-2d": "2-D line segment from (-2, -1.5) to (2, 1.5)",
    "drawn-2d": "2-D points you draw on the plot",
}


@dataclass(frozen=True)
class Target:
    """p_data for one game: its exact density, a training pool drawn from it, and the window to plot."""

    name: str
    density: GaussianMixture
    dataset: ImageDataset
    low: float  # plotted window: [low, high] in 1-D, [low, high]^2 in 2-D
    high: float

    @property
    def dim(self) -> int:
        return self.density.dim


def _pool(name: str, density: GaussianMixture, seed: int) -> ImageDataset:
    generator = torch.Generator().manual_seed(seed)
    splits = {
        s: Split(density.sample(n, generator)) for s, n in zip(("train", "valid", "test"), POOL, strict=True)
    }
    return ImageDataset(name=name, splits=splits, description=TARGETS.get(name, name))


def line_density(
    start: tuple[float, float] = (-2.0, -1.5), end: tuple[float, float] = (2.0, 1.5)
) -> GaussianMixture:
    """A segment as 41 equally spaced bumps of std 0.05: close to uniform along it, narrow across it."""
    count = 41
    means = tuple(
        (start[0] + (end[0] - start[0]) * i / (count - 1), start[1] + (end[1] - start[1]) * i / (count - 1))
        for i in range(count)
    )
    return GaussianMixture(means, 0.05)


def drawn_density(points: list[list[float]] | None) -> GaussianMixture:
    """The user's points (each [x, y] inside the plotted square) as a mixture of small bumps."""
    if not points or len(points) < MIN_DRAWN_POINTS:
        have = len(points or [])
        raise AdvnetsError(
            f"the drawn distribution has {have} point(s); click or drag on the plot to draw at least "
            f"{MIN_DRAWN_POINTS}, then press Apply"
        )
    if len(points) > MAX_DRAWN_POINTS:
        raise AdvnetsError(f"{len(points)} drawn points is too many; clear some (at most {MAX_DRAWN_POINTS})")
    means: list[tuple[float, float]] = []
    for point in points:
        if len(point) != 2 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in point):
            raise AdvnetsError(f"a drawn point must be two finite numbers [x, y], not {point!r}")
        means.append((min(max(float(point[0]), -PLANE), PLANE), min(max(float(point[1]), -PLANE), PLANE)))
    return GaussianMixture(tuple(means), DRAWN_STD)


def window_1d(density: GaussianMixture) -> tuple[float, float]:
    """A window holding the data and G's starting point (0), with margin."""
    centres = [m[0] for m in density.means]
    return min(*centres, 0.0) - 2.0 - 3 * density.std, max(*centres, 0.0) + 2.0 + 3 * density.std


def make_target(name: str, points: list[list[float]] | None = None, seed: int = 0) -> Target:
    """The target called `name` (a key of TARGETS); `points` are used by 'drawn-2d' only."""
    if name in TOYS:
        density = TOYS[name]
        dataset = load_dataset(name)
    elif name == "line-2d":
        density = line_density()
        dataset = _pool(name, density, seed)
    elif name == "drawn-2d":
        density = drawn_density(points)
        dataset = _pool(name, density, seed)
    else:
        raise AdvnetsError(f"unknown data distribution '{name}'; choose one of: {', '.join(TARGETS)}")
    low, high = window_1d(density) if density.dim == 1 else (-PLANE, PLANE)
    return Target(name, density, dataset, low, high)
