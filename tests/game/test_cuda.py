"""The same engine on a GPU: run where CUDA is available (bench/gpu.sh runs them first), skipped elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import advnets
from advnets.runs.training import train
from tests.conftest import tiny_config

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_a_run_trained_on_the_gpu_loads_and_samples_on_the_cpu(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    train(tiny_config("train.device=cuda"), tmp_path, dataset=digits)
    model = advnets.load(tmp_path)
    samples = model.sample(16)
    assert samples.device.type == "cpu" and samples.shape == (16, 1, 8, 8)
    assert torch.isfinite(samples).all() and samples.std() > 0


@pytest.mark.parametrize("update", ["simultaneous", "alternating"])
def test_a_gpu_step_matches_the_cpu_step_from_the_same_state(digits, update: str) -> None:  # type: ignore[no-untyped-def]
    """One step from identical weights, batch and noise: the parameters agree to float32 rounding."""
    from advnets.runs.training import build_game

    config = tiny_config(f"game.update={update}", "game.k=1")
    games = {}
    for device in ("cpu", "cuda"):
        torch.manual_seed(0)
        game = build_game(config, digits, device=device)
        for net in (game.generator, game.discriminator):
            net.eval()  # dropout off: its masks come from each device's own generator
        noise = torch.randn(256, config.generator.noise_dim)
        game.noise = lambda n, noise=noise, device=device: noise[:n].to(device)  # type: ignore[method-assign]
        game.step()
        games[device] = game
    for cpu, gpu in zip(
        games["cpu"].generator.parameters(), games["cuda"].generator.parameters(), strict=True
    ):
        torch.testing.assert_close(gpu.detach().cpu(), cpu.detach(), rtol=1e-4, atol=1e-5)
