"""The paper's optimiser schedules: lr divided by a constant per minibatch, momentum ramped per epoch."""

from __future__ import annotations

from advnets.config.schema import OptimConfig


def learning_rate(config: OptimConfig, step: int, player: str | None = None) -> float:
    """lr after `step` minibatches: lr0 / decay**step, never below lr_min.

    lr0 is `config.lr`, or the player's own `lr_d` / `lr_g` when set (player "d" or "g").
    """
    start = {"d": config.lr_d, "g": config.lr_g}.get(player or "") or config.lr
    return max(start / config.lr_decay**step, config.lr_min)


def momentum(config: OptimConfig, epoch: int) -> float:
    """Momentum for the 0-based `epoch`: pylearn2's MomentumAdjustor(start=1, saturate=S) as the paper ran it.

    Its count is 1 before the first epoch and grows by one after each, so 0-based epoch e trains with
    count e + 1 and momentum start + (end - start) * min(e / (S - 1), 1): 0.5 in epoch 0, 0.7 from epoch 249
    (the 250th) on.
    """
    span = max(config.momentum_saturate_epoch - 1, 1)
    progress = min(max(epoch / span, 0.0), 1.0)
    return config.momentum_start + (config.momentum_end - config.momentum_start) * progress
