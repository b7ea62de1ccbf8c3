"""`advnets info`: datasets, presets, and where data is looked for."""

from __future__ import annotations

from rich.table import Table

from advnets.cli.app import app, out


@app.command()
def info() -> None:
    """Datasets, presets, and where data is looked for."""
    from advnets.config.presets import PRESETS
    from advnets.data import DATASETS
    from advnets.data.locate import ENV_VAR, cache_root

    table = Table(title="datasets")
    table.add_column("name")
    table.add_column("what")
    for name, entry in DATASETS.items():
        table.add_row(name, entry.summary)
    out.print(table)
    presets = Table(title="presets")
    presets.add_column("name")
    presets.add_column("data")
    for name, preset in PRESETS.items():
        presets.add_row(name, preset.get("data", {}).get("name", "mnist"))
    out.print(presets)
    out.print(f"data is looked for in: --data-dir, then ${ENV_VAR}, then {cache_root()}")
    out.print("mnist-5k split: 5,000 digits shuffled with seed 0 into train 4,000 / valid 500 / test 500")
    out.print(
        "mnist split (the paper's): train = first 50,000 training images, valid = last 10,000, test = 10,000"
    )
