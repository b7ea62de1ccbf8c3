"""The generator's prior p_z."""

from __future__ import annotations

import math

import torch


def sample_noise(
    n: int,
    dim: int,
    kind: str = "gaussian",
    device: torch.device | str = "cpu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """(n, dim) draws from N(0, 1) or from U(-sqrt 3, sqrt 3) (zero mean, unit variance)."""
    if kind == "gaussian":
        return torch.randn(n, dim, device=device, generator=generator)
    if kind == "uniform":
        bound = math.sqrt(3.0)
        return (torch.rand(n, dim, device=device, generator=generator) * 2 - 1) * bound
    raise ValueError(f"unknown noise '{kind}'; choose gaussian or uniform")
