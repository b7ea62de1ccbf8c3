"""Checks that keep a run safe: divergence (NaN/Inf), mode collapse, and room on disk for checkpoints.

Each check is a pure function of tensors and numbers; the training driver decides when to call them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import torch
from torch import nn

from advnets.config.presets import PRESETS
from advnets.config.schema import OptimConfig, RunConfig
from advnets.errors import AdvnetsError
from advnets.runs.checkpoint import list_checkpoints

MiB = 2**20
HEADROOM = 16 * MiB  # sample grids, metrics, config: small next to a checkpoint
REFERENCE_ROWS = 500  # real examples whose spread the samples' spread is compared with


def parameter_extremes(modules: Iterable[tuple[str, nn.Module]]) -> dict[str, float]:
    """max |value| of each parameter (prefix.parameter): NaN where it holds a NaN (one host sync)."""
    names, maxima = [], []
    for prefix, module in modules:
        for name, param in module.named_parameters():
            names.append(f"{prefix}.{name}")
            maxima.append(param.detach().abs().max().float())  # max propagates NaN
    values = torch.stack(maxima).cpu().tolist() if maxima else []
    return dict(zip(names, values, strict=True))


def lower_rates(config: RunConfig) -> str:
    """`--set` options for lower learning rates (the ones a resume may change): the preset's own rate
    where a higher one is in use, else a tenth of the rate in use."""
    optim = config.optim
    known = PRESETS.get(config.preset, {}).get("optim", {}).get("lr", OptimConfig().lr)
    sets = []
    for key, rate in (("lr", optim.lr), ("lr_d", optim.lr_d), ("lr_g", optim.lr_g)):
        if rate is None or (key == "lr" and optim.lr_d is not None and optim.lr_g is not None):
            continue  # unset, or lr when both players have their own
        sets.append(f"--set optim.{key}={known if rate > known else rate / 10:g}")
    return " ".join(sets)


def retrain_command(run: Path, config: RunConfig) -> str:
    """The command that trains the run in `run` again from the start, with lower learning rates."""
    return f"advnets train --config {run / 'config.yaml'} --run-dir {run} --overwrite {lower_rates(config)}"


def divergence_error(step: int, what: list[str], run: Path, config: RunConfig) -> AdvnetsError:
    """The stop for a NaN or Inf, with a command that works: resume the last good checkpoint (a resume may
    lower the learning rates) or, when there is none, start the run again with them lowered."""
    found = list_checkpoints(run / "checkpoints")
    if found:
        fix = (
            f"its last good checkpoint is {found[-1].name}: resume from it with a lower optim.lr, "
            f"advnets train --resume {run} {lower_rates(config)}"
        )
    else:
        again = retrain_command(run, config)
        fix = f"it wrote no checkpoint before that: start it again with a lower optim.lr, {again}"
    if config.game.generator_loss == "saturating":  # suggested only to a run that does not use it yet
        fix += (
            "; or train a new run with the non-saturating G loss, advnets train --config "
            f"{run / 'config.yaml'} --run-dir {run}-non-saturating --set game.generator_loss=non-saturating"
        )
    return AdvnetsError(
        f"training diverged at step {step} ({', '.join(what[:4])} not finite); no checkpoint was written "
        f"after it; {fix}"
    )


def mean_pairwise_distance(samples: torch.Tensor) -> float:
    """Mean Euclidean distance over all pairs of distinct rows of (N, ...) samples, flattened (N >= 2)."""
    flat = samples.detach().reshape(samples.shape[0], -1).double()
    n = flat.shape[0]
    if n < 2:
        return 0.0
    distances = torch.cdist(flat, flat)  # (N, N), zero diagonal
    return float(distances.sum() / (n * (n - 1)))


def reference_spread(images: torch.Tensor, seed: int = 0) -> float:
    """The data's own mean pairwise distance, from a seeded subset of at most REFERENCE_ROWS examples."""
    generator = torch.Generator().manual_seed(seed)
    index = torch.randperm(images.shape[0], generator=generator)[:REFERENCE_ROWS]
    return mean_pairwise_distance(images[index].cpu())


def diversity(samples: torch.Tensor, reference: float) -> float:
    """Samples' mean pairwise distance as a fraction of the data's (1: data-like; 0: all equal)."""
    return mean_pairwise_distance(samples) / reference if reference > 0 else 0.0


def collapse_warning(epoch: int, ratio: float, threshold: float, best: float) -> str | None:
    """A warning line when the samples' diversity fell below `threshold` after reaching it, else None.

    `best` is the highest diversity of the run's earlier grids. The paper's G starts at the data's mean
    image (every sample alike), so a low diversity before G ever spread out is a start, not a collapse.
    """
    if ratio >= threshold or best < threshold:
        return None
    return (
        f"possible mode collapse at epoch {epoch}: the samples' mean pairwise distance fell to {ratio:.3f} "
        f"of the data's (from {best:.3f}; threshold {threshold}); G may be producing few distinct images. "
        "Try a lower optim.lr_g, game.update=alternating with game.k=2, or resume from an earlier checkpoint"
    )


def checkpoint_bytes(modules: Iterable[nn.Module], optimizer_slots: int) -> int:
    """Approximate size of one checkpoint: the nets' states plus `optimizer_slots` copies of the params."""
    total = 0
    for module in modules:
        total += sum(t.numel() * t.element_size() for t in module.state_dict().values())
        total += optimizer_slots * sum(p.numel() * p.element_size() for p in module.parameters())
    return total + MiB  # RNG states and the JSON header


def check_free_space(directory: Path, per_checkpoint: int, keep: int) -> None:
    """Refuse to start when `directory`'s filesystem cannot hold `keep` + 1 checkpoints (rotation)."""
    needed = (keep + 1) * per_checkpoint + HEADROOM
    free = shutil.disk_usage(directory).free
    if free < needed:
        raise AdvnetsError(
            f"only {free / MiB:.0f} MiB free where {directory} lives, but this run needs about "
            f"{needed / MiB:.0f} MiB ({keep} + 1 checkpoints of {per_checkpoint / MiB:.1f} MiB); free space, "
            "lower train.keep_checkpoints, or choose another --run-dir"
        )
