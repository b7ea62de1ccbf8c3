"""The CIFAR-10 binary reader on made-up files in the same format, from a folder and from a tarball."""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch

from advnets.data import load_dataset
from advnets.data.cifar import ALL_FILES, INNER_DIR, RECORD, TARBALL, load_cifar10, parse_records
from advnets.errors import AdvnetsError


def records(n: int, seed: int) -> tuple[bytes, np.ndarray, np.ndarray]:
    """n records: a label byte, then the red, green and blue planes of a 32x32 image, row-major."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    images = rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    raw = b"".join(bytes([labels[i]]) + images[i].tobytes() for i in range(n))
    return raw, images, labels


def write_folder(root: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    folder = root / INNER_DIR
    folder.mkdir(parents=True)
    truth = {}
    for seed, name in enumerate(ALL_FILES):
        raw, images, labels = records(3 + seed, seed)
        (folder / name).write_bytes(raw)
        truth[name] = (images, labels)
    return truth


def test_reads_the_binary_layout_exactly(tmp_path: Path) -> None:
    truth = write_folder(tmp_path)
    data = load_cifar10(tmp_path, allow_download=False)
    assert data.sizes() == {"train": 3 + 4 + 5 + 6, "valid": 7, "test": 8}  # batches 1-4 / 5 / test
    images, labels = truth["data_batch_1.bin"]
    assert torch.equal(data["train"].images[:3], torch.from_numpy(images.astype(np.float32) / 255))
    assert torch.equal(data["train"].labels[:3], torch.from_numpy(labels.astype(np.int64)))
    test_images, _ = truth["test_batch.bin"]
    red = test_images[2, 0, 5, 7]  # plane 0 is red; pixel (row 5, column 7)
    assert float(data["test"].images[2, 0, 5, 7]) == pytest.approx(red / 255)
    assert data.sample_shape == (3, 32, 32) and data.num_classes == 10


def test_reads_the_tarball_without_extracting(tmp_path: Path) -> None:
    truth = write_folder(tmp_path / "src")
    tarball = tmp_path / "given" / TARBALL
    tarball.parent.mkdir()
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(tmp_path / "src" / INNER_DIR, arcname=INNER_DIR)
    # A made-up tarball cannot have the published MD5; skip that check here, exercise it below.
    from advnets.data import cifar

    original = cifar.verify
    cifar.verify = lambda path, known: None  # type: ignore[assignment]
    try:
        data = load_cifar10(tarball.parent, allow_download=False)
    finally:
        cifar.verify = original
    assert torch.equal(data["valid"].labels, torch.from_numpy(truth["data_batch_5.bin"][1].astype(np.int64)))
    assert list((tmp_path / "given").iterdir()) == [tarball]  # nothing extracted beside it


def test_tarball_with_wrong_checksum_is_refused(tmp_path: Path) -> None:
    (tmp_path / TARBALL).write_bytes(b"not really a tarball")
    with pytest.raises(AdvnetsError, match="checksum"):
        load_cifar10(tmp_path, allow_download=False)


def test_truncated_file_is_a_clear_error(tmp_path: Path) -> None:
    write_folder(tmp_path)
    path = tmp_path / INNER_DIR / "data_batch_3.bin"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(AdvnetsError, match=r"data_batch_3\.bin.*truncated"):
        load_cifar10(tmp_path, allow_download=False)
    with pytest.raises(AdvnetsError, match="truncated"):
        parse_records(b"", "empty.bin")
    assert RECORD == 3073


def test_missing_data_names_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(AdvnetsError, match="--data-dir"):
        load_cifar10(tmp_path, allow_download=False)


def test_grayscale_on_request_and_registry(tmp_path: Path) -> None:
    write_folder(tmp_path)
    gray = load_cifar10(tmp_path, channels=1, allow_download=False)
    assert gray.sample_shape == (1, 32, 32)
    assert load_dataset("cifar10", tmp_path, 32, 3).sample_shape == (3, 32, 32)
