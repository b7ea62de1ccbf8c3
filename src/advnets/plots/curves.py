"""Training curves from a run's metrics.jsonl (and its Parzen curve, when one has been computed)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure


def _series(rows: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    kept = [r for r in rows if key in r]
    return [float(r["epoch"]) for r in kept], [float(r[key]) for r in kept]


def training_curves(rows: list[dict[str, Any]], parzen: list[dict[str, Any]] | None = None) -> Figure:
    """Three panels over epochs: both losses; mean D(x) and D(G(z)); Parzen log-likelihood (if given)."""
    figure = Figure(figsize=(12, 3.4), dpi=110)
    losses, outputs, ll = figure.subplots(1, 3)
    for key, label in (("d_loss", "D loss"), ("g_loss", "G loss")):
        losses.plot(*_series(rows, key), label=label, linewidth=0.8)
    losses.set_title("losses")
    for key, label in (("d_real", "mean D(x)"), ("d_fake", "mean D(G(z))")):
        outputs.plot(*_series(rows, key), label=label, linewidth=0.8)
    outputs.set_ylim(0, 1)
    outputs.set_title("discriminator outputs")
    if parzen:
        epochs = [float(p["epoch"]) for p in parzen]
        ll.plot(epochs, [p["valid_ll"] for p in parzen], "o-", label="validation (selects sigma)")
        if all("test_ll" in p for p in parzen):
            ll.errorbar(
                epochs,
                [p["test_ll"] for p in parzen],
                [p["test_stderr"] for p in parzen],
                fmt="s--",
                label="test ± s.e.",
                capsize=2,
            )
        ll.legend(fontsize=8)
    else:
        ll.text(
            0.5,
            0.5,
            "no Parzen curve yet:\nadvnets eval RUN_DIR --all-checkpoints",
            ha="center",
            va="center",
            transform=ll.transAxes,
            fontsize=9,
        )
    ll.set_title("Parzen log-likelihood (nats)")
    for ax in (losses, outputs, ll):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    losses.legend(fontsize=8)
    outputs.legend(fontsize=8)
    figure.tight_layout()
    return figure


def parzen_curves_by_group(groups: dict[str, list[list[dict[str, Any]]]]) -> Figure:
    """Validation Parzen figure over epochs: one colour per group, one thin line per run, and the mean
    across a group's runs (where every run has that epoch) drawn thick with a ± 1 sd band."""
    figure = Figure(figsize=(8, 4.5), dpi=110)
    ax = figure.subplots()
    for index, (label, curves) in enumerate(groups.items()):
        colour = f"C{index}"
        for curve in curves:
            ax.plot(
                [p["epoch"] for p in curve], [p["valid_ll"] for p in curve], color=colour, alpha=0.35, lw=0.8
            )
        common = sorted(set.intersection(*[{int(p["epoch"]) for p in curve} for curve in curves]))
        if len(curves) > 1 and common:
            by_epoch = [[p["valid_ll"] for c in curves for p in c if int(p["epoch"]) == e] for e in common]
            mean = np.array([np.mean(v) for v in by_epoch])
            sd = np.array([np.std(v, ddof=1) for v in by_epoch])
            ax.plot(common, mean, color=colour, lw=2, label=f"{label} (mean of {len(curves)} seeds)")
            ax.fill_between(common, mean - sd, mean + sd, color=colour, alpha=0.2, lw=0)
        else:
            ax.plot([], [], color=colour, lw=2, label=f"{label} ({len(curves)} run)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation Parzen log-likelihood (nats)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    return figure
