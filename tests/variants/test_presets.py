"""Every variant preset trains a few steps through the one loop and resumes exactly from its checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data.base import ImageDataset, Split
from advnets.runs.checkpoint import load_checkpoint
from advnets.runs.rundir import RunDir
from advnets.runs.training import train

QUIET = [
    "train.progress=false",
    "train.threads=1",
    "train.grid_every=0",
    "train.epochs=1",
    "game.batch_size=8",
]
DIGITS = ["data.name=digits", "data.image_size=8", "generator.width=8", "discriminator.width=8"]
SMALL_CIFAR_NETS = {
    "cifar10-dcgan": ["generator.width=4", "discriminator.width=4"],
    "cifar10-mlp": ["generator.hidden=[16, 32]", "discriminator.hidden=[8, 8]"],
    "cifar10-conv": ["generator.hidden=[16, 200]", "discriminator.width=4", "discriminator.hidden=[8]"],
}
PRESETS = {
    "digits-cgan": [],
    "mnist-cgan": ["data.name=digits", "generator.hidden=[32]", "discriminator.hidden=[16]"],
    "mnist-dcgan": DIGITS,
    "mnist-cdcgan": DIGITS,
    "fashion-mnist-dcgan": DIGITS,
    **SMALL_CIFAR_NETS,
}


def fake_cifar() -> ImageDataset:
    """Random 3x32x32 images with labels: the shape of CIFAR-10 at a few dozen examples."""
    generator = torch.Generator().manual_seed(0)
    splits = {
        name: Split(
            torch.rand(n, 3, 32, 32, generator=generator), torch.randint(10, (n,), generator=generator)
        )
        for name, n in (("train", 32), ("valid", 8), ("test", 8))
    }
    return ImageDataset("cifar10", splits, num_classes=10)


def generator_state(run_dir: Path) -> dict[str, torch.Tensor]:
    tensors, _ = load_checkpoint(RunDir(run_dir).latest_checkpoint())
    return {k: v for k, v in tensors.items() if k.startswith(("generator.", "discriminator."))}


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_preset_trains_and_resumes_exactly(preset: str, digits: ImageDataset, tmp_path: Path) -> None:
    dataset = fake_cifar() if preset.startswith("cifar10") else digits
    config = resolve_config(preset, None, parse_assignments([*QUIET, *PRESETS[preset]]))
    straight = train(config, tmp_path / "straight", dataset=dataset, max_steps=4)
    assert straight.step == 4
    train(config, tmp_path / "resumed", dataset=dataset, max_steps=2)
    resumed = train(config, tmp_path / "resumed", resume=True, dataset=dataset, max_steps=2)
    assert resumed.step == 4
    expected, got = generator_state(tmp_path / "straight"), generator_state(tmp_path / "resumed")
    assert expected.keys() == got.keys()
    for key in expected:
        assert torch.equal(expected[key], got[key]), key
