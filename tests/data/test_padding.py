"""MNIST-like datasets zero-padded to data.image_size for the conv nets."""

from __future__ import annotations

import pytest
import torch

from advnets.data import load_dataset
from advnets.data.base import ImageDataset
from advnets.data.transforms import pad_to
from advnets.errors import AdvnetsError


def test_pad_to_centres_the_image_in_zeros(digits: ImageDataset) -> None:
    padded = pad_to(digits, 16)
    assert padded.sample_shape == (1, 16, 16)
    assert torch.equal(padded["train"].images[:, :, 4:12, 4:12], digits["train"].images)
    assert float(padded["train"].images[:, :, :4].abs().sum()) == 0.0
    assert torch.equal(padded["test"].labels, digits["test"].labels)
    assert pad_to(digits, 8) is digits and pad_to(digits, 4) is digits  # never shrinks
    with pytest.raises(AdvnetsError, match="evenly"):
        pad_to(digits, 11)


def test_mnist_5k_padded_to_32_through_the_registry() -> None:
    data = load_dataset("mnist-5k", None, 32)
    assert data.sample_shape == (1, 32, 32)
    assert load_dataset("mnist-5k", None, 28).sample_shape == (1, 28, 28)
