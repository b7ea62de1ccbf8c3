"""Run directories written by an earlier advnets still load, sample and resume as they did then.

tests/fixtures/saved-runs/7b3979a holds two tiny runs on the 8x8 digits (the paper's G and D, and the
conditional pair, shrunk to seconds), made by advnets at commit 7b3979a, main before the architecture was
consolidated, by
    advnets train --preset digits-mlp|digits-cgan --run-dir DIR --set train.epochs=1
        --set generator.hidden=[32] --set discriminator.hidden=[16,16] --set discriminator.pieces=2
        --set train.threads=1 --set train.keep_checkpoints=1 --set train.grid_every=0
(digits-mlp also with --set optim.name=adam --set optim.lr=0.001 --set game.update=alternating, so that 25
steps move G visibly and the two runs cover both update orders). `expected/` holds what that code sampled
from them with seed 0 (one of each class for the conditional run), before and after
`advnets train --resume DIR --set train.epochs=2`. Today's code must give the same images.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from typer.testing import CliRunner

import advnets
from advnets.cli import app

SAVED = Path(__file__).resolve().parents[1] / "fixtures" / "saved-runs" / "7b3979a"
RUNS = ["digits-mlp", "digits-cgan"]
# The same float32 computation on another CPU's kernels (or thread count) rounds differently; 25 SGD steps of
# nets this small move the samples by ~1e-6, far inside this, while a changed step moves them by ~1e-2.
RESUMED_TOLERANCE = 1e-4


def expected(run: str, tag: str) -> torch.Tensor:
    return load_file(SAVED / "expected" / f"{run}-{tag}.safetensors")["samples"]


def samples(run_dir: Path) -> torch.Tensor:
    model = advnets.load(run_dir)
    labels = torch.arange(10) if model.info.num_classes else None
    return model.sample(10, seed=0, labels=labels)


@pytest.mark.parametrize("run", RUNS)
def test_a_run_saved_by_earlier_code_samples_the_same_images(run: str) -> None:
    torch.testing.assert_close(samples(SAVED / run), expected(run, "seed0"), rtol=0, atol=1e-6)


@pytest.mark.parametrize("run", RUNS)
def test_a_run_saved_by_earlier_code_resumes_where_it_stopped(run: str, tmp_path: Path) -> None:
    run_dir = tmp_path / run
    shutil.copytree(SAVED / run, run_dir)
    result = CliRunner().invoke(
        app, ["train", "--resume", str(run_dir), "--set", "train.epochs=2", "--set", "train.progress=false"]
    )
    assert result.exit_code == 0, result.output
    assert (run_dir / "checkpoints" / "step-00000050.safetensors").is_file()
    resumed = samples(run_dir)
    torch.testing.assert_close(
        resumed, expected(run, "resumed-to-epoch-2-seed0"), rtol=0, atol=RESUMED_TOLERANCE
    )
    # and the resume moved G at all: the check above is not the saved images again
    assert (resumed - expected(run, "seed0")).abs().max() > 100 * RESUMED_TOLERANCE
