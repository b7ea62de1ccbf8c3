"""The toy game's settings as the page sends them, turned into the engine's own RunConfig.

Every value goes to advnets.config.overrides.resolve_config as data, so the page gets the same one-line
errors as `advnets train --set` (a learning rate of -1 is refused there, not here).
"""

from __future__ import annotations

from typing import Any

from advnets.config import overrides
from advnets.config.schema import DATASETS, RunConfig
from advnets.errors import AdvnetsError

# The lab starts from the paper's Figure 1 preset and changes what a 2-D game needs to learn in a few
# hundred steps on a CPU (Adam and wider nets: with the preset's SGD the ring barely moves in that time).
DEFAULTS: dict[str, Any] = {
    "data": "toy-ring-2d",
    "g_layers": 2,
    "g_width": 64,
    "d_layers": 2,
    "d_width": 64,
    "loss": "non-saturating",
    "update": "alternating",
    "k": 1,
    "g_steps": 1,
    "g_optimizer": "adam",
    "g_lr": 0.001,
    "d_optimizer": "adam",
    "d_lr": 0.001,
    "batch": 250,
    "noise": "gaussian",
    "noise_dim": "data",  # z's dimension: 1, 2 or "data" (the data's: G's map is a bent grid or Figure 1)
    "seed": 0,
}

# The line and drawn targets are the lab's own, made in memory (targets.py) and handed to build_game; a
# config names only datasets advnets can load by name, so for them it names the 2-D toy they stand beside.
IN_MEMORY = "toy-ring-2d"
_INTEGERS = ("g_layers", "g_width", "d_layers", "d_width", "k", "g_steps", "batch", "seed")
_RATES = ("g_lr", "d_lr")
_LIMITS = {
    "g_layers": 6,
    "d_layers": 6,
    "g_width": 512,
    "d_width": 512,
    "k": 20,
    "g_steps": 20,
    "batch": 2000,
}


def merge_settings(given: dict[str, Any]) -> dict[str, Any]:
    """DEFAULTS updated with `given`; unknown keys and non-numbers where numbers belong are refused."""
    unknown = sorted(set(given) - set(DEFAULTS) - {"points"})
    if unknown:
        raise AdvnetsError(f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    settings = {**DEFAULTS, **{k: v for k, v in given.items() if k != "points"}}
    for key in (*_INTEGERS, *_RATES):
        raw = settings[key]
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise AdvnetsError(f"setting {key} must be a number, not {raw!r}") from None
        if key in _INTEGERS:
            if number != int(number):
                raise AdvnetsError(f"setting {key} must be a whole number, not {raw!r}")
            settings[key] = int(number)
        else:
            settings[key] = number
    for key, limit in _LIMITS.items():
        if settings[key] > limit:
            raise AdvnetsError(
                f"setting {key}={settings[key]} is too large for a live demo (at most {limit})"
            )
    for key in ("g_layers", "d_layers"):
        if settings[key] < 1:
            raise AdvnetsError(f"setting {key} must be at least 1, not {settings[key]}")
    settings["noise_dim"] = _noise_dim(settings["noise_dim"])
    return settings


def _noise_dim(raw: Any) -> str | int:
    """The noise dimension: "data", 1 or 2 (the page's menu sends text)."""
    if raw in ("data", 1, 2, "1", "2"):
        return raw if raw == "data" else int(raw)
    raise AdvnetsError(f"setting noise_dim must be 1, 2 or 'data' (z of the data's dimension), not {raw!r}")


def to_config(settings: dict[str, Any], dim: int) -> RunConfig:
    """The engine's RunConfig for these settings (validated by the engine), for data of dimension `dim`."""
    least_squares = settings["loss"] == "least-squares"
    values = {
        "data.name": settings["data"] if settings["data"] in DATASETS else IN_MEMORY,
        "generator.noise_dim": dim if settings["noise_dim"] == "data" else settings["noise_dim"],
        "generator.noise": settings["noise"],
        "generator.hidden": [settings["g_width"]] * settings["g_layers"],
        "discriminator.hidden": [settings["d_width"]] * settings["d_layers"],
        # One menu for the pair of losses: the log game with either G loss, or LSGAN's least squares.
        "game.loss": "least-squares" if least_squares else "log",
        "game.generator_loss": "non-saturating" if least_squares else settings["loss"],
        "game.update": settings["update"],
        "game.k": settings["k"],
        "game.g_steps": settings["g_steps"],
        "game.batch_size": settings["batch"],
        # Each player's own optimiser and starting rate (the engine's optim.name_* / optim.lr_*).
        "optim.name_g": settings["g_optimizer"],
        "optim.name_d": settings["d_optimizer"],
        "optim.lr_g": settings["g_lr"],
        "optim.lr_d": settings["d_lr"],
        "train.seed": settings["seed"],
    }
    return overrides.resolve_config("toy-1d", None, overrides.settings(values))
