"""`advnets train`: train a preset, or resume a run exactly where it stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from advnets.cli import options
from advnets.cli.app import app, out
from advnets.errors import AdvnetsError


@app.command()
def train(
    preset: Annotated[
        str | None, typer.Option(help="starting configuration (default mnist-mlp); see `advnets info`")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="YAML or TOML file laid over the preset")] = None,
    set_: Annotated[
        list[str], typer.Option("--set", help="override, e.g. --set optim.lr=0.05 (repeatable)")
    ] = [],  # noqa: B006
    data_dir: Annotated[str | None, typer.Option(help="folder holding the dataset's files")] = None,
    run_dir: Annotated[Path | None, typer.Option(help="where outputs go (default runs/PRESET)")] = None,
    resume: Annotated[Path | None, typer.Option(help="continue the run in this directory")] = None,
    overwrite: Annotated[bool, typer.Option(help="clear the run already in --run-dir, then train")] = False,
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
    from advnets.config.overrides import deep_merge, parse_assignments, resolve_config
    from advnets.runs.group import is_main_process
    from advnets.runs.rundir import RunDir
    from advnets.runs.training import train as run_training

    overrides = deep_merge(
        parse_assignments(set_),
        options.shorthands(
            {
                "data.data_dir": data_dir,
                "train.epochs": epochs,
                "train.seed": seed,
                "train.progress": False if quiet else None,
                "train.device": device,
            }
        ),
    )
    if resume is not None:
        if run_dir is not None and run_dir.resolve() != resume.resolve():
            raise AdvnetsError(
                f"--resume {resume} continues that run in its own directory, so --run-dir {run_dir} is "
                f"refused; drop --run-dir, or train a new run in {run_dir} without --resume"
            )
        if preset is not None:  # the library refuses it if it is not the run's own preset
            overrides = deep_merge({"preset": preset}, overrides)
        saved = RunDir(resume).load_config()
        resolved = resolve_config(None, config, overrides, base=saved.to_dict())
        directory = resume
    else:
        resolved = resolve_config(preset or "mnist-mlp", config, overrides)
        directory = run_dir or Path("runs") / resolved.preset
    result = run_training(
        resolved, directory, resume=resume is not None, console=err, max_steps=max_steps, overwrite=overwrite
    )
    if not is_main_process():
        return
    verb = "stopped (Ctrl-C)" if result.status == "interrupted" else "finished"
    out.print(f"{verb} at step {result.step} (epoch {result.epoch}) in {result.seconds:.1f} s")
    if result.last_grid is not None:
        out.print(f"samples:    {result.last_grid}")
    out.print(f"checkpoint: {result.checkpoint}")
    for warning in result.warnings:
        out.print(Text.assemble(("warning:", "yellow"), f" {warning}"), highlight=False)
    if result.status == "interrupted":
        out.print(f"resume with: advnets train --resume {result.run_dir}")
    elif resolved.train.final_scores:
        show_final_scores(result.run_dir, resolved.train.final_scores, data_dir)


def show_final_scores(run_dir: Path, n: int, data_dir: str | None) -> None:
    """FID, recall and the share of each class of `n` samples, in the classifier space of `advnets score`."""
    from advnets.reporting.scoring import score_run

    out.print(f"scoring {n} samples against the held-out test split (advnets score {run_dir} -n {n}) ...")
    real, run = score_run(run_dir, n=n, data_dir=data_dir)
    for name, row in (("samples", run), ("real train", real)):
        shares = row["class_shares"]
        out.print(
            f"{name + ':':12}FID {row['fid']:.1f}  precision {row['precision']:.2f}  "
            f"recall {row['recall']:.2f}  classes {100 * min(shares):.1f}-{100 * max(shares):.1f} % each",
            highlight=False,
        )
