"""A seeded 1-D GAN really learns: p_g moves measurably toward p_data = N(4, 0.5^2)."""

import pytest
import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data import load_dataset
from advnets.data.toy import TOYS
from advnets.runs.training import build_game


@pytest.mark.parametrize("update", ["alternating", "simultaneous"])
def test_toy_1d_generator_moves_toward_data(update: str) -> None:
    """600 steps of the toy-1d preset bring p_g's mean near 4 and raise E_{p_g} log p_data a lot.

    The game oscillates (Adam on a tiny game), so after 600 steps p_g is near p_data but not on it: one seed
    still has p_g's spread at 1.3 against the data's 0.5. Checked over seeds 0-4 x 1 and 2 threads, both
    updates: |mean - 4| worst 0.355, threshold 0.75, chance (untrained G) 3.28 or more; E_{p_g} log p_data
    worst -3.76, threshold -6, chance -22.1 or less; its rise worst 21.5, threshold 10.
    """
    config = resolve_config("toy-1d", None, parse_assignments([f"game.update={update}"]))
    game = build_game(config, load_dataset("toy-gaussian-1d"))
    density = TOYS["toy-gaussian-1d"]

    def fit() -> tuple[float, float]:
        samples = game.sample(5000, torch.Generator().manual_seed(1)).double()
        return float(samples.mean()), float(density.log_prob(samples).mean())

    mean_before, loglik_before = fit()
    for _ in range(600):
        game.step()
    mean_after, loglik_after = fit()
    assert abs(mean_before - 4.0) > 2.0  # the untrained G starts far from the data
    assert abs(mean_after - 4.0) < 0.75
    # E_{p_g} log p_data rises toward its optimum E_{p_data} log p_data = -0.5 log(2 pi e 0.25) ~ -0.73.
    assert loglik_after > -6.0 and loglik_after > loglik_before + 10
