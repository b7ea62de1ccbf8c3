"""The library's own errors say what is true, on one line: run paths, config syntax, devices, memory."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

import advnets
from advnets.config.overrides import parse_assignments, read_config_file, resolve_config
from advnets.errors import AdvnetsError
from advnets.game.noise import sample_noise
from advnets.runs import memory
from advnets.runs.device import resolve_device, set_threads
from advnets.runs.model import SAMPLE_CHUNK, TrainedModel, class_rows
from advnets.runs.rundir import RunDir
from advnets.runs.trainer import TrainResult


def one_line_error(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(AdvnetsError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    message = str(caught.value)
    assert "\n" not in message, message
    return message


def test_a_file_is_not_a_run_and_a_missing_run_does_not_exist(tmp_path: Path) -> None:
    a_file, missing, empty = tmp_path / "notes.txt", tmp_path / "missing", tmp_path / "empty"
    a_file.write_text("")
    empty.mkdir()
    for load in (advnets.load, lambda p: RunDir(p).load_config(), lambda p: RunDir(p).latest_checkpoint()):
        assert f"{a_file} is a file, not a run directory" in one_line_error(load, a_file)
        assert f"run directory {missing} does not exist" in one_line_error(load, missing)
    assert "is not an advnets run (no config.yaml, no checkpoints)" in one_line_error(advnets.load, empty)
    (empty / "config.yaml").write_text("preset: digits-mlp\n")
    assert "has no checkpoint yet" in one_line_error(advnets.load, empty)


def test_yaml_syntax_errors_are_one_line_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("game:\n  k: [1\n")
    message = one_line_error(read_config_file, bad)
    assert message.startswith(f"config file {bad} is not valid YAML: ") and "line 3, column 1" in message
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.yaml").write_text("a: b: c\n")
    assert (
        "config.yaml is not valid YAML (mapping values are not allowed here at line 1, column 5)"
        in one_line_error(RunDir(run).load_config)
    )
    toml = tmp_path / "bad.toml"
    toml.write_text("x = \n")
    assert "is not valid TOML" in one_line_error(read_config_file, toml)
    assert "is a folder, not a file" in one_line_error(read_config_file, tmp_path)


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "cuda:-1", "CPU", "cuda:0:1", ""])
def test_device_names_are_checked_before_anything_is_read(name: str, tiny_run: TrainResult) -> None:
    assert f"'{name}' is not a device; use cpu, cuda, cuda:N" in one_line_error(resolve_device, name)
    assert "is not a device" in one_line_error(advnets.load, tiny_run.run_dir, device=name)
    assert "bad config value train.device" in one_line_error(
        resolve_config, "digits-mlp", None, parse_assignments([f"train.device={name}"])
    )


def test_a_gpu_index_this_machine_lacks_is_refused() -> None:
    count = torch.cuda.device_count()
    message = one_line_error(resolve_device, f"cuda:{count}")
    assert ("no CUDA GPU is available" if count == 0 else f"this machine has {count} CUDA GPU(s)") in message
    assert resolve_device("cpu") == torch.device("cpu")


def test_thread_counts_past_the_limit_are_refused() -> None:
    """10**6 threads crash torch's thread pool (a segfault, no message); the limit refuses them first."""
    assert "threads must be between 0 (one per core) and 1024, not 1000000" in one_line_error(
        set_threads, 10**6
    )
    assert "bad config value train.threads=5000" in one_line_error(
        resolve_config, "digits-mlp", None, parse_assignments(["train.threads=5000"])
    )


def test_sampling_more_than_memory_holds_is_refused_with_the_size(
    tiny_run: TrainResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = advnets.load(tiny_run.run_dir)
    noise_dim = model.config.generator.noise_dim
    n = 100_000_000
    needed = n * (math.prod(model.info.sample_shape) + noise_dim) * 4  # float32 samples and noise
    monkeypatch.setattr(memory, "available_memory", lambda: needed - 1)
    message = one_line_error(model.sample, n)
    assert f"{n:,} samples of shape (1, 8, 8) would need {needed / 1e9:.1f} GB of memory" in message
    assert f"ask for at most {n - 1:,}" in message
    monkeypatch.setattr(memory, "available_memory", lambda: needed)
    assert model.require_memory(n) is None  # exactly enough is enough


def test_labels_for_many_samples_are_refused_before_they_are_allocated(
    tiny_run: TrainResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = advnets.load(tiny_run.run_dir)
    assert "drop --per-class" in one_line_error(class_rows, model, 3)
    assert "drop --label" in one_line_error(model.labels_for, 3, 5)


def test_chunked_sampling_matches_one_pass_of_g(tiny_run: TrainResult) -> None:
    """G runs SAMPLE_CHUNK samples at a time; the result must be G applied to all the noise at once."""
    model: TrainedModel = advnets.load(tiny_run.run_dir)
    n = 2 * SAMPLE_CHUNK + 17
    samples = model.sample(n, seed=5)
    cfg = model.config.generator
    z = sample_noise(n, cfg.noise_dim, cfg.noise, "cpu", torch.Generator().manual_seed(5))
    with torch.no_grad():
        whole = model.generator(z, None)
    assert samples.shape == (n, 1, 8, 8)
    torch.testing.assert_close(samples, whole, rtol=0, atol=1e-6)


def test_format_bytes_picks_the_unit() -> None:
    assert memory.format_bytes(313_600_000_000) == "313.6 GB"
    assert memory.format_bytes(2_500_000) == "2.5 MB"
    assert memory.format_bytes(1.5e13) == "15.0 TB"
    assert memory.format_bytes(12) == "12 bytes"


def test_seeds_past_what_the_generators_accept_are_refused() -> None:
    """torch.manual_seed(10**20) raises an overflow traceback; the config refuses the value instead."""
    message = one_line_error(resolve_config, "digits-mlp", None, parse_assignments([f"train.seed={10**20}"]))
    assert "bad config value train.seed=100000000000000000000" in message
