"""Shared fixtures: small real data and a tiny trained run, made once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.config.schema import RunConfig
from advnets.data import load_dataset
from advnets.data.base import ImageDataset
from advnets.runs.trainer import TrainResult
from advnets.runs.training import train

# Tests and benchmarks read the canonical MNIST files here when the checkout sits beside them.
SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"

# One thread: the tests use small nets, and on a shared, busy CPU two spinning threads run ~20x slower.
torch.set_num_threads(1)


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    """Back to one thread for each test module, whatever a command under test set (`threads=0`: all)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def digits() -> ImageDataset:
    return load_dataset("digits")


def tiny_config(*assignments: str) -> RunConfig:
    """The digits preset shrunk to seconds: 2 epochs, no progress bar."""
    return resolve_config(
        "digits-mlp",
        None,
        parse_assignments(["train.epochs=2", "train.progress=false", "train.threads=1", *assignments]),
    )


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, digits: ImageDataset) -> TrainResult:
    """A finished 2-epoch run on the 8x8 digits, for tests that need a trained run directory."""
    run_dir = tmp_path_factory.mktemp("tiny-run")
    return train(tiny_config(), run_dir, dataset=digits)


@pytest.fixture(scope="session")
def inpaint_run(tmp_path_factory: pytest.TempPathFactory, digits: ImageDataset) -> TrainResult:
    """A 1-epoch inpainting run on the 8x8 digits (G completes masked images)."""
    config = tiny_config("variant=inpaint", "train.epochs=1")
    return train(config, tmp_path_factory.mktemp("inpaint-run"), dataset=digits)


@pytest.fixture
def mnist_dir() -> Path:
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip("the canonical MNIST files are not beside this checkout")
    return SHARED_MNIST
