"""Does leaky ReLU keep D's units alive? Never-active unit fractions of D, ReLU vs leaky ReLU, in short runs.

For each D (the DCGAN conv D and a rectifier MLP D) and each activation, trains through the game loop for
--steps steps and reports, every --every steps, the share of D's rectifier units whose input is <= 0 for all
of 500 real and 500 generated images (D in eval mode). Prints JSON.

    python bench/dying_units.py --data-dir PATH/TO/MNIST [--steps 300] [--every 100]
"""

from __future__ import annotations

import argparse
import json

import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data import load_dataset
from advnets.metrics.units import never_active_fraction
from advnets.runs.training import build_game

SETUPS = {
    # The DCGAN preset as is (Adam 2e-4), D's activation switched.
    "dcgan": ("mnist-dcgan", 32, []),
    # The paper's MLP game with a rectifier D instead of maxout (SGD lr 0.1, momentum 0.5, dropout).
    "mlp": ("mnist-mlp", 28, ["discriminator.pieces=1"]),
}


def measure(setup: str, activation: str, dataset_dir: str | None, steps: int, every: int) -> list[dict]:
    preset, size, extra = SETUPS[setup]
    sets = [f"discriminator.activation={activation}", *extra]
    config = resolve_config(preset, None, parse_assignments(sets))
    dataset = load_dataset("mnist", dataset_dir, size)
    game = build_game(config, dataset)
    real = dataset["valid"].images[:500]
    rows = []
    for step in range(steps + 1):
        if step % every == 0:
            fake = game.sample(500, torch.Generator().manual_seed(1))
            game.discriminator.eval()
            batch = torch.cat([real, fake])  # (1000, 1, H, W): real rows, then generated ones
            fraction = never_active_fraction(game.discriminator, lambda b=batch: game.discriminator(b))
            game.discriminator.train()
            rows.append(
                {"setup": setup, "activation": activation, "step": step, "never_active": round(fraction, 4)}
            )
        if step < steps:
            game.step()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--setups", default="dcgan,mlp")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for setup in args.setups.split(","):
        for activation in ("relu", "leaky_relu"):
            rows += measure(setup, activation, args.data_dir, args.steps, args.every)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
