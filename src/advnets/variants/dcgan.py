"""DCGAN (Radford, Metz & Chintala 2016) and its conditional form, on the one training loop.

The architecture (conv nets) and optimiser (Adam, lr 2e-4, beta1 0.5) come from the presets; what the game
itself must do differently is call D on real and fake minibatches separately, because D has batch norm.
"""

from __future__ import annotations

from torch import nn

from advnets.config.schema import RunConfig
from advnets.errors import AdvnetsError
from advnets.variants.base import DataInfo, Variant
from advnets.variants.conditional import Conditional


def require_conv(config: RunConfig, variant: str) -> None:
    if config.generator.kind != "dcgan" or config.discriminator.kind != "dcgan":
        raise AdvnetsError(
            f"variant '{variant}' needs the conv nets; set generator.kind=dcgan and discriminator.kind=dcgan "
            "(or start from the mnist-dcgan preset)"
        )


class DCGAN(Variant):
    """Unconditional DCGAN: conv nets, and D called once on x and once on G(z) in every update."""

    name = "dcgan"
    separate_real_fake = True

    def build_generator(self, config: RunConfig, info: DataInfo) -> nn.Module:
        require_conv(config, self.name)
        return super().build_generator(config, info)


class ConditionalDCGAN(DCGAN, Conditional):
    """DCGAN with the one-hot label as extra input channels of G (beside z) and constant maps of D's input."""

    name = "cdcgan"
