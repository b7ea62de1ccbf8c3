"""Test error of classifiers that saw only n labels: a K+1-class D, a linear probe on D, pixels alone."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from advnets.data.base import Split
from advnets.errors import AdvnetsError
from advnets.metrics.classifier import apply_batched
from advnets.metrics.linear_probe import fit_linear, flat
from advnets.variants.semisup import balanced_subset


def _labels(split: Split) -> torch.Tensor:
    if split.labels is None:
        raise AdvnetsError("semi-supervised results need a labelled dataset (digits, mnist, mnist-5k, ...)")
    return split.labels


def d_features(discriminator: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """D's last hidden layer (N, width) in eval mode (no dropout), for the paper's MLP D or a K+1 D."""
    hidden = getattr(discriminator, "hidden", None)
    if not isinstance(hidden, nn.Module):
        raise AdvnetsError("this run's discriminator has no hidden-layer features to probe; use an MLP D")
    discriminator.eval()
    return apply_batched(lambda x: hidden(x.reshape(x.shape[0], -1)), images, 1000)


def kplus1_error(discriminator: nn.Module, test: Split) -> float:
    """Test error (%) of argmax_k l_k(x) of a K+1-class discriminator."""
    discriminator.eval()
    logits = apply_batched(discriminator.class_logits, test.images, 1000)  # type: ignore[arg-type]
    return 100.0 * float((logits.argmax(dim=1) != _labels(test)).float().mean())


def linear_error(
    train_x: np.ndarray, train: Split, test_x: np.ndarray, test: Split, n: int, seed: int
) -> float:
    """Test error (%) of logistic regression fitted on the balanced n labelled rows of `train_x`."""
    labels = _labels(train)
    index = balanced_subset(labels, n, int(labels.max()) + 1, seed).numpy()
    model = fit_linear(train_x[index], labels.numpy()[index])
    return 100.0 * float(np.mean(model.predict(test_x) != _labels(test).numpy()))


def probe_error(discriminator: nn.Module, train: Split, test: Split, n: int, seed: int) -> float:
    """(a) A linear classifier on D's features, fitted on n balanced labels (D trained without labels)."""
    train_x = d_features(discriminator, train.images).double().numpy()
    test_x = d_features(discriminator, test.images).double().numpy()
    return linear_error(train_x, train, test_x, test, n, seed)


def pixel_error(train: Split, test: Split, n: int, seed: int) -> float:
    """The label-only baseline of the probe: the same linear classifier on raw pixels."""
    return linear_error(flat(train.images), train, flat(test.images), test, n, seed)
