"""`advnets train`: train a preset, or resume a run exactly where it stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from advnets.cli import options
from advnets.cli.app import app, out
from advnets.errors import AdvnetsError

# Keys a resumed run may change; anything else would make the continuation a different experiment.
RESUMABLE_KEYS = (
    "train.epochs",
    "train.progress",
    "train.threads",
    "train.log_every",
    "train.checkpoint_every",
    "train.keep_checkpoints",
    "train.grid_every",
    "train.device",
    "data.data_dir",
)


def _changed_keys(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
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
    epochs: Annotated[int | None, options.count(help="shorthand for --set train.epochs=N")] = None,
    seed: Annotated[int | None, options.seed("shorthand for --set train.seed=N")] = None,
    max_steps: Annotated[int | None, options.count(help="stop after this many steps (smoke tests)")] = None,
    device: Annotated[
        str | None, options.device("shorthand for --set train.device=cpu|cuda|cuda:N|auto")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
) -> None:
    """Train a GAN; writes sample grids, metrics and checkpoints to the run directory."""
    from advnets.cli.app import err
    from advnets.runs import distributed
    from advnets.runs.checkpoint import list_checkpoints
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
    if device is not None:
        assignments.append(f"train.device={device}")
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
        # torchrun --max-restarts: a restarted worker continues from the run's last checkpoint.
        if distributed.restart_count() > 0 and list_checkpoints(RunDir(directory).checkpoints_dir):
            resume = directory
            if distributed.is_main_process():
                err.print(f"torchrun restart {distributed.restart_count()}: resuming {directory}")
    result = run_training(resolved, directory, resume=resume is not None, console=err, max_steps=max_steps)
    if not distributed.is_main_process():
        return
    verb = "stopped (Ctrl-C)" if result.status == "interrupted" else "finished"
    out.print(f"{verb} at step {result.step} (epoch {result.epoch}) in {result.seconds:.1f} s")
    if result.last_grid is not None:
        out.print(f"samples:    {result.last_grid}")
    out.print(f"checkpoint: {result.checkpoint}")
    if result.status == "interrupted":
        out.print(f"resume with: advnets train --resume {result.run_dir}")
