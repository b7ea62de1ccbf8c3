"""Reference 'generators' that put a Parzen score in context (Theis, van den Oord & Bethge, 2016).

Real training images used as the samples, and k-means centroids of the training set
(advnets.metrics.neighbours.kmeans; advnets.reporting.cache keeps them): neither is a generative model
worth the name, yet both can score well, which is what the number means.
"""

from __future__ import annotations

import torch


def training_images(train: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    """n training examples drawn without replacement (all of them if there are fewer)."""
    order = torch.randperm(train.shape[0], generator=torch.Generator().manual_seed(seed))
    return train[order[: min(n, train.shape[0])]]
