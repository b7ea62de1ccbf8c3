"""The paper's theory on densities tabulated on a grid, where every quantity is a sum, not an estimate.

Proposition 1: D*(x) = p_data(x) / (p_data(x) + p_g(x)).
Theorem 1:     C(G) = max_D V(G, D) = -log 4 + 2 JSD(p_data || p_g) >= -log 4, equal iff p_g = p_data.

Densities are arrays of pdf values on a regular grid of cell volume `cell` (1-D or 2-D alike).
"""

from __future__ import annotations

import numpy as np

_TINY = 1e-300


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) on the grid; 0.5 where both densities vanish (any D is optimal there)."""
    total = p_data + p_g
    return np.where(total > 0, p_data / np.maximum(total, _TINY), 0.5)


def value(p_data: np.ndarray, p_g: np.ndarray, d: np.ndarray, cell: float) -> float:
    """V(G, D) = integral of p_data log D + p_g log(1 - D), by the grid sum (0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        real = np.where(p_data > 0, p_data * np.log(np.maximum(d, _TINY)), 0.0)
        fake = np.where(p_g > 0, p_g * np.log(np.maximum(1.0 - d, _TINY)), 0.0)
    return float((real + fake).sum() * cell)


def kl_divergence(p: np.ndarray, q: np.ndarray, cell: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(np.maximum(p, _TINY)) - np.log(np.maximum(q, _TINY))), 0.0)
    return float(terms.sum() * cell)


def js_divergence(p: np.ndarray, q: np.ndarray, cell: float) -> float:
    """JSD(p || q) in nats, in [0, log 2]."""
    mixture = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, mixture, cell) + 0.5 * kl_divergence(q, mixture, cell)


def virtual_training_criterion(p_data: np.ndarray, p_g: np.ndarray, cell: float) -> float:
    """C(G) = V(G, D*) computed directly (compare with -log 4 + 2 JSD)."""
    return value(p_data, p_g, optimal_discriminator(p_data, p_g), cell)


def gaussian_pdf(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    """N(mean, std^2) density at x."""
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def identities(p_data: np.ndarray, p_g: np.ndarray, cell: float) -> dict[str, float]:
    """Theorem 1 on one pair of tabulated densities: C(G) computed as V(G, D*) and as -log 4 + 2 JSD.

    Returns both, their difference, the JSD and C(G) + log 4 (>= 0, zero iff p_g = p_data).
    """
    c_direct = virtual_training_criterion(p_data, p_g, cell)
    jsd = js_divergence(p_data, p_g, cell)
    c_jsd = -np.log(4.0) + 2.0 * jsd
    return {
        "C_direct": c_direct,
        "C_from_jsd": float(c_jsd),
        "difference": float(c_direct - c_jsd),
        "jsd": jsd,
        "C_plus_log4": float(c_direct + np.log(4.0)),
    }
