"""Masks for inpainting: which pixels S of an image are hidden (1) and which are shown (0).

Every mask is a float tensor (N, C, H, W) of exact zeros and ones, equal across channels, so a completion
`where(mask, G's pixels, x)` can never change a visible pixel.
"""

from __future__ import annotations

import torch

from advnets.errors import AdvnetsError

# "all" hides everything: the conditional p(x_S | x_not_S) with S = the whole image is p(x) itself.
MASKS = ("pixels", "left-half", "right-half", "top-half", "bottom-half", "box", "center", "all")


def check_masks(names: list[str] | tuple[str, ...], sample_shape: tuple[int, ...]) -> None:
    """Raise a one-line AdvnetsError unless every name is a mask that fits images of `sample_shape`."""
    for name in names:
        if name not in MASKS:
            raise AdvnetsError(f"unknown mask '{name}'; choose one of: {', '.join(MASKS)}")
    if len(sample_shape) != 3:
        raise AdvnetsError(
            f"masks need image data (C, H, W), but these examples have shape {tuple(sample_shape)}; "
            "use an image dataset"
        )
    if min(sample_shape[1:]) < 2 and any(n != "all" for n in names):
        raise AdvnetsError(f"images of {sample_shape[1]}x{sample_shape[2]} are too small to mask in parts")


def _box(height: int, width: int, fraction: float) -> tuple[int, int]:
    return max(1, round(fraction * height)), max(1, round(fraction * width))


def make_masks(
    name: str,
    n: int,
    sample_shape: tuple[int, ...],
    generator: torch.Generator | None = None,
    pixel_fraction: float = 0.5,
    box_fraction: float = 0.5,
) -> torch.Tensor:
    """(n, C, H, W) masks of one kind; 1 marks a hidden pixel.

    pixels: exactly round(pixel_fraction * H * W) hidden pixels per image, chosen uniformly.
    left-/right-half: the first / last W // 2 columns; top-/bottom-half: the first / last H // 2 rows.
    box: a round(box_fraction * H) x round(box_fraction * W) box at a uniform position; center: the same box
    centred; all: every pixel.
    """
    check_masks([name], sample_shape)
    channels, height, width = sample_shape
    masks = torch.zeros(n, 1, height, width)
    if name == "pixels":
        hidden = round(pixel_fraction * height * width)
        order = torch.rand(n, height * width, generator=generator).argsort(dim=1)
        masks.view(n, -1).scatter_(1, order[:, :hidden], 1.0)
    elif name == "left-half":
        masks[..., : width // 2] = 1.0
    elif name == "right-half":
        masks[..., width - width // 2 :] = 1.0
    elif name == "top-half":
        masks[..., : height // 2, :] = 1.0
    elif name == "bottom-half":
        masks[..., height - height // 2 :, :] = 1.0
    elif name == "all":
        masks[:] = 1.0
    else:
        box_h, box_w = _box(height, width, box_fraction)
        if name == "center":
            tops = torch.full((n,), (height - box_h) // 2)
            lefts = torch.full((n,), (width - box_w) // 2)
        else:
            tops = torch.randint(0, height - box_h + 1, (n,), generator=generator)
            lefts = torch.randint(0, width - box_w + 1, (n,), generator=generator)
        rows = torch.arange(height).view(1, height, 1)
        cols = torch.arange(width).view(1, 1, width)
        inside_rows = (rows >= tops.view(n, 1, 1)) & (rows < (tops + box_h).view(n, 1, 1))
        inside_cols = (cols >= lefts.view(n, 1, 1)) & (cols < (lefts + box_w).view(n, 1, 1))
        masks[:, 0] = (inside_rows & inside_cols).float()
    return masks.expand(n, channels, height, width).contiguous()


def mixed_masks(
    names: list[str] | tuple[str, ...],
    n: int,
    sample_shape: tuple[int, ...],
    generator: torch.Generator | None = None,
    pixel_fraction: float = 0.5,
    box_fraction: float = 0.5,
) -> torch.Tensor:
    """(n, C, H, W) masks, each image's kind drawn uniformly from `names`: the family G is trained on."""
    check_masks(names, sample_shape)
    kinds = torch.randint(0, len(names), (n,), generator=generator)
    masks = torch.empty(n, *sample_shape)
    for index, name in enumerate(names):
        chosen = (kinds == index).nonzero().squeeze(1)
        if len(chosen):
            masks[chosen] = make_masks(
                name, len(chosen), sample_shape, generator, pixel_fraction, box_fraction
            )
    return masks
