"""Inpainting never changes a visible pixel, and its baselines fill only the hidden ones."""

from __future__ import annotations

import torch

from advnets.data.base import ImageDataset
from advnets.metrics.inpainting import complete, hidden_mse, mean_fill, nearest_fill
from advnets.variants import DataInfo, get_variant
from advnets.variants.masks import MASKS, make_masks, mixed_masks
from tests.conftest import tiny_config


def test_generator_keeps_visible_pixels_bit_for_bit(digits: ImageDataset) -> None:
    config = tiny_config("variant=inpaint")
    info = DataInfo("digits", digits.sample_shape, 10)
    generator = get_variant("inpaint").build_generator(config, info)
    images = digits["test"].images[:64]
    for name in MASKS:
        masks = make_masks(name, len(images), digits.sample_shape, torch.Generator().manual_seed(0))
        out = complete(generator, images, masks, (config.generator.noise_dim, "gaussian"), 3, seed=0)
        visible = (masks == 0).expand_as(out)
        assert torch.equal(out[visible], images.expand_as(out)[visible])
        if name != "all":
            assert not torch.equal(out[0], images)  # the hidden pixels were filled in by G


def test_variant_conditions_share_one_mask_for_real_and_fake(digits: ImageDataset) -> None:
    variant = get_variant("inpaint")
    info = DataInfo("digits", digits.sample_shape, 10)
    variant.build_generator(tiny_config("variant=inpaint", "inpaint.masks=[top-half]"), info)
    x = digits["train"].images[:8]
    c_real, c_fake = variant.conditions(x, None, info)
    assert c_real is c_fake
    assert c_real is not None and c_real.shape == (8, 2 * 64)
    expected = make_masks("top-half", 8, digits.sample_shape).flatten(1)
    assert torch.equal(c_real[:, :64], expected)
    assert torch.equal(c_real[:, 64:], (x * (1 - expected.view_as(x))).flatten(1))


def test_baselines_fill_only_hidden_pixels(digits: ImageDataset) -> None:
    images, bank = digits["test"].images[:40], digits["train"].images
    masks = mixed_masks(
        ["pixels", "box", "right-half"], 40, digits.sample_shape, torch.Generator().manual_seed(4)
    )
    visible = masks == 0
    for filled in (mean_fill(images, masks, bank.mean(dim=0)), nearest_fill(images, masks, bank)):
        assert torch.equal(filled[visible], images[visible])
    # Nearest neighbour on visible pixels agrees with a brute-force search.
    filled = nearest_fill(images[:5], masks[:5], bank)
    for i in range(5):
        shown = visible[i]
        dist = ((bank - images[i]) ** 2 * shown).flatten(1).sum(dim=1)
        best = bank[dist.argmin()]
        assert torch.allclose(filled[i][~shown], best[~shown])


def test_hidden_mse_counts_hidden_pixels_only() -> None:
    images, masks = torch.zeros(2, 1, 2, 2), torch.tensor([[1.0, 0], [0, 0]]).expand(2, 1, 2, 2)
    filled = torch.full_like(images, 0.5)
    assert hidden_mse(filled, images, masks) == 0.25
