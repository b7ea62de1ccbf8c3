"""Figure 1: the 1-D game drawn like the paper's panels, and the JSD and D* pictures of `advnets theory`."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

from advnets.metrics.toygame import ToyFrame

Z_LINE, X_LINE = -0.5, -0.1  # heights at which the z line and the x line are drawn
X_RANGE = (-1.0, 7.0)  # where G starts (near 0) and where the data lies (near 4)


def toy_panel(ax: Axes, frame: ToyFrame, label: str = "") -> None:
    """p_data (black dots), p_g (green line), D (blue dashes) over x; below, arrows z -> x = G(z)."""
    keep = frame.p_data > 1e-3
    step = max(int(keep.sum() // 40), 1)
    ax.plot(frame.x[keep][::step], frame.p_data[keep][::step], "k.", markersize=3, label="p_data")
    ax.plot(frame.x, frame.p_g, "g-", linewidth=1.4, label="p_g")
    ax.plot(frame.x, frame.d, "b--", linewidth=1.2, label="D")
    lo, hi = X_RANGE
    z_pos = lo + (frame.z - frame.z.min()) / np.ptp(frame.z) * (hi - lo) * 0.5 + (hi - lo) * 0.25
    ax.hlines([Z_LINE, X_LINE], lo, hi, color="k", linewidth=0.8)
    for start, end in zip(z_pos, frame.gz, strict=True):
        ax.annotate(
            "",
            xy=(end, X_LINE),
            xytext=(start, Z_LINE),
            arrowprops={"arrowstyle": "->", "linewidth": 0.6, "color": "0.3"},
        )
    ax.text(lo, Z_LINE - 0.1, "z", fontsize=8)
    ax.text(lo, X_LINE + 0.03, "x", fontsize=8)
    ax.set_ylim(Z_LINE - 0.15, 1.05)
    ax.set_xlim(lo, hi)
    ax.set_yticks([0, 0.5, 1])
    ax.set_title(f"{label} step {frame.step}, JSD {frame.jsd:.3f}".strip(), fontsize=9)


def toy_figure(frames: Sequence[ToyFrame]) -> Figure:
    """Four (or len(frames)) panels (a), (b), ... of one real 1-D run, like the paper's Figure 1."""
    figure = Figure(figsize=(3.2 * len(frames), 3.0), dpi=110)
    axes = figure.subplots(1, len(frames), squeeze=False)[0]
    for index, (ax, frame) in enumerate(zip(axes, frames, strict=True)):
        toy_panel(ax, frame, f"({chr(ord('a') + index)})")
    axes[0].legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    return figure


def toy_animation(frames: Sequence[ToyFrame]) -> list[Image.Image]:
    """The run as pictures, one per snapshot, in a palette fit for a GIF (advnets.files.save_animation)."""
    pictures = []
    for frame in frames:
        figure = Figure(figsize=(5, 3.2), dpi=80)
        ax = figure.add_subplot()
        toy_panel(ax, frame)
        ax.legend(fontsize=7, loc="upper left")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        pictures.append(
            Image.open(io.BytesIO(buffer.getvalue())).convert("P", palette=Image.Palette.ADAPTIVE)
        )
    return pictures


def jsd_figure(steps: Sequence[int], jsd: Sequence[float]) -> Figure:
    """JSD(p_data || p_g) over training iterations, against its ceiling log 2."""
    figure = Figure(figsize=(5, 3.2), dpi=110)
    ax = figure.add_subplot()
    ax.plot(steps, jsd, "o-", markersize=3)
    ax.axhline(np.log(2), color="grey", linestyle=":", label="log 2 (disjoint supports)")
    ax.set_xlabel("iteration")
    ax.set_ylabel("JSD (nats)")
    ax.set_title("JSD(p_data || p_g) over a 1-D GAN run", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def dstar_figure(
    x: np.ndarray, d: np.ndarray, d_star: np.ndarray, errors: Sequence[tuple[int, float]]
) -> Figure:
    """Left: D trained with G fixed against D* = p_data / (p_data + p_g). Right: max |D - D*| over steps."""
    figure = Figure(figsize=(9, 3.2), dpi=110)
    left, right = figure.subplots(1, 2)
    left.plot(x, d_star, "k-", label="D* (exact)")
    left.plot(x, d, "b--", label="D trained, G fixed")
    left.set_xlabel("x")
    left.legend(fontsize=7)
    left.set_title("Proposition 1: D converges to D*", fontsize=9)
    right.plot([s for s, _ in errors], [e for _, e in errors], "o-", markersize=3)
    right.set_yscale("log")
    right.set_xlabel("D steps")
    right.set_ylabel("max |D - D*| (p_data + p_g >= 1e-3)")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    figure.tight_layout()
    return figure
