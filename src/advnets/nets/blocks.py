"""Building blocks: maxout, configurable activations, and the paper's uniform initialisation."""

from __future__ import annotations

import torch
from torch import nn

from advnets.errors import AdvnetsError

ACTIVATIONS = ("relu", "leaky_relu", "maxout", "tanh", "sigmoid")


class Maxout(nn.Module):
    """Maxout layer (Goodfellow et al., 2013): `units` outputs, each the max of `pieces` affine maps.

    One (in_features -> units * pieces) matmul, laid out unit-major so the max is a view and a reduce.
    """

    def __init__(self, in_features: int, units: int, pieces: int) -> None:
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(in_features, units * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.linear(x)  # (B, units * pieces)
        return pre.view(x.shape[0], self.units, self.pieces).amax(dim=-1)  # (B, units)


class Dropout(nn.Dropout):
    """Inverted dropout (kept units scaled by 1/keep), its mask drawn by comparing uniform numbers.

    Same semantics as nn.Dropout; `rand < keep` is about twice as fast on CPU as the Bernoulli sampler, and
    D draws masks for every one of its layers at every step.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        return x * (torch.rand_like(x) < keep).to(x.dtype).mul_(1.0 / keep)


def activation(name: str, leaky_slope: float = 0.2) -> nn.Module:
    """The elementwise nonlinearity called `name` (maxout is a layer, see `Maxout`)."""
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(leaky_slope)
    if name == "tanh":
        return nn.Tanh()
    if name == "sigmoid":
        return nn.Sigmoid()
    raise AdvnetsError(f"unknown activation '{name}'; choose one of: {', '.join(ACTIVATIONS)}")


def hidden_layer(
    in_features: int,
    width: int,
    kind: str,
    pieces: int = 5,
    leaky_slope: float = 0.2,
    batch_norm: bool = False,
) -> tuple[nn.Module, int]:
    """One hidden layer of `kind` and its output width; `batch_norm` normalises before the activation."""
    if kind == "maxout":
        return Maxout(in_features, width, pieces), width
    norm = [nn.BatchNorm1d(width)] if batch_norm else []
    return nn.Sequential(nn.Linear(in_features, width), *norm, activation(kind, leaky_slope)), width


def init_uniform(module: nn.Module, init_range: float) -> None:
    """Weights ~ U(-r, r) and biases 0 for every linear/conv layer, as the paper's code initialises."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear | nn.Conv2d | nn.ConvTranspose2d):
            nn.init.uniform_(layer.weight, -init_range, init_range)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


def one_hot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    return nn.functional.one_hot(labels, num_classes).to(torch.float32)
