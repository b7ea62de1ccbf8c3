"""CIFAR-10 from its *binary* distribution (cifar-10-binary.tar.gz): raw bytes, never the pickled version.

Each .bin file is a run of 3,073-byte records: one label byte (0..9), then 1,024 red, 1,024 green and 1,024
blue bytes of a 32x32 image in row-major order. The tarball is read in memory (nothing is extracted), or a
folder holding the .bin files is read directly. Split as the paper: train = batches 1-4 (40,000), valid =
batch 5 (10,000), test = test_batch (10,000).
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import numpy as np
import torch

from advnets.data.base import ImageDataset, Split
from advnets.data.checksums import download, verify
from advnets.data.locate import download_dir, search_dirs
from advnets.data.transforms import to_grayscale
from advnets.errors import AdvnetsError

NAME = "cifar10"
TARBALL = "cifar-10-binary.tar.gz"
TARBALL_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
MIRRORS = ("https://www.cs.toronto.edu/~kriz",)
INNER_DIR = "cifar-10-batches-bin"
RECORD = 1 + 3 * 32 * 32
SPLIT_FILES = {
    "train": ("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin"),
    "valid": ("data_batch_5.bin",),
    "test": ("test_batch.bin",),
}
ALL_FILES = tuple(f for files in SPLIT_FILES.values() for f in files)
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def parse_records(raw: bytes, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Bytes of one .bin file -> images (N, 3, 32, 32) uint8 and labels (N,) int64."""
    if len(raw) == 0 or len(raw) % RECORD:
        raise AdvnetsError(
            f"{source} holds {len(raw)} bytes, not a whole number of {RECORD}-byte CIFAR-10 records: it is "
            "truncated or not from cifar-10-binary.tar.gz; delete it and fetch it again"
        )
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise AdvnetsError(f"{source} has label byte {labels.max()} (CIFAR-10 labels are 0..9); wrong file")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def read_tarball(path: Path) -> dict[str, bytes]:
    """The .bin members of the tarball by file name, read in memory."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                name = Path(member.name).name
                if member.isfile() and name in ALL_FILES:
                    handle = archive.extractfile(member)
                    if handle is not None:
                        found[name] = handle.read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise AdvnetsError(
            f"{path} cannot be read ({error}): it is truncated; delete it and fetch it again"
        ) from None
    missing = sorted(set(ALL_FILES) - set(found))
    if missing:
        raise AdvnetsError(f"{path} lacks {', '.join(missing)}: it is not cifar-10-binary.tar.gz")
    return found


def find_source(data_dir: str | os.PathLike[str] | None) -> Path | None:
    """A folder holding the six .bin files, or the tarball; None when neither is found."""
    for directory in search_dirs(NAME, data_dir):
        for folder in (directory, directory / INNER_DIR):
            if all((folder / name).is_file() for name in ALL_FILES):
                return folder
        if (directory / TARBALL).is_file():
            return directory / TARBALL
    return None


def read_files(source: Path) -> dict[str, bytes]:
    if source.is_dir():
        return {name: (source / name).read_bytes() for name in ALL_FILES}
    verify(source, (TARBALL_MD5,))
    return read_tarball(source)


def load_cifar10(
    data_dir: str | os.PathLike[str] | None, channels: int = 3, allow_download: bool = True
) -> ImageDataset:
    """CIFAR-10 as (N, channels, 32, 32) float32 in [0, 1] with labels; downloads (MD5-checked) if absent."""
    source = find_source(data_dir)
    if source is None:
        if not allow_download:
            raise AdvnetsError(
                f"CIFAR-10 not found in {', '.join(map(str, search_dirs(NAME, data_dir)))}; pass --data-dir "
                f"to a folder holding {TARBALL} or its {INNER_DIR} folder"
            )
        source = download(MIRRORS, download_dir(NAME, data_dir) / TARBALL, (TARBALL_MD5,))
    files = read_files(source)
    splits: dict[str, Split] = {}
    for split, names in SPLIT_FILES.items():
        parts = [parse_records(files[name], f"{source}:{name}") for name in names]
        images = torch.from_numpy(np.concatenate([p[0] for p in parts]).astype(np.float32) / 255.0)
        labels = torch.from_numpy(np.concatenate([p[1] for p in parts]))
        splits[split] = Split(to_grayscale(images) if channels == 1 else images, labels)
    return ImageDataset(
        name=NAME,
        splits=splits,
        num_classes=10,
        description="CIFAR-10 (binary version): train = batches 1-4, valid = batch 5 (the paper's split), "
        "test = test_batch",
        extra={"files": str(source), "classes": ", ".join(CLASSES)},
    )
