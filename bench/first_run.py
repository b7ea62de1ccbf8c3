"""Time to quality of a first run: FID against training seconds, advnets beside a peer-style script.

Both train on the same data (the 5,000 embedded MNIST digits: 4,000 train / 500 test), on the same machine, in
this one process, one after the other. Every `--every` seconds of training (the clock stops while scoring)
each is scored the same way: `--n` samples against the 500 held-out test digits in the feature space of
advnets' cached MNIST-5k classifier (FID, precision / recall, and the share of the samples the classifier puts
in each class). Prints one JSON object: the two curves, and when advnets first reached the peer's final FID.

The peer is written here the way the most used GAN example collections write it: an MLP pair with batch norm
and leaky ReLU, Adam 2e-4 with betas (0.5, 0.999), batch 64, tanh images in [-1, 1], and the images served
one sample at a time through a DataLoader.

    python bench/first_run.py [--budget 300] [--every 30] [--preset mnist-5k-quickstart] [--set KEY=VALUE]
                              [--no-peer] [--threads N] [--plot first_run.png] [--clock wall|cpu]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data import load_dataset
from advnets.data.base import ImageDataset
from advnets.metrics.classifier import FeatureClassifier
from advnets.metrics.features import feature_scores
from advnets.reporting.cache import load_or_train_classifier
from advnets.runs.training import build_game

Sampler = Callable[[int], torch.Tensor]  # n -> (n, *sample_shape) images in [0, 1]


def score(sample: Sampler, dataset: ImageDataset, classifier: FeatureClassifier, n: int) -> dict[str, Any]:
    images = sample(n).clamp(0, 1)
    scores = feature_scores(images, dataset["test"].images, classifier, kid_subsets=10, kid_subset_size=500)
    shares = scores["class_shares"]
    return {
        "fid": round(scores["fid"], 3),
        "precision": round(scores["precision"], 4),
        "recall": round(scores["recall"], 4),
        "class_share_min": round(min(shares), 4),
        "class_share_max": round(max(shares), 4),
    }


def timeline(
    steps: Iterator[None],
    sample: Sampler,
    dataset: ImageDataset,
    classifier: FeatureClassifier,
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """Advance `steps` for `args.budget` seconds of training, scoring after every `args.every` seconds."""
    # CPU time counts only what this process got: on a machine that other work shares, with one thread,
    # it is the figure that transfers to an idle machine.
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    points, trained, next_score = [], 0.0, args.every
    while trained < args.budget:
        start = clock()
        while clock() - start < next_score - trained:
            next(steps)
        trained += clock() - start
        next_score += args.every
        points.append({"seconds": round(trained, 1), **score(sample, dataset, classifier, args.n)})
        print(json.dumps(points[-1]), flush=True)
    return points


def advnets_run(
    dataset: ImageDataset, args: argparse.Namespace
) -> tuple[Iterator[None], Sampler, dict[str, Any]]:
    config = resolve_config(args.preset, None, parse_assignments(["train.progress=false", *args.set]))
    game = build_game(config, dataset)

    def steps() -> Iterator[None]:
        while True:
            game.step()
            yield

    noise = torch.Generator()

    def sample(n: int) -> torch.Tensor:
        return game.sample(n, noise.manual_seed(0))

    return steps(), sample, {"preset": args.preset, "set": args.set}


class OneImageAtATime(Dataset[torch.Tensor]):
    """What example scripts do: index one image, convert and normalise it to [-1, 1], let the loader batch."""

    def __init__(self, images: torch.Tensor) -> None:
        self.images = (images * 255).round().to(torch.uint8)  # stored as the 8-bit files are

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.images[index].float().div(255).sub(0.5).div(0.5)


def peer_nets(noise_dim: int = 100, pixels: int = 784) -> tuple[nn.Module, nn.Module]:
    def block(inputs: int, outputs: int, norm: bool = True) -> list[nn.Module]:
        layers: list[nn.Module] = [nn.Linear(inputs, outputs)]
        if norm:
            layers.append(nn.BatchNorm1d(outputs))
        return [*layers, nn.LeakyReLU(0.2)]

    generator = nn.Sequential(
        *block(noise_dim, 128, norm=False),
        *block(128, 256),
        *block(256, 512),
        *block(512, 1024),
        nn.Linear(1024, pixels),
        nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Linear(pixels, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1)
    )
    return generator, discriminator


def peer_run(dataset: ImageDataset) -> tuple[Iterator[None], Sampler, dict[str, Any]]:
    torch.manual_seed(0)
    generator, discriminator = peer_nets(pixels=math.prod(dataset.sample_shape))
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(OneImageAtATime(dataset["train"].images), batch_size=64, shuffle=True, drop_last=True)
    bce = nn.BCEWithLogitsLoss()

    def steps() -> Iterator[None]:
        while True:
            for images in loader:
                real = images.view(images.shape[0], -1)
                ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
                fake = generator(torch.randn(len(real), 100))
                # (1) G: maximise log D(G(z))
                opt_g.zero_grad()
                bce(discriminator(fake), ones).backward()
                opt_g.step()
                # (2) D: maximise log D(x) + log(1 - D(G(z)))
                opt_d.zero_grad()
                d_loss = (bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)) / 2
                d_loss.backward()
                opt_d.step()
                yield

    noise = torch.Generator()

    @torch.no_grad()
    def sample(n: int) -> torch.Tensor:
        generator.eval()
        images = generator(torch.randn(n, 100, generator=noise.manual_seed(0)))
        generator.train()
        return images.view(n, *dataset.sample_shape).add(1).div(2)

    return steps(), sample, {"script": "peer-style MLP, batch norm, leaky ReLU, Adam 2e-4, batch 64"}


def first_reaching(points: list[dict[str, Any]], fid: float) -> float | None:
    return next((p["seconds"] for p in points if p["fid"] <= fid), None)


def plot(curves: dict[str, list[dict[str, Any]]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    for name, points in curves.items():
        axis.plot([p["seconds"] for p in points], [p["fid"] for p in points], marker="o", label=name)
    axis.set(xlabel="training seconds", ylabel="FID (classifier features, 500 test digits)", yscale="log")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=300.0, help="training seconds for each")
    parser.add_argument("--every", type=float, default=30.0, help="training seconds between scores")
    parser.add_argument("--n", type=int, default=5000, help="samples per score")
    parser.add_argument("--preset", default="mnist-5k-quickstart")
    parser.add_argument("--set", action="append", default=[], help="KEY=VALUE for the advnets run")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--threads", type=int, default=0, help="0: one per core")
    parser.add_argument("--plot", default=None, help="also draw the curves into this PNG")
    parser.add_argument(
        "--clock", choices=["wall", "cpu"], default="wall", help="cpu: process CPU seconds (busy machines)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
    # Both train and are scored at the advnets preset's image size (the quickstart pads the digits to 32x32).
    size = resolve_config(args.preset).data.image_size
    dataset = load_dataset("mnist-5k", None, size)
    start = time.perf_counter()
    classifier, info = load_or_train_classifier(dataset)
    result: dict[str, Any] = {
        "machine": {"cpu": platform.processor() or platform.machine(), "threads": torch.get_num_threads()},
        "torch": torch.__version__,
        "data": "mnist-5k: 4,000 train, scored against the 500 test digits",
        "classifier": {
            "test_accuracy": info.test_accuracy,
            "seconds_to_load_or_train": time.perf_counter() - start,
        },
        "budget_s": args.budget,
        "clock": args.clock,
        "n_samples": args.n,
    }
    runs = {"advnets": advnets_run(dataset, args)}
    if not args.no_peer:
        runs["peer"] = peer_run(dataset)
    curves = {}
    for name, (steps, sample, about) in runs.items():
        curves[name] = timeline(steps, sample, dataset, classifier, args)
        result[name] = {**about, "points": curves[name]}
    if "peer" in curves:
        peer_final = curves["peer"][-1]["fid"]
        reached = first_reaching(curves["advnets"], peer_final)
        result["peer_final_fid"] = peer_final
        result["advnets_seconds_to_peer_final_fid"] = reached
        result["fraction_of_peer_time"] = None if reached is None else round(reached / args.budget, 3)
    if args.plot:
        plot(curves, args.plot)
        result["plot"] = args.plot
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
