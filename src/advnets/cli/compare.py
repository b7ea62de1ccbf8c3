"""`advnets compare`: several runs' Parzen curves in one figure, and the seed spread at chosen epochs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from advnets.cli.app import app, out


@app.command()
def compare(
    run_dirs: Annotated[list[Path], typer.Argument(help="run directories that have a Parzen curve")],
    epochs: Annotated[str, typer.Option(help="comma-separated epochs for the seed table")] = "50,100",
    test: Annotated[bool, typer.Option(help="also score the test set at those epochs")] = True,
    out_file: Annotated[
        Path, typer.Option("--out", help="the figure (PNG); its table goes beside it")
    ] = Path("compare.png"),
    data_dir: Annotated[str | None, typer.Option(help="folder holding the dataset's files")] = None,
) -> None:
    """Runs grouped by what their configurations change (seeds pooled): curves, mean ± sd across seeds."""
    from advnets.errors import AdvnetsError
    from advnets.files import save_figure, write_json
    from advnets.plots.curves import parzen_curves_by_group
    from advnets.reporting.compare import add_test_figures, group_runs, read_runs, seed_table
    from advnets.reporting.evaluate import EvalOptions

    try:
        chosen = [int(e) for e in epochs.split(",") if e.strip()]
    except ValueError:
        raise AdvnetsError(
            f"--epochs expects comma-separated integers such as 50,100, got '{epochs}'"
        ) from None
    runs = read_runs(run_dirs)
    if test:
        add_test_figures(runs, chosen, EvalOptions(data_dir=data_dir))
    groups = group_runs(runs)
    rows = seed_table(groups, chosen)
    figure = parzen_curves_by_group({g.label: [run.points for run in g.runs] for g in groups})
    table = Table(title="Parzen log-likelihood (nats): mean ± sd across seeds; s.e. is per image (Table 1's)")
    for column in ("group", "epoch", "seeds", "validation", "test", "test s.e."):
        table.add_column(column, justify="right")
    for row in rows:
        test_cell = f"{row['test_mean']:.1f} ± {row['test_sd']:.1f}" if "test_mean" in row else "-"
        stderr = f"{row['test_stderr']:.1f}" if "test_stderr" in row else "-"
        valid = f"{row['valid_mean']:.1f} ± {row['valid_sd']:.1f}"
        table.add_row(row["group"], str(row["epoch"]), str(row["seeds"]), valid, test_cell, stderr)
    out.print(table)
    record = {"runs": [str(r.run_dir) for r in runs], "groups": [g.label for g in groups], "rows": rows}
    table_file = out_file.with_suffix(".json")
    # The table is printed above before anything is written: a failed write loses no result.
    save_figure(figure, out_file, "choose another --out")
    write_json(table_file, record, "choose another --out")
    out.print(f"figure: {out_file}\ntable:  {table_file}")
