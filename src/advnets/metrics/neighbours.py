"""Nearest neighbours by one matrix multiply per chunk, and k-means built on them.

Used by Figure 2 (each sample's nearest training image: the memorisation check) and by the k-means
baseline of `advnets eval` (10,000 centroids scored as if they were a generator's samples).
"""

from __future__ import annotations

import torch

from advnets.errors import AdvnetsError


def nearest_neighbours(
    queries: torch.Tensor, references: torch.Tensor, chunk: int = 512
) -> tuple[torch.Tensor, torch.Tensor]:
    """Index (n,) int64 and squared Euclidean distance (n,) float64 of each query's nearest reference.

    queries (n, ...) and references (m, ...) are flattened. Candidates come from float32
    ||r||^2 - 2 q.r for chunks of `chunk` queries (memory ~ chunk * m * 4 bytes); the winning distance
    is then recomputed exactly in float64.
    """
    q = queries.reshape(queries.shape[0], -1).float()
    r = references.reshape(references.shape[0], -1).float()
    if q.shape[1] != r.shape[1] or r.shape[0] == 0:
        raise AdvnetsError(
            f"cannot search {r.shape[0]} references of size {r.shape[1]} for queries of size {q.shape[1]}"
        )
    centre = r.mean(0)  # distances are unchanged; the norms that cancel get smaller
    qc, rc = q - centre, r - centre
    norms = (rc * rc).sum(1)[None, :]  # (1, m)
    parts = []
    for start in range(0, qc.shape[0], chunk):
        # ||q||^2 is the same for every reference of a query, so it is left out of the comparison.
        score = torch.addmm(norms, qc[start : start + chunk], rc.T, beta=1.0, alpha=-2.0)
        parts.append(score.argmin(1))
    index = torch.cat(parts) if parts else torch.zeros(0, dtype=torch.int64)
    exact = ((q.double() - r[index].double()) ** 2).sum(1)
    return index, exact


def kmeans(
    points: torch.Tensor, k: int, iterations: int = 10, seed: int = 0, chunk: int = 2048
) -> torch.Tensor:
    """Lloyd's k-means from k distinct random points: (k, ...) centroids, shaped like `points`.

    An empty cluster keeps its previous centroid. Each iteration costs one n x k x d matrix multiply.
    """
    n = points.shape[0]
    if not 0 < k <= n:
        raise AdvnetsError(f"k-means needs 0 < k <= {n} points, got k={k}")
    flat = points.reshape(n, -1).float()
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    centroids = flat[order[:k]].clone()
    for _ in range(iterations):
        assign, _ = nearest_neighbours(flat, centroids, chunk)
        sums = torch.zeros_like(centroids).index_add_(0, assign, flat)
        counts = torch.bincount(assign, minlength=k).float()
        filled = counts > 0
        centroids[filled] = sums[filled] / counts[filled, None]
    return centroids.reshape(k, *points.shape[1:])
