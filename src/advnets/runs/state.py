"""Build a Game from a config, and move its complete state to and from checkpoint tensors and JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import torch

import advnets
from advnets.config.overrides import validate_saved
from advnets.config.schema import DEVICES, RunConfig, is_device_name
from advnets.data.base import ImageDataset, check_labels
from advnets.errors import AdvnetsError
from advnets.game.loop import Game
from advnets.game.parallel import unwrap
from advnets.runs.checkpoint import flatten_optimizer, unflatten_optimizer
from advnets.variants import DataInfo, get_variant


def resolve_device(name: str) -> torch.device:
    """The torch device for cpu, cuda, cuda:N or auto (a GPU when there is one), checked on this machine."""
    if not is_device_name(name):
        raise AdvnetsError(f"'{name}' is not a device; use {DEVICES}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise AdvnetsError(
            f"device '{name}' requested but no CUDA GPU is available; use --set train.device=cpu"
        )
    count = torch.cuda.device_count() if device.type == "cuda" else 0
    if device.index is not None and device.index >= count:
        raise AdvnetsError(
            f"device '{name}' requested but this machine has {count} CUDA GPU(s), "
            f"cuda:0 to cuda:{count - 1}; choose one of them"
        )
    return device


def data_info(dataset: ImageDataset) -> DataInfo:
    return DataInfo(dataset.name, dataset.sample_shape, dataset.num_classes)


def build_game(config: RunConfig, dataset: ImageDataset, device: torch.device | str = "cpu") -> Game:
    """A fresh game: nets initialised from the config's seed, G's output bias from the data's marginals."""
    torch.manual_seed(config.train.seed)
    variant = get_variant(config.variant)
    info = data_info(dataset)
    if len(dataset["train"]) < config.game.batch_size:
        raise AdvnetsError(
            f"game.batch_size={config.game.batch_size} exceeds the {len(dataset['train'])} training "
            f"examples of '{dataset.name}'; lower it with --set game.batch_size=N"
        )
    if variant.conditional and info.num_classes is None:
        raise AdvnetsError(f"variant '{variant.name}' needs labels, but dataset '{dataset.name}' has none")
    if info.num_classes is not None:  # again here: a Split's labels may have been replaced since loading
        check_labels(dataset["train"], info.num_classes, f"dataset '{dataset.name}' (train split)")
    generator = variant.build_generator(config, info)
    discriminator = variant.build_discriminator(config, info)
    set_bias = getattr(generator, "set_output_bias_from_marginals", None)
    if config.generator.output_bias_from_data and callable(set_bias):
        set_bias(dataset["train"].images.mean(dim=0))
    return Game(config, variant, info, generator, discriminator, dataset["train"], device)


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
