"""Theorem 1 and Proposition 1 against independent computations (closed forms, scipy quadrature)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.stats import norm

from advnets.config.overrides import resolve_config
from advnets.data.toy import GaussianMixture
from advnets.metrics.theory import gaussian_pdf, identities, kl_divergence
from advnets.metrics.toygame import discriminator_error, fit_discriminator, pushforward_density
from advnets.variants import DataInfo, get_variant

X = np.linspace(-12, 20, 320_001)
CELL = float(X[1] - X[0])


def quad_jsd(p, q) -> float:  # type: ignore[no-untyped-def]
    def term(f, g):  # type: ignore[no-untyped-def]
        def integrand(x: float) -> float:
            a, m = f(x), 0.5 * (f(x) + g(x))
            return 0.0 if a == 0 else a * math.log(a / m)

        return quad(integrand, -12, 20, points=[0, 2, 4], limit=400, epsabs=1e-12)[0]

    return 0.5 * term(p, q) + 0.5 * term(q, p)


def quad_c_of_g(p, q) -> float:  # type: ignore[no-untyped-def]
    """V(G, D*) by quadrature, with D* written out: integral p log(p/(p+q)) + q log(q/(p+q))."""

    def integrand(x: float) -> float:
        a, b = p(x), q(x)
        total = a + b
        return (a * math.log(a / total) if a > 0 else 0.0) + (b * math.log(b / total) if b > 0 else 0.0)

    return quad(integrand, -12, 20, points=[0, 2, 4], limit=400, epsabs=1e-12)[0]


@pytest.mark.parametrize(("mean", "std"), [(4.0, 0.5), (3.5, 0.5), (4.0, 1.0), (0.0, 0.7)])
def test_theorem_one_matches_quadrature(mean: float, std: float) -> None:
    p = norm(4.0, 0.5).pdf
    q = norm(mean, std).pdf
    result = identities(gaussian_pdf(X, 4.0, 0.5), gaussian_pdf(X, mean, std), CELL)
    assert result["C_direct"] == pytest.approx(quad_c_of_g(p, q), abs=1e-6)
    assert result["jsd"] == pytest.approx(quad_jsd(p, q), abs=1e-6)
    assert result["difference"] == pytest.approx(0.0, abs=1e-6)  # C(G) = -log 4 + 2 JSD
    assert result["C_plus_log4"] >= -1e-9  # C(G) >= -log 4
    if (mean, std) == (4.0, 0.5):
        assert result["C_direct"] == pytest.approx(-math.log(4), abs=1e-9)  # equality iff p_g = p_data
    else:
        assert result["C_plus_log4"] > 1e-3


def test_kl_divergence_matches_the_gaussian_closed_form() -> None:
    kl = kl_divergence(gaussian_pdf(X, 0.0, 1.0), gaussian_pdf(X, 1.0, 2.0), CELL)
    closed = math.log(2.0 / 1.0) + (1.0 + 1.0) / (2 * 4.0) - 0.5
    assert kl == pytest.approx(closed, abs=1e-6)


def test_pushforward_of_an_affine_map_is_the_gaussian() -> None:
    edges = np.linspace(-4, 10, 1401)
    centres = 0.5 * (edges[1:] + edges[:-1])
    density = pushforward_density(lambda z: 3.0 + 0.8 * z, edges)  # type: ignore[arg-type]
    # Exact cell averages of N(3, 0.8^2)
    expected = np.diff(norm(3.0, 0.8).cdf(edges)) / np.diff(edges)
    assert np.abs(density - expected).max() < 1e-3 * expected.max()
    assert centres.shape == density.shape


@pytest.fixture
def one_thread():  # type: ignore[no-untyped-def]
    # Nets this small only lose to thread synchronisation, badly so on a busy machine.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_discriminator_with_g_fixed_approaches_d_star(one_thread: None) -> None:
    """600 Adam steps of D against a fixed p_g bring max |D - D*| far below an untrained D's.

    Checked over seeds 0-4 x 1 and 2 threads (the seed of D's init and of the minibatches): worst 0.075,
    threshold 0.15, chance 0.5 (an untrained D is about 1/2 everywhere; measured 0.50-0.53).
    """
    torch.manual_seed(0)
    config = resolve_config("toy-1d")
    d = get_variant("gan").build_discriminator(config, DataInfo("toy", (1,)))
    p_data, p_g = GaussianMixture(((4.0,),), 0.5), GaussianMixture(((3.0,),), 0.5)
    errors = fit_discriminator(d, config.optim, p_data, p_g, steps=600, check_every=300)
    assert errors[-1][1] < errors[0][1]
    assert discriminator_error(d, p_data, p_g)[0] < 0.15
