"""`advnets reproduce`: model selection and the stopping rule look at validation figures only."""

from __future__ import annotations

from advnets.reporting.reproduce import best_point, patience_spent


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
