"""The paper's moves (its value function) and the two orders it describes them in.

The moves plug into the one phase sequence of advnets.game.phases; every function takes a `Game`
(advnets.game.loop) for its nets, optimisers, data and noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from advnets.game.devices import HostFlag
from advnets.game.losses import (
    GENERATOR_LOSSES,
    discriminator_loss,
    discriminator_output,
    generator_loss,
    generator_loss_name,
    generator_to_discriminator_grad_ratio,
)
from advnets.game.parallel import unwrap
from advnets.game.phases import Batch, Move, Objective, Stats

if TYPE_CHECKING:
    from advnets.game.loop import Game

# Below this fake logit, D's loss sends G's samples gradients of order exp(logit): the shared backward pass
# would lose precision (float32), so that step takes a second, exact backward pass through D instead.
SHARED_BACKWARD_MIN_LOGIT = -50.0


def _cat(a: torch.Tensor | None, b: torch.Tensor | None) -> torch.Tensor | None:
    return None if a is None or b is None else torch.cat([a, b])


def discriminate(
    game: Game, x: torch.Tensor, fake: torch.Tensor, c_real: torch.Tensor | None, c_fake: torch.Tensor | None
) -> torch.Tensor:
    """D's logits (2B,) for [x; fake]: one call on the concatenation, or two calls when the variant asks.

    Two calls keep batch-norm statistics of real and fake rows apart (as the DCGAN reference does).
    """
    # .float(): under bf16 autocast the losses and the gradient ratio still work in float32.
    if game.variant.separate_real_fake:
        return torch.cat([game.discriminator(x, c_real), game.discriminator(fake, c_fake)]).float()
    return game.discriminator(torch.cat([x, fake]), _cat(c_real, c_fake)).float()


def g_loss_name(game: Game) -> str:
    """G's loss, by its name in advnets.game.losses.G_LOSSES, for the game's config."""
    return generator_loss_name(game.config.game.loss, game.config.game.generator_loss)


def d_loss(game: Game, batch: Batch, logits: torch.Tensor) -> tuple[torch.Tensor, Stats]:
    """D's loss on logits (2B,) of [real; fake] rows, with D's statistics (the mean D(x) and D(G(z)), D's
    output as advnets.game.losses.discriminator_output reads it)."""
    real, fake = logits.split(len(logits) // 2)
    kind = game.config.game.loss
    loss = discriminator_loss(real, fake, kind)
    return loss, {
        "d_loss": loss.detach(),
        "d_real": discriminator_output(real.detach(), kind).mean(),
        "d_fake": discriminator_output(fake.detach(), kind).mean(),
    }


# (1) Update D: maximise log D(x) + log(1 - D(G(z))) (or descend LSGAN's squares); G's samples are
# constants here.


def _sample_for_d(game: Game, previous: Batch | None) -> Batch:
    x, c_real, c_fake = game.next_real_batch()
    with torch.no_grad():
        fake = game.generator(game.noise(x.shape[0]), c_fake)
    return Batch(x, fake, c_real, c_fake)


def _classify_for_d(game: Game, batch: Batch) -> torch.Tensor:
    assert batch.real is not None and batch.fake is not None
    return discriminate(game, batch.real, batch.fake, batch.c_real, batch.c_fake)  # (2B,)


# (2) Update G: descend its loss through D, whose parameters receive no gradient.


def _sample_for_g(game: Game, previous: Batch | None) -> Batch:
    """G's samples on fresh noise, as many as D's last minibatch (this process's share of it) and under its
    condition; `previous` is D's last move or, from G's second step in an iteration on, G's own."""
    assert previous is not None and previous.fake is not None
    fake = game.generator(game.noise(previous.fake.shape[0]), previous.c_fake)
    return Batch(fake=fake, c_fake=previous.c_fake)


def _classify_for_g(game: Game, batch: Batch) -> torch.Tensor:
    # D unwrapped: under DDP a wrapped call would wait for D's gradient all-reduce, which G's backward
    # pass (restricted to G's parameters) never triggers.
    assert batch.fake is not None
    return unwrap(game.discriminator)(batch.fake, batch.c_fake).float()


def g_loss(game: Game, batch: Batch, logits: torch.Tensor) -> tuple[torch.Tensor, Stats]:
    loss = generator_loss(logits, g_loss_name(game))
    return loss, {"g_loss": loss.detach()}


# (1) and (2) at once, as the paper's code runs them: one minibatch, G(z) computed once, D run once on
# [x; G(z)] (2B rows, dropout on for both halves), and one backward pass through D for both players.


def _sample_for_both(game: Game, previous: Batch | None) -> Batch:
    x, c_real, c_fake = game.next_real_batch()
    fake = game.generator(game.noise(x.shape[0]), c_fake)  # (B, *sample_shape), G's graph kept
    # D's backward pass stops at this leaf; the gradient it leaves there, rescaled, is G's.
    return Batch(x, fake, c_real, c_fake, {"fake_input": fake.detach().requires_grad_(True)})


def _classify_for_both(game: Game, batch: Batch) -> torch.Tensor:
    assert batch.real is not None
    return discriminate(game, batch.real, batch.more["fake_input"], batch.c_real, batch.c_fake)


def _both_losses(game: Game, batch: Batch, logits: torch.Tensor) -> tuple[torch.Tensor, Stats]:
    loss, stats = d_loss(game, batch, logits)
    fake_logits = logits[len(logits) // 2 :].detach()
    return loss, {**stats, "g_loss": generator_loss(fake_logits, g_loss_name(game))}


def shared_backward(game: Game, batch: Batch, logits: torch.Tensor, loss: torch.Tensor) -> None:
    """D's gradients from D's loss, and G's from the same backward pass through D, rescaled per row.

    The per-row ratio holds only when D treats rows independently; batch norm couples them, so a variant
    that separates real and fake (for batch norm) takes the exact second backward pass through D instead,
    as do the least-squares losses (no usable ratio) and a step with a fake logit below
    SHARED_BACKWARD_MIN_LOGIT.
    """
    assert batch.fake is not None
    fake, fake_input = batch.fake, batch.more["fake_input"]
    fake_logits = logits[len(logits) // 2 :]
    kind = g_loss_name(game)
    if game.variant.separate_real_fake or kind not in GENERATOR_LOSSES:
        loss.backward(retain_graph=True, inputs=list(game.discriminator.parameters()))
        exact = True
    else:
        # Queued before D's backward pass, so that on a GPU the host reads it while that pass runs.
        shared = HostFlag(fake_logits.detach().min() > SHARED_BACKWARD_MIN_LOGIT)
        loss.backward(retain_graph=True)  # D's parameter gradients, and D's loss gradient at G's samples
        exact = not shared
    if exact:
        (g_grad,) = torch.autograd.grad(generator_loss(fake_logits, kind), fake_input)
        fake.backward(g_grad)
        return
    ratio = generator_to_discriminator_grad_ratio(fake_logits.detach(), kind)
    assert fake_input.grad is not None
    fake.backward((fake_input.grad * ratio.view(-1, *[1] * (fake.dim() - 1))).to(fake.dtype))


D_MOVE = Move("D", ("d",), _sample_for_d, _classify_for_d, d_loss, minibatches=1)
G_MOVE = Move("G", ("g",), _sample_for_g, _classify_for_g, g_loss, own_gradients_only=True)
BOTH_MOVE = Move(
    "D+G", ("d", "g"), _sample_for_both, _classify_for_both, _both_losses, 1, backward=shared_backward
)
PAPER = Objective(D_MOVE, G_MOVE, shared=BOTH_MOVE)


class UpdateRule:
    """An order of the players' moves in one step; `minibatches` is what one step draws from the data."""

    name = ""

    def moves(self, objective: Objective, k: int, g_steps: int = 1) -> list[Move]:
        raise NotImplementedError

    def minibatches(self, objective: Objective, k: int, g_steps: int = 1) -> int:
        """Real minibatches one step consumes: the one number every count of steps per epoch reads."""
        return sum(move.minibatches for move in self.moves(objective, k, g_steps))


class Simultaneous(UpdateRule):
    """The paper's code: both players from one minibatch (D then G where the losses allow no shared pass)."""

    name = "simultaneous"

    def moves(self, objective: Objective, k: int, g_steps: int = 1) -> list[Move]:
        both = [objective.shared] if objective.shared else [objective.d, *_optional(objective.g)]
        return [*both, *objective.extra]


class Alternating(UpdateRule):
    """Algorithm 1 as printed: k D moves on fresh minibatches, then one G move (or `g_steps` G moves)."""

    name = "alternating"

    def moves(self, objective: Objective, k: int, g_steps: int = 1) -> list[Move]:
        return [*[objective.d] * k, *_optional(objective.g) * g_steps, *objective.extra]


def _optional(move: Move | None) -> list[Move]:
    return [] if move is None else [move]


UPDATES: dict[str, UpdateRule] = {"simultaneous": Simultaneous(), "alternating": Alternating()}
