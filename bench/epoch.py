"""Seconds per 60,000-image epoch of the paper's MNIST model: advnets vs a plain eager PyTorch loop.

Prints one JSON object. Every figure is measured in this run on this machine: the engine in each update
mode and precision, a plain loop written the way most example scripts are, and each mode's shape-level
limit: the step's own matrix multiplies (17 simultaneous, 25 alternating), each timed alone at its own
shape, operand layout and precision, plus one fused SGD-momentum pass over the 3.7 M parameters. The
engine's `fraction_of_shape_limit` is that limit over its measured time: the distance to this machine's
real limit for this workload. A 2048 x 2048 GEMM's rate is printed as context only.

    python bench/epoch.py [--iterations 300] [--warmup 30] [--threads N] [--modes simultaneous:fp32,...]

Data: a synthetic in-memory tensor of MNIST's shape (speed does not depend on pixel values).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass

import torch
from torch import nn

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data.base import ImageDataset, Split
from advnets.runs.training import build_game

EPOCH = 60_000
BATCH = 100
G_LAYERS = [(100, 1200), (1200, 1200), (1200, 784)]  # (in, out) of each linear map
D_LAYERS = [(784, 1200), (240, 1200), (240, 1)]  # maxout 240 x 5 pieces = 1200 linear outputs
PRECISIONS = {"fp32": torch.float32, "bf16": torch.bfloat16}


@dataclass(frozen=True)
class Gemm:
    """One matrix multiply of a training step, as autograd issues it for a linear map (in -> out) on `rows`.

    forward: addmm(bias, x (rows, in), W.t());  weight_grad: g.t() @ x -> (out, in);  data_grad: g @ W.
    """

    name: str
    kind: str
    rows: int
    n_in: int
    n_out: int

    @property
    def flops(self) -> int:
        return 2 * self.rows * self.n_in * self.n_out


def _layer_gemms(
    net: str,
    layers: list[tuple[int, int]],
    rows: int,
    kinds: str,
    data_grad_from: int,
    input_grad_rows: int = 0,
) -> list[Gemm]:
    """The GEMMs of `kinds` ("f" forward, "w" weight grads, "d" data grads) for a stack of linear maps.

    Data grads are needed for layers data_grad_from.. (the input of layer 0 gets one only when
    `input_grad_rows` > 0: D's input gradient, on G's samples alone)."""
    out: list[Gemm] = []
    for index, (n_in, n_out) in enumerate(layers):
        label = f"{net}{index + 1}"
        if "f" in kinds:
            out.append(Gemm(f"{label} forward", "forward", rows, n_in, n_out))
        if "w" in kinds:
            out.append(Gemm(f"{label} weight grad", "weight_grad", rows, n_in, n_out))
        if "d" in kinds and index >= data_grad_from:
            out.append(Gemm(f"{label} data grad", "data_grad", rows, n_in, n_out))
        if "d" in kinds and index == 0 and input_grad_rows:
            out.append(Gemm(f"{label} input grad", "data_grad", input_grad_rows, n_in, n_out))
    return out


def step_gemms(update: str, batch: int = BATCH) -> list[Gemm]:
    """Every matrix multiply one step of `update` needs, and no more (k = 1 for alternating).

    simultaneous (17): G forward; D on [x; G(z)] (2B rows) forward, weight grads and data grads down to its
    input, where only G's B rows need one; G's weight grads and data grads (z needs none).
    alternating (25): a D step (G forward without grads; D on 2B rows, forward, weight grads, data grads
    above its input), then a G step on fresh noise (G forward; D forward and data grads on B rows; G's grads).
    """
    if update == "simultaneous":
        return [
            *_layer_gemms("G", G_LAYERS, batch, "f", 1),
            *_layer_gemms("D", D_LAYERS, 2 * batch, "fwd", 1, input_grad_rows=batch),
            *_layer_gemms("G", G_LAYERS, batch, "wd", 1),
        ]
    return [
        *_layer_gemms("G", G_LAYERS, batch, "f", 1),
        *_layer_gemms("D", D_LAYERS, 2 * batch, "fwd", 1),
        *_layer_gemms("G", G_LAYERS, batch, "f", 1),
        *_layer_gemms("D", D_LAYERS, batch, "fd", 0),
        *_layer_gemms("G", G_LAYERS, batch, "wd", 1),
    ]


def _median_seconds(run, repeats: int, rounds: int = 7) -> float:  # type: ignore[no-untyped-def]
    for _ in range(3):
        run()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            run()
        times.append((time.perf_counter() - start) / repeats)
    return statistics.median(times)


def gemm_seconds(gemm: Gemm, dtype: torch.dtype, repeats: int = 20) -> float:
    """One GEMM at its own shape, operand layout and precision, timed alone."""
    x = torch.randn(gemm.rows, gemm.n_in, dtype=dtype)
    weight = torch.randn(gemm.n_out, gemm.n_in, dtype=dtype)
    bias = torch.randn(gemm.n_out, dtype=dtype)
    grad = torch.randn(gemm.rows, gemm.n_out, dtype=dtype)
    run = {
        "forward": lambda: torch.nn.functional.linear(x, weight, bias),
        "weight_grad": lambda: grad.t() @ x,
        "data_grad": lambda: grad @ weight,
    }[gemm.kind]
    return _median_seconds(run, repeats)


def parameter_shapes() -> list[tuple[int, ...]]:
    return [shape for n_in, n_out in G_LAYERS + D_LAYERS for shape in ((n_out, n_in), (n_out,))]


def sgd_pass_seconds(repeats: int = 20) -> float:
    """One fused SGD-momentum update of every parameter of both nets (3.7 M, fp32: the master weights)."""
    shapes = parameter_shapes()
    params, grads, buffers = ([torch.randn(shape) for shape in shapes] for _ in range(3))
    options = dict(weight_decay=0.0, momentum=0.5, lr=1e-3, dampening=0.0, nesterov=False, maximize=False)

    def run() -> None:
        torch._fused_sgd_(params, grads, buffers, is_first_step=False, **options)  # type: ignore[arg-type]

    return _median_seconds(run, repeats)


def shape_limit(gemms: list[Gemm], precision: str) -> dict[str, object]:
    """The step's physical limit here: its GEMMs, each timed at its own shape, plus one optimiser pass."""
    dtype = PRECISIONS[precision]
    rows = [(gemm, gemm_seconds(gemm, dtype)) for gemm in gemms]
    gemm_total = sum(seconds for _, seconds in rows)
    sgd = sgd_pass_seconds()
    per_step = gemm_total + sgd
    flops = sum(gemm.flops for gemm, _ in rows)
    return {
        "s_per_60k_epoch": round(per_step * EPOCH / BATCH, 2),
        "gemms": len(rows),
        "gemm_gflops": round(flops / gemm_total / 1e9, 1),
        "gemm_ms_per_step": round(gemm_total * 1e3, 2),
        "sgd_ms_per_step": round(sgd * 1e3, 2),
        "gemm_ms": {
            f"{gemm.name} ({gemm.rows}x{gemm.n_in}x{gemm.n_out})": round(s * 1e3, 3) for gemm, s in rows
        },
    }


def matmul_rate(size: int = 2048, repeats: int = 10) -> float:
    """fp32 GFLOP/s of one large square GEMM: context only, since batch-100 steps never reach it."""
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


def mode_row(
    update: str, precision: str, data: ImageDataset, plain: float, args: argparse.Namespace
) -> dict[str, object]:
    gemms = step_gemms(update)
    seconds = engine_seconds_per_epoch(update, data, args.iterations, args.warmup, precision)
    limit = shape_limit(gemms, precision)  # measured right after, so both see the machine in one state
    flops = sum(gemm.flops for gemm in gemms) / BATCH
    return {
        "s_per_60k_epoch": round(seconds, 2),
        "shape_limit_s_per_60k_epoch": limit["s_per_60k_epoch"],
        "fraction_of_shape_limit": round(float(limit["s_per_60k_epoch"]) / seconds, 3),  # type: ignore[arg-type]
        "speedup_vs_plain_loop": round(plain / seconds, 2),
        "needed_mflop_per_image": round(flops / 1e6, 2),
        "achieved_gflops": round(flops * EPOCH / seconds / 1e9, 1),
        "shape_limit": limit,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--threads", type=int, default=0, help="0: every core this process may use")
    parser.add_argument(
        "--modes", default="simultaneous:fp32,alternating:fp32,simultaneous:bf16,alternating:bf16"
    )
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    threads = args.threads or cores
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    images = torch.rand(EPOCH, 1, 28, 28)
    data = ImageDataset("synthetic-mnist-shape", {"train": Split(images)})
    plain = plain_loop_seconds_per_epoch(images.view(EPOCH, -1), args.iterations, args.warmup)
    modes: dict[str, object] = {}
    for mode in args.modes.split(","):
        update, precision = mode.split(":")
        modes[f"{update} {precision}"] = mode_row(update, precision, data, plain, args)
    result = {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "threads": threads,
            "torch": torch.__version__,
        },
        "iterations_timed": args.iterations,
        "plain_loop_s_per_60k_epoch": round(plain, 2),
        "modes": modes,
        # Context only: batch-100 steps never reach a large square GEMM's rate.
        "matmul_gflops_fp32_2048": round(matmul_rate() / 1e9, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
