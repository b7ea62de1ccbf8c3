"""Speed of the Parzen protocol (Table 1): the full MNIST protocol vs a naive broadcast implementation.

    python bench/parzen.py [--data-dir PATH/TO/MNIST] [--threads 2]

Prints JSON. The protocol: 10,000 samples, sigma chosen among logspace(-1, 0, 10) on the first 1,000
validation images, the 10,000 test images scored. The samples are 10,000 training images plus a little
noise (the cost does not depend on where samples come from). The naive implementation recomputes
(x - mu)^2 by broadcasting for every sigma, as the original evaluation script did, here in float64 so that it
also checks the fast path to the last digit; it is timed on a subset of test rows and scaled to the
protocol's 20,000 (row, sigma) evaluations.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import torch

from advnets.metrics.parzen import PAPER_SIGMAS, parzen_log_likelihoods, parzen_protocol

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def load(data_dir: Path | None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, str]:
    from advnets.data import load_dataset

    directory = data_dir or (SHARED_MNIST if SHARED_MNIST.is_dir() else None)
    try:
        ds = load_dataset("mnist", directory)
    except Exception:  # no MNIST here: random data of the same shape costs the same
        gen = torch.Generator().manual_seed(0)
        return torch.rand(10_000, 784, generator=gen), *torch.rand(2, 10_000, 784, generator=gen), "random"
    gen = torch.Generator().manual_seed(0)
    train = ds["train"].images[:10_000].reshape(10_000, -1)
    samples = (train + 0.05 * torch.randn(train.shape, generator=gen)).clamp(0, 1)
    return samples, ds["valid"].images.reshape(10_000, -1), ds["test"].images.reshape(10_000, -1), "mnist"


def naive(x: torch.Tensor, samples: torch.Tensor, sigma: float) -> torch.Tensor:
    """The density as written, one broadcast per sigma (in the dtype of x)."""
    out = []
    for start in range(0, x.shape[0], 10):
        a = (x[start : start + 10, None, :] - samples[None]) / sigma  # (10, m, d)
        out.append(torch.logsumexp(-0.5 * (a * a).sum(2), dim=1))
    d = x.shape[1]
    return torch.cat(out) - math.log(samples.shape[0]) - d * math.log(sigma * math.sqrt(2 * math.pi))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--naive-rows", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    samples, valid, test, source = load(args.data_dir)
    parzen_protocol(samples[:500], valid[:100], test[:100])  # warm up
    wall, cpu = time.perf_counter(), time.process_time()
    result = parzen_protocol(samples, valid, test)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = test[: args.naive_rows]
    naive_wall = time.perf_counter()
    reference = naive(rows.double(), samples.double(), result.sigma)  # float64: also the accuracy check
    naive_wall = time.perf_counter() - naive_wall
    evaluations = 1000 * len(PAPER_SIGMAS) + test.shape[0]  # (row, sigma) pairs in the protocol
    fast_rows = parzen_log_likelihoods(rows, samples, [result.sigma]).log_likelihoods[0]
    print(
        json.dumps(
            {
                "data": source,
                "threads": args.threads,
                "load_average_1min": round(os.getloadavg()[0], 2),
                "protocol_seconds": round(wall, 3),
                "protocol_cpu_seconds": round(cpu, 3),
                "protocol_mean_nats": round(result.mean, 3),
                "protocol_stderr": round(result.stderr, 3),
                "sigma": round(result.sigma, 5),
                "naive_rows_timed": args.naive_rows,
                "naive_seconds_scaled": round(naive_wall / args.naive_rows * evaluations, 1),
                "speedup": round(naive_wall / args.naive_rows * evaluations / wall, 1),
                "max_abs_error_vs_float64_nats": float(abs(fast_rows - reference.numpy()).max()),
                "refine_error_bound_nats": result.max_refine_bound,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
