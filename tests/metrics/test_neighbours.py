"""Nearest neighbours against a brute-force search; k-means against its defining properties."""

from __future__ import annotations

import torch

from advnets.metrics.neighbours import kmeans, nearest_neighbours


def test_nearest_neighbours_equal_brute_force() -> None:
    gen = torch.Generator().manual_seed(0)
    refs = torch.rand(500, 1, 6, 6, generator=gen)
    queries = torch.rand(70, 1, 6, 6, generator=gen)
    index, squared = nearest_neighbours(queries, refs, chunk=16)
    brute = torch.cdist(queries.reshape(70, -1).double(), refs.reshape(500, -1).double()) ** 2
    assert torch.equal(index, brute.argmin(1))
    torch.testing.assert_close(squared, brute.min(1).values, rtol=0, atol=1e-9)


def test_a_query_that_is_a_reference_finds_itself() -> None:
    refs = torch.rand(200, 10, generator=torch.Generator().manual_seed(1))
    index, squared = nearest_neighbours(refs[[5, 17, 199]], refs)
    assert index.tolist() == [5, 17, 199]
    assert float(squared.max()) == 0.0


def test_kmeans_finds_separated_clusters() -> None:
    gen = torch.Generator().manual_seed(2)
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    points = centres.repeat_interleave(100, 0) + 0.1 * torch.randn(300, 2, generator=gen)
    found = kmeans(points, 3, iterations=10, seed=0)
    assert found.shape == (3, 2)
    # Each true centre has a centroid within 0.1 (a Lloyd fixed point from a random start may vary in order).
    distance = torch.cdist(centres, found).min(1).values
    assert float(distance.max()) < 0.1
