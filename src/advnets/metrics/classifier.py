"""A small convolutional classifier whose penultimate layer is the feature space of the sample metrics.

Inception features mean little for 28x28 digits, so advnets trains this net on the dataset's labelled
training split (advnets.reporting.cache keeps it, with its test accuracy, beside the data cache).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn.functional import cross_entropy

from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError

FEATURES = 128


class FeatureClassifier(nn.Module):
    """x (B, C, H, W) in [0, 1] -> logits (B, num_classes); `features(x)` -> (B, 128) after a ReLU."""

    num_features = FEATURES  # read by torchmetrics to size its statistics

    def __init__(self, sample_shape: tuple[int, ...], num_classes: int, width: int = 32) -> None:
        super().__init__()
        channels = sample_shape[0]
        self.body = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (B, width, H/2, W/2)
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(4),  # (B, 2 * width, 4, 4) whatever the image size
            nn.Flatten(),
            nn.Linear(2 * width * 16, FEATURES),
            nn.ReLU(),
        )
        self.head = nn.Linear(FEATURES, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


@dataclass
class ClassifierInfo:
    """Where a classifier came from and how good it is."""

    dataset: str
    sample_shape: tuple[int, ...]
    num_classes: int
    test_accuracy: float
    epochs: int
    seed: int
    path: Path | None = None


@torch.no_grad()
def apply_batched(
    fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, batch: int = 500
) -> torch.Tensor:
    """fn over x in chunks of `batch` rows, concatenated (keeps memory flat for 10,000 samples)."""
    return torch.cat([fn(x[i : i + batch]) for i in range(0, x.shape[0], batch)])


def predict(classifier: FeatureClassifier, images: torch.Tensor) -> torch.Tensor:
    """Predicted classes (N,) for images (N, C, H, W)."""
    classifier.eval()
    return apply_batched(classifier, images).argmax(dim=1)


def accuracy(classifier: FeatureClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    return float((predict(classifier, images) == labels).float().mean())


def train_classifier(
    dataset: ImageDataset, epochs: int = 2, seed: int = 0, batch: int = 128
) -> tuple[FeatureClassifier, ClassifierInfo]:
    """Adam (lr 1e-3) on the training split for `epochs` passes; accuracy measured on the test split."""
    train = dataset["train"]
    if train.labels is None or dataset.num_classes is None or not dataset.is_image:
        raise AdvnetsError(
            f"dataset '{dataset.name}' has no labelled images to train the metrics' classifier"
        )
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        classifier = FeatureClassifier(dataset.sample_shape, dataset.num_classes)
    optimizer = torch.optim.Adam(classifier.parameters(), lr=1e-3)
    classifier.train()
    for _ in range(epochs):
        order = torch.randperm(len(train), generator=generator)
        for start in range(0, len(train), batch):
            index = order[start : start + batch]
            loss = cross_entropy(classifier(train.images[index]), train.labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    test = dataset["test"]
    assert test.labels is not None
    test_accuracy = accuracy(classifier, test.images, test.labels)
    info = ClassifierInfo(
        dataset.name, dataset.sample_shape, dataset.num_classes, test_accuracy, epochs, seed
    )
    return classifier.eval(), info
