"""`advnets report`: an HTML page (images embedded) and a Markdown page for a run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advnets.cli.app import app, out


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="a trained run directory")],
    data_dir: Annotated[str | None, typer.Option(help="folder holding the dataset's files")] = None,
    refresh_figures: Annotated[bool, typer.Option(help="redraw the figures even if present")] = False,
) -> None:
    """Config, curves, figures and the eval table of a run, as report.html and report.md."""
    from advnets.reporting.figures import FigureOptions, write_figures
    from advnets.reporting.report import write_report

    if refresh_figures or not (run_dir / "figures").is_dir():
        write_figures(run_dir, FigureOptions(data_dir=data_dir))
    md, page = write_report(run_dir)
    out.print(f"wrote {page} and {md}")
