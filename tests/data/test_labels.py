"""Labels are checked once, when a dataset is built, so a conditional run never meets one_hot's crash."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from advnets.data.base import ImageDataset, Split
from advnets.errors import AdvnetsError
from advnets.runs.training import build_game
from tests.conftest import tiny_config


def test_a_label_outside_the_classes_is_refused_when_the_dataset_is_built() -> None:
    labels = torch.tensor([0, 3, 12, 9, 12])
    with pytest.raises(
        AdvnetsError, match=r"'own' \(train split\) has label 12 outside 0\.\.9 \(2 of 5 out of range\)"
    ):
        ImageDataset("own", {"train": Split(torch.zeros(5, 1, 4, 4), labels)}, num_classes=10)


@pytest.mark.parametrize(
    "labels",
    [
        torch.tensor([-1, 0, 1]),
        torch.tensor([[0], [1], [2]]),
        torch.tensor([0.0, 1.0, 2.0]),
        torch.tensor([0, 1]),
    ],
    ids=["negative", "two-dimensional", "float", "too-few"],
)
def test_malformed_labels_are_one_line(labels: torch.Tensor) -> None:
    with pytest.raises(AdvnetsError, match="'own'"):
        ImageDataset("own", {"train": Split(torch.zeros(3, 1, 4, 4), labels)}, num_classes=3)


def test_a_conditional_run_with_a_label_replaced_after_loading_is_refused(digits: ImageDataset) -> None:
    train = digits["train"]
    assert train.labels is not None
    bad = dataclasses.replace(digits, splits={**digits.splits})  # a shallow copy: the fixture stays intact
    bad.splits["train"] = Split(train.images, train.labels.clone())
    bad.splits["train"].labels[7] = 10  # type: ignore[index]
    with pytest.raises(AdvnetsError, match=r"'digits' \(train split\) has label 10 .*outside 0\.\.9"):
        build_game(tiny_config("variant=cgan"), bad)
