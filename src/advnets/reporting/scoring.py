"""Score a trained run in feature space against real data, beside the real training set as a reference."""

from __future__ import annotations

import os
from typing import Any

import torch

from advnets.data import load_dataset
from advnets.metrics.features import feature_scores
from advnets.reporting.cache import load_or_train_classifier
from advnets.runs.model import TrainedModel


def score_run(
    run_dir: str | os.PathLike[str],
    n: int = 10_000,
    seed: int = 0,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    reference_split: str = "test",
    classifier_epochs: int | None = None,
) -> list[dict[str, Any]]:
    """Two rows: the real training set (first rows of a seeded shuffle) and the run's samples, each scored
    against `reference_split` with the dataset's cached classifier (trained for `classifier_epochs`, by
    default about 100,000 examples, when none is cached). Conditional runs generate the classes in turn.
    """
    model = TrainedModel.load(run_dir)
    data = model.config.data
    dataset = load_dataset(data.name, data_dir or data.data_dir, data.image_size, data.channels)
    classifier, info = load_or_train_classifier(dataset, cache_dir, classifier_epochs)
    reference = dataset[reference_split].images
    train = dataset["train"]
    pick = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))[: min(n, len(train))]
    common = {"reference": f"{data.name} {reference_split}", "classifier_test_accuracy": info.test_accuracy}
    real_labels = None if train.labels is None else train.labels[pick]
    real_scores = feature_scores(train.images[pick], reference, classifier, real_labels, seed=seed)
    rows = [{"name": f"real {data.name} train (reference)", **common, **real_scores}]
    labels = None
    if model.variant.conditional and model.info.num_classes:
        labels = torch.arange(n) % model.info.num_classes
    samples = model.sample(n, seed=seed, labels=labels)  # G in chunks, from noise drawn once with `seed`
    rows.append(
        {
            "name": f"{model.config.preset} ({model.variant.name}, step {model.step})",
            **common,
            **feature_scores(samples, reference, classifier, labels, seed=seed),
        }
    )
    return rows
