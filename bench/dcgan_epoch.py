"""Seconds per epoch of the mnist-dcgan preset: advnets' game loop beside a plain eager loop of the same nets.

Both run the same DCGAN step (D on real, D on fake, then G; Adam 2e-4 / 0.5) on MNIST zero-padded to 32x32,
timed over a few dozen iterations after a warm-up (interleaved rounds of 10 steps each), and scaled to
the preset's steps per epoch. Prints JSON.

    python bench/dcgan_epoch.py --data-dir PATH/TO/MNIST [--steps 30] [--threads 1] [--precision bf16]

The plain loop always runs in fp32: a bf16 row shows what the engine's option buys, not a like-for-like loop.
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from torch.nn.functional import softplus

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data import load_dataset
from advnets.runs.training import build_game


def plain_loop(game, images: torch.Tensor, steps: int, batch: int) -> float:  # type: ignore[no-untyped-def]
    """The pytorch/examples DCGAN step written out by hand, on the game's own nets and a fresh Adam."""
    g, d = game.generator, game.discriminator
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    noise_dim = game.config.generator.noise_dim
    started = time.perf_counter()
    for step in range(steps):
        x = images[(step * batch) % (len(images) - batch) :][:batch]
        # (1) Update D: maximize log D(x) + log(1 - D(G(z)))
        with torch.no_grad():
            fake = g(torch.randn(batch, noise_dim))
        d_loss = 0.5 * (softplus(-d(x)).mean() + softplus(d(fake)).mean())
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        # (2) Update G: maximize log D(G(z))
        g_loss = softplus(-d(g(torch.randn(batch, noise_dim)))).mean()
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--width", type=int, default=None, help="override both nets' width")
    parser.add_argument("--precision", default="fp32", help="the engine's train.precision (fp32 or bf16)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sets = [f"data.data_dir={args.data_dir}"] if args.data_dir else []
    sets.append(f"train.precision={args.precision}")
    if args.width:
        sets += [f"generator.width={args.width}", f"discriminator.width={args.width}"]
    config = resolve_config("mnist-dcgan", None, parse_assignments(sets))
    dataset = load_dataset("mnist", args.data_dir, 32)
    game = build_game(config, dataset)
    images = dataset["train"].images
    for _ in range(3):  # warm-up
        game.step()
    plain_loop(game, images, 3, config.game.batch_size)
    # Interleaved rounds, so a change in the machine's load hits both loops alike.
    engine = plain = 0.0
    rounds = max(args.steps // 10, 1)
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(args.steps // rounds):
            game.step()
        engine += time.perf_counter() - started
        plain += plain_loop(game, images, args.steps // rounds, config.game.batch_size)
    per_epoch = game.steps_per_epoch
    print(
        json.dumps(
            {
                "preset": "mnist-dcgan",
                "width": config.generator.width,
                "batch_size": config.game.batch_size,
                "threads": args.threads,
                "engine_precision": args.precision,
                "timed_steps": rounds * (args.steps // rounds),
                "steps_per_epoch": per_epoch,
                "advnets_seconds_per_epoch": round(engine / (rounds * (args.steps // rounds)) * per_epoch, 1),
                "plain_loop_seconds_per_epoch": round(
                    plain / (rounds * (args.steps // rounds)) * per_epoch, 1
                ),
                "advnets_over_plain": round(engine / plain, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
