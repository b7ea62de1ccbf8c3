"""Checkpoints: tensors in one safetensors file, everything else as JSON in its header; no pickle anywhere.

Loading never executes code from the file. Writes are atomic (see advnets.files). A SHA-256 "seal" in the
header covers the metadata and every tensor's name, dtype, shape and bytes, so any changed byte, in the
header or in the data, is a clear error rather than a silent change. Format 1 files (written before the
seal) carry a digest of the tensor names and bytes only; they still load, with that digest checked.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from advnets.errors import AdvnetsError
from advnets.files import atomic_write_bytes, read_bytes

FORMAT = "advnets-checkpoint"
# 1: "digest" of the tensor names and bytes. 2: "seal" of the metadata and the tensors with dtype and shape.
FORMAT_VERSION = 2
SEALED_SINCE = 2
NAME = re.compile(r"step-(\d+)\.safetensors$")


def _tensor_bytes(tensor: torch.Tensor) -> bytes:
    # reshape(-1): 0-dim tensors (batch norm's counter, Adam's step) cannot be viewed as bytes directly.
    return tensor.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def _digest(tensors: dict[str, torch.Tensor]) -> str:
    """Format 1's digest: tensor names and bytes, not dtypes, shapes or metadata (kept for old files)."""
    digest = hashlib.sha256()
    for key in sorted(tensors):
        digest.update(key.encode())
        digest.update(_tensor_bytes(tensors[key]))
    return digest.hexdigest()


def _canonical(header: dict[str, Any]) -> bytes:
    """The header as parsed back from JSON, re-encoded one fixed way (so the writer and reader agree)."""
    return json.dumps(header, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()


def _seal(tensors: dict[str, torch.Tensor], header: dict[str, Any]) -> str:
    """SHA-256 over the header (without its seal) and each tensor's name, dtype, shape and bytes."""
    digest = hashlib.sha256()

    def part(data: bytes) -> None:  # length-prefixed, so no two different inputs frame the same bytes
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)

    part(_canonical({key: value for key, value in header.items() if key != "seal"}))
    for key in sorted(tensors):
        tensor = tensors[key]
        part(json.dumps([key, str(tensor.dtype), list(tensor.shape)]).encode())
        part(_tensor_bytes(tensor))
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


def save_checkpoint(
    path: Path,
    tensors: dict[str, torch.Tensor],
    meta: dict[str, Any],
    elsewhere: str = "choose another --run-dir",
) -> Path:
    """Write tensors and JSON metadata to `path` atomically, sealed by a digest of both.

    A failed write raises `WriteError` (an AdvnetsError and an OSError); `elsewhere` ends its fix.
    """
    tensors = {key: value.detach().cpu().contiguous() for key, value in tensors.items()}
    # Sealed as it will read back: JSON turns tuples into lists and integer keys into strings.
    header = json.loads(json.dumps({**meta, "format": FORMAT, "format_version": FORMAT_VERSION}))
    header["seal"] = _seal(tensors, header)
    payload = save_safetensors(tensors, metadata={"advnets": json.dumps(header)})
    atomic_write_bytes(path, payload, elsewhere)
    return path


def _header(blob: bytes, path: Path, fix: str) -> dict[str, Any]:
    """The advnets metadata in a safetensors header that already parsed; one line for anything odd."""
    header_len = int.from_bytes(blob[:8], "little")
    try:
        outer = json.loads(blob[8 : 8 + header_len])
        raw = outer.get("__metadata__") if isinstance(outer, dict) else None
        text = raw.get("advnets") if isinstance(raw, dict) else None
        if not isinstance(text, str):
            raise AdvnetsError(f"{path} is a safetensors file but not an advnets checkpoint; {fix}")
        meta = json.loads(text)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise AdvnetsError(f"checkpoint {path} has a corrupt header ({error}); {fix}") from None
    if not isinstance(meta, dict):
        raise AdvnetsError(f"checkpoint {path} has a corrupt header (not a JSON object); {fix}")
    return meta


def _verify(meta: dict[str, Any], tensors: dict[str, torch.Tensor], path: Path, fix: str) -> None:
    version = meta.get("format_version")
    if meta.get("format") != FORMAT or type(version) is not int or version < 1:
        raise AdvnetsError(f"checkpoint {path} has a corrupt header (no advnets format and version); {fix}")
    if version > FORMAT_VERSION:
        raise AdvnetsError(
            f"{path} has checkpoint format {version}, newer than this advnets reads ({FORMAT_VERSION}); "
            f"upgrade advnets (or, if the file is damaged, {fix})"
        )
    if version >= SEALED_SINCE or "seal" in meta:
        if meta.get("seal") != _seal(tensors, meta):
            raise AdvnetsError(f"checkpoint {path} is corrupt (it does not match its seal); {fix}")
    elif meta.get("digest") != _digest(tensors):
        raise AdvnetsError(f"checkpoint {path} is corrupt (its tensors do not match their digest); {fix}")


def load_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a checkpoint that `save_checkpoint` wrote (either format); one AdvnetsError line for all else."""
    path = Path(path)
    if not path.is_file():
        raise AdvnetsError(f"checkpoint {path} does not exist; list the run's checkpoints/ folder")
    fix = f"delete {path} to fall back to the previous checkpoint, or start a new run"
    blob = read_bytes(path, fix)
    try:
        tensors = load_safetensors(blob)
    except (SafetensorError, ValueError) as error:
        raise AdvnetsError(f"checkpoint {path} is truncated or corrupt ({error}); {fix}") from None
    meta = _header(blob, path, fix)
    _verify(meta, tensors, path, fix)
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
    """Delete temp files a killed process left mid-write (see advnets.files); return what went."""
    if not directory.is_dir():
        return []
    partial = [p for p in directory.glob(".*.tmp") if p.is_file()]
    for path in partial:
        path.unlink(missing_ok=True)
    return partial


def prune_checkpoints(directory: Path, keep: int) -> None:
    for old in list_checkpoints(directory)[:-keep]:
        old.unlink(missing_ok=True)
