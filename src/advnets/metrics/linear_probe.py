"""Logistic regression (scikit-learn) on fixed features: the semi-supervised probe on D and its baseline."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler


def flat(images: torch.Tensor) -> np.ndarray:
    """(N, ...) tensor -> (N, D) float64 array."""
    return images.reshape(images.shape[0], -1).double().cpu().numpy()


def fit_linear(features: np.ndarray, labels: np.ndarray, c: float = 1.0, max_iter: int = 300) -> Pipeline:
    """Standardise, then multinomial logistic regression (L2, strength 1 / c): the probe and the baseline."""
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=max_iter))
    return model.fit(features, labels)
