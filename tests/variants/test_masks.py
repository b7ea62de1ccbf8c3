"""Masks hide exactly the pixels they claim, the same in every channel; bad names fail in one line."""

from __future__ import annotations

import pytest
import torch

from advnets.errors import AdvnetsError
from advnets.variants.masks import MASKS, make_masks, mixed_masks

SHAPE = (3, 9, 8)  # odd height, even width, several channels


def test_masks_are_binary_and_equal_across_channels() -> None:
    for name in MASKS:
        masks = make_masks(name, 5, SHAPE, torch.Generator().manual_seed(0))
        assert masks.shape == (5, *SHAPE)
        assert set(masks.unique().tolist()) <= {0.0, 1.0}
        assert torch.equal(masks, masks[:, :1].expand_as(masks))


@pytest.mark.parametrize(
    ("name", "rows", "cols"),
    [
        ("left-half", slice(None), slice(0, 4)),
        ("right-half", slice(None), slice(4, 8)),
        ("top-half", slice(0, 4), slice(None)),
        ("bottom-half", slice(5, 9), slice(None)),
        ("center", slice(2, 7), slice(2, 6)),  # round(0.5 * 9) = 4 or 5 rows (Python rounds half to even)
        ("all", slice(None), slice(None)),
    ],
)
def test_fixed_masks_hide_exactly_their_region(name: str, rows: slice, cols: slice) -> None:
    expected = torch.zeros(9, 8)
    if name == "center":
        box_h, box_w = round(0.5 * 9), round(0.5 * 8)
        top, left = (9 - box_h) // 2, (8 - box_w) // 2
        rows, cols = slice(top, top + box_h), slice(left, left + box_w)
    expected[rows, cols] = 1.0
    masks = make_masks(name, 2, SHAPE)
    for mask in masks:
        assert torch.equal(mask[0], expected)


def test_pixel_masks_hide_exactly_the_fraction_and_differ_per_image() -> None:
    masks = make_masks("pixels", 50, SHAPE, torch.Generator().manual_seed(1), pixel_fraction=0.3)
    hidden = masks[:, 0].flatten(1).sum(dim=1)
    assert torch.all(hidden == round(0.3 * 72))
    assert not torch.equal(masks[0], masks[1])
    # Every pixel position gets hidden sometimes: the subsets are spread over the image.
    assert torch.all(masks[:, 0].sum(dim=0) > 0)


def test_box_masks_are_one_solid_box_inside_the_image() -> None:
    masks = make_masks("box", 40, SHAPE, torch.Generator().manual_seed(2), box_fraction=0.5)
    box_h, box_w = round(0.5 * 9), round(0.5 * 8)
    for mask in masks[:, 0]:
        rows = mask.any(dim=1).nonzero().squeeze(1)
        cols = mask.any(dim=0).nonzero().squeeze(1)
        assert len(rows) == box_h and len(cols) == box_w
        assert int(rows[-1] - rows[0]) == box_h - 1 and int(cols[-1] - cols[0]) == box_w - 1
        assert mask.sum() == box_h * box_w  # solid: every pixel of the bounding box is hidden
    assert len({tuple(m[0].nonzero()[0].tolist()) for m in masks}) > 1  # positions vary


def test_mixed_masks_draw_from_the_named_family() -> None:
    masks = mixed_masks(["left-half", "top-half"], 30, SHAPE, torch.Generator().manual_seed(3))
    left, top = make_masks("left-half", 1, SHAPE)[0], make_masks("top-half", 1, SHAPE)[0]
    kinds = [torch.equal(m, left) + 2 * torch.equal(m, top) for m in masks]
    assert set(kinds) == {1, 2}


def test_unknown_mask_and_non_images_fail_clearly() -> None:
    with pytest.raises(AdvnetsError, match="unknown mask 'diagonal'; choose one of"):
        make_masks("diagonal", 1, SHAPE)
    with pytest.raises(AdvnetsError, match="need image data"):
        make_masks("left-half", 1, (2,))
