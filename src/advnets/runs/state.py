"""A game's complete state moved to and from checkpoint tensors and JSON, and a run's settings read back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import torch

import advnets
from advnets.config.overrides import validate_saved
from advnets.config.schema import RunConfig
from advnets.errors import AdvnetsError
from advnets.game.loop import Game
from advnets.game.parallel import unwrap
from advnets.runs.checkpoint import flatten_optimizer, unflatten_optimizer
from advnets.variants import DataInfo


def snapshot(game: Game) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Every tensor and counter needed to continue the game exactly where it is."""
    tensors: dict[str, torch.Tensor] = {}
    for prefix, module in _modules(game):
        tensors.update({f"{prefix}.{k}": v for k, v in unwrap(module).state_dict().items()})
    optim_meta = {}
    for prefix, optimizer in _optimizers(game):
        flat, meta = flatten_optimizer(prefix, optimizer.state_dict())
        tensors.update(flat)
        optim_meta[prefix] = meta
    tensors["rng.cpu"] = torch.get_rng_state()
    if game.device.type == "cuda":
        tensors["rng.cuda"] = torch.cuda.get_rng_state(game.device)
    if game.noise_generator is not None:  # the shared noise stream of a torchrun run
        tensors["rng.noise"] = game.noise_generator.get_state()
    meta = {
        "advnets_version": advnets.__version__,
        "config": game.config.to_dict(),
        "data_info": asdict(game.info),
        "game": game.state(),
        "epoch": game.epoch,
        "optimizers": optim_meta,
    }
    return tensors, meta


def _modules(game: Game) -> list[tuple[str, torch.nn.Module]]:
    """Checkpoint prefixes of every net: G, D, and a variant's extra players as `player.NAME`."""
    extra = [(f"player.{name}", module) for name, module in game.players.items()]
    return [("generator", game.generator), ("discriminator", game.discriminator), *extra]


def _optimizers(game: Game) -> list[tuple[str, torch.optim.Optimizer]]:
    extra = [(f"opt_player.{name}", optimizer) for name, optimizer in game.player_opts.items()]
    return [("opt_g", game.opt_g), ("opt_d", game.opt_d), *extra]


def module_state(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix) + 1 :]: v for k, v in tensors.items() if k.startswith(prefix + ".")}


def restore(game: Game, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    """Load a snapshot into a game built from the same config."""
    try:
        for prefix, module in _modules(game):
            unwrap(module).load_state_dict(module_state(tensors, prefix))
        for prefix, optimizer in _optimizers(game):
            optimizer.load_state_dict(unflatten_optimizer(prefix, tensors, meta["optimizers"][prefix]))
    except (RuntimeError, KeyError, ValueError) as error:
        raise AdvnetsError(
            f"checkpoint does not fit this run's nets ({str(error).splitlines()[0]}); "
            "it was written by a different configuration"
        ) from None
    game.load_state(meta["game"])
    torch.set_rng_state(tensors["rng.cpu"])
    if "rng.cuda" in tensors and game.device.type == "cuda":
        torch.cuda.set_rng_state(tensors["rng.cuda"], game.device)
    if "rng.noise" in tensors and game.noise_generator is not None:
        game.noise_generator.set_state(tensors["rng.noise"])


def info_from_meta(meta: dict[str, Any]) -> tuple[RunConfig, DataInfo]:
    info = meta["data_info"]
    return validate_saved(meta["config"]), DataInfo(
        info["name"], tuple(info["sample_shape"]), info["num_classes"]
    )
