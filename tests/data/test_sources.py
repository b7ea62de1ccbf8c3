from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from scipy.stats import norm

from advnets.data import load_dataset
from advnets.data.toy import TOYS, load_toy, ring
from advnets.errors import AdvnetsError, AdvnetsWarning


def test_mnist_5k_is_real_balanced_digits() -> None:
    data = load_dataset("mnist-5k")
    assert data.sizes() == {"train": 4000, "valid": 500, "test": 500}
    labels = torch.cat([data[s].labels for s in ("train", "valid", "test")])  # type: ignore[misc]
    assert torch.bincount(labels).tolist() == [500] * 10
    assert abs(float(data["train"].images.mean()) - 0.13) < 0.01


def test_digits_scaled_to_unit_interval(digits) -> None:  # type: ignore[no-untyped-def]
    assert digits.sample_shape == (1, 8, 8)
    assert float(digits["train"].images.max()) == 1.0 and float(digits["train"].images.min()) == 0.0


def test_fashion_mnist_found_at_debian_location() -> None:
    if not Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").is_file():
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    data = load_dataset("fashion-mnist")
    assert data.sizes() == {"train": 50_000, "valid": 10_000, "test": 10_000}


def test_unknown_dataset_lists_the_choices() -> None:
    with pytest.raises(AdvnetsError, match="unknown dataset 'mnsit'.*mnist-5k"):
        load_dataset("mnsit")


def test_folder_loads_resizes_and_skips_corrupt_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for index in range(6):
        size = (40, 20) if index % 2 else (16, 16)  # non-square images too
        Image.fromarray(rng.integers(0, 256, (*size[::-1], 3), dtype=np.uint8)).save(
            tmp_path / f"{index}.png"
        )
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    with pytest.warns(AdvnetsWarning, match=r"skipped 1 unreadable .*broken\.jpg"):
        data = load_dataset("folder", tmp_path, image_size=12, channels=3)
    assert sum(data.sizes().values()) == 6
    assert data.sample_shape == (3, 12, 12)
    assert "broken.jpg" in data.extra["skipped"]


def test_folder_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(AdvnetsError, match="not a folder"):
        load_dataset("folder", tmp_path / "nope")
    with pytest.raises(AdvnetsError, match="at least 3"):
        load_dataset("folder", tmp_path)


def test_toy_log_prob_matches_scipy() -> None:
    density = TOYS["toy-mixture-1d"]
    x = torch.linspace(-5, 5, 101, dtype=torch.float64)[:, None]
    expected = np.log(0.5 * norm.pdf(x.numpy()[:, 0], -2, 0.5) + 0.5 * norm.pdf(x.numpy()[:, 0], 2, 0.5))
    assert np.allclose(density.log_prob(x).numpy(), expected, atol=1e-10)


def test_toy_samples_follow_their_density() -> None:
    data = load_toy("toy-gaussian-1d")
    points = data["train"].images
    assert points.shape == (50_000, 1)
    assert abs(float(points.mean()) - 4.0) < 0.02 and abs(float(points.std()) - 0.5) < 0.02
    ring_points = ring().sample(4000, torch.Generator().manual_seed(0))
    assert torch.allclose(ring_points.norm(dim=1).mean(), torch.tensor(2.0), atol=0.01)
