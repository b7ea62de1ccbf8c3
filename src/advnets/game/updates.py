"""One iteration of the game, in the two orders the paper describes. Both return detached statistics.

Every update takes a `Game` (advnets.game.loop) for its nets, optimisers, data and noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from advnets.game.losses import (
    discriminator_loss,
    generator_loss,
    generator_to_discriminator_grad_ratio,
)
from advnets.game.parallel import unwrap

if TYPE_CHECKING:
    from advnets.game.loop import Game

Stats = dict[str, torch.Tensor]

# Below this fake logit, D's loss sends G's samples gradients of order exp(logit): the shared backward pass
# would lose precision (float32), so that step takes a second, exact backward pass through D instead.
SHARED_BACKWARD_MIN_LOGIT = -50.0


def _stats(d_loss: torch.Tensor, g_loss: torch.Tensor, real: torch.Tensor, fake: torch.Tensor) -> Stats:
    return {
        "d_loss": d_loss.detach(),
        "g_loss": g_loss.detach(),
        "d_real": torch.sigmoid(real.detach()).mean(),
        "d_fake": torch.sigmoid(fake.detach()).mean(),
    }


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


def simultaneous_update(game: Game) -> Stats:
    """The paper's code: D's and G's gradients from one minibatch and one shared forward pass, both stepped.

    # (1) D: maximise log D(x) + log(1 - D(G(z)))      # (2) G: maximise log D(G(z))  (or the saturating form)
    G(z) is computed once, and D runs once on [x; G(z)] (2B rows, dropout on for both halves).
    """
    x, c_real, c_fake = game.next_real_batch()
    batch = x.shape[0]
    fake = game.generator(game.noise(batch), c_fake)  # (B, *sample_shape)
    fake_input = fake.detach().requires_grad_(True)
    logits = discriminate(game, x, fake_input, c_real, c_fake)  # (2B,)
    real_logits, fake_logits = logits[:batch], logits[batch:]
    d_loss = discriminator_loss(real_logits, fake_logits)
    kind = game.config.game.generator_loss
    game.opt_d.zero_grad(set_to_none=True)
    game.opt_g.zero_grad(set_to_none=True)
    # The per-row ratio below holds only when D treats rows independently; batch norm couples them, so a
    # variant that separates real and fake (for batch norm) takes the exact second backward pass instead.
    shared = not game.variant.separate_real_fake
    if shared and float(fake_logits.detach().min()) > SHARED_BACKWARD_MIN_LOGIT:
        d_loss.backward()  # D's parameter gradients, and D's loss gradient at G's samples
        ratio = generator_to_discriminator_grad_ratio(fake_logits.detach(), kind)
        assert fake_input.grad is not None
        fake.backward((fake_input.grad * ratio.view(-1, *[1] * (fake.dim() - 1))).to(fake.dtype))
    else:
        d_loss.backward(retain_graph=True, inputs=list(game.discriminator.parameters()))
        (g_grad,) = torch.autograd.grad(generator_loss(fake_logits, kind), fake_input)
        fake.backward(g_grad)
    game.opt_d.step()
    game.opt_g.step()
    return _stats(d_loss, generator_loss(fake_logits.detach(), kind), real_logits, fake_logits)


def alternating_update(game: Game) -> Stats:
    """Algorithm 1 as printed: k discriminator steps on fresh minibatches, then one generator step."""
    kind = game.config.game.generator_loss
    c_fake: torch.Tensor | None = None
    for _ in range(game.config.game.k):
        # (1) Update D: maximise log D(x) + log(1 - D(G(z))); G's samples are constants here.
        x, c_real, c_fake = game.next_real_batch()
        batch = x.shape[0]
        with torch.no_grad():
            fake = game.generator(game.noise(batch), c_fake)
        logits = discriminate(game, x, fake, c_real, c_fake)
        real_logits, fake_logits = logits[:batch], logits[batch:]
        d_loss = discriminator_loss(real_logits, fake_logits)
        game.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        game.opt_d.step()
    # (2) Update G: descend its loss through D, whose parameters receive no gradient. D is called unwrapped:
    # under DDP a wrapped call would wait for D's gradient all-reduce, which this backward never triggers.
    # `batch` is this process's share of the minibatch (all of it on one process).
    discriminator = unwrap(game.discriminator)
    fake_logits_g = discriminator(game.generator(game.noise(batch), c_fake), c_fake).float()
    g_loss = generator_loss(fake_logits_g, kind)
    game.opt_g.zero_grad(set_to_none=True)
    g_loss.backward(inputs=list(game.generator.parameters()))
    game.opt_g.step()
    return _stats(d_loss, g_loss, real_logits, fake_logits)


UPDATES = {"simultaneous": simultaneous_update, "alternating": alternating_update}
