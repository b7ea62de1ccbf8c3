"""A run directory holds one run, trained by one process at a time: never mixed, never overwritten by mistake.

Where the behaviour is about processes (a live holder of the lock, one killed with SIGKILL, two trainers of
one run) the other process is real.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from rich.console import Console

import advnets
from advnets.config.overrides import parse_assignments, resolve_config
from advnets.errors import AdvnetsError
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint
from advnets.runs.lock import LOCK_NAME, read_holder
from advnets.runs.rundir import read_metrics
from advnets.runs.training import train
from tests.conftest import tiny_config
from tests.runs.faults import SRC, cli, kill, poison_generator_at, start, train_as_one_rank

ENV = {**os.environ, "PYTHONPATH": SRC, "OMP_NUM_THREADS": "1", "COLUMNS": "400"}
EVERY_5 = ("train.checkpoint_every=5", "train.log_every=5", "train.keep_checkpoints=10")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args), capture_output=True, text=True, env=ENV, timeout=300)


def files(run: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(run)): p.read_bytes() for p in run.rglob("*") if p.is_file() and p.name != LOCK_NAME
    }


def text_console() -> tuple[Console, io.StringIO]:
    text = io.StringIO()
    return Console(file=text, width=400), text


def hold_lock(run: Path) -> subprocess.Popen[str]:
    """A real process that takes the run's lock as a trainer does and keeps it until killed."""
    code = (
        "import sys, time; from pathlib import Path; from advnets.runs.lock import RunLock\n"
        "lock = RunLock(Path(sys.argv[1])); lock.acquire(); lock.claim(None); print('held', flush=True)\n"
        "time.sleep(600)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(run)], stdout=subprocess.PIPE, text=True, env=ENV
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    return process


def test_a_fresh_run_refuses_a_directory_holding_a_run_and_leaves_it_intact(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    train(tiny_config(), tmp_path, dataset=digits)
    before = files(tmp_path)
    with pytest.raises(AdvnetsError, match="already holds") as caught:
        train(tiny_config("train.seed=3"), tmp_path, dataset=digits, max_steps=5)
    message = str(caught.value)
    assert "a run (preset digits-mlp), last checkpoint at step 50" in message
    assert f"--resume {tmp_path}" in message and "--run-dir" in message and "--overwrite" in message
    assert files(tmp_path) == before  # config, metrics, checkpoints and grids: byte for byte


def test_a_run_that_wrote_no_checkpoint_is_refused_without_offering_resume(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    train(tiny_config(), tmp_path, dataset=digits, max_steps=5)
    for path in list_checkpoints(tmp_path / "checkpoints"):  # as if killed before its first checkpoint
        path.unlink()
    with pytest.raises(AdvnetsError, match="with no checkpoint yet, logged to step 5") as caught:
        train(tiny_config(), tmp_path, dataset=digits)
    assert "--resume" not in str(caught.value) and "--overwrite" in str(caught.value)


def test_overwrite_clears_the_old_run_so_load_gets_the_new_one(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    train(tiny_config(*EVERY_5), tmp_path, dataset=digits)  # checkpoints up to step 50
    (tmp_path / "eval.json").write_text("{}")  # a later command's output about the old run
    (tmp_path / "notes.txt").write_text("mine")  # not advnets': kept
    new = train(tiny_config("train.seed=1"), tmp_path, dataset=digits, max_steps=7, overwrite=True)
    assert [p.name for p in list_checkpoints(tmp_path / "checkpoints")] == ["step-00000007.safetensors"]
    assert [row["step"] for row in read_metrics(tmp_path / "metrics.jsonl")] == [7]
    assert not (tmp_path / "eval.json").exists() and (tmp_path / "notes.txt").read_text() == "mine"
    assert new.checkpoint is not None
    model = advnets.load(tmp_path)
    assert model.step == 7
    tensors, _ = load_checkpoint(new.checkpoint)
    weights = {k: v for k, v in tensors.items() if k.startswith("generator.")}
    loaded = {f"generator.{k}": v for k, v in model.generator.state_dict().items()}
    assert all(torch.equal(loaded[k], v) for k, v in weights.items())


def test_a_foreign_config_yaml_is_never_cleared(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "config.yaml").write_text("model: resnet\n")
    with pytest.raises(AdvnetsError, match="config.yaml that is not an advnets run's"):
        train(tiny_config(), tmp_path, dataset=digits, overwrite=True)
    assert (tmp_path / "config.yaml").read_text() == "model: resnet\n"


def test_resume_and_overwrite_together_are_refused(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AdvnetsError, match="pass one of them"):
        train(tiny_config(), tmp_path, resume=True, overwrite=True, dataset=digits)


def test_a_lock_held_by_a_live_process_is_refused_naming_it(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    train(tiny_config(), tmp_path, dataset=digits, max_steps=5)
    holder = hold_lock(tmp_path)
    try:
        for resume in (True, False):
            with pytest.raises(AdvnetsError, match=f"is being trained by process {holder.pid} on "):
                train(tiny_config(), tmp_path, resume=resume, dataset=digits, max_steps=5)
    finally:
        kill(holder.pid)
        holder.wait()
    assert [row["step"] for row in read_metrics(tmp_path / "metrics.jsonl")] == [5]


def test_a_dead_holders_lock_is_taken_over_with_a_notice(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    train(tiny_config(), tmp_path, dataset=digits, max_steps=5)
    holder = hold_lock(tmp_path)
    kill(holder.pid)  # kill -9: no chance to let go
    holder.wait()
    console, text = text_console()
    result = train(tiny_config(), tmp_path, resume=True, dataset=digits, max_steps=5, console=console)
    assert result.step == 10
    assert f"took over the lock of {tmp_path} from process {holder.pid} on " in text.getvalue()
    record = read_holder(tmp_path / LOCK_NAME)
    assert record is not None and record.pid == os.getpid() and record.released


def test_a_recorded_live_pid_refuses_even_where_flock_does_nothing(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    # A `sleep` that never took the flock, recorded as the holder: what a filesystem without flock shows.
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        record = {"pid": sleeper.pid, "host": socket.gethostname(), "started": None, "since": time.time()}
        tmp_path.joinpath(LOCK_NAME).write_text(json.dumps(record))
        with pytest.raises(AdvnetsError, match=f"being trained by process {sleeper.pid} "):
            train(tiny_config(), tmp_path, dataset=digits, max_steps=2)
    finally:
        kill(sleeper.pid)
        sleeper.wait()
    console, text = text_console()
    train(tiny_config(), tmp_path, dataset=digits, max_steps=2, console=console)
    assert f"from process {sleeper.pid} on" in text.getvalue()


@pytest.mark.slow
def test_two_trainers_of_one_run_never_interleave(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    run = tmp_path / "run"
    train(tiny_config("train.log_every=5"), run, dataset=digits, max_steps=5)
    first = start(
        cli("train", "--resume", str(run), "--epochs", "4000", "--quiet", "--set", "train.threads=1")
    )
    try:
        deadline = time.monotonic() + 120
        while (held := read_holder(run / LOCK_NAME)) is None or held.pid != first.pid:
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        second = run_cli("train", "--resume", str(run), "--max-steps", "3", "--quiet")
        assert second.returncode == 2, second.stderr
        assert f"is being trained by process {first.pid} " in second.stderr
    finally:
        kill(first.pid)  # kill -9 mid-run
        first.wait()
    third = run_cli("train", "--resume", str(run), "--max-steps", "3", "--quiet")
    assert third.returncode == 0, third.stderr
    assert f"took over the lock of {run} from process {first.pid}" in third.stderr
    steps = [row["step"] for row in read_metrics(run / "metrics.jsonl")]
    assert steps == sorted(set(steps))  # one writer at a time: no step twice, none out of order


def test_resume_with_a_changed_preset_is_refused_by_the_library(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    train(tiny_config(), tmp_path, dataset=digits, max_steps=5)
    other = resolve_config(
        "digits-cgan", None, parse_assignments(["train.progress=false", "train.threads=1"])
    )
    with pytest.raises(
        AdvnetsError, match=r"changed configuration is refused \(.*preset 'digits-mlp' -> 'digits-cgan'"
    ):
        train(other, tmp_path, resume=True, dataset=digits)
    with pytest.raises(AdvnetsError, match=r"refused \(game\.batch_size 50 -> 25\)"):
        train(tiny_config("game.batch_size=25"), tmp_path, resume=True, dataset=digits)
    # What a resume may change: epochs, checkpointing, learning rates.
    allowed = tiny_config("train.epochs=3", "train.checkpoint_every=7", "optim.lr=0.05", "optim.lr_g=0.02")
    assert train(allowed, tmp_path, resume=True, dataset=digits, max_steps=2).step == 7


def test_resume_checks_against_the_checkpoint_not_the_edited_config_yaml(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    train(tiny_config(), tmp_path, dataset=digits, max_steps=5)
    edited = (tmp_path / "config.yaml").read_text().replace("k: 1", "k: 4")
    (tmp_path / "config.yaml").write_text(edited)
    result = run_cli("train", "--resume", str(tmp_path), "--max-steps", "1")
    assert result.returncode == 2 and "refused (game.k 1 -> 4)" in result.stderr


def test_resume_refuses_another_preset_and_another_run_dir_on_the_command_line(
    tiny_run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    run = str(tiny_run.run_dir)
    preset = run_cli("train", "--resume", run, "--preset", "digits-cgan")
    assert preset.returncode == 2 and "preset 'digits-mlp' -> 'digits-cgan'" in preset.stderr
    elsewhere = run_cli("train", "--resume", run, "--run-dir", str(tmp_path / "b"))
    assert elsewhere.returncode == 2
    assert f"--run-dir {tmp_path / 'b'} is refused" in elsewhere.stderr
    assert not (tmp_path / "b").exists()
    for result in (preset, elsewhere):
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def advised_command(message: str) -> list[str]:
    command = shlex.split(message.split("advnets train ", 1)[1].split(";")[0])
    return ["train", *command, "--max-steps", "3", "--quiet", "--set", "train.threads=1"]


@pytest.mark.parametrize(("poisoned", "resumes"), [(12, True), (3, False)])
def test_the_advice_after_a_divergence_is_a_command_that_works(
    tmp_path: Path, digits, monkeypatch: pytest.MonkeyPatch, poisoned: int, resumes: bool
) -> None:  # type: ignore[no-untyped-def]
    poison_generator_at(monkeypatch, poisoned)
    with pytest.raises(AdvnetsError, match=f"diverged at step {poisoned + 1}") as caught:
        train(tiny_config(*EVERY_5), tmp_path, dataset=digits)
    message = str(caught.value)
    assert "non-saturating" not in message  # digits-mlp already uses it
    if resumes:
        assert "last good checkpoint is step-00000010.safetensors" in message
        assert f"advnets train --resume {tmp_path} --set optim.lr=0.01" in message
    else:  # nothing was saved: no checkpoint is claimed, the run starts again
        assert "wrote no checkpoint" in message and "checkpoint is" not in message
    result = run_cli(*advised_command(message))
    assert result.returncode == 0, result.stderr
    assert f"finished at step {10 + 3 if resumes else 3} " in result.stdout
    assert resolve_config(None, None, base=_saved(tmp_path)).optim.lr == pytest.approx(0.01)


def test_the_saturating_loss_is_told_of_the_other_one(tmp_path: Path, digits, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    poison_generator_at(monkeypatch, 3)
    with pytest.raises(AdvnetsError, match="--set game.generator_loss=non-saturating"):
        train(tiny_config("game.generator_loss=saturating"), tmp_path, dataset=digits)


def _saved(run: Path) -> dict:  # type: ignore[type-arg]
    import yaml

    return yaml.safe_load((run / "config.yaml").read_text())


def test_a_restarted_torchrun_worker_continues_its_own_jobs_run_only(
    tmp_path: Path, digits, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TORCHELASTIC_RUN_ID", "job-a")
    train_as_one_rank(tiny_config(), tmp_path, monkeypatch, dataset=digits, max_steps=5)
    monkeypatch.setenv("TORCHELASTIC_RESTART_COUNT", "1")
    console, text = text_console()
    again = train_as_one_rank(
        tiny_config(), tmp_path, monkeypatch, dataset=digits, max_steps=5, console=console
    )
    assert again.step == 10 and "torchrun restart 1: resuming" in text.getvalue()
    monkeypatch.setenv("TORCHELASTIC_RUN_ID", "job-b")  # another job's restart: not its run
    with pytest.raises(AdvnetsError, match="already holds a run"):
        train_as_one_rank(tiny_config(), tmp_path, monkeypatch, dataset=digits, max_steps=5)
