"""Rows of images with a label at the left of each row: reconstructions, inpaintings."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from advnets.plots.grid import tile


def image_rows(rows: list[torch.Tensor], labels: list[str], title: str = "") -> Figure:
    """One row per tensor (N, C, H, W) in [0, 1], all with the same N, each row named by its label."""
    figure = Figure(figsize=(0.45 * rows[0].shape[0] + 1.6, 0.55 * len(rows) + 0.4))
    axes = figure.subplots(len(rows), 1, squeeze=False)
    for axis, images, label in zip(axes[:, 0], rows, labels, strict=True):
        axis.imshow(
            tile(images, columns=images.shape[0]), cmap="gray", vmin=0, vmax=255, interpolation="nearest"
        )
        axis.set_xticks([])
        axis.set_yticks([])
        axis.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
        for spine in axis.spines.values():
            spine.set_visible(False)
    if title:
        figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    return figure


def masked_view(images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Images with their hidden pixels shown as mid-grey, for display."""
    return torch.where(masks > 0.5, torch.full_like(images, 0.5), images)
