"""`advnets compare`: runs grouped by the settings that differ, seeds pooled, spreads against numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from advnets.reporting.compare import RunCurve, group_runs, seed_table


def _run(seed: int, noise: str, values: dict[int, float], threads: int = 1) -> RunCurve:
    settings = {"train.seed": seed, "train.threads": threads, "generator.noise": noise, "game.k": 1}
    points = [
        {"epoch": e, "valid_ll": v, "test_ll": v + 1.0, "test_stderr": 2.0 + seed} for e, v in values.items()
    ]
    return RunCurve(Path(f"run-{noise}-{seed}"), seed, settings, points)


def test_runs_differing_in_seed_and_bookkeeping_form_one_group_named_by_what_differs() -> None:
    runs = [
        _run(0, "uniform", {50: 140.0}),
        _run(1, "uniform", {50: 150.0}, threads=2),  # threads are bookkeeping, not a setting
        _run(0, "gaussian", {50: 130.0}),
    ]
    groups = group_runs(runs)
    assert [g.label for g in groups] == ["generator.noise=uniform", "generator.noise=gaussian"]
    assert [len(g.runs) for g in groups] == [2, 1]


def test_seed_table_gives_mean_and_sample_sd_across_seeds_beside_the_mean_stderr() -> None:
    values = [140.0, 151.5, 147.25]
    runs = [_run(seed, "uniform", {50: v, 100: v + 10}) for seed, v in enumerate(values)]
    rows = seed_table(group_runs(runs), [50, 100, 150])
    assert [row["epoch"] for row in rows] == [50, 100]  # no run reached 150: no row
    first = rows[0]
    assert first["seeds"] == 3
    assert first["valid_mean"] == pytest.approx(np.mean(values))
    assert first["valid_sd"] == pytest.approx(np.std(values, ddof=1))
    assert first["test_mean"] == pytest.approx(np.mean(values) + 1.0)
    assert first["test_stderr"] == pytest.approx(np.mean([2.0, 3.0, 4.0]))
