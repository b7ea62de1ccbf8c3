"""What the commands write and read back: a failed write or a damaged file is one line, and results that
took minutes to compute are printed before the write that may fail."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from advnets.cli import main
from advnets.errors import AdvnetsWarning
from advnets.runs.trainer import TrainResult


@pytest.fixture(autouse=True)
def baseline_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("advnets.reporting.cache.cache_dir", lambda: tmp_path / "cache")


def advnets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """The command run in this process, as `python -m advnets` runs it: (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["advnets", *args])
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)  # main() installs its own
    capsys.readouterr()
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture
def run_copy(tiny_run: TrainResult, tmp_path: Path) -> Path:
    """The shared tiny run as training left it (other tests add eval.json, figures ...), copied: these
    tests break its files."""
    added = shutil.ignore_patterns("eval.json", "parzen_curve.json", "figures", "report.*", "sample.png")
    return Path(shutil.copytree(tiny_run.run_dir, tmp_path / "run", ignore=added))


def fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)


EVAL = ("--n-samples", "200", "--no-baselines")


def test_eval_on_a_full_disk_prints_the_table_then_one_line(
    run_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_the_disk(monkeypatch)
    code, out, err = advnets(monkeypatch, capsys, "eval", str(run_copy), *EVAL)
    assert code == 2 and "Parzen" in out and "nats" in out  # the computed table, shown before the write
    line = one_error_line(err)
    assert f"cannot write {run_copy / 'eval.json'}: the disk is full; free space" in line
    assert line.endswith("(the results are printed above)")
    assert not (run_copy / "eval.json").exists() and not list(run_copy.glob(".*.tmp"))


def test_eval_of_a_read_only_run_prints_the_table_then_one_line(
    run_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() == 0:  # root writes through a chmod: the temp file's creation fails as it would

        def refused(*args: object, **kwargs: object) -> None:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    else:
        run_copy.chmod(0o555)
    try:
        code, out, err = advnets(monkeypatch, capsys, "eval", str(run_copy), *EVAL)
    finally:
        run_copy.chmod(0o755)
    assert code == 2 and "Parzen" in out
    line = one_error_line(err)
    assert f"{run_copy} is read-only; make it writable or copy the run directory somewhere writable" in line
    assert not (run_copy / "eval.json").exists()


def test_the_curve_on_a_full_disk_prints_its_table_then_one_line(
    run_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_the_disk(monkeypatch)
    code, out, err = advnets(
        monkeypatch, capsys, "eval", str(run_copy), "--all-checkpoints", "--n-samples", "200"
    )
    assert code == 2 and "Parzen log-likelihood over checkpoints" in out
    assert "parzen_curve.json: the disk is full" in one_error_line(err)
    assert not (run_copy / "parzen_curve.json").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "eval.json is empty; run `advnets eval"),
        ('{"metrics": [', "eval.json is not valid JSON"),
        ('{"checkpoint": "x"}', "eval.json is not an eval record (KeyError: 'epoch')"),
        ("[1, 2]", "eval.json is not an eval record (TypeError"),
    ],
)
def test_report_with_a_damaged_eval_json_is_one_line(
    run_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    (run_copy / "figures").mkdir()  # no figures to draw: the report reads eval.json straight away
    (run_copy / "eval.json").write_text(content)
    code, _, err = advnets(monkeypatch, capsys, "report", str(run_copy))
    assert code == 2 and message in one_error_line(err)
    assert not (run_copy / "report.html").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "config.yaml is empty"),
        ("game: {k: 1\n", "config.yaml is not valid YAML"),
        ("- a list\n", "config.yaml does not hold a mapping"),
        ("game:\n  k: many\n", "config.yaml: bad config value game.k='many'"),
    ],
)
def test_a_damaged_config_yaml_is_one_line(
    run_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    (run_copy / "config.yaml").write_text(content)
    for command in (["report", str(run_copy)], ["eval", str(run_copy), "--all-checkpoints"]):
        code, _, err = advnets(monkeypatch, capsys, *command)
        assert code == 2 and message in one_error_line(err), command


def test_a_damaged_curve_file_is_one_line(
    run_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (run_copy / "parzen_curve.json").write_text(json.dumps({"points": [{"step": 1}]}))
    code, _, err = advnets(
        monkeypatch, capsys, "eval", str(run_copy), "--all-checkpoints", "--n-samples", "200"
    )
    assert code == 2 and "parzen_curve.json is not a Parzen curve" in one_error_line(err)


def test_a_checkpoint_with_one_header_byte_changed_is_one_line(
    run_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = sorted((run_copy / "checkpoints").glob("*.safetensors"))[-1]
    blob = bytearray(checkpoint.read_bytes())
    at = blob.index(b'\\"epoch\\": ') + len(b'\\"epoch\\": ')
    assert chr(blob[at]).isdigit()
    blob[at] ^= 0x01  # another digit: still valid JSON, with another epoch
    checkpoint.write_bytes(bytes(blob))
    code, _, err = advnets(monkeypatch, capsys, "sample", str(run_copy), "-n", "4")
    assert code == 2 and "is corrupt (it does not match its seal)" in one_error_line(err)


def test_sample_outputs_in_impossible_places_are_one_line(
    tiny_run: TrainResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    run = str(tiny_run.run_dir)
    code, _, err = advnets(monkeypatch, capsys, "sample", run, "-n", "4", "--out", str(blocker / "g.png"))
    assert code == 2 and f"{blocker} is a file, not a folder; move it away or choose another --out" in err
    (tmp_path / "s.npy").mkdir()
    code, _, err = advnets(monkeypatch, capsys, "sample", run, "-n", "4", "--npy", str(tmp_path / "s.npy"))
    assert code == 2 and "s.npy: it is a folder; remove it or choose another --npy" in one_error_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "s.npy"]


def test_corrupt_images_in_a_folder_are_one_warning_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    images = tmp_path / "images"
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(8):
        Image.fromarray(rng.integers(0, 256, (8, 8), dtype=np.uint8)).save(images / f"{i}.png")
    for name in ("bad-a.png", "bad-b.jpg"):
        (images / name).write_bytes(b"not an image")
    warnings.simplefilter("always", AdvnetsWarning)  # shown, as outside the tests (pytest restores this)
    settings = ["--set", "data.name=folder", "--set", "data.image_size=8", "--set", "game.batch_size=4"]
    args = [
        "train",
        "--preset",
        "digits-mlp",
        *settings,
        "--data-dir",
        str(images),
        "--max-steps",
        "1",
        "--quiet",
    ]
    code, _, err = advnets(monkeypatch, capsys, *args, "--run-dir", str(tmp_path / "run"))
    assert code == 0, err
    (line,) = [line for line in err.splitlines() if line.startswith("warning:")]
    assert f"{images}: skipped 2 unreadable image file(s) of 10: bad-a.png" in line and "bad-b.jpg" in line
