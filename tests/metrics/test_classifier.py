"""The metrics' classifier: accurate on the digits, its features score real data well; class consistency of
a cGAN."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data.base import ImageDataset
from advnets.metrics.classifier import ClassifierInfo, FeatureClassifier, train_classifier
from advnets.metrics.features import class_consistency, feature_scores
from advnets.runs.model import TrainedModel
from advnets.runs.training import train


@pytest.fixture(scope="module")
def digits_classifier(digits: ImageDataset) -> tuple[FeatureClassifier, ClassifierInfo]:
    return train_classifier(digits, epochs=10)


def test_classifier_is_accurate(digits_classifier: tuple[FeatureClassifier, ClassifierInfo]) -> None:
    """Checked over seeds 0-4 x 1 and 2 threads (10 epochs): test accuracy worst 0.932, threshold 0.85,
    chance 0.1. (advnets.reporting.cache keeps it; tests/reporting/test_cache.py reads it back.)"""
    _classifier, info = digits_classifier
    assert info.test_accuracy > 0.85 and info.epochs == 10


def test_real_data_scores_well_against_itself(
    digits: ImageDataset, digits_classifier: tuple[FeatureClassifier, ClassifierInfo]
) -> None:
    """Real images against the test split beat uniform noise on every score, with the classifier of any seed.

    Checked over classifier seeds 0-4 x 1 and 2 threads: class consistency of real images worst 0.944,
    threshold 0.85, chance 0.1; real against noise, worst of each: FID 5.7 < 127, KID -1.1 < 95,
    precision 0.912 > 0.552, recall 0.944 > 0.076.
    """
    classifier, _info = digits_classifier
    train_split, test = digits["train"], digits["test"]
    real = feature_scores(train_split.images[:250], test.images, classifier, train_split.labels[:250], seed=0)
    noise = feature_scores(
        torch.rand(250, 1, 8, 8), test.images, classifier, train_split.labels[:250], seed=0
    )
    assert real["fid"] < noise["fid"] and real["kid"] < noise["kid"]
    assert real["precision"] > noise["precision"] and real["recall"] > noise["recall"]
    assert real["class_consistency"] > 0.85
    assert real["n_samples"] == 250 and real["n_reference"] == 250 and real["seed"] == 0


def test_conditional_gan_on_digits_generates_the_asked_classes(
    digits: ImageDataset, digits_classifier: tuple[FeatureClassifier, ClassifierInfo], tmp_path: Path
) -> None:
    """The digits-cgan nets at Adam lr 2e-3 for 900 steps: most samples are of the class they were asked for.

    At the preset's lr 1e-3, 600 steps sit on the steep part of the curve (0.226-0.478 over seeds 0-4), where
    one CPU's rounding decides the outcome; at lr 2e-3 the consistency has levelled off by step 900.
    Checked over seeds 0-4 x 1 and 2 threads: worst 0.672, threshold 0.4, chance 0.1.
    """
    assignments = ["train.progress=false", "train.grid_every=0", "train.threads=1", "optim.lr=0.002"]
    config = resolve_config("digits-cgan", None, parse_assignments(assignments))
    train(config, tmp_path, dataset=digits, max_steps=900)
    model = TrainedModel.load(tmp_path)
    labels = torch.arange(500) % 10
    consistency = class_consistency(digits_classifier[0], model.sample(500, seed=0, labels=labels), labels)
    assert consistency > 0.4  # chance is 0.1
