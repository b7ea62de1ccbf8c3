"""The non-saturating loss, measured: G's gradient against D(G(z)), in theory and in a real run."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from advnets.metrics.saturation import logit_gradient

LABELS = {"saturating": "saturating: log(1 - D(G(z)))", "non-saturating": "non-saturating: -log D(G(z))"}


def saturation_figure(observed: dict[str, np.ndarray] | None = None, where: str = "") -> Figure:
    """Left: |dL/dlogit| against D(G(z)) for both G losses. Right (if given): per-sample gradient norms at
    G(z) observed in a run (`observed_gradients`), on a log scale."""
    figure = Figure(figsize=(10 if observed is not None else 5, 3.6), dpi=110)
    axes = figure.subplots(1, 2 if observed is not None else 1, squeeze=False)[0]
    d = np.linspace(1e-3, 1 - 1e-3, 400)
    for kind, label in LABELS.items():
        axes[0].plot(d, logit_gradient(d, kind), label=label)
    axes[0].set_xlabel("D(G(z))")
    axes[0].set_ylabel("|dL / dlogit|")
    axes[0].set_title("gradient each G loss gives (closed form)")
    axes[0].axvspan(0, 0.1, color="grey", alpha=0.15, label="early training: D rejects G(z)")
    axes[0].legend(fontsize=7)
    if observed is not None:
        ax = axes[1]
        for kind, label in LABELS.items():
            ax.scatter(observed["d_fake"], np.maximum(observed[kind], 1e-12), s=4, alpha=0.5, label=label)
        ax.set_yscale("log")
        ax.set_xlabel("D(G(z))")
        ax.set_ylabel("||dL / dG(z)|| per sample")
        ax.set_title(f"observed {where}".strip(), fontsize=9)
        ax.legend(fontsize=7, markerscale=3)
    for ax in axes:
        ax.grid(alpha=0.3)
    figure.tight_layout()
    return figure
