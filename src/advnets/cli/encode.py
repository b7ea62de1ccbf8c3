"""`advnets encode`: x -> z -> G(z) on test images, against a random z and the nearest training image."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advnets.cli import options
from advnets.cli._report import print_classifier, print_scores, save_outputs
from advnets.cli.app import app, out


@app.command()
def encode(
    run_dir: Annotated[Path, typer.Argument(help="a trained run directory (any variant)")],
    n: Annotated[int, options.count("-n", "--n", help="test images to reconstruct")] = 1000,
    fit_steps: Annotated[
        int, options.count(help="steps to fit E to a frozen G when the run has none")
    ] = 2000,
    refit: Annotated[bool, typer.Option(help="fit a new E to the frozen G even if the run has one")] = False,
    refine_steps: Annotated[
        int, options.count(help="then refine z by gradient descent on |G(z) - x|^2", low=0)
    ] = 0,
    data_dir: Annotated[str | None, typer.Option(help="folder holding the run's dataset")] = None,
    out_png: Annotated[Path | None, typer.Option("--out", help="figure (default RUN_DIR/encode.png)")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="also write the scores as JSON")] = None,
    seed: Annotated[int, options.seed("seed of the random-z baseline and of a fitted E")] = 0,
) -> None:
    """Learned inference: map test images to z with E, back through G, and score the reconstructions.

    Runs of the inference and bigan variants bring their own E; for any other run one is fitted to the
    frozen G. A conditional G decodes each test image under its own class.
    """
    from advnets.reporting.variant_reports import encode_report

    report = encode_report(run_dir, data_dir, n, fit_steps, refine_steps, seed, refit)
    info = report.settings
    out.print(
        f"encoder {info['encoder']} ({info['encoder_seconds']} s), decoder {info['decoder']}; "
        f"{info['test_images']} test images"
    )
    print_scores(
        "reconstruction of test images", report.scores, {"mse": "pixel MSE", "class_kept": "class kept %"}
    )
    print_classifier(info)
    save_outputs(report, out_png or run_dir / "encode.png", json_path)
