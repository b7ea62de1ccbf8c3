"""`advnets eval`: score a trained run on its dataset with a list of metrics, side by side with baselines.

The metrics are a registry: a metric is a function of an `EvalContext` returning one `MetricRow` with a
value per source ("gan", "train-images", "k-means"). Add one with `@register_metric("name")`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

import advnets
from advnets.config.schema import RunConfig
from advnets.data import load_dataset
from advnets.data.base import ImageDataset
from advnets.metrics.baselines import training_images
from advnets.metrics.parzen import PAPER_SIGMAS, parzen_protocol
from advnets.reporting.cache import kmeans_centroids

# Column headings: what played the part of the generator's samples.
SOURCES = {"gan": "GAN samples", "train-images": "training images", "k-means": "k-means centroids"}


@dataclass
class EvalOptions:
    """The protocol; the defaults are the paper's (parzen_ll.py)."""

    n_samples: int = 10_000
    sigmas: tuple[float, ...] = PAPER_SIGMAS
    n_valid: int = 1000
    sample_seed: int = 0  # noise seed for G's samples
    baseline_seed: int = 0  # which training images, and the k-means start
    kmeans_iterations: int = 10
    baselines: bool = True
    data_dir: str | None = None


@dataclass
class EvalContext:
    dataset: ImageDataset
    samples: dict[str, torch.Tensor]  # source -> (m, *sample_shape)
    options: EvalOptions


@dataclass
class MetricRow:
    metric: str  # what the number is, with its unit
    values: dict[str, float]  # source -> value
    errors: dict[str, float] = field(default_factory=dict)  # source -> standard error
    details: dict[str, Any] = field(default_factory=dict)  # source -> protocol details (sigma, ...)
    higher_is_better: bool = True


MetricFn = Callable[[EvalContext], MetricRow]
METRICS: dict[str, MetricFn] = {}


def register_metric(name: str) -> Callable[[MetricFn], MetricFn]:
    """Add a metric to every `advnets eval` (its row appears in the table and in eval.json)."""

    def add(function: MetricFn) -> MetricFn:
        METRICS[name] = function
        return function

    return add


@register_metric("parzen")
def parzen_metric(context: EvalContext) -> MetricRow:
    """The paper's Table 1: test log-likelihood of a Parzen window on the samples; sigma from validation."""
    row = MetricRow("Parzen log-likelihood (nats)", {})
    valid, test = context.dataset["valid"].images, context.dataset["test"].images
    for source, samples in context.samples.items():
        result = parzen_protocol(samples, valid, test, context.options.sigmas, context.options.n_valid)
        row.values[source], row.errors[source] = result.mean, result.stderr
        row.details[source] = result.to_dict()
    return row


def load_run_dataset(config: RunConfig, data_dir: str | os.PathLike[str] | None) -> ImageDataset:
    data = config.data
    return load_dataset(data.name, data_dir or data.data_dir, data.image_size, data.channels)


def gather_samples(
    model: Any, dataset: ImageDataset, options: EvalOptions, baselines: bool
) -> dict[str, torch.Tensor]:
    samples = {"gan": model.sample(options.n_samples, seed=options.sample_seed)}
    if baselines:
        train = dataset["train"].images
        samples["train-images"] = training_images(train, options.n_samples, options.baseline_seed)
        samples["k-means"] = kmeans_centroids(
            train, options.n_samples, options.kmeans_iterations, options.baseline_seed
        )
    return samples


def evaluate_checkpoint(
    run_dir: Path,
    checkpoint: Path | None,
    options: EvalOptions,
    dataset: ImageDataset | None = None,
    metrics: dict[str, MetricFn] | None = None,
) -> dict[str, Any]:
    """Every registered metric on one checkpoint (the latest by default): a JSON-ready record."""
    started = time.perf_counter()
    model = advnets.load(run_dir, checkpoint)
    dataset = dataset or load_run_dataset(model.config, options.data_dir)
    context = EvalContext(dataset, gather_samples(model, dataset, options, options.baselines), options)
    rows = [asdict(metric(context)) | {"name": name} for name, metric in (metrics or METRICS).items()]
    return {
        "advnets_version": advnets.__version__,
        "run_dir": str(run_dir),
        "checkpoint": model.checkpoint.name,
        "step": model.step,
        "epoch": model.epoch,
        "dataset": dataset.name,
        "dataset_sizes": dataset.sizes(),
        "protocol": asdict(options) | {"sources": {s: SOURCES[s] for s in context.samples}},
        "metrics": rows,
        "seconds": round(time.perf_counter() - started, 2),
    }
