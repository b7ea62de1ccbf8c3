import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from advnets.data import load_dataset
from advnets.data.idx import read_idx
from advnets.data.mnist import FILES
from advnets.errors import AdvnetsError


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_raw_mnist(directory: Path, n_train: int = 60, n_test: int = 10, **replace: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28)),
        "train_labels": rng.integers(0, 10, n_train),
        "test_images": rng.integers(0, 256, (n_test, 28, 28)),
        "test_labels": rng.integers(0, 10, n_test),
    }
    arrays.update(replace)
    for key, stem in FILES.items():
        (directory / stem).write_bytes(idx_bytes(arrays[key]))


def test_read_idx_round_trips_gzipped_and_raw(tmp_path: Path) -> None:
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a").write_bytes(idx_bytes(array))
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(array)))
    assert np.array_equal(read_idx(tmp_path / "a"), array)
    assert np.array_equal(read_idx(tmp_path / "a.gz"), array)


def test_truncated_idx_names_the_file_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((5, 28, 28)))[:-10])
    with pytest.raises(AdvnetsError, match=r"train-images-idx3-ubyte.*truncated.*fetch it again"):
        read_idx(path)


def test_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.gz"
    noise = np.random.default_rng(0).integers(0, 256, (5, 28, 28))
    path.write_bytes(gzip.compress(idx_bytes(noise))[:500])
    with pytest.raises(AdvnetsError, match="truncated or not gzip"):
        read_idx(path)


def test_header_cut_short_names_the_file_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((5, 28, 28)))[:6])  # magic, rank 3, then half a dimension
    with pytest.raises(AdvnetsError, match=r"train-images-idx3-ubyte is cut short inside its header.*fetch"):
        read_idx(path)


def test_labels_file_in_the_place_of_images_is_refused(tmp_path: Path) -> None:
    labels = np.random.default_rng(1).integers(0, 10, 60)
    write_raw_mnist(tmp_path, train_images=labels)  # as many "images" as labels, so only the rank is wrong
    with pytest.raises(AdvnetsError) as caught:
        load_dataset("mnist", tmp_path)
    message = str(caught.value)
    assert str(tmp_path / FILES["train_images"]) in message and "shape (60,)" in message
    assert message.endswith(f"put mnist's {FILES['train_images']} in its place")


def test_images_file_in_the_place_of_labels_is_refused(tmp_path: Path) -> None:
    write_raw_mnist(tmp_path, test_labels=np.zeros((10, 28, 28)))
    with pytest.raises(
        AdvnetsError, match=r"t10k-labels-idx1-ubyte holds a 3-dimensional array .* not labels"
    ):
        load_dataset("mnist", tmp_path)


def test_labels_outside_the_classes_name_the_file(tmp_path: Path) -> None:
    write_raw_mnist(tmp_path, train_labels=np.arange(60) % 40)
    with pytest.raises(
        AdvnetsError, match=r"train-labels-idx1-ubyte has label 39, but mnist labels are 0\.\.9"
    ):
        load_dataset("mnist", tmp_path)


def test_bad_magic_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"not an idx file at all")
    with pytest.raises(AdvnetsError, match="magic"):
        read_idx(path)


def test_mnist_from_a_directory_uses_the_paper_split(tmp_path: Path) -> None:
    write_raw_mnist(tmp_path, n_train=60)
    from advnets.data import mnist

    source = mnist.IdxSource("mnist", (), mnist.MNIST.checksums, train_size=50)
    data = mnist.load_idx_dataset(source, tmp_path, allow_download=False)
    assert data.sizes() == {"train": 50, "valid": 10, "test": 10}
    assert data["train"].images.shape == (50, 1, 28, 28)
    assert float(data["train"].images.min()) >= 0.0 and float(data["train"].images.max()) <= 1.0
    raw = read_idx(tmp_path / FILES["train_images"])
    assert torch.equal(data["valid"].images[0, 0], torch.from_numpy(raw[50].astype(np.float32) / 255))


def test_gzip_with_wrong_checksum_is_refused(tmp_path: Path) -> None:
    for key, stem in FILES.items():
        shape = (3, 28, 28) if "images" in key else (3,)
        (tmp_path / f"{stem}.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(shape))))
    with pytest.raises(
        AdvnetsError, match=r"train-images-idx3-ubyte\.gz does not match its published checksum"
    ):
        load_dataset("mnist", tmp_path)


def test_partial_directory_names_the_missing_files(tmp_path: Path) -> None:
    (tmp_path / FILES["train_images"]).write_bytes(idx_bytes(np.zeros((3, 28, 28))))
    with pytest.raises(AdvnetsError, match="missing .*t10k-images"):
        load_dataset("mnist", tmp_path)


def test_real_mnist_checksums_and_split(mnist_dir: Path) -> None:
    data = load_dataset("mnist", mnist_dir)
    assert data.sizes() == {"train": 50_000, "valid": 10_000, "test": 10_000}
    assert data["train"].labels is not None and set(data["train"].labels.tolist()) == set(range(10))
    # The mean MNIST pixel is about 0.1307 (a well-known figure).
    assert abs(float(data["train"].images.mean()) - 0.1307) < 0.002
