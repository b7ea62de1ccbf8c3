"""The command line as a user runs it: a real subprocess, real files, one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ENV = {**os.environ, "COLUMNS": "200", "OMP_NUM_THREADS": "1"}


def advnets(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "advnets", *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=cwd,
        timeout=300,
    )


def test_train_sample_and_resume_end_to_end(tmp_path: Path) -> None:
    run = tmp_path / "run"
    common = ["--preset", "digits-mlp", "--run-dir", str(run), "--set", "train.threads=1"]
    first = advnets("train", *common, "--epochs", "1")
    assert first.returncode == 0, first.stderr
    assert "samples:" in first.stdout and (run / "samples" / "epoch-0001.png").is_file()
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert {"d_loss", "g_loss", "d_real", "d_fake", "images_per_s"} <= rows[-1].keys()

    more = advnets("train", "--resume", str(run), "--epochs", "2", "--quiet")
    assert more.returncode == 0, more.stderr
    assert "finished at step 50 (epoch 2)" in more.stdout

    sampled = advnets(
        "sample", str(run), "-n", "9", "--npy", str(tmp_path / "s.npy"), "--out", str(tmp_path / "g.png")
    )
    assert sampled.returncode == 0, sampled.stderr
    assert np.load(tmp_path / "s.npy").shape == (9, 1, 8, 8)
    assert (tmp_path / "g.png").is_file()


def test_a_bad_input_under_torchrun_is_reported_by_the_first_process_only() -> None:
    first, other = (
        subprocess.run(
            [sys.executable, "-m", "advnets", "train", "--preset", "nope"],
            capture_output=True,
            text=True,
            env={**ENV, "RANK": rank},  # what torchrun sets in each process
            timeout=300,
        )
        for rank in ("0", "1")
    )
    assert first.returncode == other.returncode == 2
    assert "unknown preset 'nope'" in first.stderr
    assert other.stderr == ""


def test_resume_refuses_a_changed_configuration(tiny_run) -> None:  # type: ignore[no-untyped-def]
    result = advnets("train", "--resume", str(tiny_run.run_dir), "--set", "game.k=5")
    assert result.returncode == 2
    assert "with a changed configuration is refused (game.k 1 -> 5)" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--preset", "nope"], "unknown preset 'nope'"),
        (["train", "--preset", "digits-mlp", "--set", "game.k=-2"], "bad config value game.k=-2"),
        (
            [
                "train",
                "--preset",
                "mnist-mlp",
                "--data-dir",
                "/nonexistent/mnist",
                "--set",
                "data.name=folder",
            ],
            "is not a folder",
        ),
        (["sample", "/nonexistent/run"], "does not exist"),
        (["train", "--resume", "/nonexistent/run"], "run directory /nonexistent/run does not exist"),
    ],
)
def test_bad_input_is_one_line_without_traceback(args: list[str], message: str) -> None:
    result = advnets(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_corrupt_checkpoint_is_reported_by_sample(tmp_path: Path, tiny_run) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "step-00000001.safetensors"
    broken.write_bytes(tiny_run.checkpoint.read_bytes()[:1000])
    result = advnets("sample", str(tiny_run.run_dir), "--checkpoint", str(broken))
    assert result.returncode == 2 and "truncated or corrupt" in result.stderr


def test_info_lists_datasets_and_presets() -> None:
    result = advnets("info")
    assert result.returncode == 0
    for name in ("mnist-5k", "fashion-mnist", "folder", "mnist-mlp", "toy-1d", "ADVNETS_DATA"):
        assert name in result.stdout


def test_ctrl_c_writes_a_checkpoint_and_resume_continues(tmp_path: Path) -> None:
    import signal
    import time

    run = tmp_path / "run"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "advnets",
            "train",
            "--preset",
            "digits-mlp",
            "--run-dir",
            str(run),
            "--epochs",
            "500",
            "--quiet",
            "--set",
            "train.threads=1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    deadline = time.time() + 120
    while not (run / "metrics.jsonl").is_file() or not (run / "metrics.jsonl").read_text():
        assert time.time() < deadline and process.poll() is None, (
            process.stderr.read() if process.stderr else ""
        )
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "stopped (Ctrl-C)" in stdout and f"resume with: advnets train --resume {run}" in stdout
    step = int(stdout.split("stopped (Ctrl-C) at step ")[1].split()[0])
    assert (run / "checkpoints" / f"step-{step:08d}.safetensors").is_file()
    resumed = advnets("train", "--resume", str(run), "--max-steps", "3", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert f"at step {step + 3} " in resumed.stdout
