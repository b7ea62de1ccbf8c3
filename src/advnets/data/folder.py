"""A user's own folder of PNG/JPEG images, resized and centre-cropped once into one tensor."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import torch

from advnets.data.base import ImageDataset, split_by_permutation
from advnets.errors import AdvnetsError, AdvnetsWarning

SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
NAMED = 3  # unreadable files named in the warning; extra["skipped"] names them all


def _load_one(path: Path, size: int, channels: int) -> np.ndarray:
    from PIL import Image, ImageOps

    with Image.open(path) as opened:
        converted = opened.convert("L" if channels == 1 else "RGB")
        # fit() scales the short side to `size` and crops the long one: non-square images keep their aspect.
        fitted = ImageOps.fit(converted, (size, size), method=Image.Resampling.BILINEAR)
        array = np.asarray(fitted, dtype=np.uint8)
    return array[None] if channels == 1 else array.transpose(2, 0, 1)


def load_folder(
    directory: str | os.PathLike[str] | None, size: int = 28, channels: int = 1, seed: int = 0
) -> ImageDataset:
    """Every image under `directory` (recursively) as (N, channels, size, size) in [0, 1].

    Labels come from first-level subfolders when every image sits in one (class-per-folder layout).
    Unreadable files are skipped, named in `extra['skipped']`, counted, and announced by an AdvnetsWarning
    with the count and the first names.
    """
    if directory is None:
        raise AdvnetsError("the 'folder' dataset needs a folder: pass --data-dir PATH_TO_IMAGES")
    root = Path(directory).expanduser()
    if not root.is_dir():
        raise AdvnetsError(f"{root} is not a folder; pass --data-dir PATH_TO_IMAGES")
    if channels not in (1, 3):
        raise AdvnetsError(f"data.channels must be 1 (grayscale) or 3 (RGB), not {channels}")
    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    arrays, kept, skipped = [], [], []
    for path in paths:
        try:
            arrays.append(_load_one(path, size, channels))
            kept.append(path)
        except Exception as error:  # PIL raises many types for a bad file; each is a skip, not a crash
            skipped.append(f"{path.relative_to(root)} ({type(error).__name__})")
    if len(arrays) < 3:
        raise AdvnetsError(
            f"{root} has {len(arrays)} readable images ({len(skipped)} unreadable); "
            "training needs at least 3 PNG/JPEG files"
        )
    if skipped:
        more = f" and {len(skipped) - NAMED} more" if len(skipped) > NAMED else ""
        warnings.warn(
            f"{root}: skipped {len(skipped)} unreadable image file(s) of {len(paths)}: "
            f"{', '.join(skipped[:NAMED])}{more}; fix or remove them to train on every image",
            AdvnetsWarning,
            stacklevel=2,
        )
    images = torch.from_numpy(np.stack(arrays).astype(np.float32) / 255.0)
    classes = sorted({p.relative_to(root).parts[0] for p in kept if len(p.relative_to(root).parts) > 1})
    labelled = bool(classes) and all(len(p.relative_to(root).parts) > 1 for p in kept)
    labels = torch.tensor([classes.index(p.relative_to(root).parts[0]) for p in kept]) if labelled else None
    n = len(kept)
    held_out = max(1, n // 10)
    return ImageDataset(
        name="folder",
        splits=split_by_permutation(
            images, labels, {"train": n - 2 * held_out, "valid": held_out, "test": held_out}, seed
        ),
        num_classes=len(classes) if labelled else None,
        description=f"{n} images from {root} at {size}x{size}, {channels} channel(s); "
        f"{len(skipped)} unreadable skipped; seeded shuffle into 80/10/10",
        extra={"skipped": "; ".join(skipped)},
    )
