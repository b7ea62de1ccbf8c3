"""`torchrun --max-restarts` brings a run back after a worker is killed: it continues from the last checkpoint
and ends bit-identical to an uninterrupted 2-process run (dropout on: each rank's own stream is restored).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from advnets.runs.checkpoint import list_checkpoints, load_checkpoint
from advnets.runs.overrides import resolve_config
from advnets.runs.rundir import read_metrics
from tests.runs.faults import (
    all_checkpoints_load,
    children,
    finish,
    kill,
    latest_step,
    start,
    torchrun,
    train_as_one_rank,
    wait_for,
)

SETTINGS = [
    "train.epochs=2",  # 50 steps of the global batch of 50, 25 rows per rank
    "train.checkpoint_every=5",
    "train.threads=1",
    "train.progress=false",
    "train.log_every=5",
]


def command(run_dir: Path, *launcher: str) -> list[str]:
    sets = [arg for setting in SETTINGS for arg in ("--set", setting)]
    return torchrun(2, list(launcher), "train", "--preset", "digits-mlp", "--run-dir", str(run_dir), *sets)


def final(run_dir: Path) -> dict[str, torch.Tensor]:
    tensors, meta = load_checkpoint(list_checkpoints(run_dir / "checkpoints")[-1])
    assert meta["game"]["step"] == 50
    return tensors


@pytest.mark.slow
def test_max_restarts_recovers_a_killed_worker_exactly(tmp_path: Path, digits, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    whole = tmp_path / "whole"
    finish(start(command(whole)))

    run_dir = tmp_path / "restarted"
    launcher = start(command(run_dir, "--max-restarts=1"))
    assert wait_for(lambda: latest_step(run_dir) >= 10, launcher), "the run ended before the kill"
    workers = [pid for agent in [launcher.pid] for pid in children(agent)]
    assert len(workers) == 2, workers
    kill(max(workers))  # one worker dies; torchrun restarts both from the last checkpoint
    text = finish(launcher)
    assert "torchrun restart 1: resuming" in text and "finished at step 50" in text
    all_checkpoints_load(run_dir)

    expected, got = final(whole), final(run_dir)
    assert got.keys() == expected.keys()
    assert "rng.cpu.rank1" in got  # rank 1's dropout stream travels in the checkpoint
    for key in expected:
        assert torch.equal(got[key], expected[key]), key
    steps = [row["step"] for row in read_metrics(run_dir / "metrics.jsonl")]
    assert steps == sorted(set(steps)) and steps[-1] == 50

    # The 2-process run's step-40 checkpoint resumed by a single process (torchrun's one worker).
    for later in list_checkpoints(whole / "checkpoints")[1:]:
        later.unlink()
    config = resolve_config("digits-mlp", None, SETTINGS)
    result = train_as_one_rank(config, whole, monkeypatch, resume=True, dataset=digits)
    assert (result.status, result.step) == ("finished", 50)
    assert all(bool(torch.isfinite(t).all()) for t in final(whole).values() if t.is_floating_point())
