"""Faults and bad input during a run: divergence, mode collapse, a full disk, an unwritable or foreign run."""

from __future__ import annotations

import errno
import io
import os
import signal
from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest
import torch
from rich.console import Console

from advnets.data.mnist import FILES, MNIST, IdxSource, load_idx_dataset
from advnets.errors import AdvnetsError
from advnets.game.loop import Game
from advnets.runs import health
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint
from advnets.runs.rundir import read_metrics
from advnets.runs.state import restore
from advnets.runs.training import build_game, train
from tests.conftest import tiny_config
from tests.data.test_idx import idx_bytes
from tests.runs.faults import poison_generator_at

EVERY_5 = ("train.checkpoint_every=5", "train.log_every=5", "train.keep_checkpoints=10")


@pytest.mark.parametrize(("poisoned", "detected", "kept"), [(10, 10, 5), (12, 13, 10)])
def test_nan_stops_the_run_naming_the_step_and_keeps_the_last_good_checkpoint(
    tmp_path: Path, digits, monkeypatch: pytest.MonkeyPatch, poisoned: int, detected: int, kept: int
) -> None:  # type: ignore[no-untyped-def]
    # Poisoned at a checkpoint step: the parameter check refuses to save it. Between checkpoints: the next
    # step's losses are NaN and the run stops there.
    poison_generator_at(monkeypatch, poisoned)
    with pytest.raises(AdvnetsError, match=rf"diverged at step {detected} .*not finite.*lower optim\.lr"):
        train(tiny_config(*EVERY_5), tmp_path, dataset=digits)
    found = list_checkpoints(tmp_path / "checkpoints")
    assert found[-1].name == f"step-{kept:08d}.safetensors"
    tensors, _ = load_checkpoint(found[-1])
    assert all(bool(torch.isfinite(t).all()) for k, t in tensors.items() if not k.startswith("rng."))


