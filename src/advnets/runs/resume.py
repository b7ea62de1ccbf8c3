"""What a resumed run may change, checked against the configuration its checkpoint was trained with.

A resume continues one experiment: how long it runs, how often it logs and saves, where it runs, may change;
so may the learning rates, the fix for a run that diverged. Anything else (the preset, the nets, the loss)
would make the continuation another experiment, and is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advnets.config.overrides import validate_saved
from advnets.config.schema import RunConfig
from advnets.errors import AdvnetsError

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
    "optim.lr",
    "optim.lr_d",
    "optim.lr_g",
)
SHOWN = 4  # changed settings named in the refusal; a changed preset alone changes dozens


def changed_keys(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two nested dicts (a key missing on one side differs)."""
    keys = []
    for key in sorted(set(old) | set(new)):
        name = f"{prefix}{key}"
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            keys += changed_keys(old[key], new[key], name + ".")
        elif old.get(key) != new.get(key):
            keys.append(name)
    return keys


def _value(tree: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        tree = tree.get(part, {}) if isinstance(tree, dict) else {}
    return tree


def check_resumable(config: RunConfig, meta: dict[str, Any], checkpoint: Path) -> None:
    """Refuse to continue `checkpoint` (its header `meta`) under `config` if a non-resumable key changed.

    Older checkpoints lack settings added since; `validate_saved` fills them as those runs trained.
    """
    saved, new = validate_saved(meta["config"]).to_dict(), config.to_dict()
    changed = [key for key in changed_keys(saved, new) if key not in RESUMABLE_KEYS]
    changed.sort(key=lambda key: "." in key)  # the preset and variant first: they explain the rest
    if not changed:
        return
    shown = [f"{key} {_value(saved, key)!r} -> {_value(new, key)!r}" for key in changed[:SHOWN]]
    more = f" and {len(changed) - SHOWN} more" if len(changed) > SHOWN else ""
    run = checkpoint.parent.parent
    raise AdvnetsError(
        f"resuming {run} with a changed configuration is refused ({'; '.join(shown)}{more}); a resume may "
        f"change only {', '.join(RESUMABLE_KEYS)}: start a new run with --run-dir to change the rest"
    )
