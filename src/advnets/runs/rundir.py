"""A run directory: resolved config, metrics, sample grids and checkpoints in one predictable place.

RUN_DIR/config.yaml            the resolved configuration (what `--resume` reads back)
RUN_DIR/metrics.jsonl          one JSON row per logging interval and per epoch
RUN_DIR/samples/epoch-NNNN.png a grid of G's samples from fixed noise, after each epoch
RUN_DIR/checkpoints/step-NNNNNNNN.safetensors
RUN_DIR/.lock                  held by the one process training the run (see lock.py)

A fresh run never goes where another run is: `claim_fresh` refuses, or with `overwrite` clears the old one.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from advnets.config.overrides import validate_saved
from advnets.config.schema import RunConfig
from advnets.errors import AdvnetsError, WriteError
from advnets.files import atomic_write_text, diagnose, read_text, read_yaml, write_error
from advnets.runs.checkpoint import list_checkpoints

RUN_DIR_HINT = "choose another --run-dir"  # the fix's end for what training writes
# ... and for what eval, figures and report add to a finished run.
RESULTS_HINT = "copy the run directory somewhere writable and run the command on the copy"
# What advnets writes in a run directory: the run itself, then what later commands derive from it (eval,
# curve, figures, report, sample grids). `--overwrite` clears these and nothing else a user put there.
RUN_OUTPUTS = (
    "config.yaml",
    "metrics.jsonl",
    "checkpoints",
    "samples",
    "tensorboard",
    "eval.json",
    "parzen_curve.json",
    "figures",
    "report.md",
    "report.html",
    "sample.png",
    "encode.png",
    "inpaint-*.png",
)


@dataclass(frozen=True)
class RunDir:
    path: Path

    @property
    def config_file(self) -> Path:
        return self.path / "config.yaml"

    @property
    def metrics_file(self) -> Path:
        return self.path / "metrics.jsonl"

    @property
    def samples_dir(self) -> Path:
        return self.path / "samples"

    @property
    def checkpoints_dir(self) -> Path:
        return self.path / "checkpoints"

    def create(self) -> RunDir:
        try:
            for directory in (self.path, self.samples_dir, self.checkpoints_dir):
                directory.mkdir(parents=True, exist_ok=True)
            probe = self.path / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            problem, fix = diagnose(self.path / ".write-test", error, RUN_DIR_HINT)
            raise WriteError(f"cannot write to run directory {self.path}: {problem}; {fix}", error) from None
        return self

    def save_config(self, config: RunConfig) -> None:
        text = yaml.safe_dump(config.to_dict(), sort_keys=False)
        atomic_write_text(self.config_file, text, RUN_DIR_HINT)

    def require_directory(self) -> RunDir:
        """This run directory, if it is one; else an error that says what the path is instead."""
        if self.path.is_file():
            raise AdvnetsError(
                f"{self.path} is a file, not a run directory; pass the folder that `advnets train` wrote"
            )
        if not self.path.is_dir():
            raise AdvnetsError(
                f"run directory {self.path} does not exist; pass the folder that `advnets train` wrote"
            )
        return self

    def load_config(self) -> RunConfig:
        """The run's saved configuration; an empty, broken or edited-into-nonsense file is one line."""
        path = self.require_directory().config_file
        if not path.is_file():
            raise AdvnetsError(f"{self.path} is not an advnets run (no config.yaml); check the run directory")
        fix = "restore the file from a copy, or start a new run"
        data = read_yaml(path, fix)
        if not isinstance(data, dict):
            raise AdvnetsError(f"{path} does not hold a mapping of config sections; {fix}")
        try:
            return validate_saved(data)
        except AdvnetsError as error:
            raise AdvnetsError(f"{path}: {error}; {fix}") from None

    def latest_checkpoint(self) -> Path:
        found = list_checkpoints(self.require_directory().checkpoints_dir)
        if not found and not self.config_file.is_file():
            raise AdvnetsError(
                f"{self.path} is not an advnets run (no config.yaml, no checkpoints); check the run directory"
            )
        if not found:
            raise AdvnetsError(
                f"{self.path} has no checkpoint yet; train it first (advnets train --run-dir {self.path})"
            )
        return found[-1]

    def sample_grid_path(self, epoch: int) -> Path:
        return self.samples_dir / f"epoch-{epoch:04d}.png"

    def describe(self) -> str | None:
        """'a run (preset P), last checkpoint at step N' when the directory holds a run, else None."""
        found = list_checkpoints(self.checkpoints_dir)
        rows = read_metrics(self.metrics_file)
        if not (found or rows or self.config_file.is_file()):
            return None
        try:
            saved = yaml.safe_load(self.config_file.read_text()) if self.config_file.is_file() else {}
        except (OSError, yaml.YAMLError):
            saved = None
        if not isinstance(saved, dict) or (saved and not {"preset", "train"} <= set(saved)):
            raise AdvnetsError(
                f"{self.path} holds a config.yaml that is not an advnets run's; choose another --run-dir"
            )
        what = f"a run (preset {saved.get('preset', 'unknown')})"
        if found:
            return f"{what}, last checkpoint at step {int(found[-1].stem.split('-')[1])}"
        logged = f", logged to step {rows[-1].get('step')}" if rows else ""
        return f"{what} with no checkpoint yet{logged}"

    def claim_fresh(self, overwrite: bool) -> None:
        """Make way for a new run: refuse if another run is here, or with `overwrite` clear its outputs."""
        held = self.describe()
        if held is None:
            return
        if not overwrite:
            resume = (
                f"continue it with --resume {self.path}, " if list_checkpoints(self.checkpoints_dir) else ""
            )
            raise AdvnetsError(
                f"{self.path} already holds {held}; {resume}train elsewhere with a new --run-dir, or pass "
                "--overwrite to clear it"
            )
        for pattern in RUN_OUTPUTS:
            for path in self.path.glob(pattern):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        self.create()


