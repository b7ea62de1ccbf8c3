"""Images/s of data-parallel training for 1 and 2 gloo processes (and the CUDA path), printed as JSON.

Every figure is measured in this run: the engine's own Game stepped by N processes joined by gloo on
127.0.0.1, each process's nets wrapped in DDP exactly as `torchrun ... advnets train` does, the global batch
fixed (the preset's) and split over the processes. Efficiency = rate(2 processes) / (2 * rate(1 process)),
each process with half the cores' threads; the speedup compares with 1 process using every core. Each
setting is timed `--repeats` times, interleaved, and the median reported beside every sample (a shared
machine's load drifts). With `--device cuda` it also times one process on the GPU: seconds per MNIST epoch.

    python bench/scaling.py [--presets mnist-mlp mnist-dcgan] [--iterations 60] [--device cuda]

Data: a synthetic in-memory tensor of the preset's shape (speed does not depend on pixel values).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.config.presets import PRESETS
from advnets.data.base import ImageDataset, Split
from advnets.runs.distributed import shard_game, wrap_nets
from advnets.runs.group import Context, leave
from advnets.runs.training import build_game
from advnets.variants import get_variant

EPOCH = 60_000
SHAPES = {"mnist-mlp": (1, 28, 28), "mnist-dcgan": (1, 32, 32)}


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def synthetic(preset: str, size: int = 6_000) -> ImageDataset:
    shape = SHAPES.get(preset, (1, 28, 28))
    images = torch.rand(size, *shape, generator=torch.Generator().manual_seed(0))
    return ImageDataset(f"synthetic-{preset}", {"train": Split(images, torch.zeros(size, dtype=torch.long))})


def time_game(preset: str, context: Context, device: str, iterations: int, warmup: int) -> float:
    """Seconds per step of `preset` for this process (all processes step together)."""
    config = resolve_config(preset, None, parse_assignments([f"train.device={device}"]))
    game = build_game(config, synthetic(preset), device)
    if context.active:
        shard_game(game, context)
        wrap_nets(game, context)
    synchronise = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    for _ in range(warmup):
        game.step()
    synchronise()
    if context.active:
        dist.barrier()
    start = time.perf_counter()
    for _ in range(iterations):
        game.step()
    synchronise()
    if context.active:
        dist.barrier()
    return (time.perf_counter() - start) / iterations


def all_reduce_seconds(numel: int, repeats: int = 10) -> float:
    """Seconds for one gloo all-reduce of `numel` float32s: what DDP adds per step for the two players."""
    buffer = torch.zeros(numel)
    dist.all_reduce(buffer)
    dist.barrier()
    start = time.perf_counter()
    for _ in range(repeats):
        dist.all_reduce(buffer)
    return (time.perf_counter() - start) / repeats


def worker(rank: int, world: int, port: int, preset: str, threads: int, args: list[int], out: str) -> None:
    torch.set_num_threads(threads)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    seconds = time_game(preset, Context(rank, world, rank, "gloo"), "cpu", *args)
    config = resolve_config(preset)
    game = build_game(config, synthetic(preset))
    numel = sum(p.numel() for net in (game.generator, game.discriminator) for p in net.parameters())
    reduce = all_reduce_seconds(numel) if world > 1 else 0.0
    if rank == 0:
        with open(out, "w") as handle:
            handle.write(f"{seconds} {reduce}")
    leave()  # training's own teardown: together, rank 0 last (a rank left behind is aborted: SIGABRT)


def images_per_step(preset: str) -> int:
    """Training examples one step draws (what images/s counts, as the trainer's log does)."""
    config = resolve_config(preset)
    return config.game.batch_size * get_variant(config.variant).minibatches_per_step(config)


def gloo_rate(preset: str, world: int, threads: int, iterations: int, warmup: int) -> tuple[float, float]:
    """(images/s, seconds of one all-reduce of both nets' gradients; 0 for one process)."""
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        spawn_args = (world, free_port(), preset, threads, [iterations, warmup], out.name)
        mp.spawn(worker, args=spawn_args, nprocs=world, join=True)
        with open(out.name) as handle:
            seconds, reduce = (float(v) for v in handle.read().split())
    return images_per_step(preset) / seconds, reduce


def cuda_figures(iterations: int, warmup: int) -> dict[str, object]:
    if not torch.cuda.is_available():
        return {"available": False}
    seconds = time_game("mnist-mlp", Context(), "cuda", iterations, warmup)
    batch = resolve_config("mnist-mlp").game.batch_size
    return {
        "available": True,
        "gpu": torch.cuda.get_device_name(0),
        "mnist_mlp_s_per_60k_epoch": round(seconds * EPOCH / batch, 2),
        "mnist_mlp_images_per_s": round(batch / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presets", nargs="+", default=["mnist-mlp", "mnist-dcgan"])
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu", help="cuda: also time the CUDA path")
    args = parser.parse_args()
    total_threads = cores()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    result: dict[str, object] = {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": total_threads,
            "load_average_1min_at_start": load,
            "torch": torch.__version__,
        },
        "iterations_timed": args.iterations,
        "repeats": args.repeats,
        "presets": {},
    }
    half = max(total_threads // 2, 1)
    settings = {
        "1_process_all_cores": (1, total_threads),
        "1_process_half": (1, half),
        "2_processes": (2, half),
    }
    for preset in args.presets:
        if preset not in PRESETS:
            result["presets"][preset] = {"available": False, "why": "no such preset in this build"}  # type: ignore[index]
            continue
        samples: dict[str, list[float]] = {name: [] for name in settings}
        reduce_ms: list[float] = []
        for _ in range(args.repeats):
            for name, (world, threads) in settings.items():
                rate, reduce = gloo_rate(preset, world, threads, args.iterations, args.warmup)
                samples[name].append(round(rate, 1))
                if world > 1:
                    reduce_ms.append(round(reduce * 1e3, 2))
        median = {name: round(statistics.median(values), 1) for name, values in samples.items()}
        result["presets"][preset] = {  # type: ignore[index]
            "global_batch": resolve_config(preset).game.batch_size,
            "threads_per_process": {name: threads for name, (_, threads) in settings.items()},
            "images_per_s_median": median,
            "images_per_s_samples": samples,
            # One gloo all-reduce of G's and D's gradients together (DDP does one per player per step).
            "all_reduce_ms_both_nets_median": statistics.median(reduce_ms) if reduce_ms else None,
            # Classic scaling efficiency: 2 processes vs 2 x one process, each with the same threads.
            "efficiency_2_processes": round(median["2_processes"] / (2 * median["1_process_half"]), 3),
            # What a user of this whole machine gains: 2 processes vs 1 process using every core.
            "speedup_2_processes_vs_1_process_all_cores": round(
                median["2_processes"] / median["1_process_all_cores"], 3
            ),
        }
    if args.device.startswith("cuda"):
        result["cuda"] = cuda_figures(args.iterations * 5, args.warmup)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
