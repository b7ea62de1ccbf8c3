"""Checkpoints: tensors in one safetensors file, everything else as JSON in its header; no pickle anywhere.

Loading never executes code from the file. Writes are atomic (temp file, fsync, rename), and a digest of the
tensor bytes in the header turns silent corruption into a clear error.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from advnets.errors import AdvnetsError

FORMAT = "advnets-checkpoint"
FORMAT_VERSION = 1
NAME = re.compile(r"step-(\d+)\.safetensors$")


def _digest(tensors: dict[str, torch.Tensor]) -> str:
    digest = hashlib.sha256()
    for key in sorted(tensors):
        digest.update(key.encode())
        # reshape(-1): 0-dim tensors (batch norm's counter, Adam's step) cannot be viewed as bytes directly.
        digest.update(tensors[key].contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def flatten_optimizer(prefix: str, state: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Split an optimizer state_dict into tensors (by dotted key) and a JSON-ready remainder."""
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for index, slots in state["state"].items():
        for slot, value in slots.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{prefix}.state.{index}.{slot}"] = value.detach().cpu()
            else:
                scalars.setdefault(str(index), {})[slot] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def unflatten_optimizer(
    prefix: str, tensors: dict[str, torch.Tensor], meta: dict[str, Any]
) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith(prefix + ".state."):
            index, slot = key[len(prefix) + 7 :].split(".", 1)
            state.setdefault(int(index), {})[slot] = value
    for index, slots in meta["scalars"].items():
        state.setdefault(int(index), {}).update(slots)
    return {"state": state, "param_groups": meta["param_groups"]}


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def save_checkpoint(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> Path:
    """Write tensors and JSON metadata to `path` atomically."""
    tensors = {key: value.detach().cpu().contiguous() for key, value in tensors.items()}
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, "digest": _digest(tensors), **meta}
    payload = save_safetensors(tensors, metadata={"advnets": json.dumps(header)})
    atomic_write_bytes(path, payload)
    return path


def load_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a checkpoint written by `save_checkpoint`; a clear AdvnetsError for anything else."""
    path = Path(path)
    if not path.is_file():
        raise AdvnetsError(f"checkpoint {path} does not exist; list the run's checkpoints/ folder")
    blob = path.read_bytes()
    fix = f"delete {path} to fall back to the previous checkpoint, or start a new run"
    try:
        tensors = load_safetensors(blob)
        header_len = int.from_bytes(blob[:8], "little")
        raw_meta = json.loads(blob[8 : 8 + header_len]).get("__metadata__", {})
    except (SafetensorError, ValueError, json.JSONDecodeError) as error:
        raise AdvnetsError(f"checkpoint {path} is truncated or corrupt ({error}); {fix}") from None
    if "advnets" not in raw_meta:
        raise AdvnetsError(f"{path} is a safetensors file but not an advnets checkpoint; {fix}")
    meta = json.loads(raw_meta["advnets"])
    if meta.get("format") != FORMAT or int(meta.get("format_version", 0)) > FORMAT_VERSION:
        raise AdvnetsError(
            f"{path} has checkpoint format {meta.get('format_version')}, newer than this advnets reads "
            f"({FORMAT_VERSION}); upgrade advnets"
        )
    if meta.get("digest") != _digest(tensors):
        raise AdvnetsError(f"checkpoint {path} is corrupt (its tensors do not match their digest); {fix}")
    return tensors, meta


def checkpoint_path(directory: Path, step: int) -> Path:
    return directory / f"step-{step:08d}.safetensors"


def list_checkpoints(directory: Path) -> list[Path]:
    """Checkpoints in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in directory.iterdir() if (m := NAME.search(p.name))]
    return [p for _, p in sorted(found)]


def remove_partial_writes(directory: Path) -> list[Path]:
    """Delete temp files a killed process left mid-write (see atomic_write_bytes); return what went."""
    if not directory.is_dir():
        return []
    partial = [p for p in directory.glob(".*.tmp") if p.is_file()]
    for path in partial:
        path.unlink(missing_ok=True)
    return partial


def prune_checkpoints(directory: Path, keep: int) -> None:
    for old in list_checkpoints(directory)[:-keep]:
        old.unlink(missing_ok=True)
