"""One optimiser per player, with the schedule applied before every step."""

from __future__ import annotations

import torch
from torch import nn

from advnets.game.schedules import learning_rate, momentum
from advnets.runs.config import OptimConfig


def make_optimizer(module: nn.Module, config: OptimConfig) -> torch.optim.Optimizer:
    params = [p for p in module.parameters() if p.requires_grad]
    if config.name == "adam":
        return torch.optim.Adam(params, lr=config.lr, betas=config.betas, foreach=True)
    return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum_start, foreach=True)


def apply_schedule(optimizer: torch.optim.Optimizer, config: OptimConfig, step: int, epoch: int) -> None:
    lr = learning_rate(config, step)
    for group in optimizer.param_groups:
        group["lr"] = lr
        if config.name == "sgd":
            group["momentum"] = momentum(config, epoch)
