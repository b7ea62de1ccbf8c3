"""`advnets reproduce`: the paper's Table 1 row for a dataset, with one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from advnets.cli import options
from advnets.cli.app import app, err, out


@app.command()
def reproduce(
    target: Annotated[
        str, typer.Argument(help="mnist (the paper's row), fashion-mnist or mnist-5k")
    ] = "mnist",
    run_dir: Annotated[
        Path | None, typer.Option(help="where the run goes (default runs/reproduce-TARGET)")
    ] = None,
    epochs: Annotated[
        int, options.count(help="training epochs (the paper's momentum ramp ends at 250)")
    ] = 250,
    eval_every: Annotated[int, options.count(help="epochs between validation Parzen points")] = 10,
    seed: Annotated[int, options.seed("training seed")] = 0,
    threads: Annotated[int, options.threads()] = 0,
    data_dir: Annotated[str | None, typer.Option(help="folder holding the dataset's files")] = None,
    resume: Annotated[bool, typer.Option(help="continue a stopped reproduction in --run-dir")] = False,
    overwrite: Annotated[bool, typer.Option(help="clear a run already in --run-dir, then start")] = False,
    patience: Annotated[
        int,
        options.count(help="stop when validation has not improved for this many epochs (0: never)", low=0),
    ] = 0,
    set_: Annotated[
        list[str], typer.Option("--set", help="override, e.g. --set generator.noise=gaussian")
    ] = [],  # noqa: B006
) -> None:
    """Train the preset, evaluate it every few epochs, run the full protocol, write figures and a report."""
    from advnets.config.overrides import parse_assignments
    from advnets.errors import AdvnetsError
    from advnets.reporting.figures import FigureOptions, write_figures
    from advnets.reporting.report import write_report
    from advnets.reporting.reproduce import PRESETS, ReproduceOptions
    from advnets.reporting.reproduce import reproduce as run

    if target not in PRESETS:
        raise AdvnetsError(f"unknown reproduction '{target}'; choose one of: {', '.join(PRESETS)}")
    directory = run_dir or Path("runs") / f"reproduce-{target}"
    settings = ReproduceOptions(
        epochs, eval_every, seed, threads, data_dir, resume, patience, parse_assignments(set_), overwrite
    )

    def show(point: dict[str, Any]) -> None:
        err.print(
            f"epoch {point['epoch']}: validation Parzen {point['valid_ll']:.1f} nats "
            f"(sigma {point['sigma']:.3f})"
        )

    record = run(target, directory, settings, err, show)
    if record.get("interrupted"):
        err.print(
            f"stopped at epoch {record['epoch']}: the checkpoint is in {directory}; continue with: "
            f"advnets reproduce {target} --run-dir {directory} --resume (and the same options)"
        )
        raise typer.Exit(130)
    row = next(r for r in record["metrics"] if r["name"] == "parzen")
    out.print(
        f"Parzen log-likelihood (test, {row['details']['gan']['n_test']:,} images): "
        f"{row['values']['gan']:.1f} ± {row['errors']['gan']:.1f} nats at epoch {record['epoch']}"
    )
    write_figures(directory, FigureOptions(data_dir=data_dir))
    _, page = write_report(directory)
    out.print(f"report: {page}")
