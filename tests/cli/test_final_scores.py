"""`train.final_scores`: a run that asks for it ends by printing its scores, as `advnets score` gives them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advnets.cli import app
from advnets.data import load_dataset
from advnets.reporting.cache import load_or_train_classifier
from advnets.reporting.scoring import score_run


def test_a_run_ends_with_the_scores_that_advnets_score_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    load_or_train_classifier(
        load_dataset("digits"), epochs=5
    )  # cached there: the run finds it, not trains it
    run_dir = tmp_path / "run"
    args = ["train", "--preset", "digits-mlp", "--run-dir", str(run_dir), "--epochs", "1", "--quiet"]
    result = CliRunner().invoke(app, [*args, "--set", "train.final_scores=300", "--set", "train.threads=1"])
    assert result.exit_code == 0, result.output
    printed = re.search(
        r"samples:\s+FID ([0-9.]+) .*recall ([0-9.]+)\s+classes ([0-9.]+)-([0-9.]+) % each", result.output
    )
    assert printed is not None, result.output
    _, run = score_run(run_dir, n=300)
    assert float(printed[1]) == pytest.approx(run["fid"], abs=0.05)
    assert float(printed[2]) == pytest.approx(run["recall"], abs=0.005)
    assert float(printed[3]) == pytest.approx(100 * min(run["class_shares"]), abs=0.05)
    assert float(printed[4]) == pytest.approx(100 * max(run["class_shares"]), abs=0.05)
    assert sum(run["class_shares"]) == pytest.approx(1.0)
    assert "real train:" in result.output


def test_a_run_that_does_not_ask_prints_no_scores(tmp_path: Path) -> None:
    args = ["train", "--preset", "digits-mlp", "--run-dir", str(tmp_path / "run"), "--epochs", "1", "--quiet"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "FID" not in result.output
