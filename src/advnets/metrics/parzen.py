"""Parzen-window log-likelihood: the paper's Table 1 protocol (parzen_ll.py in the authors' code).

A Gaussian kernel of width sigma is centred on each of m generator samples mu_j; a test point x scores

    log p(x) = logmeanexp_j( -||x - mu_j||^2 / (2 sigma^2) ) - d * log(sigma * sqrt(2 pi))      (nats)

Speed and accuracy. Squared distances come from one float32 matrix multiply per chunk of test points,
||x||^2 + ||mu||^2 - 2 x.mu, computed once and reused for every sigma. Float32 loses ~1e-4 in a squared
distance of ~50 to cancellation and accumulation, which at sigma = 0.1 is ~5e-3 nats: too much. So the
`refine` nearest samples of each point, which carry almost all of the kernel mass, get their squared
distance recomputed exactly in float64 from the differences; the rest keep the float32 value, and their
residual mass is bounded and reported (`ParzenScores.max_refine_bound`). Sums are accumulated in float64.

Memory: about 3 * chunk * m * 4 bytes for a chunk's distance block and its temporaries, plus
chunk * refine * d * 12 bytes for the refinement (defaults, m = 10,000, d = 784: about 200 MB).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from advnets.errors import AdvnetsError

# The paper's grid: 10 widths log-spaced from 0.1 to 1.
PAPER_SIGMAS: tuple[float, ...] = tuple(float(s) for s in np.logspace(-1, 0, 10))
# Relative float32 error of a squared distance from the matrix-multiply form, per unit of ||x||*||mu||
# (measured at most 1.4e-6 on MNIST; 4e-6 leaves a margin). Only used to bound the unrefined samples' error.
_F32_RELATIVE = 4e-6


@dataclass
class ParzenScores:
    """Per-example log-likelihoods (len(sigmas), n) in nats, float64, and an error bound."""

    sigmas: tuple[float, ...]
    log_likelihoods: np.ndarray
    max_refine_bound: float  # upper bound (nats) on the error the non-refined samples can add


def _flat(points: torch.Tensor) -> torch.Tensor:
    return points.reshape(points.shape[0], -1)


def _check(x: torch.Tensor, samples: torch.Tensor, sigmas: Sequence[float]) -> None:
    if x.shape[1] != samples.shape[1]:
        raise AdvnetsError(
            f"Parzen points have {x.shape[1]} values each but the samples have {samples.shape[1]}; "
            "evaluate a model on the dataset it was trained on"
        )
    if len(sigmas) == 0 or min(sigmas) <= 0:
        raise AdvnetsError(f"Parzen widths must be positive, got {list(sigmas)}")
    if samples.shape[0] == 0 or x.shape[0] == 0:
        raise AdvnetsError("Parzen needs at least one sample and one point to score")


def _exact_squared(x: torch.Tensor, samples: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """||x_i - mu_index[i, k]||^2 in float64 from differences (no cancellation): (c, K)."""
    chosen = samples.index_select(0, index.flatten()).view(*index.shape, -1)  # (c, K, d) float32
    # Differences of nearby points are (nearly) exact in float32; squares and sums are taken in float64.
    chosen.sub_(x[:, None, :])
    return chosen.double().square_().sum(-1)


def _relative_mass(block: torch.Tensor, nearest: torch.Tensor, two_var: float) -> torch.Tensor:
    """sum_j exp((nearest - block_j) / two_var) per row: (c,) float64."""
    terms = torch.sub(block, nearest.float())
    terms.mul_(-1.0 / two_var)
    # Below -87 float32 exp gives denormals, which are slow and add nothing next to the nearest term's 1.
    terms.clamp_(min=-87.0)
    terms.exp_()
    # Pairwise float32 summation of terms <= 1 next to a float64 total >= 1: relative error ~1e-7.
    return terms.sum(1).double()


def _chunk_scores(
    x: torch.Tensor,
    samples: torch.Tensor,
    sample_norms: torch.Tensor,
    sigmas: Sequence[float],
    refine: int,
) -> tuple[torch.Tensor, float]:
    """log-sum-exp over samples for one chunk of points: (len(sigmas), c) float64, and the error bound."""
    x_norms = (x.double() ** 2).sum(1)  # (c,)
    # (c, m) approximate squared distances: one GEMM; norms added in float32 (rounding ~1e-6 of ~100).
    block = torch.addmm(sample_norms[None, :].float(), x, samples.T, beta=1.0, alpha=-2.0)
    block += x_norms[:, None].float()
    block.clamp_(min=0.0)
    k = min(refine, samples.shape[0])
    approx_near, index = torch.topk(block, k, dim=1, largest=False)  # (c, k)
    exact_near = _exact_squared(x, samples, index)  # (c, k) float64
    gap = None
    if k < samples.shape[0]:
        # The nearest non-refined sample is at least this far: it bounds their share of the kernel mass.
        kth = approx_near[:, -1].double()
        gap = (kth - exact_near.min(1).values).clamp(min=0.0)
        block.scatter_(1, index, math.inf)  # refined entries leave the float32 sum
    scale = _F32_RELATIVE * torch.sqrt(x_norms * sample_norms.max())  # per-row error of a distance
    nearest = exact_near.min(1, keepdim=True).values  # (c, 1) float64: every sum is taken relative to it
    rows, bound = [], 0.0
    for sigma in sigmas:
        two_var = 2.0 * sigma * sigma
        mass = torch.exp((nearest - exact_near) / two_var).sum(1)  # float64 (c,), in [1, k]
        if gap is not None:
            mass += _relative_mass(block, nearest, two_var)
            rest_share = (samples.shape[0] - k) * torch.exp(-gap / two_var)
            bound = max(bound, float((rest_share.clamp(max=1.0) * scale / two_var).max()))
        rows.append(torch.log(mass) - nearest[:, 0] / two_var)
    return torch.stack(rows), bound


def parzen_log_likelihoods(
    x: torch.Tensor,
    samples: torch.Tensor,
    sigmas: Sequence[float],
    chunk: int = 1000,
    refine: int = 8,
) -> ParzenScores:
    """Log-likelihood of each of n points under the Parzen window on m samples, for every sigma.

    x: (n, ...) and samples: (m, ...) with the same trailing size d (flattened); any float dtype.
    Returns (len(sigmas), n) float64 nats. Distances are computed once per chunk of `chunk` points and
    reused for all sigmas; the `refine` nearest samples per point are scored in exact float64.
    """
    x, samples = _flat(x).float().contiguous(), _flat(samples).float().contiguous()
    _check(x, samples, sigmas)
    # Centring on the samples' mean leaves distances unchanged and shrinks the norms that cancel.
    centre = samples.double().mean(0)
    samples = (samples.double() - centre).float()
    sample_norms = (samples.double() ** 2).sum(1)
    m, d = samples.shape
    parts, bound = [], 0.0
    for start in range(0, x.shape[0], chunk):
        points = (x[start : start + chunk].double() - centre).float()
        lse, chunk_bound = _chunk_scores(points, samples, sample_norms, sigmas, refine)
        parts.append(lse)
        bound = max(bound, chunk_bound)
    lse_all = torch.cat(parts, dim=1).numpy()
    log_norm = np.array([math.log(m) + d * math.log(s * math.sqrt(2 * math.pi)) for s in sigmas])
    return ParzenScores(tuple(float(s) for s in sigmas), lse_all - log_norm[:, None], bound)


def standard_error(values: np.ndarray) -> float:
    """std / sqrt(n), with numpy's default population std (ddof = 0), as parzen_ll.py reports it."""
    values = np.asarray(values, dtype=np.float64)
    return float(values.std() / math.sqrt(len(values)))


