"""Printing and saving a report's scores and figure (shared by encode and inpaint)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

from advnets.cli.app import out


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
    png.parent.mkdir(parents=True, exist_ok=True)
    report.figure.savefig(png, dpi=150)
    out.print(f"figure: {png}")
    if json_path is not None:
        json_path.write_text(json.dumps({"settings": report.settings, "scores": report.scores}, indent=2))
        out.print(f"scores: {json_path}")
