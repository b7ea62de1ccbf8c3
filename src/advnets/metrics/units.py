"""Dying units: the share of a net's rectifier units that never activate over a batch.

A ReLU unit whose pre-activation is <= 0 for every input passes no gradient and may never recover ("dies");
leaky ReLU keeps a small slope there. This counts, for every ReLU / LeakyReLU module, the units (each
feature at each position) whose input is <= 0 on all rows of the batch.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


@torch.no_grad()
def never_active_fraction(module: nn.Module, forward: Callable[[], object]) -> float:
    """Share of rectifier units in `module` with input <= 0 for every row while `forward()` runs."""
    counts = [0, 0]  # never-active units, all units

    def hook(layer: nn.Module, args: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        never = (args[0] <= 0).all(dim=0)  # (units...) over the batch dimension
        counts[0] += int(never.sum())
        counts[1] += never.numel()

    rectifiers = [m for m in module.modules() if isinstance(m, nn.ReLU | nn.LeakyReLU)]
    handles = [m.register_forward_hook(hook) for m in rectifiers]
    try:
        forward()
    finally:
        for handle in handles:
            handle.remove()
    return counts[0] / max(counts[1], 1)
