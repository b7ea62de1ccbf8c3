"""The metrics' classifier: trained once, cached as safetensors, reused; and class consistency of a cGAN."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from advnets.data.base import ImageDataset
from advnets.metrics.classifier import (
    ClassifierInfo,
    FeatureClassifier,
    classifier_path,
    load_or_train_classifier,
    predict,
)
from advnets.metrics.features import class_consistency, feature_scores
from advnets.runs.model import TrainedModel
from advnets.runs.overrides import resolve_config
from advnets.runs.training import train


@pytest.fixture(scope="module")
def digits_classifier(
    digits: ImageDataset, tmp_path_factory: pytest.TempPathFactory
) -> tuple[FeatureClassifier, ClassifierInfo]:
    return load_or_train_classifier(digits, tmp_path_factory.mktemp("classifiers"), epochs=10)


def test_classifier_is_accurate_cached_and_reused(
    digits: ImageDataset, digits_classifier: tuple[FeatureClassifier, ClassifierInfo]
) -> None:
    classifier, info = digits_classifier
    assert info.test_accuracy > 0.85
    assert info.path is not None and info.path == classifier_path(digits, info.path.parent)
    again, cached = load_or_train_classifier(digits, info.path.parent)
    assert cached.test_accuracy == info.test_accuracy and cached.epochs == 10  # read back, not retrained
    x = digits["test"].images[:20]
    assert torch.equal(again(x), classifier(x))
    assert torch.equal(predict(classifier, x), classifier(x).argmax(dim=1))
    assert classifier.features(x).shape == (20, FeatureClassifier.num_features)


def test_real_data_scores_well_against_itself(
    digits: ImageDataset, digits_classifier: tuple[FeatureClassifier, ClassifierInfo]
) -> None:
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
    config = resolve_config(
        "digits-cgan", None, ["train.progress=false", "train.grid_every=0", "train.threads=1"]
    )
    train(config, tmp_path, dataset=digits, max_steps=600)
    model = TrainedModel.load(tmp_path)
    labels = torch.arange(500) % 10
    consistency = class_consistency(digits_classifier[0], model.sample(500, seed=0, labels=labels), labels)
    assert consistency > 0.25  # chance is 0.1
