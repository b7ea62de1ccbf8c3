"""Every net of a trained run (G, D and a variant's extra players), for tools that need more than G."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from advnets.config.schema import RunConfig
from advnets.runs.model import read_run_checkpoint
from advnets.runs.state import module_state
from advnets.variants import DataInfo, Variant


@dataclass
class TrainedNets:
    """A run's nets in eval mode on the CPU, rebuilt from its checkpoint alone (no dataset needed)."""

    config: RunConfig
    info: DataInfo
    variant: Variant
    generator: nn.Module
    discriminator: nn.Module
    players: dict[str, nn.Module]
    checkpoint: Path
    step: int


def load_nets(
    run_dir: str | os.PathLike[str], checkpoint: str | os.PathLike[str] | None = None
) -> TrainedNets:
    """Load G, D and the extra players of `run_dir` (its latest checkpoint, or the one named)."""
    saved = read_run_checkpoint(run_dir, checkpoint)
    config, info, variant, tensors = saved.config, saved.info, saved.variant, saved.tensors
    generator = variant.build_generator(config, info)
    discriminator = variant.build_discriminator(config, info)
    players = variant.extra_players(config, info)
    nets = [("generator", generator), ("discriminator", discriminator)]
    nets += [(f"player.{name}", module) for name, module in players.items()]
    for prefix, module in nets:
        module.load_state_dict(module_state(tensors, prefix))
        module.eval()
    step = int(saved.meta["game"]["step"])
    return TrainedNets(config, info, variant, generator, discriminator, players, saved.path, step)


@torch.no_grad()
def in_batches(function: nn.Module, images: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    """function(images) evaluated `batch` rows at a time, concatenated."""
    return torch.cat([function(images[start : start + batch]) for start in range(0, len(images), batch)])
