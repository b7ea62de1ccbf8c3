"""The own-images folder: sizes, channels, labels from subfolders, and unreadable files reported by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from advnets.data import load_dataset
from advnets.data.folder import load_folder
from advnets.errors import AdvnetsError, AdvnetsWarning


def make_images(root: Path, classes: dict[str, int], size: tuple[int, int] = (40, 24)) -> None:
    rng = np.random.default_rng(0)
    for name, count in classes.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
            suffix = ".png" if i % 2 else ".jpg"
            Image.fromarray(pixels).save(root / name / f"{i}{suffix}")


def test_mixed_sizes_become_one_tensor_with_labels(tmp_path: Path) -> None:
    make_images(tmp_path, {"cats": 6, "dogs": 4})
    Image.fromarray(np.zeros((10, 50), dtype=np.uint8)).save(tmp_path / "dogs" / "wide.png")  # non-square, L
    data = load_folder(tmp_path, size=16, channels=3)
    assert data.sample_shape == (3, 16, 16) and data.num_classes == 2
    everything = torch.cat([data[s].images for s in ("train", "valid", "test")])
    assert everything.shape[0] == 11 and float(everything.min()) >= 0.0 and float(everything.max()) <= 1.0
    labels = torch.cat([data[s].labels for s in ("train", "valid", "test")])  # type: ignore[misc]
    assert sorted(labels.tolist()) == [0] * 6 + [1] * 5


def test_corrupt_image_is_skipped_named_and_counted(tmp_path: Path) -> None:
    make_images(tmp_path, {"a": 5})
    (tmp_path / "a" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    (tmp_path / "a" / "notes.txt").write_text("ignored: not an image suffix")
    with pytest.warns(AdvnetsWarning, match=r"skipped 1 unreadable image file\(s\) of 6: a/broken\.png"):
        data = load_folder(tmp_path, size=8, channels=1)
    assert sum(len(data[s]) for s in ("train", "valid", "test")) == 5
    assert "broken.png" in data.extra["skipped"] and "1 unreadable" in data.description
    assert data.sample_shape == (1, 8, 8)


def test_flat_folder_has_no_labels_and_registry_passes_size(tmp_path: Path) -> None:
    make_images(tmp_path / "x", {".": 4})
    for path in (tmp_path / "x").glob("*"):
        path.rename(tmp_path / path.name)
    data = load_dataset("folder", tmp_path, 12, 1)
    assert data.num_classes is None and data.sample_shape == (1, 12, 12)


def test_too_few_readable_images_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.jpg").write_bytes(b"nope")
    with pytest.raises(AdvnetsError, match=r"0 readable images \(1 unreadable\)"):
        load_folder(tmp_path)


def test_many_corrupt_images_warn_once_with_the_count_and_the_first_names(tmp_path: Path) -> None:
    make_images(tmp_path, {"a": 4})
    for i in range(5):
        (tmp_path / "a" / f"bad{i}.jpg").write_bytes(b"not a jpeg")
    with pytest.warns(AdvnetsWarning) as caught:
        data = load_folder(tmp_path, size=8)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert str(tmp_path) in message and "skipped 5 unreadable image file(s) of 9" in message
    assert "a/bad0.jpg" in message and "a/bad2.jpg" in message and "and 2 more" in message
    assert "bad4.jpg" not in message and "\n" not in message
    assert data.extra["skipped"].count("bad") == 5  # every name is still kept beside the data
