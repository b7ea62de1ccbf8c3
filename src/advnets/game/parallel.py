"""What the game needs to know about data-parallel training: how to reach a net inside its DDP wrapper."""

from __future__ import annotations

from torch import nn
from torch.nn.parallel import DistributedDataParallel


def unwrap(module: nn.Module) -> nn.Module:
    """The net inside a DistributedDataParallel wrapper, or `module` itself.

    Use it for calls whose backward must not all-reduce the net's gradients (D in G's step), for sampling,
    and for state dicts (whose keys must not depend on how many processes trained the net).
    """
    return module.module if isinstance(module, DistributedDataParallel) else module
