"""The paper's MNIST models as configurable MLPs: a rectifier generator and a maxout discriminator."""

from __future__ import annotations

import math

import torch
from torch import nn

from advnets.nets.blocks import Dropout, hidden_layer, init_uniform


class MLPGenerator(nn.Module):
    """G(z[, c]): noise enters only at the bottom layer; hidden rectifiers; sigmoid (or linear) output.

    z: (B, noise_dim), c: (B, cond_dim) or None -> (B, *sample_shape).
    """

    def __init__(
        self,
        noise_dim: int,
        sample_shape: tuple[int, ...],
        hidden: list[int],
        activation: str = "relu",
        output: str = "sigmoid",
        cond_dim: int = 0,
        init_range: float = 0.05,
        leaky_slope: float = 0.2,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        self.noise_dim, self.sample_shape, self.cond_dim = noise_dim, tuple(sample_shape), cond_dim
        layers: list[nn.Module] = []
        width = noise_dim + cond_dim
        for size in hidden:
            layer, width = hidden_layer(
                width, size, activation, leaky_slope=leaky_slope, batch_norm=batch_norm
            )
            layers.append(layer)
        self.hidden = nn.Sequential(*layers)
        self.out = nn.Linear(width, math.prod(self.sample_shape))
        self.output = output
        init_uniform(self, init_range)

    def set_output_bias_from_marginals(self, mean_example: torch.Tensor) -> None:
        """Output bias = logit of the training set's mean value per pixel, so G starts at the data's mean."""
        mean = mean_example.reshape(-1).clamp(1e-7, 1 - 1e-7)
        with torch.no_grad():
            self.out.bias.copy_(torch.log(mean) - torch.log1p(-mean))

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        h = z if c is None else torch.cat([z, c], dim=1)
        pre = self.out(self.hidden(h))  # (B, D)
        out = torch.sigmoid(pre) if self.output == "sigmoid" else pre
        return out.view(z.shape[0], *self.sample_shape)


class MLPDiscriminator(nn.Module):
    """D(x[, c]) as a logit: hidden maxout (or rectifier) layers, dropout on the input of every layer.

    x: (B, *sample_shape), c: (B, cond_dim) or None -> logits (B,).
    """

    def __init__(
        self,
        sample_shape: tuple[int, ...],
        hidden: list[int],
        activation: str = "maxout",
        pieces: int = 5,
        input_keep: float = 0.8,
        hidden_keep: float = 0.5,
        cond_dim: int = 0,
        init_range: float = 0.005,
        leaky_slope: float = 0.2,
    ) -> None:
        super().__init__()
        self.cond_dim = cond_dim
        layers: list[nn.Module] = []
        width = math.prod(sample_shape) + cond_dim
        for index, size in enumerate(hidden):
            keep = input_keep if index == 0 else hidden_keep
            layer, new_width = hidden_layer(width, size, activation, pieces, leaky_slope)
            # nn.Dropout scales kept units by 1/keep: the paper's include 0.8 / scale 1.25 and 0.5 / 2.
            layers += [Dropout(1.0 - keep), layer]
            width = new_width
        layers.append(Dropout(1.0 - (hidden_keep if hidden else input_keep)))
        self.hidden = nn.Sequential(*layers)
        self.out = nn.Linear(width, 1)
        init_uniform(self, init_range)

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        h = x.reshape(x.shape[0], -1)
        if c is None:
            return self.out(self.hidden(h)).squeeze(1)
        # The condition joins after the input dropout: pixels are dropped, the label never is.
        h = torch.cat([self.hidden[0](h), c.to(h.dtype)], dim=1)
        return self.out(self.hidden[1:](h)).squeeze(1)
