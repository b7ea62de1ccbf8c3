"""The `advnets` command: parses, calls the library, prints. No logic the library lacks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from advnets.errors import AdvnetsError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Generative Adversarial Nets, faithfully.")
out = Console()
err = Console(stderr=True)

# Keys a resumed run may change; anything else would make the continuation a different experiment.
RESUMABLE_KEYS = ("train.epochs", "train.progress", "train.threads", "train.log_every", "train.checkpoint_every",
                  "train.keep_checkpoints", "train.grid_every", "train.device", "data.data_dir")


def _changed_keys(old: dict, new: dict, prefix: str = "") -> list[str]:
    keys = []
    for key in sorted(set(old) | set(new)):
        name = f"{prefix}{key}"
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            keys += _changed_keys(old[key], new[key], name + ".")
        elif old.get(key) != new.get(key):
            keys.append(name)
    return keys


@app.command()
def train(
    preset: Annotated[str, typer.Option(help="starting configuration; see `advnets info`")] = "mnist-mlp",
    config: Annotated[Path | None, typer.Option(help="YAML or TOML file laid over the preset")] = None,
    set_: Annotated[list[str], typer.Option("--set", help="override, e.g. --set game.k=3 (repeatable)")] = [],  # noqa: B006
    data_dir: Annotated[str | None, typer.Option(help="folder holding the dataset's files")] = None,
    run_dir: Annotated[Path | None, typer.Option(help="where outputs go (default runs/PRESET)")] = None,
    resume: Annotated[Path | None, typer.Option(help="continue the run in this directory")] = None,
    epochs: Annotated[int | None, typer.Option(help="shorthand for --set train.epochs=N")] = None,
    seed: Annotated[int | None, typer.Option(help="shorthand for --set train.seed=N")] = None,
    max_steps: Annotated[int | None, typer.Option(help="stop after this many steps (smoke tests)")] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Train a GAN; writes sample grids, metrics and checkpoints to the run directory."""
    from advnets.runs.overrides import resolve_config
    from advnets.runs.rundir import RunDir
    from advnets.runs.training import train as run_training

    assignments = list(set_)
    if data_dir is not None:
        assignments.append(f"data.data_dir={data_dir}")
    if epochs is not None:
        assignments.append(f"train.epochs={epochs}")
    if seed is not None:
        assignments.append(f"train.seed={seed}")
    if quiet:
        assignments.append("train.progress=false")
    if resume is not None:
        saved = RunDir(resume).load_config()
        resolved = resolve_config(None, config, assignments, base=saved.to_dict())
        changed = [k for k in _changed_keys(saved.to_dict(), resolved.to_dict()) if k not in RESUMABLE_KEYS]
        if changed:
            raise AdvnetsError(
                f"resuming with a changed configuration is refused ({', '.join(changed)}); "
                "start a new run with --run-dir to change them"
            )
        directory = resume
    else:
        resolved = resolve_config(preset, config, assignments)
        directory = run_dir or Path("runs") / resolved.preset
    result = run_training(resolved, directory, resume=resume is not None, console=err, max_steps=max_steps)
    verb = "stopped (Ctrl-C)" if result.status == "interrupted" else "finished"
    out.print(f"{verb} at step {result.step} (epoch {result.epoch}) in {result.seconds:.1f} s")
    if result.last_grid is not None:
        out.print(f"samples:    {result.last_grid}")
    out.print(f"checkpoint: {result.checkpoint}")
    if result.status == "interrupted":
        out.print(f"resume with: advnets train --resume {result.run_dir}")


@app.command()
def sample(
    run_dir: Annotated[Path, typer.Argument(help="a trained run directory")],
    n: Annotated[int, typer.Option("-n", "--n", help="number of samples")] = 64,
    out_png: Annotated[Path | None, typer.Option("--out", help="PNG grid path (default RUN_DIR/sample.png)")] = None,
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


@app.command()
def info() -> None:
    """Datasets, presets, and where data is looked for."""
    from advnets.data import DATASETS
    from advnets.data.locate import ENV_VAR, cache_root
    from advnets.runs.presets import PRESETS

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
    out.print("mnist split (the paper's): train = first 50,000 training images, valid = last 10,000, test = 10,000")


def main() -> None:
    try:
        app(standalone_mode=False)
    except AdvnetsError as error:
        err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(130) from None
    except Exception as error:
        import click

        if isinstance(error, click.exceptions.ClickException):
            error.show()
            raise SystemExit(error.exit_code) from None
        if isinstance(error, click.exceptions.Abort):
            raise SystemExit(1) from None
        raise


if __name__ == "__main__":
    main()
