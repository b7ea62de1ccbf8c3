"""Figure 3: walks between points in z space, linear and spherical, decoded by G."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from advnets.plots.grid import tile


def interpolate(z0: torch.Tensor, z1: torch.Tensor, steps: int, kind: str = "linear") -> torch.Tensor:
    """(steps, dim) points from z0 to z1 (both (dim,)), endpoints included.

    linear: (1 - t) z0 + t z1. spherical (slerp): along the great circle, the better path for Gaussian
    noise, whose mass lies near a sphere; falls back to linear when z0 and z1 are parallel.
    """
    t = torch.linspace(0, 1, steps, dtype=z0.dtype)[:, None]
    if kind == "linear":
        return (1 - t) * z0 + t * z1
    if kind != "spherical":
        raise ValueError(f"unknown interpolation '{kind}'; use 'linear' or 'spherical'")
    cosine = torch.dot(z0, z1) / (z0.norm() * z1.norm())
    omega = torch.arccos(cosine.clamp(-1.0, 1.0))
    if float(torch.sin(omega)) < 1e-6:
        return (1 - t) * z0 + t * z1
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


def interpolation_figure(walks: dict[str, torch.Tensor]) -> Figure:
    """One panel per kind of walk; walks[kind] is (pairs, steps, C, H, W) in [0, 1], a row per pair."""
    figure = Figure(figsize=(7, 1.2 + 0.55 * sum(w.shape[0] for w in walks.values())), dpi=120)
    axes = figure.subplots(len(walks), 1, squeeze=False)[:, 0]
    for ax, (kind, images) in zip(axes, walks.items(), strict=True):
        pairs, steps = images.shape[:2]
        picture = tile(images.reshape(pairs * steps, *images.shape[2:]), steps)
        ax.imshow(picture, cmap="gray" if picture.ndim == 2 else None, vmin=0, vmax=255)
        ax.set_title(f"{kind} interpolation in z, {pairs} pairs", fontsize=9)
        ax.axis("off")
    figure.tight_layout()
    return figure
