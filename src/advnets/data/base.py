"""The in-memory dataset every source produces: named splits of one float tensor each."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from advnets.errors import AdvnetsError

SPLITS = ("train", "valid", "test")


@dataclass
class Split:
    """Examples (N, C, H, W) as float32 in [0, 1] (or (N, d) points for toys), labels (N,) or None."""

    images: torch.Tensor
    labels: torch.Tensor | None = None

    def __len__(self) -> int:
        return int(self.images.shape[0])


@dataclass
class ImageDataset:
    """A dataset held in memory as one tensor per split, so a minibatch is an index, not a copy loop."""

    name: str
    splits: dict[str, Split]
    num_classes: int | None = None
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Checked once here, at load, rather than as a one_hot or cross_entropy crash mid-training.
        if self.num_classes is not None:
            for name, split in self.splits.items():
                check_labels(split, self.num_classes, f"dataset '{self.name}' ({name} split)")

    def __getitem__(self, split: str) -> Split:
        if split not in self.splits:
            raise AdvnetsError(
                f"dataset '{self.name}' has no '{split}' split; it has: {', '.join(self.splits)}"
            )
        return self.splits[split]

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one example: (C, H, W) for images, (d,) for the toy densities."""
        return tuple(int(s) for s in self.splits["train"].images.shape[1:])

    @property
    def is_image(self) -> bool:
        return len(self.sample_shape) == 3

    @property
    def dim(self) -> int:
        return int(torch.Size(self.sample_shape).numel())

    def sizes(self) -> dict[str, int]:
        return {name: len(split) for name, split in self.splits.items()}


def check_labels(split: Split, num_classes: int, where: str) -> None:
    """Labels, when present, are one integer in 0..num_classes-1 per example."""
    labels = split.labels
    if labels is None:
        return
    if labels.dim() != 1 or len(labels) != len(split) or labels.is_floating_point():
        raise AdvnetsError(
            f"{where} has labels of shape {tuple(labels.shape)} ({labels.dtype}) for {len(split)} examples; "
            "give one integer label per example"
        )
    if len(labels) and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)]
        raise AdvnetsError(
            f"{where} has label {int(bad[0])} outside 0..{num_classes - 1} ({len(bad)} of {len(labels)} out "
            "of range); fix the labels or the dataset's num_classes"
        )


def split_by_permutation(
    images: torch.Tensor, labels: torch.Tensor | None, sizes: dict[str, int], seed: int
) -> dict[str, Split]:
    """Split one labelled pool into named parts after a seeded shuffle (sizes must add up to <= N)."""
    order = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(seed))
    splits: dict[str, Split] = {}
    start = 0
    for name, size in sizes.items():
        index = order[start : start + size]
        splits[name] = Split(images[index], None if labels is None else labels[index])
        start += size
    return splits
