"""Results computed once and kept in the user's cache: the metrics' classifier and k-means centroids.

The caches hold only tensors (safetensors), so reading one never runs code. A damaged k-means file is
recomputed and replaced; a cache that cannot be written is a warning, not a lost result.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import platformdirs
import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

from advnets.data.base import ImageDataset
from advnets.data.locate import cache_root
from advnets.errors import AdvnetsWarning, WriteError
from advnets.files import CACHE_HINT, atomic_write_bytes
from advnets.metrics.classifier import ClassifierInfo, FeatureClassifier, train_classifier
from advnets.metrics.neighbours import kmeans
from advnets.runs.checkpoint import load_checkpoint, save_checkpoint

ARCH_VERSION = (
    1  # bump when the classifier's architecture changes, so stale caches are retrained, not misread
)


def classifier_path(dataset: ImageDataset, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    shape = "x".join(map(str, dataset.sample_shape))
    root = Path(cache_dir) if cache_dir is not None else cache_root().parent / "classifiers"
    return root / f"{dataset.name}-{shape}-v{ARCH_VERSION}.safetensors"


def default_epochs(dataset: ImageDataset) -> int:
    """About 100,000 examples seen, at least 2 epochs: 2 for MNIST's 50,000, 78 for the 1,297 8x8 digits."""
    return max(2, round(100_000 / max(len(dataset["train"]), 1)))


def load_or_train_classifier(
    dataset: ImageDataset,
    cache_dir: str | os.PathLike[str] | None = None,
    epochs: int | None = None,
    seed: int = 0,
) -> tuple[FeatureClassifier, ClassifierInfo]:
    """The cached classifier for this dataset and image shape, training and caching it on first use."""
    path = classifier_path(dataset, cache_dir)
    if path.is_file():
        tensors, meta = load_checkpoint(path)
        info = ClassifierInfo(
            **{**meta["classifier"], "sample_shape": tuple(meta["classifier"]["sample_shape"])}
        )
        classifier = FeatureClassifier(info.sample_shape, info.num_classes)
        classifier.load_state_dict(tensors)
        info.path = path
        return classifier.eval(), info
    classifier, info = train_classifier(dataset, epochs or default_epochs(dataset), seed)
    meta = {"classifier": {k: v for k, v in info.__dict__.items() if k != "path"}, "arch": ARCH_VERSION}
    try:
        save_checkpoint(path, classifier.state_dict(), meta, CACHE_HINT)
    except WriteError as error:  # the trained classifier is used all the same; only the cache is missed
        warnings.warn(f"classifier not cached: {error}", AdvnetsWarning, stacklevel=2)
    info.path = path
    return classifier, info


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("advnets")) / "baselines"


def kmeans_centroids(
    train: torch.Tensor, k: int, iterations: int, seed: int, cache: Path | None = None
) -> torch.Tensor:
    """k-means centroids of `train` (k capped at its size); cached by the data's digest and the settings."""
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
