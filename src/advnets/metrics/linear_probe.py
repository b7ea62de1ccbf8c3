"""A small digit classifier on pixels, for "is it still the same digit?" checks and label-only baselines.

scikit-learn's multinomial logistic regression on raw pixels: independent of every net in advnets.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from advnets.data.base import Split
from advnets.errors import AdvnetsError


def flat(images: torch.Tensor) -> np.ndarray:
    """(N, ...) tensor -> (N, D) float64 array."""
    return images.reshape(images.shape[0], -1).double().cpu().numpy()


def fit_linear(features: np.ndarray, labels: np.ndarray, c: float = 1.0, max_iter: int = 300) -> Pipeline:
    """Standardise, then multinomial logistic regression (L2, strength 1 / c): the probe and the baseline."""
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=max_iter))
    return model.fit(features, labels)


def fit_pixel_classifier(train: Split, limit: int = 10_000, seed: int = 0) -> Pipeline:
    """Logistic regression on the pixels of (up to `limit` seeded) training images."""
    if train.labels is None:
        raise AdvnetsError("the pixel classifier needs a labelled dataset (digits, mnist, mnist-5k, ...)")
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))[:limit]
    return fit_linear(flat(train.images[order]), train.labels[order].numpy(), c=0.1)


def predict(model: Pipeline, images: torch.Tensor) -> torch.Tensor:
    """Predicted classes (N,) for images (N, ...)."""
    return torch.from_numpy(np.asarray(model.predict(flat(images)))).long()
