"""Every bad option of every command: one line on stderr, `error: ...`, exit status 2, no traceback.

The option checks run while the command line is parsed, before the command touches a run directory, so
most cases name a run that does not exist: the error must still be about the option.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from advnets.cli import main
from advnets.runs.trainer import TrainResult

BAD_OPTIONS = [
    (["train", "--epochs", "0"], "--epochs must be at least 1, not 0"),
    (["train", "--max-steps", "0"], "--max-steps must be at least 1, not 0"),
    (["train", "--seed", "-1"], "--seed must be between 0 and 4294967295, not -1"),
    (["train", "--device", "gpu"], "--device 'gpu' is not a device; use cpu, cuda, cuda:N"),
    (["train", "--device", "cuda:x"], "--device 'cuda:x' is not a device"),
    (["train", "--set", "train.device=gpu"], "bad config value train.device='gpu'"),
    (["sample", "RUN", "-n", "0"], "-n must be at least 1, not 0"),
    (["sample", "RUN", "--seed", "4294967296"], "--seed must be between 0 and 4294967295"),
    (["sample", "RUN", "--per-class", "0"], "--per-class must be at least 1, not 0"),
    (["sample", "RUN", "--label", "-1"], "--label must be at least 0, not -1"),
    (["sample", "RUN", "--label", "1", "--per-class", "2"], "--label (one class) and --per-class"),
    (["eval", "RUN", "--n-samples", "0"], "--n-samples must be at least 1, not 0"),
    (["eval", "RUN", "--n-valid", "0"], "--n-valid must be at least 1, not 0"),
    (["eval", "RUN", "--threads", "-1"], "--threads must be between 0 and 1024, not -1"),
    (["eval", "RUN", "--threads", "1000000"], "--threads must be between 0 and 1024, not 1000000"),
    (["eval", "RUN", "--kmeans-iterations", "-1"], "--kmeans-iterations must be at least 0"),
    (["eval", "RUN", "--all-checkpoints", "--features"], "--all-checkpoints scores every checkpoint"),
    (["figures", "RUN", "--seed", "-1"], "--seed must be between 0 and 4294967295, not -1"),
    (["encode", "RUN", "-n", "0"], "-n must be at least 1, not 0"),
    (["encode", "RUN", "--fit-steps", "0"], "--fit-steps must be at least 1, not 0"),
    (["encode", "RUN", "--refine-steps", "-1"], "--refine-steps must be at least 0, not -1"),
    (["inpaint", "RUN", "-n", "0"], "-n must be at least 1, not 0"),
    (["inpaint", "RUN", "--samples", "0"], "--samples must be at least 1, not 0"),
    (["score", "RUN", "-n", "0"], "-n must be at least 1, not 0"),
    (["semisup", "--seeds", "0"], "--seeds must be at least 1, not 0"),
    (["semisup", "--epochs", "0"], "--epochs must be at least 1, not 0"),
    (["theory", "--gan-steps", "0"], "--gan-steps must be at least 1, not 0"),
    (["theory", "--d-steps", "0"], "--d-steps must be at least 1, not 0"),
    (["theory", "--threads", "-1"], "--threads must be between 0 and 1024, not -1"),
    (["reproduce", "--epochs", "0"], "--epochs must be at least 1, not 0"),
    (["reproduce", "--eval-every", "0"], "--eval-every must be at least 1, not 0"),
    (["reproduce", "--patience", "-1"], "--patience must be at least 0, not -1"),
    (["reproduce", "--threads", "2000"], "--threads must be between 0 and 1024, not 2000"),
    (["lab", "--port", "0"], "--port must be between 1 and 65535, not 0"),
    (["lab", "--port", "70000"], "--port must be between 1 and 65535, not 70000"),
    (["lab", "--threads", "0"], "--threads must be between 1 and 1024, not 0"),
    # Typer's own complaints, on one line too.
    (["sample", "RUN", "-n", "abc"], "invalid value for '-n' / '--n': Input should be a valid integer"),
    (["sample", "RUN", "--bogus"], "no such option: --bogus"),
    (["sample"], "missing argument"),
    (["smaple"], "no such command 'smaple'"),
]


def run_main(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """`advnets ARGV` in this process; returns stderr after checking the exit status is 2."""
    monkeypatch.setattr(sys, "argv", ["advnets", *argv])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_every_bad_option_is_one_line_and_exit_status_2(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [str(tmp_path / "no-run") if a == "RUN" else a for a in args]
    printed = run_main(argv, monkeypatch, capsys)
    assert printed.startswith("error: ") and message in printed
    assert len(printed.strip().splitlines()) == 1 and "Traceback" not in printed


def test_a_bad_option_in_a_real_process_prints_one_line(tmp_path: Path) -> None:
    """The same through `python -m advnets`: what a shell sees (no usage box, no traceback)."""
    for args in (["lab", "--port", "70000"], ["sample", str(tmp_path), "--bogus"]):
        result = subprocess.run(
            [sys.executable, "-m", "advnets", *args], capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


def test_run_paths_are_named_for_what_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file, missing = tmp_path / "notes.txt", tmp_path / "missing"
    a_file.write_text("")
    for command in ("sample", "eval", "figures", "report"):
        assert f"{a_file} is a file, not a run directory" in run_main(
            [command, str(a_file)], monkeypatch, capsys
        )
        printed = run_main([command, str(missing)], monkeypatch, capsys)
        assert f"run directory {missing} does not exist" in printed
    assert not missing.exists()  # figures and report wrote nothing into a directory that was not a run
    printed = run_main(["train", "--resume", str(a_file)], monkeypatch, capsys)
    assert "is a file, not a run directory" in printed


def test_markup_and_brackets_in_a_message_are_printed_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path with `[/x]` in it once crashed the printer of errors (rich read it as a closing tag)."""
    odd = tmp_path / "[/x]" / "[bold]run"
    printed = run_main(["sample", str(odd)], monkeypatch, capsys)
    assert (
        printed == f"error: run directory {odd} does not exist; pass the folder that `advnets train` wrote\n"
    )


def test_per_class_on_an_unconditional_run_names_per_class(
    tiny_run: TrainResult, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = run_main(["sample", str(tiny_run.run_dir), "--per-class", "3"], monkeypatch, capsys)
    assert "drop --per-class" in printed and "--label" not in printed
    printed = run_main(["sample", str(tiny_run.run_dir), "--label", "3"], monkeypatch, capsys)
    assert "drop --label" in printed


def test_sample_prints_the_npy_path_it_wrote(
    tiny_run: TrainResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """np.save appends .npy to a name without it; the message names the file that exists."""
    argv = [
        "sample",
        str(tiny_run.run_dir),
        "-n",
        "3",
        "--npy",
        str(tmp_path / "x"),
        "--out",
        str(tmp_path / "g.png"),
    ]
    monkeypatch.setattr(sys, "argv", ["advnets", *argv])
    main()
    printed = capsys.readouterr().out.replace("\n", "")  # undo rich's wrapping at the terminal's width
    assert f"to {tmp_path / 'x.npy'}" in printed
    assert np.load(tmp_path / "x.npy").shape == (3, 1, 8, 8) and not (tmp_path / "x").exists()


def test_a_request_too_big_for_memory_is_refused_with_its_size(
    tiny_run: TrainResult, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("advnets.runs.memory.available_memory", lambda: 2 * 10**9)
    printed = run_main(["sample", str(tiny_run.run_dir), "-n", "100000000"], monkeypatch, capsys)
    assert printed.startswith("error: 100,000,000 samples of shape (1, 8, 8) would need ")
    assert "but 2.0 GB is available; ask for at most" in printed
