"""`advnets sample --label` and `--per-class` on a small conditional run; `score_run` rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from advnets.cli import app
from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data.base import ImageDataset
from advnets.reporting.scoring import score_run
from advnets.runs.trainer import TrainResult
from advnets.runs.training import train


@pytest.fixture(scope="module")
def cgan_run(digits: ImageDataset, tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    config = resolve_config(
        "digits-cgan", None, parse_assignments(["train.progress=false", "train.threads=1", "train.epochs=1"])
    )
    return train(config, tmp_path_factory.mktemp("cgan"), dataset=digits)


def test_sample_one_label_and_a_grid_of_classes(cgan_run: TrainResult, tmp_path: Path) -> None:
    runner = CliRunner()
    npy = tmp_path / "sevens.npy"
    result = runner.invoke(
        app, ["sample", str(cgan_run.run_dir), "--label", "7", "-n", "5", "--npy", str(npy)]
    )
    assert result.exit_code == 0, result.output
    assert np.load(npy).shape == (5, 1, 8, 8)
    grid = tmp_path / "rows.png"
    result = runner.invoke(app, ["sample", str(cgan_run.run_dir), "--per-class", "3", "--out", str(grid)])
    assert result.exit_code == 0 and grid.is_file()
    from PIL import Image

    # 10 rows of 3 digits, 8 pixels plus a 1-pixel border each, enlarged twice.
    assert Image.open(grid).size == (2 * (3 * 9 + 1), 2 * (10 * 9 + 1))


def test_label_out_of_range_is_refused(cgan_run: TrainResult) -> None:
    import advnets
    from advnets.errors import AdvnetsError

    model = advnets.load(cgan_run.run_dir)
    with pytest.raises(AdvnetsError, match=r"0\.\.9"):
        model.labels_for(10, 3)


def test_score_run_gives_reference_and_model_rows(cgan_run: TrainResult, tmp_path: Path) -> None:
    """Checked over seeds 0-4 x 1 and 2 threads (the 1-epoch run): FID of the real rows 3.5 against the
    run's 243-246, so the order has room; chance does not apply (an ordering of two scores)."""
    rows = score_run(cgan_run.run_dir, n=200, seed=1, cache_dir=tmp_path, classifier_epochs=5)
    assert [r["name"].split()[0] for r in rows] == ["real", "digits-cgan"]
    assert all(r["n_samples"] == 200 and r["seed"] == 1 and r["reference"] == "digits test" for r in rows)
    assert rows[0]["fid"] < rows[1]["fid"]  # one epoch of training is far from the real data
    assert "class_consistency" in rows[1]
