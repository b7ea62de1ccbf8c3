"""Whole-dataset transforms applied once at load time (datasets live in memory as one tensor per split)."""

from __future__ import annotations

import torch
from torch.nn.functional import pad

from advnets.data.base import ImageDataset, Split
from advnets.errors import AdvnetsError


def pad_to(dataset: ImageDataset, size: int) -> ImageDataset:
    """Zero-pad every image equally on all sides to size x size; unchanged when size is not larger.

    MNIST is 28x28; the conv nets want a side of 4 * 2**k, so their presets pad it to 32 (2 pixels a side).
    """
    side = dataset.sample_shape[-1]
    if not dataset.is_image or size <= side:
        return dataset
    if (size - side) % 2:
        raise AdvnetsError(
            f"cannot pad {side}x{side} images evenly to {size}; choose data.image_size={side + 2}"
        )
    border = (size - side) // 2
    splits = {
        name: Split(pad(split.images, (border,) * 4), split.labels) for name, split in dataset.splits.items()
    }
    return ImageDataset(
        dataset.name,
        splits,
        dataset.num_classes,
        f"{dataset.description}; zero-padded to {size}x{size}",
        dataset.extra,
    )


def to_grayscale(images: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) RGB -> (N, 1, H, W) luminance (ITU-R 601 weights, as PIL's 'L' mode)."""
    weights = torch.tensor([0.299, 0.587, 0.114], dtype=images.dtype).view(1, 3, 1, 1)
    return (images * weights).sum(dim=1, keepdim=True)
