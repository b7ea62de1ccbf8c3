"""Figure 2: samples, with each row's last sample beside its nearest training example (memorisation check)."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from advnets.plots.grid import tile


def nearest_neighbour_figure(
    samples: torch.Tensor, neighbours: torch.Tensor, columns: int, title: str = ""
) -> Figure:
    """A grid of samples (rows x columns) plus a rightmost column of training images, boxed in yellow.

    samples: (rows * columns, C, H, W) in [0, 1]; neighbours: (rows, C, H, W), the nearest training
    example (Euclidean, pixel space) of the last sample of each row, as in the paper's Figure 2.
    """
    rows = neighbours.shape[0]
    if samples.shape[0] != rows * columns:
        raise ValueError(f"{samples.shape[0]} samples do not fill {rows} rows of {columns}")
    grid = samples.reshape(rows, columns, *samples.shape[1:])
    with_nn = torch.cat([grid, neighbours[:, None]], dim=1).reshape(-1, *samples.shape[1:])
    picture = tile(with_nn, columns + 1)
    width = samples.shape[-1]
    figure = Figure(figsize=(1.0 + 0.5 * (columns + 1), 0.5 + 0.5 * rows), dpi=120)
    ax = figure.add_subplot()
    ax.imshow(picture, cmap="gray" if picture.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
    left = 1 + columns * (width + 1) - 1.5
    ax.add_patch(
        Rectangle((left, -0.5), width + 2, picture.shape[0], fill=False, edgecolor="yellow", linewidth=2.5)
    )
    ax.set_xticks([columns * (width + 1) / 2, left + width / 2 + 1])
    ax.set_xticklabels(["samples from G", "nearest\ntraining\nexample"], fontsize=8)
    ax.set_yticks([])
    ax.set_title(
        title or f"{rows * columns} samples; yellow: nearest training example of the sample to its left"
    )
    ax.title.set_fontsize(9)
    figure.tight_layout()
    return figure
