"""Interrupt and resume must give exactly the parameters of the uninterrupted run (on CPU)."""

from pathlib import Path

import pytest
import torch

import advnets
from advnets.runs.checkpoint import load_checkpoint
from advnets.runs.rundir import read_metrics
from advnets.runs.training import train
from tests.conftest import tiny_config


@pytest.mark.parametrize("update", ["simultaneous", "alternating"])
def test_resume_is_bit_identical(tmp_path: Path, digits, update: str) -> None:  # type: ignore[no-untyped-def]
    # 25 steps per epoch; stop mid-epoch at step 37 to exercise the data-order replay.
    k = 2 if update == "alternating" else 1  # the simultaneous update takes no k
    config = tiny_config(f"game.update={update}", f"game.k={k}", "train.epochs=3", "train.log_every=5")
    whole = train(config, tmp_path / "whole", dataset=digits)
    first = train(config, tmp_path / "split", dataset=digits, max_steps=17)
    assert first.step == 17
    rest = train(config, tmp_path / "split", resume=True, dataset=digits)
    assert rest.step == whole.step
    assert whole.checkpoint is not None and rest.checkpoint is not None
    a, _ = load_checkpoint(whole.checkpoint)
    b, _ = load_checkpoint(rest.checkpoint)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    steps = [row["step"] for row in read_metrics(tmp_path / "split" / "metrics.jsonl")]
    assert steps == sorted(set(steps))  # the log continues without repeats


def test_load_and_sample_without_the_dataset(tiny_run) -> None:  # type: ignore[no-untyped-def]
    model = advnets.load(tiny_run.run_dir)
    first, again = model.sample(6, seed=3), model.sample(6, seed=3)
    assert first.shape == (6, 1, 8, 8) and torch.equal(first, again)
    assert float(first.min()) >= 0.0 and float(first.max()) <= 1.0
