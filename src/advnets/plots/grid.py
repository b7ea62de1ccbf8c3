"""Sample grids: images tiled into one picture, pixel for pixel (saved by advnets.files.save_image)."""

from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image


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


def grid_image(images: torch.Tensor, columns: int | None = None, scale: int = 2) -> Image.Image:
    """A grid of images (N, C, H, W) as a picture, enlarged `scale` times with nearest-neighbour pixels."""
    picture = Image.fromarray(tile(images, columns))
    return picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
