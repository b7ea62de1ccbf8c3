"""Every file advnets writes or reads back goes through here, so each fault reads as one line.

Writes are atomic: the bytes go to a hidden temp file beside the target, are fsynced, and the temp file is
renamed over the target. A reader sees the old file or the new one, never half of one, and a failed write
(read-only folder, full disk, a path that is a file) removes its temp file and leaves neither a partial
file nor a 0-byte one. Its OSError becomes a `WriteError`: one line naming the path and the fix.

This module sits below every layer (it imports only `advnets.errors`); matplotlib, Pillow, NumPy and YAML
are imported where a function needs them.
"""

from __future__ import annotations

import errno
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from advnets.errors import AdvnetsError, WriteError, yaml_problem

READ_ONLY = {errno.EACCES, errno.EPERM, errno.EROFS}
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
ELSEWHERE = "write it somewhere else"
CACHE_HINT = "set XDG_CACHE_HOME to a writable folder"  # where platformdirs puts advnets' caches on Linux


class SavesFigures(Protocol):
    """A matplotlib Figure (anything with its `savefig`)."""

    def savefig(self, fname: Any, **kwargs: Any) -> None: ...


def _nearest_existing(path: Path) -> Path:
    """The closest ancestor of `path` that exists (the folder a write would have to create things in)."""
    return next((parent for parent in path.parents if parent.exists()), Path(path.anchor or "."))


def diagnose(path: Path, error: OSError, elsewhere: str = ELSEWHERE) -> tuple[str, str]:
    """(what is wrong, how to fix it) for a failed write of `path`; `elsewhere` ends the fixes that move."""
    code = error.errno
    folder = _nearest_existing(path)
    if not folder.is_dir():
        problem, fix = f"{folder} is a file, not a folder", f"move it away or {elsewhere}"
    elif code in READ_ONLY:
        problem, fix = f"{folder} is read-only", f"make it writable or {elsewhere}"
    elif code in FULL:
        problem, fix = "the disk is full", f"free space on the disk holding {folder}, then run it again"
    elif code == errno.EISDIR or path.is_dir():
        problem, fix = "it is a folder", f"remove it or {elsewhere}"
    else:
        problem, fix = error.strerror or str(error), elsewhere
    return problem, fix


def write_error(path: Path, error: OSError, elsewhere: str = ELSEWHERE) -> WriteError:
    """The one-line error for a failed write of `path`: the path, what is wrong, and the fix."""
    problem, fix = diagnose(path, error, elsewhere)
    return WriteError(f"cannot write {path}: {problem}; {fix}", error)


def atomic_write_bytes(path: Path, payload: bytes, elsewhere: str = ELSEWHERE) -> Path:
    """Write `payload` to `path` atomically (temp file, fsync, rename, fsync of the folder)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # The ".NAME...tmp" pattern is what runs.checkpoint.remove_partial_writes clears after a kill.
        handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    except OSError as error:
        raise write_error(path, error, elsewhere) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as error:
        Path(tmp_name).unlink(missing_ok=True)
        raise write_error(path, error, elsewhere) from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str, elsewhere: str = ELSEWHERE) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), elsewhere)


def write_json(path: Path, value: Any, elsewhere: str = ELSEWHERE) -> Path:
    """`value` as indented JSON, atomically."""
    return atomic_write_text(path, json.dumps(value, indent=2) + "\n", elsewhere)


def save_figure(figure: SavesFigures, path: Path, elsewhere: str = ELSEWHERE, **kwargs: Any) -> Path:
    """A matplotlib figure, rendered in memory in the format its suffix names, then written atomically."""
    path = Path(path)
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format=path.suffix.lstrip(".").lower() or "png", **kwargs)
    except ValueError as error:  # matplotlib: "Format 'xyz' is not supported"
        raise AdvnetsError(f"cannot save a figure as {path} ({error}); use a .png path") from None
    return atomic_write_bytes(path, buffer.getvalue(), elsewhere)


def save_image(picture: Any, path: Path, elsewhere: str = ELSEWHERE, **kwargs: Any) -> Path:
    """A Pillow image in the format its suffix names (PNG, GIF, ...), written atomically."""
    from PIL import Image

    path = Path(path)
    kind = Image.registered_extensions().get(path.suffix.lower())
    if kind is None:
        raise AdvnetsError(f"cannot save an image as {path}: unknown suffix '{path.suffix}'; use a .png path")
    buffer = io.BytesIO()
    picture.save(buffer, format=kind, **kwargs)
    return atomic_write_bytes(path, buffer.getvalue(), elsewhere)


def save_animation(
    pictures: list[Any], path: Path, milliseconds: int = 120, elsewhere: str = ELSEWHERE
) -> Path:
    """Pillow images as an animated GIF that loops, `milliseconds` per picture, written atomically."""
    options = {"save_all": True, "append_images": pictures[1:], "duration": milliseconds, "loop": 0}
    return save_image(pictures[0], path, elsewhere, **options)


def save_npy(path: Path, array: Any, elsewhere: str = ELSEWHERE) -> Path:
    """A NumPy array as .npy, atomically; like `np.save`, '.npy' is appended when the name lacks it."""
    import numpy as np

    path = Path(path)
    if path.suffix != ".npy":
        path = path.with_name(path.name + ".npy")
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return atomic_write_bytes(path, buffer.getvalue(), elsewhere)


def read_bytes(path: Path, fix: str) -> bytes:
    """The file's bytes; a missing or unreadable file is one line ending in `fix`."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise AdvnetsError(f"{path} does not exist; {fix}") from None
    except IsADirectoryError:
        raise AdvnetsError(f"{path} is a folder, not a file; {fix}") from None
    except OSError as error:
        raise AdvnetsError(f"cannot read {path} ({error.strerror or error}); {fix}") from None


def read_text(path: Path, fix: str) -> str:
    raw = read_bytes(path, fix)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AdvnetsError(f"{path} is not text (corrupt or another kind of file); {fix}") from None


def _nonempty_text(path: Path, fix: str) -> str:
    text = read_text(path, fix)
    if not text.strip():
        raise AdvnetsError(f"{path} is empty; {fix}")
    return text


def read_json(path: Path, fix: str) -> Any:
    """The parsed JSON of `path`; empty, cut short or not JSON is one line ending in `fix`."""
    text = _nonempty_text(path, fix)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise AdvnetsError(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); {fix}"
        ) from None


def read_yaml(path: Path, fix: str) -> Any:
    """The parsed YAML of `path` (safe loader: plain data only); empty or broken is one line."""
    import yaml

    text = _nonempty_text(path, fix)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise AdvnetsError(f"{path} is not valid YAML ({yaml_problem(error)}); {fix}") from None
