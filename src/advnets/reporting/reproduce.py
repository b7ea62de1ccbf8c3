"""`advnets reproduce`: train a paper preset, with the Parzen validation curve at regular epochs, then
the full protocol, the figures and the report. Training is the engine's (`advnets.runs.training.train`),
resumed segment by segment, so a stopped reproduction continues with `--resume`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from advnets.config.overrides import deep_merge, resolve_config, settings
from advnets.files import write_json
from advnets.game.loop import steps_per_epoch
from advnets.reporting.curve import checkpoint_point, read_curve, save_curve
from advnets.reporting.evaluate import EvalOptions, evaluate_checkpoint, load_run_dataset
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint
from advnets.runs.rundir import RUN_DIR_HINT, RunDir
from advnets.runs.training import train
from advnets.variants import get_variant

PRESETS = {
    "mnist": "mnist-mlp",
    "fashion-mnist": "fashion-mnist-mlp",
    "mnist-5k": "mnist-5k-mlp",
    "digits": "digits-mlp",  # seconds: a smoke test of the whole pipeline
}


@dataclass
class ReproduceOptions:
    epochs: int = 250
    eval_every: int = 10  # epochs between points of the validation curve
    seed: int = 0
    threads: int = 0
    data_dir: str | None = None
    resume: bool = False
    # Stop once the validation figure has not improved for this many epochs (0: train to `epochs`). The
    # paper's code has no stopping rule; this one looks at validation only, never at the test set.
    patience: int = 0
    settings: dict[str, Any] = field(default_factory=dict)  # nested settings laid over the preset
    overwrite: bool = False  # clear a run already in the directory (else a fresh start there is refused)


def best_point(points: list[dict[str, Any]]) -> dict[str, Any]:
    """The curve's point with the highest validation figure (the earliest of ties)."""
    return max(points, key=lambda point: point["valid_ll"])  # max keeps the first of equal keys


def patience_spent(points: list[dict[str, Any]], patience: int) -> bool:
    """True when `patience` epochs have passed since the best validation figure."""
    if patience <= 0 or not points:
        return False
    return int(points[-1]["epoch"]) - int(best_point(points)["epoch"]) >= patience


def reproduce(
    target: str,
    run_dir: Path,
    options: ReproduceOptions,
    console: Console | None = None,
    on_point: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Train, evaluate every `eval_every` epochs on validation data, then run the full protocol on the
    checkpoint that validation selects (the best point of the curve)."""
    console = console or Console(stderr=True)
    own: dict[str, Any] = {
        "train.seed": options.seed,
        "train.threads": options.threads,
        "train.progress": False,
    }
    if options.data_dir:
        own["data.data_dir"] = options.data_dir
    overrides = deep_merge(settings(own), options.settings)
    preset = resolve_config(PRESETS[target], None, overrides)
    dataset = load_run_dataset(preset, options.data_dir)
    batches = len(dataset["train"]) // preset.game.batch_size
    epoch_steps = steps_per_epoch(batches, get_variant(preset.variant).minibatches_per_step(preset))
    schedule = {
        "train.checkpoint_every": options.eval_every * epoch_steps,
        "train.keep_checkpoints": options.epochs // options.eval_every + 2,
    }
    config = resolve_config(PRESETS[target], None, deep_merge(overrides, settings(schedule)))
    eval_options = EvalOptions(data_dir=options.data_dir)
    points = read_curve(run_dir) if options.resume else []
    found = list_checkpoints(RunDir(run_dir).checkpoints_dir) if options.resume else []
    done = int(load_checkpoint(found[-1])[1]["epoch"]) if found else 0
    while done < options.epochs and not patience_spent(points, options.patience):
        # Segments end on multiples of eval_every, also after a Ctrl-C stopped one midway.
        end = min((done // options.eval_every + 1) * options.eval_every, options.epochs)
        first = done == 0
        result = train(
            replace(config, train=replace(config.train, epochs=end)),  # this segment's end; validated again
            run_dir,
            resume=not first,
            dataset=dataset,
            console=console,
            overwrite=first and options.overwrite,
        )
        if result.status == "interrupted":
            # Stop now: the full protocol takes minutes and belongs to the checkpoint validation selects
            # at the end, which a resumed run reaches.
            return {"interrupted": True, "epoch": result.epoch, "checkpoint": result.checkpoint}
        if result.checkpoint is None:
            break
        points.append(checkpoint_point(result.checkpoint, dataset, eval_options, with_test=False))
        save_curve(run_dir, points)
        if on_point is not None:
            on_point(points[-1])
        done = end
    selected = RunDir(run_dir).checkpoints_dir / best_point(points)["checkpoint"] if points else None
    record = evaluate_checkpoint(run_dir, selected, eval_options, dataset)
    record["selected_by"] = "best validation Parzen point of the curve" if points else "latest checkpoint"
    # On a failed write the checkpoints stay; `advnets eval RUN_DIR --checkpoint ...` recomputes the record.
    write_json(Path(run_dir) / "eval.json", record, RUN_DIR_HINT)
    return record
