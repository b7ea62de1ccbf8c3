"""All conditionals p(x_S | x_not_S) in one model (the paper's section 7, item 3): inpainting.

One G is conditioned on a random mask and the visible pixels and fills in the hidden ones; D judges the
completed image and sees the mask, so it knows which pixels G made. The masks come from a family (random
pixels, halves, boxes, everything), so the shared parameters learn every conditional at once.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from advnets.config.schema import InpaintConfig, RunConfig
from advnets.game.devices import to_device
from advnets.nets import build_discriminator, build_generator
from advnets.variants.base import DataInfo, Variant
from advnets.variants.masks import check_masks, mixed_masks


def inpaint_condition(images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """G's condition (N, 2D): the flattened mask, then the visible pixels (hidden ones zeroed)."""
    flat_masks = masks.reshape(masks.shape[0], -1)
    visible = (images * (1.0 - masks)).reshape(images.shape[0], -1)
    return torch.cat([flat_masks, visible], dim=1)


class InpaintGenerator(nn.Module):
    """G(z, [m, x_visible]) -> (B, *sample_shape): G's pixels where m = 1, the given pixels where m = 0."""

    def __init__(self, net: nn.Module, sample_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.net, self.sample_shape = net, tuple(sample_shape)
        self.dim = math.prod(self.sample_shape)

    def set_output_bias_from_marginals(self, mean_example: torch.Tensor) -> None:
        set_bias = getattr(self.net, "set_output_bias_from_marginals", None)
        if callable(set_bias):
            set_bias(mean_example)

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        assert c is not None, "the inpainting generator needs a condition [mask, visible pixels]"
        out = self.net(z, c)  # (B, *sample_shape)
        masks = c[:, : self.dim].view_as(out)
        visible = c[:, self.dim :].view_as(out)
        # `where`, not a blend: a visible pixel is copied bit for bit.
        return torch.where(masks > 0.5, out, visible)


class MaskedDiscriminator(nn.Module):
    """D(x, m): the image and its mask; the visible pixels in the condition are dropped (x holds them)."""

    def __init__(self, net: nn.Module, dim: int) -> None:
        super().__init__()
        self.net, self.dim = net, dim

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        assert c is not None, "the inpainting discriminator needs the mask as its condition"
        return self.net(x, c[:, : self.dim])


class InpaintVariant(Variant):
    """G completes masked images; D scores completions against real images under the same masks."""

    name = "inpaint"
    supports_inpainting = True

    def __init__(self) -> None:
        self.options = InpaintConfig()

    def cond_dim(self, info: DataInfo) -> int:
        return 2 * math.prod(info.sample_shape)

    def build_generator(self, config: RunConfig, info: DataInfo) -> nn.Module:
        # The variant keeps the run's mask family for `conditions`, which sees only the data.
        check_masks(config.inpaint.masks, info.sample_shape)
        self.options = config.inpaint
        net = build_generator(config.generator, info.sample_shape, self.cond_dim(info))
        return InpaintGenerator(net, info.sample_shape)

    def build_discriminator(self, config: RunConfig, info: DataInfo) -> nn.Module:
        dim = math.prod(info.sample_shape)
        return MaskedDiscriminator(build_discriminator(config.discriminator, info.sample_shape, dim), dim)

    def conditions(
        self, x: torch.Tensor, labels: torch.Tensor | None, info: DataInfo
    ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """Both real and fake images of a batch are shown to D under the same fresh masks."""
        opts = self.options
        masks = mixed_masks(
            opts.masks, x.shape[0], info.sample_shape, None, opts.pixel_fraction, opts.box_fraction
        )
        c = inpaint_condition(x, to_device(masks, x.device))  # masks come from the host RNG
        return c, c

    def sample_condition(
        self, labels: torch.Tensor | None, n: int, info: DataInfo, device: torch.device
    ) -> torch.Tensor | None:
        """With nothing to condition on, every pixel is hidden: samples from p(x)."""
        masks = torch.ones(n, *info.sample_shape, device=device)
        return inpaint_condition(torch.zeros_like(masks), masks)
