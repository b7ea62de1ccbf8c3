"""`advnets semisup`: test error from n labels, mean ± s.d. over seeds: D-based classifiers and baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from advnets.cli import options
from advnets.cli.app import app, err, out, write_after_showing
from advnets.errors import AdvnetsError


def parse_labels(text: str) -> int:
    """'100' -> 100; 'all' -> 0 (every training label)."""
    if text == "all":
        return 0
    if not text.isdigit() or int(text) == 0:
        raise AdvnetsError(f"--labels must be a positive whole number or 'all', not '{text}'")
    return int(text)


@app.command()
def semisup(
    labels: Annotated[str, typer.Option(help="labelled training images (balanced), or 'all'")] = "100",
    preset: Annotated[str, typer.Option(help="a semisup preset; see `advnets info`")] = "mnist-5k-semisup",
    seeds: Annotated[int, options.count(help="repeats (seeds 0..N-1): labelled images and nets")] = 3,
    probe: Annotated[
        Path | None, typer.Option(help="an unsupervised run whose D features get a linear probe")
    ] = None,
    kplus1: Annotated[bool, typer.Option(help="train the K+1 D and its label-only baseline")] = True,
    set_: Annotated[list[str], typer.Option("--set", help="config override (repeatable)")] = [],  # noqa: B006
    data_dir: Annotated[str | None, typer.Option(help="folder holding the dataset's files")] = None,
    epochs: Annotated[int | None, options.count(help="shorthand for --set train.epochs=N")] = None,
    out_dir: Annotated[Path, typer.Option(help="where the K+1 runs go")] = Path("runs/semisup"),
    overwrite: Annotated[bool, typer.Option(help="clear K+1 runs already in --out-dir")] = False,
    json_path: Annotated[Path | None, typer.Option("--json", help="also write the results as JSON")] = None,
) -> None:
    """Semi-supervised classification from D: (a) linear probe, (b) K+1-class D, and label-only baselines."""
    from advnets.config.overrides import deep_merge, parse_assignments, resolve_config
    from advnets.data import load_dataset
    from advnets.files import write_json
    from advnets.reporting.semisup import semisup_experiment, summary

    n = parse_labels(labels)
    shorthand = {"train.progress": False, "data.data_dir": data_dir, "train.epochs": epochs}
    config = resolve_config(preset, None, deep_merge(parse_assignments(set_), options.shorthands(shorthand)))
    data = config.data
    dataset = load_dataset(data.name, data.data_dir, data.image_size, data.channels)
    results = semisup_experiment(
        config, dataset, n, list(range(seeds)), out_dir, probe, kplus1, err, overwrite
    )
    rows = summary(results)
    table = Table(title=f"test error (%) with {labels} labels on {dataset.name}, {seeds} seeds")
    for header in ("method", "error mean ± s.d.", "seconds per seed"):
        table.add_column(header)
    for method, row in rows.items():
        table.add_row(method, f"{row['mean']:.2f} ± {row['sd']:.2f}", f"{row['seconds']:.1f}")
    out.print(table)
    if json_path is not None:
        payload = {"labels": n, "dataset": dataset.name, "config": config.to_dict(), "results": results}
        record = {**payload, "summary": rows}
        saved = write_after_showing(lambda: write_json(json_path, record, "choose another --json"))
        out.print(f"results: {saved}")
