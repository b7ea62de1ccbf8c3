"""The semi-supervised experiment: for n labels and several seeds, each classifier's test error and time.

Methods: (b) the K+1-class D trained on labelled + unlabelled images (variant `semisup`); its label-only
baseline, the same net and optimiser trained on the n labels alone; (a) a linear probe on the features of
an unsupervised run's D; and that probe's baseline, the same linear classifier on raw pixels.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.console import Console

from advnets.config.overrides import resolve_config
from advnets.config.schema import RunConfig
from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError
from advnets.metrics.semisup import kplus1_error, pixel_error, probe_error
from advnets.runs.model import TrainedModel
from advnets.runs.training import train

KPLUS1 = "(b) K+1 D, feature matching"
LABELS_ONLY = "(b) baseline: same D, labels only"
PROBE = "(a) linear probe on D features"
PIXELS = "(a) baseline: linear on pixels"

Results = dict[str, dict[str, list[float]]]  # method -> {"error": [...], "seconds": [...]} over seeds


def _timed(results: Results, method: str, compute: Callable[[], float]) -> None:
    started = time.perf_counter()
    error = compute()
    entry = results.setdefault(method, {"error": [], "seconds": []})
    entry["error"].append(error)
    entry["seconds"].append(time.perf_counter() - started)


def _train_kplus1(
    config: RunConfig,
    dataset: ImageDataset,
    run_dir: Path,
    unsupervised: bool,
    console: Console | None,
    overwrite: bool,
) -> float:
    base = config.to_dict()
    base["semisup"]["unsupervised"] = unsupervised
    cfg = resolve_config(None, base=base)
    result = train(cfg, run_dir, dataset=dataset, console=console, overwrite=overwrite)
    return kplus1_error(TrainedModel.load(result.run_dir).discriminator, dataset["test"])


def semisup_experiment(
    config: RunConfig,
    dataset: ImageDataset,
    labels: int,
    seeds: list[int],
    out_dir: str | os.PathLike[str],
    probe_run: str | os.PathLike[str] | None = None,
    kplus1: bool = True,
    console: Console | None = None,
    overwrite: bool = False,
) -> Results:
    """Test errors (%) and seconds per method over `seeds`; labels = 0 means every training label.

    Seed s picks the labelled images (balanced) and seeds the nets; K+1 runs go to OUT_DIR/<method>-n-s,
    which must not hold runs already unless `overwrite`.
    """
    if config.variant != "semisup":
        raise AdvnetsError(
            f"semisup needs a preset of the semisup variant (e.g. mnist-5k-semisup), not '{config.variant}'"
        )
    train_split, test_split = dataset["train"], dataset["test"]
    probe_d = TrainedModel.load(probe_run).discriminator if probe_run is not None else None
    results: Results = {}
    for seed in seeds:
        _timed(results, PIXELS, partial(pixel_error, train_split, test_split, labels, seed))
        if probe_d is not None:
            _timed(results, PROBE, partial(probe_error, probe_d, train_split, test_split, labels, seed))
        if not kplus1:
            continue
        base = config.to_dict()
        base["semisup"].update(labels=labels, label_seed=seed)
        base["train"]["seed"] = seed
        cfg = resolve_config(None, base=base)
        for method, unsup, tag in ((KPLUS1, True, "kplus1"), (LABELS_ONLY, False, "labels-only")):
            run_dir = Path(out_dir) / f"{tag}-n{labels}-s{seed}"
            train_one = partial(_train_kplus1, cfg, dataset, run_dir, unsup, console, overwrite)
            _timed(results, method, train_one)
    return results


def summary(results: Results) -> dict[str, dict[str, float]]:
    """Mean and sample s.d. of the test error (%), and mean seconds, per method."""
    rows = {}
    for method, entry in results.items():
        errors = entry["error"]
        sd = statistics.stdev(errors) if len(errors) > 1 else 0.0
        rows[method] = {
            "mean": statistics.fmean(errors),
            "sd": sd,
            "seconds": statistics.fmean(entry["seconds"]),
            "seeds": len(errors),
        }
    return rows
