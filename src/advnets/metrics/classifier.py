"""A small convolutional classifier whose penultimate layer is the feature space of the sample metrics.

Inception features mean little for 28x28 digits, so advnets trains this net on the dataset's labelled
training split, caches it as safetensors (with its test accuracy) beside the data cache, and reuses it.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn.functional import cross_entropy

from advnets.data.base import ImageDataset
from advnets.data.locate import cache_root
from advnets.errors import AdvnetsError, AdvnetsWarning, WriteError
from advnets.files import CACHE_HINT
from advnets.runs.checkpoint import load_checkpoint, save_checkpoint

ARCH_VERSION = 1  # bump when the architecture changes, so stale caches are retrained, not misread
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
def apply_batched(fn: nn.Module | object, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
    """fn over x in chunks of `batch` rows, concatenated (keeps memory flat for 10,000 samples)."""
    assert callable(fn)
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


def classifier_path(dataset: ImageDataset, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    shape = "x".join(map(str, dataset.sample_shape))
    root = Path(cache_dir) if cache_dir is not None else cache_root().parent / "classifiers"
    return root / f"{dataset.name}-{shape}-v{ARCH_VERSION}.safetensors"


def default_epochs(dataset: ImageDataset) -> int:
    """About 100,000 examples seen, at least 2 epochs: 2 for MNIST's 50,000, 78 for the 1,297 8x8 digits."""
    return max(2, round(100_000 / max(len(dataset["train"]), 1)))


def load_or_train_classifier(
    dataset: ImageDataset,
    cache_dir: str | os.PathLike[str] | None = None,
    epochs: int | None = None,
    seed: int = 0,
) -> tuple[FeatureClassifier, ClassifierInfo]:
    """The cached classifier for this dataset and image shape, training and caching it on first use."""
    path = classifier_path(dataset, cache_dir)
    if path.is_file():
        tensors, meta = load_checkpoint(path)
        info = ClassifierInfo(
            **{**meta["classifier"], "sample_shape": tuple(meta["classifier"]["sample_shape"])}
        )
        classifier = FeatureClassifier(info.sample_shape, info.num_classes)
        classifier.load_state_dict(tensors)
        info.path = path
        return classifier.eval(), info
    classifier, info = train_classifier(dataset, epochs or default_epochs(dataset), seed)
    meta = {"classifier": {k: v for k, v in info.__dict__.items() if k != "path"}, "arch": ARCH_VERSION}
    try:
        save_checkpoint(path, classifier.state_dict(), meta, CACHE_HINT)
    except WriteError as error:  # the trained classifier is used all the same; only the cache is missed
        warnings.warn(f"classifier not cached: {error}", AdvnetsWarning, stacklevel=2)
    info.path = path
    return classifier, info
