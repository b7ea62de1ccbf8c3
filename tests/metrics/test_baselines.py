"""The k-means baseline's cache: a damaged cache file is recomputed, an unwritable cache only warns."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from advnets.errors import AdvnetsWarning
from advnets.metrics.baselines import kmeans_centroids
from advnets.metrics.neighbours import kmeans


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
