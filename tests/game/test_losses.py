import math

import pytest
import torch

from advnets.game.losses import (
    discriminator_loss,
    generator_loss,
    generator_to_discriminator_grad_ratio,
    value_estimate,
)


def sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


def test_discriminator_loss_is_half_the_two_bce_terms() -> None:
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    expected = 0.5 * (
        -(math.log(sigmoid(2.0)) + math.log(sigmoid(-1.0))) / 2
        - (math.log(1 - sigmoid(0.5)) + math.log(1 - sigmoid(-3.0))) / 2
    )
    assert discriminator_loss(real, fake).item() == pytest.approx(expected, rel=1e-6)


def test_generator_losses_by_hand() -> None:
    fake = torch.tensor([0.5, -3.0])
    saturating = (math.log(1 - sigmoid(0.5)) + math.log(1 - sigmoid(-3.0))) / 2
    non_saturating = -(math.log(sigmoid(0.5)) + math.log(sigmoid(-3.0))) / 2
    assert generator_loss(fake, "saturating").item() == pytest.approx(saturating, rel=1e-6)
    assert generator_loss(fake, "non-saturating").item() == pytest.approx(non_saturating, rel=1e-6)


def test_losses_stay_finite_at_extreme_logits() -> None:
    extreme = torch.tensor([-200.0, 200.0], requires_grad=True)
    for loss in (
        discriminator_loss(extreme, extreme),
        generator_loss(extreme),
        value_estimate(extreme, extreme),
    ):
        assert torch.isfinite(loss)
        (grad,) = torch.autograd.grad(loss, extreme)
        assert torch.isfinite(grad).all()


@pytest.mark.parametrize("kind", ["non-saturating", "saturating"])
def test_grad_ratio_equals_autograd_ratio(kind: str) -> None:
    logits = torch.tensor([-20.0, -3.0, 0.0, 4.0], dtype=torch.float64, requires_grad=True)
    (d_grad,) = torch.autograd.grad(discriminator_loss(torch.zeros(4, dtype=torch.float64), logits), logits)
    (g_grad,) = torch.autograd.grad(generator_loss(logits, kind), logits)
    ratio = generator_to_discriminator_grad_ratio(logits.detach(), kind)
    assert torch.allclose(ratio, g_grad / d_grad, rtol=1e-10)


def test_saturating_loss_gives_vanishing_gradient_when_d_rejects_samples() -> None:
    logits = torch.tensor([-8.0], requires_grad=True)  # D(G(z)) ~ 3e-4: early training
    (sat,) = torch.autograd.grad(generator_loss(logits, "saturating"), logits)
    (non_sat,) = torch.autograd.grad(generator_loss(logits, "non-saturating"), logits)
    assert abs(sat.item()) < 1e-3 < 0.99 < abs(non_sat.item())
