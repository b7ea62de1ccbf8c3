"""Parzen-window log-likelihood against an independent float64 brute force, and the protocol's pieces."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

from advnets.errors import AdvnetsError
from advnets.metrics.parzen import (
    PAPER_SIGMAS,
    parzen_log_likelihoods,
    parzen_protocol,
    select_sigma,
    standard_error,
)


def brute_force(x: np.ndarray, samples: np.ndarray, sigma: float) -> np.ndarray:
    """The density as written, by broadcasting in float64 (scipy's logsumexp)."""
    x = x.reshape(len(x), -1).astype(np.float64)
    mu = samples.reshape(len(samples), -1).astype(np.float64)
    squared = ((x[:, None, :] - mu[None]) ** 2).sum(-1)
    d = x.shape[1]
    return (
        logsumexp(-squared / (2 * sigma**2), axis=1)
        - math.log(len(mu))
        - d * math.log(sigma * math.sqrt(2 * math.pi))
    )


def test_parzen_matches_bruteforce_on_random_data() -> None:
    rng = np.random.default_rng(0)
    samples = rng.random((700, 64)).astype(np.float32)
    x = np.clip(samples[:50] + 0.1 * rng.standard_normal((50, 64)), 0, 1).astype(np.float32)
    x = np.concatenate([x, rng.random((30, 64)).astype(np.float32)])
    scores = parzen_log_likelihoods(torch.from_numpy(x), torch.from_numpy(samples), PAPER_SIGMAS, chunk=16)
    assert scores.log_likelihoods.shape == (10, 80)
    assert scores.log_likelihoods.dtype == np.float64
    for row, sigma in zip(scores.log_likelihoods, PAPER_SIGMAS, strict=True):
        np.testing.assert_allclose(row, brute_force(x, samples, sigma), rtol=0, atol=1e-3)
    assert scores.max_refine_bound < 1e-3


def test_parzen_survives_float32_cancellation() -> None:
    # Points far from the origin: ||x||^2 ~ 1e8, so ||x||^2 + ||mu||^2 - 2 x.mu in float32 would lose every
    # digit of distances ~ 1. Centring and the float64 refinement must keep 1e-3 nats.
    rng = np.random.default_rng(1)
    offset = 1000.0
    samples = (offset + rng.standard_normal((400, 100))).astype(np.float32)
    x = (offset + rng.standard_normal((40, 100))).astype(np.float32)
    naive = (
        (x.astype(np.float32) ** 2).sum(1)[:, None]
        + (samples**2).sum(1)[None]
        - 2 * x.astype(np.float32) @ samples.T
    )
    exact = ((x[:, None].astype(np.float64) - samples[None]) ** 2).sum(-1)
    assert np.abs(naive - exact).max() > 10  # the naive float32 formula really does fail here
    sigmas = [0.5, 1.0, 2.0]
    scores = parzen_log_likelihoods(torch.from_numpy(x), torch.from_numpy(samples), sigmas, refine=4)
    for row, sigma in zip(scores.log_likelihoods, sigmas, strict=True):
        np.testing.assert_allclose(row, brute_force(x, samples, sigma), rtol=0, atol=1e-3)


def test_sigma_selection_picks_the_true_width() -> None:
    # With every sample at the origin the Parzen density is exactly N(0, sigma^2 I), so on data from
    # N(0, 0.3^2 I) the validation mean log-likelihood peaks at sigma ~ 0.3: the chosen grid value.
    gen = torch.Generator().manual_seed(2)
    samples = torch.zeros(5, 20)
    valid = 0.3 * torch.randn(1000, 20, generator=gen)
    grid = [0.1, 0.2, 0.3, 0.4, 0.6, 1.0]
    sigma, means, _ = select_sigma(valid, samples, grid)
    assert sigma == 0.3
    brute = [brute_force(valid.numpy(), samples.numpy(), s).mean() for s in grid]
    np.testing.assert_allclose(list(means.values()), brute, atol=1e-6)


def test_standard_error_is_population_std_over_sqrt_n() -> None:
    values = np.array([1.0, 2.0, 4.0, 7.0])
    mean = values.mean()
    expected = math.sqrt(((values - mean) ** 2).sum() / 4) / 2
    assert standard_error(values) == pytest.approx(expected, rel=1e-12)


def test_protocol_uses_first_validation_images_and_reports_counts() -> None:
    gen = torch.Generator().manual_seed(3)
    samples = torch.rand(300, 16, generator=gen)
    valid = torch.rand(50, 16, generator=gen)
    test = torch.rand(40, 16, generator=gen)
    result = parzen_protocol(samples, valid, test, sigmas=[0.1, 0.3], n_valid=20)
    assert (result.n_samples, result.n_valid, result.n_test) == (300, 20, 40)
    sigma, _, _ = select_sigma(valid[:20], samples, [0.1, 0.3])
    assert result.sigma == sigma
    expected = brute_force(test.numpy(), samples.numpy(), sigma)
    assert result.mean == pytest.approx(expected.mean(), abs=1e-6)
    assert result.stderr == pytest.approx(expected.std() / math.sqrt(40), abs=1e-6)


def test_paper_sigma_grid() -> None:
    assert len(PAPER_SIGMAS) == 10
    assert PAPER_SIGMAS[0] == pytest.approx(0.1) and PAPER_SIGMAS[-1] == pytest.approx(1.0)
    assert PAPER_SIGMAS[1] / PAPER_SIGMAS[0] == pytest.approx(10 ** (1 / 9))


def test_mismatched_sizes_are_a_clear_error() -> None:
    with pytest.raises(AdvnetsError, match="values each"):
        parzen_log_likelihoods(torch.rand(3, 4), torch.rand(5, 6), [0.1])
