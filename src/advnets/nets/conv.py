"""DCGAN's convolutional pair (Radford, Metz & Chintala 2016), with an optional condition as extra maps.

G projects z to a 4x4 stack of maps and doubles the size with stride-2 transposed convolutions, each followed
by batch norm and ReLU; D halves the size with stride-2 convolutions and leaky ReLU, no pooling, batch norm
on every layer but the first. Images must be square with a side of 4 * 2**k (8, 16, 32, 64, ...).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from advnets.errors import AdvnetsError
from advnets.nets.blocks import activation


def doublings(sample_shape: tuple[int, ...]) -> int:
    """k such that the image side is 4 * 2**k (k >= 1); a clear error for any other shape."""
    if len(sample_shape) != 3 or sample_shape[1] != sample_shape[2]:
        raise AdvnetsError(
            f"the conv nets need square (C, H, W) images, not {sample_shape}; use the mlp nets"
        )
    side = sample_shape[1]
    k = round(math.log2(side / 4)) if side >= 8 else 0
    if k < 1 or 4 * 2**k != side:
        raise AdvnetsError(
            f"the conv nets need an image side of 8, 16, 32, 64, ... not {side}; "
            "for MNIST set data.image_size=32 (zero-padded)"
        )
    return k


def init_dcgan(module: nn.Module) -> None:
    """Radford et al.'s init: conv weights ~ N(0, 0.02); batch-norm scales ~ N(1, 0.02), shifts 0."""
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(layer.weight, 0.0, 0.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm2d):
            nn.init.normal_(layer.weight, 1.0, 0.02)
            nn.init.zeros_(layer.bias)


def condition_maps(x: torch.Tensor, c: torch.Tensor | None) -> torch.Tensor:
    """x (B, C, H, W) and c (B, K) -> (B, C + K, H, W): each entry of c as one constant map."""
    if c is None:
        return x
    maps = c[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
    return torch.cat([x, maps.to(x.dtype)], dim=1)


class DCGANGenerator(nn.Module):
    """G(z[, c]): z (B, noise_dim), c (B, cond_dim) or None -> (B, C, H, W), in [0, 1] with sigmoid output.

    The condition joins z as extra input channels of the 1x1 "image" that the first layer projects.
    """

    def __init__(
        self,
        noise_dim: int,
        sample_shape: tuple[int, ...],
        width: int = 64,
        cond_dim: int = 0,
        activation_name: str = "relu",
        leaky_slope: float = 0.2,
        output: str = "sigmoid",
    ) -> None:
        super().__init__()
        self.noise_dim, self.sample_shape, self.cond_dim = noise_dim, tuple(sample_shape), cond_dim
        k = doublings(self.sample_shape)
        maps = width * 2 ** (k - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(noise_dim + cond_dim, maps, 4, 1, 0, bias=False),  # (B, maps, 4, 4)
            nn.BatchNorm2d(maps),
            activation(activation_name, leaky_slope),
        ]
        for _ in range(k - 1):  # each stage: (B, m, s, s) -> (B, m / 2, 2s, 2s)
            layers += [
                nn.ConvTranspose2d(maps, maps // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(maps // 2),
                activation(activation_name, leaky_slope),
            ]
            maps //= 2
        layers.append(nn.ConvTranspose2d(maps, self.sample_shape[0], 4, 2, 1))  # (B, C, H, W)
        self.net = nn.Sequential(*layers)
        self.output = output
        init_dcgan(self)

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        h = z if c is None else torch.cat([z, c.to(z.dtype)], dim=1)
        pre = self.net(h[:, :, None, None])
        return torch.sigmoid(pre) if self.output == "sigmoid" else pre


class DCGANDiscriminator(nn.Module):
    """D(x[, c]) as a logit: x (B, C, H, W), c (B, cond_dim) or None -> (B,).

    The condition enters as constant maps beside the image channels. Batch norm makes a sample's logit depend
    on its batch, so the game calls this D on real and fake batches separately (Variant.separate_real_fake).
    """

    def __init__(
        self,
        sample_shape: tuple[int, ...],
        width: int = 64,
        cond_dim: int = 0,
        activation_name: str = "leaky_relu",
        leaky_slope: float = 0.2,
    ) -> None:
        super().__init__()
        if activation_name == "maxout":
            raise AdvnetsError(
                "the dcgan discriminator has no maxout; set discriminator.activation=leaky_relu"
            )
        self.sample_shape, self.cond_dim = tuple(sample_shape), cond_dim
        k = doublings(self.sample_shape)
        # No batch norm on the input layer (Radford et al.): it would normalise away the data's statistics.
        layers: list[nn.Module] = [
            nn.Conv2d(self.sample_shape[0] + cond_dim, width, 4, 2, 1),  # (B, width, H/2, W/2)
            activation(activation_name, leaky_slope),
        ]
        maps = width
        for _ in range(k - 1):  # each stage: (B, m, s, s) -> (B, 2m, s/2, s/2)
            layers += [
                nn.Conv2d(maps, maps * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(maps * 2),  # eps and momentum left at PyTorch's defaults (1e-5, 0.1)
                activation(activation_name, leaky_slope),
            ]
            maps *= 2
        layers.append(nn.Conv2d(maps, 1, 4, 1, 0))  # (B, 1, 1, 1)
        self.net = nn.Sequential(*layers)
        init_dcgan(self)

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(condition_maps(x, c)).view(x.shape[0])
