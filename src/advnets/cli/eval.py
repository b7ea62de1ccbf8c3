"""`advnets eval`: the paper's Parzen evaluation of a run, beside real-image and k-means baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from advnets.cli import options
from advnets.cli.app import app, out, write_after_showing
from advnets.errors import AdvnetsError


def metrics_table(record: dict[str, Any]) -> Table:
    sources = record["protocol"]["sources"]
    table = Table(title=f"{record['dataset']}: {record['checkpoint']} (epoch {record['epoch']})")
    table.add_column("metric")
    for description in sources.values():
        table.add_column(description, justify="right")
    for row in record["metrics"]:
        cells = []
        for source in sources:
            value, error = row["values"].get(source), row["errors"].get(source)
            cells.append("-" if value is None else f"{value:.1f}" + (f" ± {error:.1f}" if error else ""))
        table.add_row(row["metric"], *cells)
    return table


def curve_table(points: list[dict[str, Any]]) -> Table:
    table = Table(title="Parzen log-likelihood over checkpoints (nats)")
    for column in ("step", "epoch", "sigma", "validation", "test"):
        table.add_column(column, justify="right")
    for p in points:
        test = f"{p['test_ll']:.1f} ± {p['test_stderr']:.1f}" if "test_ll" in p else "-"
        table.add_row(str(p["step"]), str(p["epoch"]), f"{p['sigma']:.3f}", f"{p['valid_ll']:.1f}", test)
    return table


@app.command("eval")
def eval_(
    run_dir: Annotated[Path, typer.Argument(help="a trained run directory")],
    checkpoint: Annotated[Path | None, typer.Option(help="a checkpoint other than the latest")] = None,
    all_checkpoints: Annotated[
        bool, typer.Option(help="the Parzen curve over every saved checkpoint (parzen_curve.json)")
    ] = False,
    n_samples: Annotated[int, options.count(help="samples from G (and per baseline)")] = 10_000,
    n_valid: Annotated[int, options.count(help="validation images that choose sigma")] = 1000,
    seed: Annotated[int, options.seed("noise seed for G's samples")] = 0,
    baselines: Annotated[bool, typer.Option(help="also score training images and k-means centroids")] = True,
    kmeans_iterations: Annotated[
        int, options.count(help="Lloyd iterations for the k-means baseline", low=0)
    ] = 10,
    data_dir: Annotated[str | None, typer.Option(help="folder holding the dataset's files")] = None,
    threads: Annotated[int, options.threads()] = 0,
    features: Annotated[
        bool, typer.Option(help="also FID, KID, precision and recall in a trained classifier's feature space")
    ] = False,
) -> None:
    """Parzen log-likelihood of a run (the paper's Table 1 protocol) beside baselines; writes eval.json."""
    from advnets.files import write_json
    from advnets.reporting.curve import checkpoint_curve, save_curve
    from advnets.reporting.evaluate import EvalOptions, evaluate_checkpoint
    from advnets.runs.device import set_threads
    from advnets.runs.rundir import RESULTS_HINT

    if all_checkpoints and (checkpoint is not None or features):
        given = "--checkpoint" if checkpoint is not None else "--features"
        raise AdvnetsError(f"--all-checkpoints scores every checkpoint's Parzen estimate only; drop {given}")
    set_threads(threads)
    protocol = EvalOptions(
        n_samples=n_samples,
        n_valid=n_valid,
        sample_seed=seed,
        kmeans_iterations=kmeans_iterations,
        baselines=baselines,
        data_dir=data_dir,
    )
    if all_checkpoints:
        points = checkpoint_curve(
            run_dir, protocol, on_point=lambda p: out.print(f"step {p['step']}: done"), save=False
        )
        out.print(curve_table(points))
        out.print(f"wrote {write_after_showing(lambda: save_curve(run_dir, points))}")
        return
    metrics = None
    if features:
        from advnets.reporting.evaluate import METRICS
        from advnets.reporting.feature_rows import feature_metrics

        metrics = {**METRICS, **feature_metrics()}
    record = evaluate_checkpoint(run_dir, checkpoint, protocol, metrics=metrics)
    out.print(metrics_table(record))
    path = write_after_showing(lambda: write_json(run_dir / "eval.json", record, RESULTS_HINT))
    out.print(f"wrote {path} ({record['seconds']:.0f} s)")
