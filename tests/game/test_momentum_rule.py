"""pylearn2's momentum rule (the paper's code) against a hand-written loop, and against PyTorch's form."""

from __future__ import annotations

import math

import pytest
import torch

from advnets.config.schema import OptimConfig
from advnets.game.noise import sample_noise
from advnets.game.optim import apply_schedule, make_optimizer

STEPS = 40


def _gradients(steps: int, size: int) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return [torch.randn(size, generator=generator, dtype=torch.float64).float() for _ in range(steps)]


def _advnets_trajectory(config: OptimConfig, grads: list[torch.Tensor]) -> torch.Tensor:
    parameter = torch.nn.Parameter(torch.zeros(grads[0].shape))
    optimizer = make_optimizer(torch.nn.ParameterList([parameter]), config)
    for step, grad in enumerate(grads):
        apply_schedule(optimizer, config, step, epoch=step // 10)
        parameter.grad = grad.clone()
        optimizer.step()
    return parameter.detach().double()


def _pylearn2_by_hand(config: OptimConfig, grads: list[torch.Tensor]) -> torch.Tensor:
    """inc <- mu*inc - lr_t*g; theta <- theta + inc, written out in float64 from the schedule's formulas."""
    theta = torch.zeros(grads[0].shape, dtype=torch.float64)
    inc = torch.zeros_like(theta)
    for step, grad in enumerate(grads):
        lr = max(config.lr / config.lr_decay**step, config.lr_min)
        epoch = step // 10
        progress = min(max(epoch / (config.momentum_saturate_epoch - 1), 0.0), 1.0)
        mu = config.momentum_start + (config.momentum_end - config.momentum_start) * progress
        inc = mu * inc - lr * grad.double()
        theta = theta + inc
    return theta


def test_pylearn2_rule_matches_the_hand_written_update_under_a_fast_decay() -> None:
    # A decay far faster than the paper's (x0.9 per step) makes the two rules visibly different.
    config = OptimConfig(lr=0.1, lr_decay=1 / 0.9, lr_min=1e-6, momentum_saturate_epoch=3)
    grads = _gradients(STEPS, 64)
    expected = _pylearn2_by_hand(config, grads)
    pylearn2 = _advnets_trajectory(config, grads)
    pytorch = _advnets_trajectory(OptimConfig(**{**config.__dict__, "momentum_rule": "pytorch"}), grads)
    assert torch.allclose(pylearn2, expected, rtol=1e-5, atol=1e-6)
    # The PyTorch form scales old velocity by the new, smaller lr: it must land measurably elsewhere.
    assert (pytorch - expected).abs().max() > 100 * (pylearn2 - expected).abs().max()


def test_rules_agree_while_the_learning_rate_is_constant() -> None:
    config = OptimConfig(lr=0.05, lr_decay=1.0, momentum_saturate_epoch=3)
    grads = _gradients(STEPS, 16)
    pytorch = _advnets_trajectory(OptimConfig(**{**config.__dict__, "momentum_rule": "pytorch"}), grads)
    assert torch.allclose(_advnets_trajectory(config, grads), pytorch, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("n", [200_000])
def test_uniform_prior_is_bounded_by_sqrt3_with_unit_variance(n: int) -> None:
    z = sample_noise(n, 5, "uniform", generator=torch.Generator().manual_seed(1)).double()
    bound = math.sqrt(3.0)
    assert float(z.abs().max()) <= bound
    assert float(z.abs().max()) > bound * 0.999  # the whole interval is used, not a narrower one
    # Mean 0 and variance 1 within 5 standard errors (var of U(-a, a)^2 estimate: a^4 * 4/45 per draw).
    se_mean, se_var = math.sqrt(1.0 / z.numel()), math.sqrt(9 * 4 / 45 / z.numel())
    assert abs(float(z.mean())) < 5 * se_mean
    assert abs(float(z.var()) - 1.0) < 5 * se_var
    # Uniform, not Gaussian: a quarter of the draws in each quarter of the interval.
    counts = torch.histc(z, bins=4, min=-bound, max=bound) / z.numel()
    assert torch.allclose(counts, torch.full((4,), 0.25, dtype=torch.float64), atol=0.005)
