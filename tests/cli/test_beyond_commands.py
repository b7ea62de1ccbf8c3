"""`advnets encode`, `inpaint` and `semisup` end to end on tiny runs, and their one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advnets.cli import app, main
from advnets.data.base import ImageDataset, Split
from advnets.metrics.classifier import accuracy
from advnets.reporting.cache import load_or_train_classifier
from advnets.reporting.variant_reports import class_judge
from advnets.runs.trainer import TrainResult

runner = CliRunner()


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def classifier_cache(digits: ImageDataset, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A cache holding a 5-epoch digits classifier (the default 77 epochs would outlast every other test)."""
    root = tmp_path_factory.mktemp("cache")
    classifier, _info = load_or_train_classifier(digits, root / "classifiers", epochs=5)
    test = digits["test"]
    assert test.labels is not None
    return root, accuracy(classifier, test.images[:50], test.labels[:50])


@pytest.fixture
def cached_classifier(classifier_cache: tuple[Path, float], monkeypatch: pytest.MonkeyPatch) -> float:
    """The commands' default classifier cache is that one; gives its accuracy on the first 50 test images."""
    root, first_50 = classifier_cache
    monkeypatch.setattr("advnets.reporting.cache.cache_root", lambda: root / "data")
    return first_50


def test_encode_fits_an_encoder_to_a_plain_run_and_scores_baselines(
    tiny_run: TrainResult, cached_classifier: float, tmp_path: Path
) -> None:
    """The 5-epoch judge's test accuracy, checked over seeds 0-4 x 1 and 2 threads: worst 0.864, threshold
    0.5, chance 0.1."""
    report = tmp_path / "encode.json"
    output = _invoke(
        "encode",
        str(tiny_run.run_dir),
        "-n",
        "50",
        "--fit-steps",
        "20",
        "--json",
        str(report),
        "--out",
        str(tmp_path / "encode.png"),
    )
    assert "fitted to the frozen G" in output
    assert "class kept judged by the CNN" in output
    record = json.loads(report.read_text())
    scores = record["scores"]
    assert set(scores) == {"original", "encode", "random-z", "nearest-train"}
    assert scores["original"]["mse"] == 0.0
    # The cached CNN judged, not a newly trained one: on the test images themselves it scores its accuracy.
    assert scores["original"]["class_kept"] == pytest.approx(100 * cached_classifier)
    judge = record["settings"]["classifier"]
    assert judge.startswith("CNN") and "5 epochs" in judge
    assert 0.5 < record["settings"]["classifier_test_accuracy"] <= 1
    assert (tmp_path / "encode.png").stat().st_size > 0


def test_inpaint_command_scores_completions_and_baselines(
    inpaint_run: TrainResult, cached_classifier: float, tmp_path: Path
) -> None:
    report = tmp_path / "inpaint.json"
    _invoke(
        "inpaint",
        str(inpaint_run.run_dir),
        "--mask",
        "right-half",
        "-n",
        "40",
        "--samples",
        "3",
        "--json",
        str(report),
        "--out",
        str(tmp_path / "inpaint.png"),
    )
    record = json.loads(report.read_text())
    scores = record["scores"]
    assert {"GAN (one completion)", "mean fill", "nearest neighbour"} <= set(scores)
    assert all(0 <= row["class_kept"] <= 100 for row in scores.values())
    assert "5 epochs" in record["settings"]["classifier"] and "classifier_test_accuracy" in record["settings"]
    assert (tmp_path / "inpaint.png").is_file()


def test_unlabelled_images_get_no_classifier(digits: ImageDataset) -> None:
    unlabelled = ImageDataset("unlabelled", {name: Split(digits[name].images) for name in ("train", "test")})
    classifier, settings = class_judge(unlabelled)
    assert classifier is None and "no labelled images" in settings["classifier"]


def test_semisup_command_runs_every_method(tiny_run: TrainResult, tmp_path: Path) -> None:
    report = tmp_path / "semisup.json"
    output = _invoke(
        "semisup",
        "--labels",
        "50",
        "--preset",
        "digits-semisup",
        "--seeds",
        "2",
        "--epochs",
        "1",
        "--probe",
        str(tiny_run.run_dir),
        "--out-dir",
        str(tmp_path / "runs"),
        "--json",
        str(report),
    )
    assert "±" in output
    summary = json.loads(report.read_text())["summary"]
    assert len(summary) == 4 and all(row["seeds"] == 2 for row in summary.values())
    assert (tmp_path / "runs" / "kplus1-n50-s1" / "config.yaml").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inpaint", "RUN", "--mask", "diagonal"], "unknown mask 'diagonal'"),
        (["semisup", "--labels", "55", "--preset", "digits-semisup"], "cannot be balanced over 10 classes"),
        (["semisup", "--labels", "2000", "--preset", "digits-semisup"], "cannot be balanced"),
        (["semisup", "--labels", "many"], "--labels must be a positive whole number or 'all'"),
    ],
)
def test_bad_masks_and_label_counts_fail_in_one_line(
    args: list[str],
    message: str,
    tiny_run: TrainResult,
    inpaint_run: TrainResult,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = {"RUN": str(tiny_run.run_dir), "INPAINT": str(inpaint_run.run_dir)}
    if args[0] == "inpaint" and "--mask" in args:
        paths["RUN"] = str(inpaint_run.run_dir)
    argv = [paths.get(a, a) for a in args]
    if args[0] == "semisup":
        argv += ["--out-dir", str(tmp_path), "--epochs", "1", "--seeds", "1", "--no-kplus1"]
    monkeypatch.setattr(sys, "argv", ["advnets", *argv])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    printed = capsys.readouterr().err.strip()
    assert message in printed.replace("\n", " ")
    assert printed.startswith("error:")
