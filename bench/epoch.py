"""Seconds per 60,000-image epoch of the paper's MNIST model: advnets vs a plain eager PyTorch loop.

Prints one JSON object. Every figure is measured in this run on this machine: the engine in each update
mode, a plain loop written the way most example scripts are, this machine's fp32 matrix-multiply rate, and
the fraction of that rate the engine reaches counting only the multiply-adds its update mode needs.

    python bench/epoch.py [--iterations 300] [--warmup 30]

Data: a synthetic in-memory tensor of MNIST's shape (speed does not depend on pixel values).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import torch
from torch import nn

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data.base import ImageDataset, Split
from advnets.runs.training import build_game

EPOCH = 60_000
G_LAYERS = [(100, 1200), (1200, 1200), (1200, 784)]
D_LAYERS = [(784, 1200), (240, 1200), (240, 1)]  # maxout 240 x 5 pieces = 1200 linear outputs


def macs(layers: list[tuple[int, int]]) -> int:
    return sum(i * o for i, o in layers)


def needed_flops_per_image(update: str) -> dict[str, float]:
    """Multiply-adds (x2 = FLOP) each update mode must do per training image, by term."""
    g, d = macs(G_LAYERS), macs(D_LAYERS)
    g_data_grads = g - macs(G_LAYERS[:1])  # z needs no gradient
    d_upper = d - macs(D_LAYERS[:1])  # D's layers above its input layer
    if update == "simultaneous":
        terms = {
            "G forward": g,
            "D forward (real + fake)": 2 * d,
            "D weight grads (real + fake)": 2 * d,
            "D data grads (upper layers, real + fake)": 2 * d_upper,
            "D input grads (fake only)": macs(D_LAYERS[:1]),
            "G weight grads": g,
            "G data grads": g_data_grads,
        }
    else:  # Algorithm 1 with k = 1: a D step, then a G step on fresh noise
        terms = {
            "D step: G forward": g,
            "D step: D forward (real + fake)": 2 * d,
            "D step: D weight grads": 2 * d,
            "D step: D data grads (upper layers)": 2 * d_upper,
            "G step: G forward": g,
            "G step: D forward": d,
            "G step: D data grads": d,
            "G step: G weight + data grads": g + g_data_grads,
        }
    return {name: 2.0 * value for name, value in terms.items()}


def matmul_rate(size: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(3):
        a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size**3 * repeats / (time.perf_counter() - start)


def time_steps(step, iterations: int, warmup: int) -> float:  # type: ignore[no-untyped-def]
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(iterations):
        step()
    return (time.perf_counter() - start) / iterations


def engine_seconds_per_epoch(
    update: str, data: ImageDataset, iterations: int, warmup: int, precision: str = "fp32"
) -> float:
    config = resolve_config(
        "mnist-mlp",
        None,
        parse_assignments([f"game.update={update}", "game.k=1", f"train.precision={precision}"]),
    )
    game = build_game(config, data)
    per_step = time_steps(game.step, iterations, warmup)
    return per_step * EPOCH / config.game.batch_size


class PlainMaxout(nn.Module):
    def __init__(self, n_in: int, units: int, pieces: int) -> None:
        super().__init__()
        self.units, self.pieces, self.linear = units, pieces, nn.Linear(n_in, units * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).view(-1, self.units, self.pieces).max(dim=2)[0]


def plain_loop_seconds_per_epoch(images: torch.Tensor, iterations: int, warmup: int) -> float:
    """The usual example-script loop: D on real, D on G(z).detach(), then G through D again."""
    generator = nn.Sequential(
        nn.Linear(100, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(), nn.Linear(1200, 784), nn.Sigmoid()
    )
    discriminator = nn.Sequential(
        nn.Dropout(0.2),
        PlainMaxout(784, 240, 5),
        nn.Dropout(0.5),
        PlainMaxout(240, 240, 5),
        nn.Dropout(0.5),
        nn.Linear(240, 1),
        nn.Sigmoid(),
    )
    opt_g = torch.optim.SGD(generator.parameters(), lr=0.1, momentum=0.5)
    opt_d = torch.optim.SGD(discriminator.parameters(), lr=0.1, momentum=0.5)
    bce = nn.BCELoss()
    batch = 100
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    position = [0]

    def step() -> None:
        start = position[0] % (images.shape[0] - batch)
        real = images[start : start + batch]
        position[0] += batch
        opt_d.zero_grad()
        loss_real = bce(discriminator(real), ones)
        loss_real.backward()
        fake = generator(torch.randn(batch, 100))
        loss_fake = bce(discriminator(fake.detach()), zeros)
        loss_fake.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = bce(discriminator(fake), ones)
        loss_g.backward()
        opt_g.step()

    return time_steps(step, iterations, warmup) * EPOCH / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    torch.set_num_threads(cores)
    torch.manual_seed(0)
    images = torch.rand(EPOCH, 1, 28, 28)
    data = ImageDataset("synthetic-mnist-shape", {"train": Split(images)})
    rate = matmul_rate()
    plain = plain_loop_seconds_per_epoch(images.view(EPOCH, -1), args.iterations, args.warmup)
    result: dict[str, object] = {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "threads": cores,
            "torch": torch.__version__,
        },
        "iterations_timed": args.iterations,
        "matmul_gflops_fp32_2048": round(rate / 1e9, 1),
        "plain_loop_s_per_60k_epoch": round(plain, 2),
        "modes": {},
    }
    for update in ("simultaneous", "alternating"):
        seconds = engine_seconds_per_epoch(update, data, args.iterations, args.warmup)
        flops = needed_flops_per_image(update)
        per_image = sum(flops.values())
        result["modes"][update] = {  # type: ignore[index]
            "s_per_60k_epoch": round(seconds, 2),
            "speedup_vs_plain_loop": round(plain / seconds, 2),
            "needed_mflop_per_image": round(per_image / 1e6, 2),
            "needed_tflop_per_epoch": round(per_image * EPOCH / 1e12, 3),
            "achieved_gflops": round(per_image * EPOCH / seconds / 1e9, 1),
            "fraction_of_matmul_rate": round(per_image * EPOCH / seconds / rate, 3),
            "matmul_gflops_used_for_fraction": round(rate / 1e9, 1),
            "mflop_breakdown": {k: round(v / 1e6, 3) for k, v in flops.items()},
        }
        rate = matmul_rate()  # re-measure between modes: the machine's state drifts
    # Its own row, never the default: bf16 autocast changes the numerics.
    bf16 = engine_seconds_per_epoch("simultaneous", data, args.iterations, args.warmup, "bf16")
    result["simultaneous_bf16_autocast"] = {
        "s_per_60k_epoch": round(bf16, 2),
        "speedup_vs_plain_loop": round(plain / bf16, 2),
        "speedup_vs_fp32_engine": round(result["modes"]["simultaneous"]["s_per_60k_epoch"] / bf16, 2),  # type: ignore[index]
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
