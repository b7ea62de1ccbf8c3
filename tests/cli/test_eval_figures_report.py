"""`advnets eval`, `figures`, `report`, `theory` and `reproduce` end to end on tiny runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from advnets.cli import app
from advnets.data.base import ImageDataset
from advnets.reporting.cache import load_or_train_classifier
from advnets.reporting.evaluate import METRICS, EvalContext, MetricRow, register_metric
from advnets.runs.trainer import TrainResult

runner = CliRunner()


@pytest.fixture(autouse=True)
def baseline_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("advnets.reporting.cache.cache_dir", lambda: tmp_path / "cache")


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_eval_writes_the_table_and_json(tiny_run: TrainResult) -> None:
    output = invoke("eval", str(tiny_run.run_dir), "--n-samples", "300", "--kmeans-iterations", "2")
    assert "Parzen" in output and "k-means" in output
    record = json.loads((tiny_run.run_dir / "eval.json").read_text())
    assert record["advnets_version"] and record["step"] == tiny_run.step
    assert record["protocol"]["n_samples"] == 300 and len(record["protocol"]["sigmas"]) == 10
    (parzen,) = [row for row in record["metrics"] if row["name"] == "parzen"]
    assert set(parzen["values"]) == {"gan", "train-images", "k-means"}
    assert parzen["details"]["gan"]["n_test"] == 250  # the digits test split


def test_a_registered_metric_gets_its_own_row(tiny_run: TrainResult) -> None:
    @register_metric("mean-pixel")
    def mean_pixel(context: EvalContext) -> MetricRow:
        return MetricRow("mean pixel", {s: float(x.mean()) for s, x in context.samples.items()})

    try:
        invoke("eval", str(tiny_run.run_dir), "--n-samples", "200", "--no-baselines")
        record = json.loads((tiny_run.run_dir / "eval.json").read_text())
        names = [row["name"] for row in record["metrics"]]
        assert names == ["parzen", "mean-pixel"]
    finally:
        METRICS.pop("mean-pixel")


def test_eval_all_checkpoints_writes_the_curve(tiny_run: TrainResult) -> None:
    invoke("eval", str(tiny_run.run_dir), "--all-checkpoints", "--n-samples", "200")
    points = json.loads((tiny_run.run_dir / "parzen_curve.json").read_text())["points"]
    assert [p["step"] for p in points] == sorted(p["step"] for p in points)
    assert {"valid_ll", "sigma", "test_ll", "test_stderr", "epoch"} <= set(points[-1])


def test_figures_and_report(tiny_run: TrainResult) -> None:
    output = invoke("figures", str(tiny_run.run_dir))
    names = {p.name for p in (tiny_run.run_dir / "figures").iterdir()}
    assert {"curves.png", "fig2_samples_nearest.png", "fig3_interpolation.png", "saturation.png"} <= names
    assert "wrote" in output
    invoke("report", str(tiny_run.run_dir))
    page = (tiny_run.run_dir / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 4 and "Configuration" in page
    assert "figures/fig2_samples_nearest.png" in (tiny_run.run_dir / "report.md").read_text()


def test_theory_runs_and_checks_the_identities(tmp_path: Path) -> None:
    before = torch.get_num_threads()
    try:
        output = invoke("theory", "--out", str(tmp_path), "--gan-steps", "40", "--d-steps", "100")
    finally:
        torch.set_num_threads(before)
    assert "Proposition 1" in output
    record = json.loads((tmp_path / "theory.json").read_text())
    assert all(abs(row["difference"]) < 1e-6 for row in record["theorem_1"])
    assert record["gan_jsd"][0]["step"] == 0 and record["gan_jsd"][-1]["step"] == 40
    assert {"fig1_panels.png", "fig1.gif", "jsd.png", "dstar.png"} <= {p.name for p in tmp_path.iterdir()}


def test_unknown_reproduction_is_a_clear_error() -> None:
    result = runner.invoke(app, ["reproduce", "tfd"])
    assert result.exit_code != 0
    assert "choose one of" in str(result.exception)


def test_reproduce_trains_evaluates_and_reports(tmp_path: Path) -> None:
    run_dir = tmp_path / "rep"
    output = invoke(
        "reproduce",
        "digits",
        "--run-dir",
        str(run_dir),
        "--epochs",
        "2",
        "--eval-every",
        "1",
        "--threads",
        "1",
    )
    assert "Parzen log-likelihood (test, 250 images)" in output
    points = json.loads((run_dir / "parzen_curve.json").read_text())["points"]
    assert [p["epoch"] for p in points] == [1, 2]
    assert len(list((run_dir / "checkpoints").iterdir())) == 2  # both curve points' checkpoints are kept
    assert (run_dir / "report.html").is_file() and (run_dir / "eval.json").is_file()


def test_eval_features_adds_fid_kid_precision_recall_rows(
    tiny_run: TrainResult, digits: ImageDataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked over seeds 0-4 of the 2-epoch run x 1 and 2 threads: FID of the training images 2.4 against
    G's 247.0-247.2, so the order has room; chance does not apply (an ordering of two scores)."""
    monkeypatch.setattr("advnets.reporting.cache.cache_root", lambda: tmp_path / "classifiers")
    # A cached 5-epoch classifier: eval's default for the digits (77 epochs) alone took about 25 s of CPU.
    load_or_train_classifier(digits, tmp_path / "classifiers", epochs=5)
    invoke("eval", str(tiny_run.run_dir), "--n-samples", "300", "--kmeans-iterations", "2", "--features")
    record = json.loads((tiny_run.run_dir / "eval.json").read_text())
    rows = {row["name"]: row for row in record["metrics"]}
    assert {"parzen", "fid", "kid", "precision", "recall"} <= rows.keys()
    fid = rows["fid"]["values"]
    # Real training images sit far closer to the test set than an untrained-for-long G's samples do.
    assert fid["train-images"] < fid["gan"]
    assert rows["fid"]["details"]["gan"]["n_samples"] == 300


def test_curve_reuses_checkpoints_already_scored(
    tiny_run: TrainResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke("eval", str(tiny_run.run_dir), "--all-checkpoints", "--n-samples", "150")
    before = json.loads((tiny_run.run_dir / "parzen_curve.json").read_text())["points"]

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scored checkpoint was scored again")

    monkeypatch.setattr("advnets.reporting.curve.checkpoint_point", fail)
    invoke("eval", str(tiny_run.run_dir), "--all-checkpoints", "--n-samples", "150")
    assert json.loads((tiny_run.run_dir / "parzen_curve.json").read_text())["points"] == before
