"""Verified files: hash checks and downloads that never leave a partial file behind."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from advnets.errors import AdvnetsError


def file_digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def matches_any(path: Path, known: Sequence[str]) -> bool:
    """True when the file's MD5 or SHA-256 is among `known` (hex digests; the length tells which)."""
    by_length = {32: "md5", 64: "sha256"}
    return any(file_digest(path, by_length[len(k)]) == k.lower() for k in known)


def verify(path: Path, known: Sequence[str]) -> None:
    if known and not matches_any(path, known):
        raise AdvnetsError(
            f"{path} does not match its published checksum (expected one of {', '.join(known)}): "
            "the file is truncated or corrupt; delete it and run again to download a fresh copy"
        )


def download(urls: Sequence[str], target: Path, known: Sequence[str]) -> Path:
    """Fetch `target.name` from the first mirror that answers, verify it, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    for base in urls:
        url = base.rstrip("/") + "/" + target.name
        handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
                while block := response.read(1 << 20):
                    out.write(block)
            if known and not matches_any(tmp, known):
                errors.append(f"{url}: checksum mismatch")
                continue
            os.replace(tmp, target)
            return target
        except OSError as error:
            errors.append(f"{url}: {error}")
        finally:
            tmp.unlink(missing_ok=True)
    raise AdvnetsError(
        f"could not download {target.name} ({'; '.join(errors)}); "
        f"copy the file into {target.parent} by hand or pass --data-dir to a folder that has it"
    )
