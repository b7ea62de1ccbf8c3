"""The paper's optimiser schedules: lr divided by a constant per minibatch, momentum ramped per epoch."""

from __future__ import annotations

from advnets.runs.config import OptimConfig


def learning_rate(config: OptimConfig, step: int) -> float:
    """lr after `step` minibatches: lr0 / decay**step, never below lr_min."""
    return max(config.lr / config.lr_decay**step, config.lr_min)


def momentum(config: OptimConfig, epoch: int) -> float:
    """Momentum at `epoch` (0-based): start until epoch 1, rising linearly to end at the saturation epoch."""
    span = max(config.momentum_saturate_epoch - 1, 1)
    progress = min(max((epoch - 1) / span, 0.0), 1.0)
    return config.momentum_start + (config.momentum_end - config.momentum_start) * progress
