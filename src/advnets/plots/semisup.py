"""Semi-supervised test error against the number of labels, one line per method."""

from __future__ import annotations

from matplotlib.figure import Figure


def error_vs_labels(results: dict[str, dict[int, list[float]]], title: str = "") -> Figure:
    """results[method][n] = test errors (%) over seeds; n = 0 means all labels (drawn at the right end)."""
    figure = Figure(figsize=(5.0, 3.4))
    axis = figure.subplots()
    all_ns = sorted({n for per_n in results.values() for n in per_n if n})
    right = (max(all_ns) * 3 if all_ns else 1) or 1
    for method, per_n in results.items():
        ns = sorted(per_n, key=lambda n: n or right)
        xs = [n or right for n in ns]
        means = [sum(per_n[n]) / len(per_n[n]) for n in ns]
        spreads = [_sd(per_n[n]) for n in ns]
        axis.errorbar(xs, means, yerr=spreads, marker="o", capsize=3, label=method)
    axis.set_xscale("log")
    ticks = [*all_ns, right] if any(0 in p for p in results.values()) else all_ns
    axis.set_xticks(ticks, [str(n) if n != right else "all" for n in ticks])
    axis.set_xlabel("labelled training images")
    axis.set_ylabel("test error (%)")
    axis.legend(fontsize=8)
    if title:
        axis.set_title(title, fontsize=9)
    figure.tight_layout()
    return figure


def _sd(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
