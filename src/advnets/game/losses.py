"""The value function's terms, computed from D's logits with stable softplus (never log of a sigmoid).

With l = logit and D = sigmoid(l): -log D = softplus(-l) and -log(1 - D) = softplus(l).
"""

from __future__ import annotations

import torch
from torch.nn.functional import softplus

GENERATOR_LOSSES = ("non-saturating", "saturating")


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """0.5 * [BCE(D(x), 1) + BCE(D(G(z)), 0)]: D ascends V by descending this (the paper's code's scale)."""
    return 0.5 * (softplus(-real_logits).mean() + softplus(fake_logits).mean())


def generator_loss(fake_logits: torch.Tensor, kind: str = "non-saturating") -> torch.Tensor:
    """G's loss on its samples' logits.

    saturating:     minimise  E log(1 - D(G(z))) = -softplus(l)   (the minimax game as written)
    non-saturating: minimise -E log D(G(z))      =  softplus(-l)  (the paper's recommendation)
    """
    if kind == "non-saturating":
        return softplus(-fake_logits).mean()
    if kind == "saturating":
        return -softplus(fake_logits).mean()
    raise ValueError(f"unknown generator loss '{kind}'; choose one of {GENERATOR_LOSSES}")


def generator_to_discriminator_grad_ratio(fake_logits: torch.Tensor, kind: str) -> torch.Tensor:
    """Per sample, dL_G/dl divided by dL_D/dl on the fake logits (B,).

    dL_D/dl = sigmoid(l) / (2B); dL_G/dl = -sigmoid(-l) / B (non-saturating) or -sigmoid(l) / B (saturating).
    Because D's backward pass is linear in each row's upstream gradient, G's gradient at its samples is this
    ratio times the gradient that D's loss sends to them: one backward pass through D serves both players.
    """
    if kind == "non-saturating":
        return -2.0 * torch.exp(-fake_logits)
    if kind == "saturating":
        return torch.full_like(fake_logits, -2.0)
    raise ValueError(f"unknown generator loss '{kind}'; choose one of {GENERATOR_LOSSES}")


def value_estimate(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Minibatch estimate of V(D, G) = E log D(x) + E log(1 - D(G(z)))."""
    return -(softplus(-real_logits).mean() + softplus(fake_logits).mean())
