"""MNIST and Fashion-MNIST from their four IDX files, with the paper's 50k / 10k / 10k split."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from advnets.data.base import ImageDataset, Split
from advnets.data.checksums import download, verify
from advnets.data.idx import check_rank, images_to_tensor, read_idx
from advnets.data.locate import download_dir, search_dirs
from advnets.errors import AdvnetsError

NUM_CLASSES = 10  # MNIST's digits and Fashion-MNIST's garments alike
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


@dataclass(frozen=True)
class IdxSource:
    """Where one IDX dataset lives and how its gzipped files are recognised."""

    name: str
    mirrors: tuple[str, ...]
    # Known digests of each gzipped file (MD5 of the upstream files; SHA-256 of known repackagings).
    checksums: dict[str, tuple[str, ...]]
    system_dirs: tuple[str, ...] = field(default_factory=tuple)
    train_size: int = 50_000  # the paper's split: the last 10,000 training images validate


MNIST = IdxSource(
    name="mnist",
    mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist", "http://yann.lecun.com/exdb/mnist"),
    checksums={
        "train_images": ("f68b3c2dcbeaaa9fbdd348bbdeb94873",),
        "train_labels": ("d53e105ee54ea40749a09fcbcd1e9432",),
        "test_images": ("9fb629c4189551a2d022fa330f9573f3",),
        "test_labels": ("ec29112dd5afa0611ce80d1b7f02629c",),
    },
)

FASHION_MNIST = IdxSource(
    name="fashion-mnist",
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com",),
    checksums={
        "train_images": (
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",  # Debian's package
        ),
        "train_labels": (
            "25c81989df183df01b3e8a0aad5dffbe",
            "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
        ),
        "test_images": (
            "bef4ecab320f06d8554ea6380940ec79",
            "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
        ),
        "test_labels": (
            "bb300cfdad3c16e7a12a480ee83cd310",
            "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
        ),
    },
    system_dirs=("/usr/share/datasets/fashion-mnist",),  # Debian's dataset-fashion-mnist
)


def find_files(source: IdxSource, data_dir: str | os.PathLike[str] | None) -> dict[str, Path] | None:
    """The first directory holding all four files, gzipped or raw; None when no directory does."""
    for directory in [*search_dirs(source.name, data_dir), *map(Path, source.system_dirs)]:
        found: dict[str, Path] = {}
        for key, stem in FILES.items():
            for candidate in (directory / f"{stem}.gz", directory / stem):
                if candidate.is_file():
                    found[key] = candidate
                    break
        if len(found) == len(FILES):
            return found
        if found and data_dir is not None and directory == Path(data_dir).expanduser():
            missing = sorted(set(FILES) - set(found))
            raise AdvnetsError(
                f"{directory} has only some of the {source.name} files (missing "
                f"{', '.join(FILES[m] + '.gz' for m in missing)}); add them or point --data-dir elsewhere"
            )
    return None


def fetch(source: IdxSource, data_dir: str | os.PathLike[str] | None) -> dict[str, Path]:
    target = download_dir(source.name, data_dir)
    return {
        key: download(source.mirrors, target / f"{stem}.gz", source.checksums[key])
        for key, stem in FILES.items()
    }


def check_arrays(source: IdxSource, files: dict[str, Path], arrays: dict[str, np.ndarray]) -> None:
    """One line naming the file for each way four IDX files can fail to be one dataset."""
    for key, array in arrays.items():
        check_rank(array, files[key], key.split("_")[1], f"{source.name}'s {FILES[key]}")
    for key in ("train_labels", "test_labels"):
        if arrays[key].size and int(arrays[key].max()) >= NUM_CLASSES:
            raise AdvnetsError(
                f"{files[key]} has label {int(arrays[key].max())}, but {source.name} labels are "
                f"0..{NUM_CLASSES - 1}: it is another dataset's file; put {source.name}'s {FILES[key]} there"
            )
    train, test = arrays["train_images"].shape[1:], arrays["test_images"].shape[1:]
    if train != test:
        raise AdvnetsError(
            f"{files['train_images']} holds {train} images but {files['test_images']} holds {test}: they "
            "are from different datasets; put the four files of one dataset together"
        )
    for kind in ("train", "test"):
        if arrays[f"{kind}_images"].shape[0] != arrays[f"{kind}_labels"].shape[0]:
            raise AdvnetsError(
                f"{files[kind + '_images']} and {files[kind + '_labels']} hold different numbers of "
                "examples; one of them is from another dataset or truncated"
            )


def load_idx_dataset(
    source: IdxSource, data_dir: str | os.PathLike[str] | None, allow_download: bool = True
) -> ImageDataset:
    files = find_files(source, data_dir)
    if files is None:
        if not allow_download:
            raise AdvnetsError(
                f"{source.name} not found in {', '.join(map(str, search_dirs(source.name, data_dir)))}; "
                "pass --data-dir to the folder with its four IDX files"
            )
        files = fetch(source, data_dir)
    for key, path in files.items():
        if path.suffix == ".gz":
            verify(path, source.checksums[key])
    arrays = {key: read_idx(path) for key, path in files.items()}
    check_arrays(source, files, arrays)
    train_images = images_to_tensor(arrays["train_images"])
    train_labels = torch.from_numpy(arrays["train_labels"].astype("int64"))
    cut = source.train_size
    return ImageDataset(
        name=source.name,
        splits={
            "train": Split(train_images[:cut], train_labels[:cut]),
            "valid": Split(train_images[cut:], train_labels[cut:]),
            "test": Split(
                images_to_tensor(arrays["test_images"]),
                torch.from_numpy(arrays["test_labels"].astype("int64")),
            ),
        },
        num_classes=NUM_CLASSES,
        description=(
            f"train = training images 0..{cut - 1}, valid = training images {cut}.. (the paper's split), "
            "test = the 10,000 test images"
        ),
        extra={"files": str(next(iter(files.values())).parent)},
    )
