"""`advnets reproduce`: model selection and the stopping rule look at validation figures only."""

from __future__ import annotations

from pathlib import Path

import pytest

from advnets.config.overrides import settings
from advnets.config.schema import RunConfig
from advnets.reporting import reproduce as reproduce_module
from advnets.reporting.reproduce import ReproduceOptions, best_point, patience_spent, reproduce
from advnets.runs.trainer import TrainResult


def _curve(values: list[float], every: int = 10) -> list[dict[str, float]]:
    # The test column is deliberately best elsewhere: it must choose nothing.
    return [
        {"epoch": every * (i + 1), "valid_ll": v, "test_ll": -v, "checkpoint": f"c{i}"}
        for i, v in enumerate(values)
    ]


def test_best_point_is_the_highest_validation_figure_and_the_earliest_of_ties() -> None:
    points = _curve([10.0, 30.0, 20.0, 30.0])
    assert best_point(points)["checkpoint"] == "c1"


def test_patience_counts_epochs_since_the_best_validation_figure() -> None:
    rising = _curve([10.0, 20.0, 30.0, 40.0])
    assert not patience_spent(rising, 20)
    flat = _curve([10.0, 50.0, 40.0, 45.0])  # best at epoch 20, last point at epoch 40
    assert patience_spent(flat, 20) and not patience_spent(flat, 30)
    assert not patience_spent(flat, 0)  # 0: no stopping rule, as in the paper's code
    assert not patience_spent([], 10)


def test_reproduce_counts_epochs_in_the_update_rules_steps_and_leaves_its_config_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 25 minibatches an epoch and k = 2, an epoch is 12 steps: the curve's checkpoints fall on epochs.
    Each segment trains its own config; the validated one is never changed in place."""
    seen: list[RunConfig] = []

    def fake_train(config: RunConfig, run_dir: Path, **kwargs: object) -> TrainResult:
        seen.append(config)
        checkpoint = tmp_path / f"step-{len(seen)}.safetensors"
        return TrainResult(tmp_path, 0, config.train.epochs, "finished", checkpoint, None, 0.0)

    monkeypatch.setattr(reproduce_module, "train", fake_train)
    monkeypatch.setattr(
        reproduce_module, "checkpoint_point", lambda *a, **k: {"valid_ll": 0.0, "checkpoint": "c"}
    )
    monkeypatch.setattr(reproduce_module, "evaluate_checkpoint", lambda *args: {})
    options = ReproduceOptions(
        epochs=2, eval_every=1, settings=settings({"game.update": "alternating", "game.k": 2})
    )
    reproduce("digits", tmp_path, options)
    assert [config.train.epochs for config in seen] == [1, 2]
    assert {config.train.checkpoint_every for config in seen} == {12}


def test_a_ctrl_c_stops_reproduce_at_once_without_the_full_protocol(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stopped segment's checkpoint is kept and named; the minutes-long test-set protocol waits for the
    resumed run."""
    statuses = iter(["finished", "interrupted"])

    def fake_train(config: RunConfig, run_dir: Path, **kwargs: object) -> TrainResult:
        checkpoint = tmp_path / f"step-{config.train.epochs}.safetensors"
        return TrainResult(tmp_path, 0, config.train.epochs, next(statuses), checkpoint, None, 0.0)

    def no_protocol(*args: object) -> dict[str, object]:
        raise AssertionError("the full protocol ran after a Ctrl-C")

    monkeypatch.setattr(reproduce_module, "train", fake_train)
    monkeypatch.setattr(
        reproduce_module, "checkpoint_point", lambda *a, **k: {"valid_ll": 0.0, "checkpoint": "c"}
    )
    monkeypatch.setattr(reproduce_module, "evaluate_checkpoint", no_protocol)
    record = reproduce("digits", tmp_path, ReproduceOptions(epochs=3, eval_every=1))
    assert record == {"interrupted": True, "epoch": 2, "checkpoint": tmp_path / "step-2.safetensors"}


def test_a_resumed_reproduction_ends_its_segments_on_the_validation_epochs_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped at epoch 13 with points every 5 epochs, it trains to 15, then 20: not to 18 and 23."""
    seen: list[int] = []

    def fake_train(config: RunConfig, run_dir: Path, **kwargs: object) -> TrainResult:
        seen.append(config.train.epochs)
        checkpoint = tmp_path / f"step-{config.train.epochs}.safetensors"
        return TrainResult(tmp_path, 0, config.train.epochs, "finished", checkpoint, None, 0.0)

    monkeypatch.setattr(reproduce_module, "train", fake_train)
    monkeypatch.setattr(reproduce_module, "read_curve", lambda run_dir: [])
    monkeypatch.setattr(reproduce_module, "list_checkpoints", lambda folder: [tmp_path / "step-13"])
    monkeypatch.setattr(reproduce_module, "load_checkpoint", lambda path: ({}, {"epoch": 13}))
    monkeypatch.setattr(
        reproduce_module, "checkpoint_point", lambda *a, **k: {"valid_ll": 0.0, "checkpoint": "c"}
    )
    monkeypatch.setattr(reproduce_module, "evaluate_checkpoint", lambda *args: {})
    reproduce("digits", tmp_path, ReproduceOptions(epochs=20, eval_every=5, resume=True))
    assert seen == [15, 20]
