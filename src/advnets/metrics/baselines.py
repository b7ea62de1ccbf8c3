"""Reference 'generators' that put a Parzen score in context (Theis, van den Oord & Bethge, 2016).

Real training images used as the samples, and k-means centroids of the training set: neither is a
generative model worth the name, yet both can score well, which is what the number means.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import platformdirs
import torch
from safetensors.torch import load_file, save_file

from advnets.metrics.neighbours import kmeans


def training_images(train: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    """n training examples drawn without replacement (all of them if there are fewer)."""
    order = torch.randperm(train.shape[0], generator=torch.Generator().manual_seed(seed))
    return train[order[: min(n, train.shape[0])]]


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("advnets")) / "baselines"


def kmeans_centroids(
    train: torch.Tensor, k: int, iterations: int, seed: int, cache: Path | None = None
) -> torch.Tensor:
    """k-means centroids of `train` (k capped at its size); cached by the data's digest and the settings.

    The cache holds only tensors (safetensors), so reading it never runs code.
    """
    k = min(k, train.shape[0])
    digest = hashlib.sha256(train.contiguous().numpy().tobytes()).hexdigest()[:16]
    path = (cache or cache_dir()) / f"kmeans-{digest}-k{k}-it{iterations}-s{seed}.safetensors"
    if path.is_file():
        return load_file(path)["centroids"]
    centroids = kmeans(train, k, iterations, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({"centroids": centroids.contiguous()}, str(path))
    return centroids
