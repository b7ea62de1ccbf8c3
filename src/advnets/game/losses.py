"""The players' losses, picked by name, computed from D's raw output (its logit l).

The paper's value function ("log"): D = sigmoid(l), computed with stable softplus (never log of a sigmoid):
-log D = softplus(-l) and -log(1 - D) = softplus(l). Least squares (Mao et al. 2017, LSGAN, with the codes
a = 0 for fake, b = c = 1 for real): the squared distance of l itself from those codes.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn.functional import softplus

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

# game.loss: the family of both players' losses; game.generator_loss picks G's within the log family.
LOSSES = ("log", "least-squares")
GENERATOR_LOSSES = ("non-saturating", "saturating")


def _log_d(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """0.5 * [BCE(D(x), 1) + BCE(D(G(z)), 0)]: D ascends V by descending this (the paper's code's scale)."""
    return 0.5 * (softplus(-real_logits).mean() + softplus(fake_logits).mean())


def _least_squares_d(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2] on D's raw output (LSGAN's equation 2, a = 0, b = 1)."""
    return 0.5 * ((real_logits - 1.0).pow(2).mean() + fake_logits.pow(2).mean())


D_LOSSES: dict[str, Loss] = {"log": _log_d, "least-squares": _least_squares_d}

G_LOSSES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    # minimise -E log D(G(z)) = softplus(-l): the paper's recommendation
    "non-saturating": lambda fake: softplus(-fake).mean(),
    # minimise E log(1 - D(G(z))) = -softplus(l): the minimax game as written
    "saturating": lambda fake: -softplus(fake).mean(),
    # minimise 1/2 E[(D(G(z)) - 1)^2] on D's raw output (LSGAN, c = 1)
    "least-squares": lambda fake: 0.5 * (fake - 1.0).pow(2).mean(),
}


def _known(kind: str, names: tuple[str, ...] | list[str]) -> None:
    if kind not in names:
        raise ValueError(f"unknown loss '{kind}'; choose one of {tuple(names)}")


def generator_loss_name(loss: str, generator_loss: str) -> str:
    """The name of G's loss in G_LOSSES for `game.loss` and `game.generator_loss`."""
    _known(loss, LOSSES)
    return "least-squares" if loss == "least-squares" else generator_loss


def discriminator_loss(
    real_logits: torch.Tensor, fake_logits: torch.Tensor, kind: str = "log"
) -> torch.Tensor:
    """D's loss on its raw outputs for real (B,) and generated (B,) rows; `kind` is a name in LOSSES."""
    _known(kind, LOSSES)
    return D_LOSSES[kind](real_logits, fake_logits)


def generator_loss(fake_logits: torch.Tensor, kind: str = "non-saturating") -> torch.Tensor:
    """G's loss on D's raw outputs for its samples (B,); `kind` is a name in G_LOSSES."""
    _known(kind, list(G_LOSSES))
    return G_LOSSES[kind](fake_logits)


def discriminator_output(logits: torch.Tensor, loss: str = "log") -> torch.Tensor:
    """What D says about x: the probability sigmoid(l) that x is real in the log game, l itself under least
    squares (which pulls it to 1 on real and 0 on generated data; its optimum is p_data / (p_data + p_g),
    Proposition 1's D* too, by LSGAN's Proposition 1 with a = 0, b = 1)."""
    _known(loss, LOSSES)
    return torch.sigmoid(logits) if loss == "log" else logits


def generator_to_discriminator_grad_ratio(fake_logits: torch.Tensor, kind: str) -> torch.Tensor:
    """Per sample, dL_G/dl divided by dL_D/dl on the fake logits (B,), for the log losses.

    dL_D/dl = sigmoid(l) / (2B); dL_G/dl = -sigmoid(-l) / B (non-saturating) or -sigmoid(l) / B (saturating).
    Because D's backward pass is linear in each row's upstream gradient, G's gradient at its samples is this
    ratio times the gradient that D's loss sends to them: one backward pass through D serves both players.
    (Least squares has none worth using: (l - 1) / l is unbounded near l = 0; it takes the exact pass.)
    """
    if kind == "non-saturating":
        return -2.0 * torch.exp(-fake_logits)
    if kind == "saturating":
        return torch.full_like(fake_logits, -2.0)
    raise ValueError(f"no shared-pass ratio for the loss '{kind}'; choose one of {GENERATOR_LOSSES}")


def value_estimate(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Minibatch estimate of V(D, G) = E log D(x) + E log(1 - D(G(z)))."""
    return -(softplus(-real_logits).mean() + softplus(fake_logits).mean())
