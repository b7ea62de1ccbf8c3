"""Where datasets are looked for: --data-dir, then $ADVNETS_DATA, then the user cache directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_VAR = "ADVNETS_DATA"


def cache_root() -> Path:
    return Path(platformdirs.user_cache_dir("advnets")) / "data"


def search_dirs(name: str, data_dir: str | os.PathLike[str] | None) -> list[Path]:
    """Candidate directories for dataset `name`, most specific first.

    A given directory is searched both as the dataset folder itself and as a parent holding `name/`.
    """
    roots: list[Path] = []
    if data_dir is not None:
        roots.append(Path(data_dir).expanduser())
    if os.environ.get(ENV_VAR):
        roots.append(Path(os.environ[ENV_VAR]).expanduser())
    roots.append(cache_root())
    dirs: list[Path] = []
    for root in roots:
        dirs += [root, root / name]
    return dirs


def download_dir(name: str, data_dir: str | os.PathLike[str] | None) -> Path:
    """Where a download of `name` goes: the first root the user named, else the cache."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser() / name
    return cache_root() / name
