"""`advnets score`: FID, KID, precision / recall and class consistency of a run, in classifier features."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from advnets.cli import options
from advnets.cli.app import app, out, write_after_showing


@app.command()
def score(
    run_dir: Annotated[Path, typer.Argument(help="a trained run directory")],
    n: Annotated[
        int, options.count("-n", "--n", help="samples (and real training images) to score")
    ] = 10_000,
    seed: Annotated[int, options.seed("seed for the noise, the real subset and KID's subsets")] = 0,
    data_dir: Annotated[str | None, typer.Option(help="folder holding the dataset's files")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="also write the rows as JSON")] = None,
) -> None:
    """Score a run in the feature space of a classifier trained (once, then cached) on its dataset."""
    from advnets.files import write_json
    from advnets.reporting.scoring import score_run

    rows = score_run(run_dir, n=n, seed=seed, data_dir=data_dir)
    table = Table(title=f"feature-space scores vs {rows[0]['reference']} (n={n}, seed={seed})")
    for column in ("name", "FID", "KID", "precision", "recall", "class consistency"):
        table.add_column(column)
    for row in rows:
        consistency = row.get("class_consistency")
        shown = "-" if consistency is None else f"{consistency:.3f}"
        table.add_row(
            row["name"], f"{row['fid']:.2f}", f"{row['kid']:.3g} ± {row['kid_std']:.3g}",
            f"{row['precision']:.3f}", f"{row['recall']:.3f}", shown,
        )  # fmt: skip
    out.print(table)
    out.print(
        f"classifier test accuracy {rows[0]['classifier_test_accuracy']:.4f}; precision/recall with k="
        f"{rows[0]['k']}; KID over {rows[0]['kid_subsets']} subsets of {rows[0]['kid_subset_size']}"
    )
    if json_out is not None:
        saved = write_after_showing(lambda: write_json(json_out, rows, "choose another --json"))
        out.print(f"saved {saved}")
