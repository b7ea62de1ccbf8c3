"""game.loss=least-squares: LSGAN's losses (Mao et al. 2017, a = 0, b = c = 1) on D's raw output."""

from __future__ import annotations

import pytest
import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data import load_dataset
from advnets.data.toy import TOYS
from advnets.errors import AdvnetsError
from advnets.game.losses import discriminator_loss, discriminator_output, generator_loss
from advnets.runs.training import build_game


def test_least_squares_losses_match_lsgans_formula() -> None:
    """By hand: D's 1/2 mean (D(x) - 1)^2 + 1/2 mean D(G(z))^2, G's 1/2 mean (D(G(z)) - 1)^2."""
    real, fake = [2.0, -1.0, 0.25], [0.5, -3.0]
    d_expected = 0.5 * sum((v - 1) ** 2 for v in real) / 3 + 0.5 * sum(v**2 for v in fake) / 2
    g_expected = 0.5 * sum((v - 1) ** 2 for v in fake) / 2  # (0.125 + 8) / 2
    d = discriminator_loss(torch.tensor(real), torch.tensor(fake), "least-squares")
    assert d.item() == pytest.approx(d_expected, rel=1e-6)
    assert generator_loss(torch.tensor(fake), "least-squares").item() == pytest.approx(g_expected, rel=1e-6)
    assert g_expected == pytest.approx(4.0625)
    # D's gradient at a fake output l is l / B (zero at the code a = 0), G's is (l - 1) / B.
    point = torch.tensor(fake, requires_grad=True)
    (d_grad,) = torch.autograd.grad(discriminator_loss(torch.tensor(real), point, "least-squares"), point)
    assert d_grad.tolist() == pytest.approx([v / 2 for v in fake])
    (g_grad,) = torch.autograd.grad(generator_loss(point, "least-squares"), point)
    assert g_grad.tolist() == pytest.approx([(v - 1) / 2 for v in fake])


def test_least_squares_reads_d_raw_and_the_log_game_a_probability() -> None:
    logits = torch.tensor([-2.0, 0.0, 3.0])
    assert discriminator_output(logits, "least-squares").tolist() == [-2.0, 0.0, 3.0]
    assert discriminator_output(logits, "log").tolist() == pytest.approx(torch.sigmoid(logits).tolist())


def test_a_least_squares_toy_game_learns() -> None:
    """600 alternating steps of the toy-1d preset with LSGAN's losses bring p_g near N(4, 0.5^2), and D to
    LSGAN's equilibrium, D = 1/2 on both (D's loss 0.25).

    Checked over seeds 0-4: |mean - 4| worst 0.284, threshold 0.75, chance (untrained G) 3.28 or more;
    E_{p_g} log p_data worst -0.62, threshold -3, chance -22.1 or less; |mean D(x) - 1/2| worst 0.016,
    threshold 0.1. (The simultaneous order oscillates more: two seeds of five end with p_g's mean above 5.)
    """
    config = resolve_config(
        "toy-1d", None, parse_assignments(["game.update=alternating", "game.loss=least-squares"])
    )
    game = build_game(config, load_dataset("toy-gaussian-1d"))
    for _ in range(600):
        stats = game.step()
    samples = game.sample(5000, torch.Generator().manual_seed(1)).double()
    assert abs(float(samples.mean()) - 4.0) < 0.75
    assert float(TOYS["toy-gaussian-1d"].log_prob(samples).mean()) > -3.0
    assert abs(float(stats["d_real"]) - 0.5) < 0.1 and abs(float(stats["d_fake"]) - 0.5) < 0.1


def test_the_simultaneous_step_gives_g_the_gradient_of_its_least_squares_loss() -> None:
    """The simultaneous update moves both players from one pass; no shared-pass ratio exists for least
    squares, so G's gradient must be computed exactly: it equals autograd of 1/2 mean (D(G(z)) - 1)^2 taken
    directly, with the step's own z and D before its update (toy-1d's D has no dropout)."""
    assignments = ["game.update=simultaneous", "game.loss=least-squares"]
    config = resolve_config("toy-1d", None, parse_assignments(assignments))
    game = build_game(config, load_dataset("toy-gaussian-1d"))
    assert [move.player for move in game.moves] == ["D+G"]
    drawn: list[torch.Tensor] = []
    noise = game.noise
    game.noise = lambda n: drawn.append(noise(n)) or drawn[-1]  # type: ignore[method-assign]
    for phase in game.phases():
        if phase.stage == "gradient":
            break
    (z,) = drawn
    params = list(game.generator.parameters())
    loss = 0.5 * (game.discriminator(game.generator(z)).reshape(-1) - 1.0).pow(2).mean()
    expected = torch.autograd.grad(loss, params)
    for param, want in zip(params, expected, strict=True):
        assert param.grad is not None
        torch.testing.assert_close(param.grad, want, rtol=1e-5, atol=1e-7)


def test_a_log_generator_loss_under_least_squares_is_refused() -> None:
    with pytest.raises(AdvnetsError, match="game.generator_loss=saturating does nothing under game.loss"):
        resolve_config(
            "toy-1d", None, parse_assignments(["game.loss=least-squares", "game.generator_loss=saturating"])
        )


@pytest.mark.parametrize("variant", ["bigan", "semisup"])
def test_least_squares_is_refused_where_g_has_its_own_loss(variant: str) -> None:
    with pytest.raises(AdvnetsError, match=f"the {variant} variant's G takes a loss of its own"):
        resolve_config(f"digits-{variant}", None, parse_assignments(["game.loss=least-squares"]))
