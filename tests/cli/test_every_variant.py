"""`figures`, `report`, `sample`, `encode` and `inpaint` on a tiny run of every variant, through the CLI.

Each command loads the run through the one loader (`advnets.load`), which applies the variant's condition
and prior; before it, `figures` called G(z) without a condition and failed on conditional, inpainting and
BiGAN runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

import advnets
from advnets.cli import app, main
from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data import load_dataset
from advnets.reporting.figures import FigureOptions, samples_with_neighbours
from advnets.runs.training import train
from advnets.variants import VARIANTS
from tests.conftest import tiny_config

# Conv nets need images of at least 16x16: the digits zero-padded, and D without maxout.
CONV = (
    "generator.kind=dcgan",
    "discriminator.kind=dcgan",
    "generator.width=8",
    "discriminator.width=8",
    "generator.activation=relu",
    "discriminator.activation=leaky_relu",
    "generator.output_bias_from_data=false",
    "data.image_size=16",
)
RUNS: dict[str, tuple[str, ...]] = {
    "gan": (),
    "cgan": (),
    "dcgan": CONV,
    "cdcgan": CONV,
    "inference": ("inference.hidden=[32]",),
    "bigan": ("inference.hidden=[32]",),
    "inpaint": (),
    "semisup": ("semisup.labels=100",),
}
runner = CliRunner()


def test_every_registered_variant_has_a_tiny_run() -> None:
    assert set(RUNS) == set(VARIANTS)


@pytest.fixture(scope="module", params=sorted(RUNS))
def run_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One epoch (25 steps) of the variant on the digits."""
    variant = request.param
    config = tiny_config(f"variant={variant}", "train.epochs=1", *RUNS[variant])
    data = config.data
    dataset = load_dataset(data.name, None, data.image_size, data.channels)
    return train(config, tmp_path_factory.mktemp(variant), dataset=dataset).run_dir


def invoke(*args: str | Path) -> str:
    result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_on_the_variant(run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No classifier judges "class kept" here (tests/cli/test_beyond_commands.py checks that column): training
    # one for the 8x8 and the 16x16 digits would double the time of this test.
    unjudged = (None, {"classifier": "none (not judged in this test)"})
    monkeypatch.setattr("advnets.reporting.variant_reports.class_judge", lambda *args: unjudged)
    invoke("figures", run_dir)
    names = {p.name for p in (run_dir / "figures").iterdir()}
    assert names == {"curves.png", "fig2_samples_nearest.png", "fig3_interpolation.png", "saturation.png"}
    model = advnets.load(run_dir)
    if model.variant.conditional:  # Figure 2 draws one class per row: 10 rows of 1-pixel-bordered digits
        picture = samples_with_neighbours(model, FigureOptions(columns=3)).axes[0].images[0].get_array()
        assert picture is not None and picture.shape[0] == 10 * (model.info.sample_shape[-1] + 1) + 1

    invoke("report", run_dir)
    assert (run_dir / "report.html").read_text().count("data:image/png;base64,") == 4

    grid, npy = tmp_path / "sample.png", tmp_path / "sample.npy"
    invoke("sample", run_dir, "-n", "6", "--out", grid, "--npy", npy)
    assert Image.open(grid).size[0] > 0 and npy.is_file()

    encode = tmp_path / "encode.json"
    invoke("encode", run_dir, "-n", "20", "--fit-steps", "5", "--json", encode, "--out", tmp_path / "e.png")
    record = json.loads(encode.read_text())
    assert set(record["scores"]) == {"original", "encode", "random-z", "nearest-train"}
    own = "trained with" if "encoder" in model.players else "fitted to the frozen G"
    assert record["settings"]["encoder"].startswith(own)
    assert ("class" in record["settings"]["decoder"]) == model.variant.conditional
    assert (tmp_path / "e.png").is_file()

    inpaint = tmp_path / "inpaint.json"
    invoke(
        "inpaint",
        run_dir,
        "-n",
        "10",
        "--samples",
        "2",
        "--search-steps",
        "3",
        "--json",
        inpaint,
        "--out",
        tmp_path / "i.png",
    )
    record = json.loads(inpaint.read_text())
    assert {"GAN (one completion)", "mean fill", "nearest neighbour"} <= set(record["scores"])
    assert (tmp_path / "i.png").is_file()


def test_inpaint_on_points_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one command that cannot mean anything for a run: masks hide pixels, and a 1-D toy run has none."""
    # SGD, not the preset's Adam: the first Adam of a process imports torch._dynamo, seconds of CPU.
    config = resolve_config(
        "toy-1d", None, parse_assignments(["optim.name=sgd", "train.progress=false", "train.threads=1"])
    )
    run = train(config, tmp_path / "toy", dataset=load_dataset(config.data.name), max_steps=5).run_dir
    monkeypatch.setattr(sys, "argv", ["advnets", "inpaint", str(run)])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: masks need image data (C, H, W)")
