"""The caches: a damaged k-means file is recomputed, an unwritable cache only warns, a cached classifier is
read back rather than retrained."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsWarning
from advnets.metrics.classifier import FeatureClassifier, predict
from advnets.metrics.neighbours import kmeans
from advnets.reporting.cache import classifier_path, kmeans_centroids, load_or_train_classifier


def test_a_damaged_cache_file_is_recomputed_and_replaced(tmp_path: Path) -> None:
    points = torch.rand(60, 4, generator=torch.Generator().manual_seed(0))
    first = kmeans_centroids(points, 5, 3, 0, cache=tmp_path)
    (cached,) = tmp_path.iterdir()
    cached.write_bytes(b"cut sho")
    again = kmeans_centroids(points, 5, 3, 0, cache=tmp_path)
    assert torch.equal(again, first) and torch.equal(again, kmeans(points, 5, 3, 0))
    assert cached.stat().st_size > 100  # rewritten whole


def test_an_unwritable_cache_warns_and_returns_the_centroids(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    points = torch.rand(40, 3, generator=torch.Generator().manual_seed(1))
    with pytest.warns(
        AdvnetsWarning, match=rf"k-means centroids not cached: .*{blocker} is a file, not a folder"
    ):
        centroids = kmeans_centroids(points, 4, 2, 0, cache=blocker / "baselines")
    assert torch.equal(centroids, kmeans(points, 4, 2, 0))


def test_a_cached_classifier_is_read_back_not_retrained(digits: ImageDataset, tmp_path: Path) -> None:
    classifier, info = load_or_train_classifier(digits, tmp_path, epochs=2)
    assert info.path is not None and info.path == classifier_path(digits, tmp_path)
    again, cached = load_or_train_classifier(digits, info.path.parent)
    assert cached.test_accuracy == info.test_accuracy and cached.epochs == 2  # read back, not retrained
    x = digits["test"].images[:20]
    assert torch.equal(again(x), classifier(x))
    assert torch.equal(predict(classifier, x), classifier(x).argmax(dim=1))
    assert classifier.features(x).shape == (20, FeatureClassifier.num_features)
