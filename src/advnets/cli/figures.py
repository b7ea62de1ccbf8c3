"""`advnets figures`: write every figure for a run as PNG into RUN_DIR/figures/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advnets.cli import options
from advnets.cli.app import app, out


@app.command()
def figures(
    run_dir: Annotated[Path, typer.Argument(help="a trained run directory")],
    seed: Annotated[int, options.seed("noise seed for the samples shown")] = 0,
    data_dir: Annotated[str | None, typer.Option(help="folder holding the dataset's files")] = None,
) -> None:
    """Figures 1-3 of the paper (as apply to the run), training curves and the saturation figure."""
    from advnets.reporting.figures import FigureOptions, write_figures

    for path in write_figures(run_dir, FigureOptions(seed=seed, data_dir=data_dir)):
        out.print(f"wrote {path}")
