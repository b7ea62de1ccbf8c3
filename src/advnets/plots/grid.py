"""Sample grids: images tiled into one picture, saved as PNG pixel for pixel."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from advnets.files import ELSEWHERE, save_image


def tile(images: torch.Tensor, columns: int | None = None, padding: int = 1) -> np.ndarray:
    """(N, C, H, W) in [0, 1] -> (rows*(H+p)+p, cols*(W+p)+p[, 3]) uint8, with a white 1-pixel border."""
    n, channels, height, width = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    canvas = np.ones((rows * (height + padding) + padding, columns * (width + padding) + padding, channels))
    pixels = images.detach().float().clamp(0, 1).cpu().numpy().transpose(0, 2, 3, 1)
    for index in range(n):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        canvas[top : top + height, left : left + width] = pixels[index]
    canvas = (canvas * 255).round().astype(np.uint8)
    return canvas[..., 0] if channels == 1 else canvas


def save_grid(
    images: torch.Tensor,
    path: Path,
    columns: int | None = None,
    scale: int = 2,
    elsewhere: str = ELSEWHERE,
) -> Path:
    """Write a grid of images as a PNG (atomically), enlarged `scale` times with nearest-neighbour pixels."""
    picture = Image.fromarray(tile(images, columns))
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
    return save_image(picture, path, elsewhere)
