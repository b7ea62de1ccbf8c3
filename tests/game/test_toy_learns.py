"""A seeded 1-D GAN really learns: p_g moves measurably toward p_data = N(4, 0.5^2)."""

import pytest
import torch

from advnets.data import load_dataset
from advnets.data.toy import TOYS
from advnets.runs.overrides import resolve_config
from advnets.runs.state import build_game


@pytest.mark.parametrize("update", ["alternating", "simultaneous"])
def test_toy_1d_generator_moves_toward_data(update: str) -> None:
    config = resolve_config("toy-1d", None, [f"game.update={update}"])
    game = build_game(config, load_dataset("toy-gaussian-1d"))
    density = TOYS["toy-gaussian-1d"]

    def fit() -> tuple[float, float]:
        samples = game.sample(5000, torch.Generator().manual_seed(1)).double()
        return float(samples.mean()), float(density.log_prob(samples).mean())

    mean_before, loglik_before = fit()
    for _ in range(600):
        game.step()
    mean_after, loglik_after = fit()
    assert abs(mean_after - 4.0) < 0.25 < abs(mean_before - 4.0)
    # E_{p_g} log p_data rises toward its optimum E_{p_data} log p_data = -0.5 log(2 pi e 0.25) ~ -0.73.
    assert loglik_after > -1.2 and loglik_after > loglik_before + 5
