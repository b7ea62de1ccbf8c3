"""Printing and saving a report's scores and figure (shared by encode and inpaint)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from advnets.cli.app import out, write_after_showing
from advnets.files import save_figure, write_json


def print_scores(title: str, scores: dict[str, dict[str, float]], columns: dict[str, str]) -> None:
    table = Table(title=title)
    table.add_column("method")
    for header in columns.values():
        table.add_column(header, justify="right")
    for method, row in scores.items():
        table.add_row(method, *[f"{row[key]:.4f}" if key in row else "" for key in columns])
    out.print(table)


def print_classifier(settings: dict[str, Any]) -> None:
    """Which classifier judged "class kept": the column is only as trustworthy as its test accuracy."""
    if "classifier_test_accuracy" in settings:
        out.print(
            f"class kept judged by the {settings['classifier']} "
            f"(test accuracy {settings['classifier_test_accuracy']:.4f})"
        )


def save_outputs(report: Any, png: Path, json_path: Path | None) -> None:
    """The figure and (optionally) the scores as JSON; called after the scores are printed."""
    if json_path is not None:
        record = {"settings": report.settings, "scores": report.scores}
        write_after_showing(lambda: write_json(json_path, record, "choose another --json"))
        out.print(f"scores: {json_path}")
    if report.figure is None:
        out.print("no figure: the run's samples are points, not images")
        return
    write_after_showing(lambda: save_figure(report.figure, png, "choose another --out", dpi=150))
    out.print(f"figure: {png}")
