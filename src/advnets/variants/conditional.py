"""Conditional GAN (Mirza & Osindero 2014; the paper's future-work item 1): G(z, y) and D(x, y).

The class label y, one-hot, is fed to both nets; G's samples in a minibatch are drawn under the labels of
that minibatch's real examples, so both halves of D's batch carry the same label distribution.
"""

from __future__ import annotations

import torch

from advnets.errors import AdvnetsError
from advnets.nets.blocks import one_hot
from advnets.variants.base import DataInfo, Variant


def class_count(info: DataInfo) -> int:
    if info.num_classes is None:
        raise AdvnetsError(f"a conditional variant needs labels, but dataset '{info.name}' has none")
    return info.num_classes


class Conditional(Variant):
    """c = one_hot(y) for real and fake rows alike; sampling takes chosen labels or cycles the classes."""

    name = "cgan"
    conditional = True

    def cond_dim(self, info: DataInfo) -> int:
        return class_count(info)

    def real_condition(self, labels: torch.Tensor | None, info: DataInfo) -> torch.Tensor | None:
        if labels is None:
            raise AdvnetsError(f"variant '{self.name}' needs labelled minibatches from '{info.name}'")
        return one_hot(labels, class_count(info))

    def fake_condition(self, labels: torch.Tensor | None, info: DataInfo) -> torch.Tensor | None:
        return self.real_condition(labels, info)

    def sample_condition(
        self, labels: torch.Tensor | None, n: int, info: DataInfo, device: torch.device
    ) -> torch.Tensor | None:
        """(n, num_classes) one-hot rows for `labels` (n,) or one label; else the classes in turn."""
        classes = class_count(info)
        if labels is None:
            labels = torch.arange(n) % classes
        labels = torch.as_tensor(labels, dtype=torch.int64).reshape(-1)
        if labels.numel() == 1:
            labels = labels.expand(n)
        if labels.numel() != n:
            raise AdvnetsError(
                f"got {labels.numel()} labels for {n} samples; give one label or one per sample"
            )
        if int(labels.min()) < 0 or int(labels.max()) >= classes:
            raise AdvnetsError(
                f"labels must lie in 0..{classes - 1} for '{info.name}', got {labels.tolist()[:5]}"
            )
        return one_hot(labels, classes).to(device)
