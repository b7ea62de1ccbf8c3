"""Toy densities with exact pdfs, where D*, C(G) and the JSD can be computed, not estimated."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from advnets.data.base import ImageDataset, Split


@dataclass(frozen=True)
class GaussianMixture:
    """A mixture of isotropic Gaussians in `dim` dimensions with equal weights; exact sampling and log pdf."""

    means: tuple[tuple[float, ...], ...]
    std: float

    @property
    def dim(self) -> int:
        return len(self.means[0])

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """(n, dim) float32 points."""
        centres = torch.tensor(self.means, dtype=torch.float32)
        which = torch.randint(len(self.means), (n,), generator=generator)
        return centres[which] + self.std * torch.randn(n, self.dim, generator=generator)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """Exact log density at (n, dim) points -> (n,), in the dtype of x."""
        centres = torch.tensor(self.means, dtype=x.dtype)
        squared = ((x[:, None, :] - centres[None]) ** 2).sum(-1)
        log_norm = -0.5 * self.dim * math.log(2 * math.pi * self.std**2)
        return torch.logsumexp(-squared / (2 * self.std**2), dim=1) + log_norm - math.log(len(self.means))


def ring(modes: int = 8, radius: float = 2.0, std: float = 0.05) -> GaussianMixture:
    angles = [2 * math.pi * i / modes for i in range(modes)]
    return GaussianMixture(tuple((radius * math.cos(a), radius * math.sin(a)) for a in angles), std)


TOYS: dict[str, GaussianMixture] = {
    # The paper's Figure 1 draws p_data as a single 1-D Gaussian.
    "toy-gaussian-1d": GaussianMixture(((4.0,),), 0.5),
    "toy-mixture-1d": GaussianMixture(((-2.0,), (2.0,)), 0.5),
    "toy-ring-2d": ring(),
}


def load_toy(name: str, seed: int = 0, sizes: tuple[int, int, int] = (50_000, 5_000, 5_000)) -> ImageDataset:
    """A fixed pool of samples from toy density `name`, split into train / valid / test."""
    density = TOYS[name]
    generator = torch.Generator().manual_seed(seed)
    splits = {
        split: Split(density.sample(n, generator))
        for split, n in zip(("train", "valid", "test"), sizes, strict=True)
    }
    return ImageDataset(
        name=name,
        splits=splits,
        description=f"{density.dim}-D mixture of {len(density.means)} Gaussian(s), std {density.std}; "
        f"exact pdf; {sizes[0]:,} / {sizes[1]:,} / {sizes[2]:,} samples drawn with seed {seed}",
    )
