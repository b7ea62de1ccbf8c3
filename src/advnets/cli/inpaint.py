"""`advnets inpaint`: complete masked test images with a trained inpaint G; baselines and scores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advnets.cli import options
from advnets.cli._report import print_classifier, print_scores, save_outputs
from advnets.cli.app import app, out


@app.command()
def inpaint(
    run_dir: Annotated[Path, typer.Argument(help="a trained run directory (any variant of images)")],
    mask: Annotated[
        str, typer.Option(help="pixels, left-half, right-half, top-half, bottom-half, box, center, all")
    ] = "right-half",
    n: Annotated[int, options.count("-n", "--n", help="test images to complete")] = 1000,
    samples: Annotated[int, options.count(help="completions per image (their spread is reported)")] = 5,
    search_steps: Annotated[
        int,
        options.count(help="runs not of the inpaint variant: steps of the search in z per completion", low=0),
    ] = 200,
    data_dir: Annotated[str | None, typer.Option(help="folder holding the run's dataset")] = None,
    out_png: Annotated[
        Path | None, typer.Option("--out", help="figure (default RUN_DIR/inpaint-MASK.png)")
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="also write the scores as JSON")] = None,
    seed: Annotated[int, options.seed("seed of the masks and of G's noise")] = 0,
) -> None:
    """All conditionals p(x_S | x_not_S): fill in the hidden pixels S of test images, several times each.

    A run of the inpaint variant fills them with its own G; for any other run, z is searched so that G(z)
    matches the visible pixels.
    """
    from advnets.reporting.variant_reports import inpaint_report

    report = inpaint_report(run_dir, mask, data_dir, n, samples, seed, search_steps=search_steps)
    columns = {"hidden_mse": "MSE on hidden pixels", "class_kept": "class kept %", "spread": "spread (s.d.)"}
    print_scores(
        f"inpainting {report.settings['test_images']} test images, mask {mask}", report.scores, columns
    )
    out.print(f"completions: {report.settings['completions']}")
    print_classifier(report.settings)
    save_outputs(report, out_png or run_dir / f"inpaint-{mask}.png", json_path)
