"""The IDX format of MNIST and Fashion-MNIST: a big-endian header, then raw uint8 values."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np
import torch

from advnets.errors import AdvnetsError


def read_idx(path: Path) -> np.ndarray:
    """Read a gzipped or raw IDX file of unsigned bytes into an array of the shape its header gives."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        raise AdvnetsError(
            f"{path} cannot be read ({error}): it is truncated or not gzip; delete it and fetch it again"
        ) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise AdvnetsError(f"{path} is not an IDX file of unsigned bytes (bad magic number); check the file")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise AdvnetsError(
            f"{path} is cut short inside its header ({len(raw)} bytes; a {ndim}-dimensional IDX header "
            f"takes {header}): the file is truncated or corrupt; delete it and fetch it again"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise AdvnetsError(
            f"{path} holds {len(raw)} bytes but its header promises {expected} "
            f"(shape {shape}): the file is truncated or corrupt; delete it and fetch it again"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def check_rank(array: np.ndarray, path: Path, kind: str, wanted: str) -> None:
    """Refuse an IDX file whose rank is not its role's: 3 for images (N, rows, cols), 1 for labels (N,).

    `wanted` names the file that belongs at `path`, for the fix.
    """
    expected = {"images": 3, "labels": 1}[kind]
    if array.ndim != expected:
        like = {1: ", as a labels file does", 3: ", as an images file does"}.get(array.ndim, "")
        layout = "(N, rows, columns)" if kind == "images" else "(N,)"
        raise AdvnetsError(
            f"{path} holds a {array.ndim}-dimensional array of shape {tuple(array.shape)}{like}, not {kind} "
            f"{layout}; put {wanted} in its place"
        )


def images_to_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, H, W) uint8 -> (N, 1, H, W) float32 in [0, 1]."""
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