@dataclass
class ParzenResult:
    """The protocol's outcome: test mean ± standard error at the sigma chosen on validation data."""

    mean: float
    stderr: float
    sigma: float
    valid_means: dict[str, float]  # mean validation log-likelihood per sigma (as a string key, for JSON)
    n_samples: int
    n_valid: int
    n_test: int
    max_refine_bound: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def select_sigma(
    valid: torch.Tensor, samples: torch.Tensor, sigmas: Sequence[float] = PAPER_SIGMAS, chunk: int = 1000
) -> tuple[float, dict[str, float], float]:
    """The sigma with the highest mean validation log-likelihood (ties: the first), all means, error bound."""
    scores = parzen_log_likelihoods(valid, samples, sigmas, chunk)
    means = scores.log_likelihoods.mean(axis=1)
    best = int(np.argmax(means))
    table = {f"{s:.6g}": float(v) for s, v in zip(sigmas, means, strict=True)}
    return float(sigmas[best]), table, scores.max_refine_bound


def parzen_protocol(
    samples: torch.Tensor,
    valid: torch.Tensor,
    test: torch.Tensor,
    sigmas: Sequence[float] = PAPER_SIGMAS,
    n_valid: int = 1000,
    chunk: int = 1000,
) -> ParzenResult:
    """The paper's evaluation: choose sigma on the first `n_valid` validation points, score the test set.

    samples: (m, ...) generator samples (the paper: 10,000); valid, test: (n, ...) real examples.
    """
    valid = valid[:n_valid]
    sigma, valid_means, bound_valid = select_sigma(valid, samples, sigmas, chunk)
    scores = parzen_log_likelihoods(test, samples, [sigma], chunk)
    values = scores.log_likelihoods[0]
    return ParzenResult(
        mean=float(values.mean()),
        stderr=standard_error(values),
        sigma=sigma,
        valid_means=valid_means,
        n_samples=int(samples.shape[0]),
        n_valid=int(valid.shape[0]),
        n_test=int(test.shape[0]),
        max_refine_bound=max(bound_valid, scores.max_refine_bound),
    )
