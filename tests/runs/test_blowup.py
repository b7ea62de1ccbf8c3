"""A game that blew up without a NaN (D saturated, losses and weights exploding) is said, never silent."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.runs.blowup import (
    LOSS_EXPLODING,
    SATURATED_D,
    WEIGHTS_EXPLODING,
    BlowupWatch,
    blowup_marks,
)
from advnets.runs.rundir import read_metrics
from advnets.runs.training import train
from tests.conftest import tiny_config
from tests.runs.faults import SRC, cli

ENV = {**os.environ, "PYTHONPATH": SRC, "OMP_NUM_THREADS": "1", "COLUMNS": "400"}


def test_the_marks_and_their_limits() -> None:
    working = {
        "d_loss": 1.2,
        "g_loss": 2.3,
        "d_real": 0.62,
        "d_fake": 0.04,
    }  # the paper's MNIST run at its start
    assert blowup_marks(working, 16.1) == {}  # 16.1: G's output bias, the logit of the data's pixel means
    assert blowup_marks({**working, "d_real": 0.999, "d_fake": 0.001}, 1.0) == {}  # at the limit: not past it
    assert (
        blowup_marks({"d_real": 0.0, "d_fake": 0.0, "sup_loss": 0.5}, 1.0) == {}
    )  # semisup's label-only run
    saturated = blowup_marks({**working, "d_real": 0.9995, "d_fake": 0.0004}, 1.0)
    assert set(saturated) == {SATURATED_D} and "D(x) 0.9995, D(G(z)) 0.0004" in saturated[SATURATED_D]
    # The run of the issue: Adam at lr 1e6 on digits-cgan.
    blown = blowup_marks({"d_loss": 0.0, "g_loss": 3.7e21, "d_real": 1.0, "d_fake": 0.0}, 4e26)
    assert set(blown) == {SATURATED_D, LOSS_EXPLODING, WEIGHTS_EXPLODING}
    assert "g_loss 3.7e+21" in blown[LOSS_EXPLODING] and "4e+26" in blown[WEIGHTS_EXPLODING]
    assert set(blowup_marks({**working, "d_loss": -2e4}, 1.0)) == {LOSS_EXPLODING}


def test_the_watch_warns_once_per_new_mark_and_sums_up() -> None:
    watch = BlowupWatch("Lower the rate.")
    assert watch.observe(10, {}) is None and watch.summary(10) is None
    first = watch.observe(20, {LOSS_EXPLODING: "losses exploding (g_loss 1e+05)"})
    assert first == "the game has blown up at step 20: losses exploding (g_loss 1e+05). Lower the rate."
    assert watch.observe(30, {LOSS_EXPLODING: "losses exploding (g_loss 2e+05)"}) is None
    later = watch.observe(40, {LOSS_EXPLODING: "x", SATURATED_D: "D saturated"})
    assert later == "the game, blown up since step 20, shows at step 40: D saturated"
    assert "and was still blown up at step 40 (x; D saturated)" in (watch.summary(40) or "")
    watch.observe(50, {})
    assert "and looked sound again by step 50" in (watch.summary(50) or "")


@pytest.mark.slow
def test_a_blown_up_game_is_warned_in_metrics_and_the_summary(tmp_path: Path) -> None:
    run = tmp_path / "run"
    settings = ["optim.lr=1e6", "train.epochs=2", "train.threads=1", "train.log_every=5"]
    command = cli("train", "--preset", "digits-cgan", "--run-dir", str(run), "--quiet")
    command += [arg for setting in settings for arg in ("--set", setting)]
    result = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=300)
    assert result.returncode == 0, result.stderr  # it finished: said, not stopped
    assert "warning: the game has blown up at step" in result.stderr  # while training
    summary = result.stdout.split("checkpoint:", 1)[1]
    assert "warning: the game blew up at step" in summary and "its samples are likely noise" in summary
    assert "--set optim.lr=0.001" in summary  # the preset's own rate, not a tenth of 1e6
    rows = read_metrics(run / "metrics.jsonl")
    assert {SATURATED_D, LOSS_EXPLODING} <= set(rows[-1]["blowup"])
    assert rows[-1]["param_max"] > 1e4


SHORT = ["train.progress=false", "train.threads=1"]


def test_working_runs_never_warn(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    for name, config in [
        ("mlp", tiny_config("train.log_every=5")),
        (
            "cgan",
            resolve_config(
                "digits-cgan", None, parse_assignments([*SHORT, "train.epochs=2", "train.log_every=5"])
            ),
        ),
    ]:
        text = io.StringIO()
        result = train(config, tmp_path / name, dataset=digits, console=Console(file=text, width=300))
        rows = read_metrics(tmp_path / name / "metrics.jsonl")
        assert result.warnings == [] and "blown up" not in text.getvalue()
        assert rows and all("blowup" not in row and 0 < row["param_max"] < 100 for row in rows)
