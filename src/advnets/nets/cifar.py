"""The paper's CIFAR-10 models (its public cifar10_fully_connected.yaml and cifar10_convolutional.yaml).

G: z -> 8000 ReLU -> 8000 sigmoid, then either a dense output (the fully connected model) or the 8000 units
read as 80 maps of 10x10 and one "deconvolution" (5x5 kernel, stride 3, untied bias) to 3x32x32.
D (convolutional): three maxout convolution layers with max pooling, a maxout layer of 500 units, a logit.
Differences from the paper, by choice: data in [0, 1] with a sigmoid output instead of global contrast
normalisation with a linear one, and PyTorch's ceil-mode pooling to reproduce pylearn2's output sizes.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from advnets.errors import AdvnetsError
from advnets.nets.blocks import Dropout, Maxout, init_uniform
from advnets.nets.conv import condition_maps

DECONV_SIDE, DECONV_KERNEL, DECONV_STRIDE = 10, 5, 3  # (10 - 1) * 3 + 5 = 32


class PaperCifarGenerator(nn.Module):
    """z (B, noise_dim), c (B, cond_dim) or None -> (B, C, 32, 32) (any (C, H, W) for the dense output)."""

    def __init__(
        self,
        noise_dim: int,
        sample_shape: tuple[int, ...],
        hidden: list[int],
        deconv: bool,
        cond_dim: int = 0,
        output: str = "sigmoid",
        init_range: float = 0.05,
    ) -> None:
        super().__init__()
        if len(hidden) != 2:
            raise AdvnetsError(f"the paper's CIFAR generator has two hidden layers, not {len(hidden)}")
        self.noise_dim, self.sample_shape, self.cond_dim = noise_dim, tuple(sample_shape), cond_dim
        self.hidden = nn.Sequential(
            nn.Linear(noise_dim + cond_dim, hidden[0]),
            nn.ReLU(),
            nn.Linear(hidden[0], hidden[1]),
            nn.Sigmoid(),  # the paper's second hidden layer is sigmoid, not rectified
        )
        self.deconv = deconv
        self.out: nn.Module
        if deconv:
            maps = hidden[1] // DECONV_SIDE**2
            side = (DECONV_SIDE - 1) * DECONV_STRIDE + DECONV_KERNEL
            if maps * DECONV_SIDE**2 != hidden[1] or self.sample_shape[1:] != (side, side):
                raise AdvnetsError(
                    f"cifar-deconv needs a second hidden width divisible by 100 and 32x32 images, got "
                    f"{hidden[1]} and {self.sample_shape}"
                )
            self.maps = maps
            self.out = nn.ConvTranspose2d(
                maps, self.sample_shape[0], DECONV_KERNEL, DECONV_STRIDE, bias=False
            )
        else:
            self.out = nn.Linear(hidden[1], math.prod(self.sample_shape), bias=False)
        # One bias per output value ("tied_b: 0"), so it can start at the data's marginals.
        self.bias = nn.Parameter(torch.zeros(self.sample_shape))
        self.output = output
        init_uniform(self, init_range)

    def set_output_bias_from_marginals(self, mean_example: torch.Tensor) -> None:
        mean = mean_example.reshape(self.sample_shape).clamp(1e-7, 1 - 1e-7)
        with torch.no_grad():
            self.bias.copy_(torch.log(mean) - torch.log1p(-mean))

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        h = self.hidden(z if c is None else torch.cat([z, c.to(z.dtype)], dim=1))  # (B, hidden[1])
        if self.deconv:
            pre = self.out(h.view(-1, self.maps, DECONV_SIDE, DECONV_SIDE))  # (B, C, 32, 32)
        else:
            pre = self.out(h).view(-1, *self.sample_shape)
        pre = pre + self.bias
        return torch.sigmoid(pre) if self.output == "sigmoid" else pre


class MaxoutConv(nn.Module):
    """Convolution with `pieces` filters per output map, the max over them, then max pooling."""

    def __init__(
        self, in_maps: int, maps: int, pieces: int, kernel: int, pad: int, pool: int, stride: int
    ) -> None:
        super().__init__()
        self.maps, self.pieces = maps, pieces
        self.conv = nn.Conv2d(in_maps, maps * pieces, kernel, padding=pad)
        self.pool = nn.MaxPool2d(pool, stride, ceil_mode=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.conv(x)  # (B, maps * pieces, H', W')
        out = pre.view(x.shape[0], self.maps, self.pieces, *pre.shape[2:]).amax(dim=2)
        return self.pool(out)


class PaperCifarDiscriminator(nn.Module):
    """x (B, C, H, W), c (B, cond_dim) or None -> logits (B,); dropout on every layer's input as the paper."""

    def __init__(
        self,
        sample_shape: tuple[int, ...],
        width: int = 32,
        units: int = 500,
        pieces: int = 5,
        input_keep: float = 0.8,
        hidden_keep: float = 0.5,
        cond_dim: int = 0,
        init_range: float = 0.005,
    ) -> None:
        super().__init__()
        self.sample_shape, self.cond_dim = tuple(sample_shape), cond_dim
        in_maps = self.sample_shape[0] + cond_dim
        self.input_dropout = Dropout(1.0 - input_keep)
        self.convs = nn.Sequential(
            MaxoutConv(in_maps, width, 2, kernel=8, pad=4, pool=4, stride=2),  # 32x32 -> 33 -> 16
            Dropout(1.0 - hidden_keep),
            MaxoutConv(width, width, 2, kernel=8, pad=3, pool=4, stride=2),  # 16 -> 15 -> 7
            Dropout(1.0 - hidden_keep),
            MaxoutConv(width, 6 * width, 2, kernel=5, pad=3, pool=2, stride=2),  # 7 -> 9 -> 5
            Dropout(1.0 - hidden_keep),
        )
        with torch.no_grad():
            flat = self.convs(torch.zeros(1, in_maps, *self.sample_shape[1:])).numel()
        self.head = nn.Sequential(Maxout(flat, units, pieces), Dropout(1.0 - hidden_keep))
        self.out = nn.Linear(units, 1)
        init_uniform(self, init_range)

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        h = condition_maps(self.input_dropout(x), c)  # the condition itself is never dropped
        return self.out(self.head(self.convs(h).flatten(1))).squeeze(1)
