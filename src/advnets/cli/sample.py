"""`advnets sample`: generate from a trained run, without its dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from advnets.cli import options
from advnets.cli.app import app, out
from advnets.errors import AdvnetsError


@app.command()
def sample(
    run_dir: Annotated[Path, typer.Argument(help="a trained run directory")],
    n: Annotated[int, options.count("-n", "--n", help="number of samples")] = 64,
    out_png: Annotated[
        Path | None, typer.Option("--out", help="PNG grid path (default RUN_DIR/sample.png)")
    ] = None,
    npy: Annotated[Path | None, typer.Option(help="also save the samples as a .npy array")] = None,
    checkpoint: Annotated[Path | None, typer.Option(help="a checkpoint other than the latest")] = None,
    seed: Annotated[int, options.seed("noise seed")] = 0,
    label: Annotated[
        int | None, options.count(help="conditional runs: generate this class only", low=0)
    ] = None,
    per_class: Annotated[
        int | None, options.count(help="conditional runs: a grid with every class in rows, this many per row")
    ] = None,
) -> None:
    """Generate samples from a trained run, without its dataset."""
    import advnets
    from advnets.files import save_image, save_npy
    from advnets.plots.grid import grid_image
    from advnets.runs.model import class_rows

    if label is not None and per_class is not None:
        raise AdvnetsError("--label (one class) and --per-class (every class) exclude each other; drop one")
    model = advnets.load(run_dir, checkpoint)
    labels, columns = None, None
    if per_class is not None:
        labels, columns = class_rows(model, per_class), per_class
        n = len(labels)
    elif label is not None:
        labels = model.labels_for(label, n)
    samples = model.sample(n, seed=seed, labels=labels)
    if npy is not None:
        saved = save_npy(npy, samples.numpy(), "choose another --npy")
        out.print(f"saved {n} samples {tuple(samples.shape)} to {saved}")
    if len(model.info.sample_shape) == 3:
        grid = out_png or run_dir / "sample.png"
        path = save_image(grid_image(samples, columns), grid, "choose another --out")
        what = f"class {label}" if label is not None else "one class per row" if per_class else "samples"
        out.print(f"saved a grid of {n} {what} to {path} (checkpoint {model.checkpoint.name}, seed {seed})")