class MetricsLog:
    """Appends JSON rows; on resume, rows past the resumed step are dropped so the log has no repeats."""

    def __init__(self, path: Path, resume_step: int | None = None) -> None:
        self.path = path
        if resume_step is not None and path.is_file():
            rows = [row for row in _parsed_lines(path) if row[1].get("step", 0) <= resume_step]
            atomic_write_text(path, "".join(line + "\n" for line, _ in rows), RUN_DIR_HINT)
        elif resume_step is None:
            try:  # an empty file: nothing can be half-written, so no temp file is needed
                path.write_text("")
            except OSError as error:
                raise write_error(path, error, RUN_DIR_HINT) from None
        self._tensorboard: Any = None
        try:  # TensorBoard when installed; the JSONL log is always written
            from torch.utils.tensorboard import SummaryWriter

            self._tensorboard = SummaryWriter(str(path.parent / "tensorboard"))
        except Exception:
            self._tensorboard = None

    def write(self, row: dict[str, Any]) -> None:
        row = {"time": round(time.time(), 3), **row}
        # Appended, not rewritten: a line cut short by a kill or a full disk is dropped on resume.
        try:
            with self.path.open("a") as out:
                out.write(json.dumps(row) + "\n")
        except OSError as error:
            raise write_error(self.path, error, RUN_DIR_HINT) from None
        if self._tensorboard is not None:
            for key, value in row.items():
                if isinstance(value, float) and key not in ("time",):
                    self._tensorboard.add_scalar(key, value, row.get("step", 0))

    def close(self) -> None:
        if self._tensorboard is not None:
            self._tensorboard.close()


def _parsed_lines(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(line, row) for each whole JSON row; a line cut short (killed process, full disk) is skipped."""
    rows = []
    for line in read_text(path, "check the run directory").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict):
            rows.append((line, row))
    return rows


def read_metrics(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [row for _, row in _parsed_lines(path)]
