"""Feature-space metrics against direct numpy / scipy computations on small Gaussian features."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import linalg
from scipy.spatial.distance import cdist

from advnets.metrics.features import frechet_distance, kernel_distance, precision_recall


def gaussian_features(seed: int, n: int = 300, d: int = 8, shift: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    return rng.normal(size=(n, d)) @ mixing + shift


def test_frechet_distance_matches_scipy_sqrtm() -> None:
    real, fake = gaussian_features(0), gaussian_features(1, n=250, shift=0.5)
    mu_r, mu_f = real.mean(0), fake.mean(0)
    cov_r, cov_f = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    root = linalg.sqrtm(cov_r @ cov_f).real
    expected = ((mu_r - mu_f) ** 2).sum() + np.trace(cov_r + cov_f - 2 * root)
    got = frechet_distance(torch.from_numpy(real), torch.from_numpy(fake))
    assert got == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_of_a_set_with_itself_is_zero() -> None:
    real = torch.from_numpy(gaussian_features(2))
    assert frechet_distance(real, real) == pytest.approx(0.0, abs=1e-8)


def unbiased_poly_mmd(x: np.ndarray, y: np.ndarray) -> float:
    """MMD^2 with the cubic kernel (x.y / d + 1)^3, unbiased (diagonals left out), equal set sizes."""
    d, m = x.shape[1], x.shape[0]
    k_xx, k_yy, k_xy = (((a @ b.T) / d + 1) ** 3 for a, b in ((x, x), (y, y), (x, y)))
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2 * k_xy.mean())


def test_kernel_distance_matches_direct_mmd_when_a_subset_is_everything() -> None:
    real, fake = gaussian_features(3, n=200), gaussian_features(4, n=200, shift=0.3)
    mean, std = kernel_distance(torch.from_numpy(real), torch.from_numpy(fake), subsets=3, subset_size=200)
    assert mean == pytest.approx(unbiased_poly_mmd(real, fake), rel=1e-6)
    assert std == pytest.approx(0.0, abs=1e-9)


def test_kernel_distance_is_seeded_and_leaves_global_rng_alone() -> None:
    real, fake = (torch.from_numpy(gaussian_features(s, n=300)) for s in (5, 6))
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    first = kernel_distance(real, fake, subsets=5, subset_size=50, seed=7)
    assert torch.rand(1) == before
    assert kernel_distance(real, fake, subsets=5, subset_size=50, seed=7) == first


def direct_precision_recall(real: np.ndarray, fake: np.ndarray, k: int) -> tuple[float, float]:
    def radii(x: np.ndarray) -> np.ndarray:
        return np.sort(cdist(x, x), axis=1)[:, k]  # column 0 is the point itself

    precision = (cdist(fake, real) <= radii(real)[None, :]).any(axis=1).mean()
    recall = (cdist(real, fake) <= radii(fake)[None, :]).any(axis=1).mean()
    return float(precision), float(recall)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_precision_recall_match_direct_knn_computation(k: int) -> None:
    real, fake = gaussian_features(7, n=180), gaussian_features(8, n=150, shift=0.8)
    got = precision_recall(torch.from_numpy(real), torch.from_numpy(fake), k)
    assert got == pytest.approx(direct_precision_recall(real, fake, k), abs=1e-12)


def test_precision_recall_see_a_dropped_mode_as_lost_recall_only() -> None:
    real = gaussian_features(9, n=400)
    half = torch.from_numpy(real[real[:, 0] > 0])  # samples from half of the real distribution
    precision, recall = precision_recall(torch.from_numpy(real), half, k=3)
    assert precision > 0.95 and recall < 0.75
