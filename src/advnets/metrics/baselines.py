"""Reference 'generators' that put a Parzen score in context (Theis, van den Oord & Bethge, 2016).

Real training images used as the samples, and k-means centroids of the training set: neither is a
generative model worth the name, yet both can score well, which is what the number means.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import platformdirs
import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

from advnets.errors import AdvnetsWarning, WriteError
from advnets.files import CACHE_HINT, atomic_write_bytes
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

    The cache holds only tensors (safetensors), so reading it never runs code. A damaged cache file is
    recomputed and replaced; one that cannot be written is a warning, not a lost result.
    """
    k = min(k, train.shape[0])
    digest = hashlib.sha256(train.contiguous().numpy().tobytes()).hexdigest()[:16]
    path = (cache or cache_dir()) / f"kmeans-{digest}-k{k}-it{iterations}-s{seed}.safetensors"
    if path.is_file():
        try:
            cached = load(path.read_bytes()).get("centroids")
            if cached is not None and cached.shape == (k, *train.shape[1:]):
                return cached
        except (OSError, SafetensorError):
            pass  # recomputed below
    centroids = kmeans(train, k, iterations, seed)
    try:
        atomic_write_bytes(path, save({"centroids": centroids.contiguous()}), CACHE_HINT)
    except WriteError as error:
        warnings.warn(f"k-means centroids not cached: {error}", AdvnetsWarning, stacklevel=2)
    return centroids
