"""Variants by name; each reuses the one training loop."""

from __future__ import annotations

from advnets.errors import AdvnetsError
from advnets.variants.base import DataInfo, Variant
from advnets.variants.conditional import Conditional
from advnets.variants.dcgan import DCGAN, ConditionalDCGAN

VARIANTS: dict[str, type[Variant]] = {
    "gan": Variant,
    "cgan": Conditional,
    "dcgan": DCGAN,
    "cdcgan": ConditionalDCGAN,
}

__all__ = ["VARIANTS", "DataInfo", "Variant", "get_variant"]


def get_variant(name: str) -> Variant:
    if name not in VARIANTS:
        raise AdvnetsError(f"unknown variant '{name}'; choose one of: {', '.join(VARIANTS)}")
    return VARIANTS[name]()
