"""`advnets sample`: generate from a trained run, without its dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from advnets.cli.app import app, out


@app.command()
def sample(
    run_dir: Annotated[Path, typer.Argument(help="a trained run directory")],
    n: Annotated[int, typer.Option("-n", "--n", help="number of samples")] = 64,
    out_png: Annotated[
        Path | None, typer.Option("--out", help="PNG grid path (default RUN_DIR/sample.png)")
    ] = None,
    npy: Annotated[Path | None, typer.Option(help="also save the samples as a .npy array")] = None,
    checkpoint: Annotated[Path | None, typer.Option(help="a checkpoint other than the latest")] = None,
    seed: Annotated[int, typer.Option(help="noise seed")] = 0,
) -> None:
    """Generate samples from a trained run, without its dataset."""
    import advnets
    from advnets.plots.grid import save_grid

    model = advnets.load(run_dir, checkpoint)
    samples = model.sample(n, seed=seed)
    if npy is not None:
        np.save(npy, samples.numpy())
        out.print(f"saved {n} samples {tuple(samples.shape)} to {npy}")
    if len(model.info.sample_shape) == 3:
        path = save_grid(samples, out_png or run_dir / "sample.png")
        out.print(f"saved a grid of {n} samples to {path} (checkpoint {model.checkpoint.name}, seed {seed})")