def test_collapse_is_a_logged_warning_not_a_stop(
    tmp_path: Path, digits, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # G's grids spread out (epoch 1), then collapse (epoch 2): a warning, and the run still finishes.
    measured = iter([0.4, 0.01, 0.02])
    monkeypatch.setattr(health, "diversity", lambda samples, reference: next(measured))
    text = io.StringIO()
    config = tiny_config("train.epochs=3")
    result = train(config, tmp_path, dataset=digits, console=Console(file=text, width=400))
    assert result.status == "finished" and result.step == 3 * 25
    assert "possible mode collapse at epoch 2" in text.getvalue()
    assert "at epoch 1" not in text.getvalue()
    rows = [row for row in read_metrics(tmp_path / "metrics.jsonl") if "diversity" in row]
    assert [(row["epoch"], row["diversity"]) for row in rows] == [(1.0, 0.4), (2.0, 0.01), (3.0, 0.02)]


def test_collapse_rule_needs_a_fall_below_the_threshold() -> None:
    assert health.collapse_warning(3, 0.01, 0.1, best=0.05) is None  # never spread out yet: G's start
    assert health.collapse_warning(3, 0.2, 0.1, best=0.5) is None
    assert "fell to 0.050" in (health.collapse_warning(3, 0.05, 0.1, best=0.5) or "")


def test_diversity_is_zero_for_one_image_and_one_for_the_data(digits) -> None:  # type: ignore[no-untyped-def]
    images = digits["train"].images
    reference = health.reference_spread(images)
    assert health.diversity(images[:1].repeat(64, 1, 1, 1), reference) == 0.0
    other = images[torch.randperm(len(images), generator=torch.Generator().manual_seed(5))[:300]]
    assert health.diversity(other, reference) == pytest.approx(1.0, abs=0.05)
    # Brute force over pairs for the mean pairwise distance itself.
    x = torch.rand(6, 3)
    pairs = [float((x[i] - x[j]).norm()) for i in range(6) for j in range(6) if i != j]
    assert health.mean_pairwise_distance(x) == pytest.approx(sum(pairs) / len(pairs), rel=1e-6)


def test_too_little_free_space_is_refused_before_training(
    tmp_path: Path, digits, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(health.shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 10**5, 10**5))
    with pytest.raises(AdvnetsError, match=r"only 0 MiB free .* needs about \d+ MiB"):
        train(tiny_config(), tmp_path, dataset=digits)
    assert not list_checkpoints(tmp_path / "checkpoints")


def test_disk_full_mid_run_leaves_no_partial_files(
    tmp_path: Path, digits, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    real_fsync, calls = os.fsync, {"n": 0}

    def fsync_fills_the_disk(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] >= 4:  # config, then 2 checkpoints (file + directory each) fit; then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_fills_the_disk)
    with pytest.raises(AdvnetsError, match=r"could not write checkpoint .*No space left.*are intact"):
        train(tiny_config(*EVERY_5), tmp_path, dataset=digits)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert not list((tmp_path / "checkpoints").glob(".*.tmp"))  # the temp file was removed
    found = list_checkpoints(tmp_path / "checkpoints")
    assert [p.name for p in found] == ["step-00000005.safetensors"]
    load_checkpoint(found[0])
    assert all(isinstance(row, dict) for row in read_metrics(tmp_path / "metrics.jsonl"))


def test_unwritable_run_dir_is_a_clear_error(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(AdvnetsError, match="cannot write to run directory .*choose another"):
        train(tiny_config(), blocker / "run", dataset=digits)


def test_checkpoint_of_another_configuration_is_refused(tiny_run, digits) -> None:  # type: ignore[no-untyped-def]
    tensors, meta = load_checkpoint(tiny_run.checkpoint)
    other = build_game(tiny_config("generator.hidden=[32]"), digits)
    with pytest.raises(AdvnetsError, match="does not fit this run's nets.*different configuration"):
        restore(other, tensors, meta)


def test_images_and_labels_of_different_lengths_are_refused(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (60, 28, 28)),
        "train_labels": rng.integers(0, 10, 59),  # one short: from another file, or cut
        "test_images": rng.integers(0, 256, (10, 28, 28)),
        "test_labels": rng.integers(0, 10, 10),
    }
    for key, stem in FILES.items():
        (tmp_path / stem).write_bytes(idx_bytes(arrays[key]))
    source = IdxSource("mnist", (), MNIST.checksums, train_size=50)
    with pytest.raises(AdvnetsError, match="hold different numbers of examples"):
        load_idx_dataset(source, tmp_path, allow_download=False)


def test_cuda_on_a_machine_without_a_gpu_is_a_clear_error(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(AdvnetsError, match="no CUDA GPU is available"):
        train(tiny_config("train.device=cuda"), tmp_path, dataset=digits)


def test_batch_that_does_not_split_over_the_ranks_is_refused() -> None:
    from advnets.runs.distributed import ShardedSampler

    with pytest.raises(AdvnetsError, match="does not split evenly over 3 processes"):
        ShardedSampler(100, 50, 0, rank=0, ranks=3)


def test_ctrl_c_finishes_the_step_and_writes_a_checkpoint(
    tmp_path: Path, digits, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    real_step = Game.step

    def step_then_ctrl_c(game: Game):  # type: ignore[no-untyped-def]
        stats = real_step(game)
        if game.step_count == 7:
            os.kill(os.getpid(), signal.SIGINT)
        return stats

    monkeypatch.setattr(Game, "step", step_then_ctrl_c)
    result = train(tiny_config(), tmp_path, dataset=digits)
    assert result.status == "interrupted" and result.step == 7
    assert result.checkpoint is not None and result.checkpoint.name == "step-00000007.safetensors"
    load_checkpoint(result.checkpoint)


def test_a_metrics_line_cut_short_is_dropped_on_resume(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    config = tiny_config("train.log_every=5")
    train(config, tmp_path, dataset=digits, max_steps=10)
    with (tmp_path / "metrics.jsonl").open("a") as out:
        out.write('{"time": 1, "step": 11, "d_lo')  # a process killed mid-append
    train(config, tmp_path, resume=True, dataset=digits, max_steps=5)
    rows = read_metrics(tmp_path / "metrics.jsonl")
    assert [row["step"] for row in rows] == [5, 10, 15]
