"""A training process killed with SIGKILL again and again ends exactly where an uninterrupted run does.

The kills are at seeded random moments after progress, and one lands while a checkpoint is being written
(the moment its temp file exists). After every kill each checkpoint must load; the final parameters, optimiser
state and RNG state must equal, bit for bit, those of a run that was never interrupted.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint
from advnets.runs.training import train
from tests.runs.faults import (
    all_checkpoints_load,
    cli,
    finish,
    kill,
    latest_step,
    partial_writes,
    start,
    wait_for,
)

# digits-mlp with wider nets (bigger checkpoints: longer writes to land a kill in) and a checkpoint every
# 2 steps; 4 epochs of 25 steps.
SETTINGS = [
    "train.epochs=4",
    "train.checkpoint_every=2",
    "train.keep_checkpoints=2",
    "train.threads=1",
    "train.progress=false",
    "train.log_every=5",
    "generator.hidden=[512,512]",
    "discriminator.hidden=[256,256]",
]
KILLS = 3


def command(run_dir: Path, resume: bool) -> list[str]:
    sets = [arg for setting in SETTINGS for arg in ("--set", setting)]
    where = ["--resume", str(run_dir)] if resume else ["--preset", "digits-mlp", "--run-dir", str(run_dir)]
    return cli("train", *where, *sets)


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume_is_bit_identical(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    run_dir = tmp_path / "chaos"
    killed_mid_write = False
    for kill_index in range(KILLS):
        resumed_from = latest_step(run_dir)
        process = start(command(run_dir, resume=kill_index > 0))
        # Progress: a checkpoint newer than the one this attempt started from.
        if not wait_for(lambda start=resumed_from: latest_step(run_dir) > start, process):
            break
        if kill_index == 0:  # kill while a checkpoint's temp file exists: mid-write
            killed_mid_write = wait_for(lambda: bool(partial_writes(run_dir)), process)
        else:
            time.sleep(rng.uniform(0.0, 0.4))
        kill(process.pid)
        process.wait()
        assert all_checkpoints_load(run_dir) >= 1  # never a checkpoint that fails to load
    assert killed_mid_write, "no kill landed during a checkpoint write"
    text = finish(start(command(run_dir, resume=True)))
    assert "finished at step 100" in text
    assert not partial_writes(run_dir)  # the half-written temp file was cleared on restart

    config = resolve_config("digits-mlp", None, parse_assignments(SETTINGS))
    whole = train(config, tmp_path / "whole", dataset=digits)
    assert whole.checkpoint is not None
    expected, _ = load_checkpoint(whole.checkpoint)
    got, meta = load_checkpoint(list_checkpoints(run_dir / "checkpoints")[-1])
    assert meta["game"]["step"] == 100 and got.keys() == expected.keys()
    for key in expected:
        assert torch.equal(got[key], expected[key]), key
