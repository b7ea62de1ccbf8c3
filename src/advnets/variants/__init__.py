"""Variants by name; each reuses the one training loop."""

from __future__ import annotations

from advnets.errors import AdvnetsError
from advnets.variants.base import DataInfo, Variant
from advnets.variants.conditional import Conditional
from advnets.variants.dcgan import DCGAN, ConditionalDCGAN
from advnets.variants.inference import BiGANVariant, InferenceVariant
from advnets.variants.inpaint import InpaintVariant
from advnets.variants.semisup import SemisupVariant

VARIANTS: dict[str, type[Variant]] = {
    "gan": Variant,
    "cgan": Conditional,
    "dcgan": DCGAN,
    "cdcgan": ConditionalDCGAN,
}
# Beyond the paper (its section 7): learned inference, all conditionals (inpainting), semi-supervised D.
VARIANTS.update({v.name: v for v in (InferenceVariant, BiGANVariant, InpaintVariant, SemisupVariant)})

__all__ = ["VARIANTS", "DataInfo", "Variant", "get_variant"]


def get_variant(name: str) -> Variant:
    if name not in VARIANTS:
        raise AdvnetsError(f"unknown variant '{name}'; choose one of: {', '.join(VARIANTS)}")
    return VARIANTS[name]()
