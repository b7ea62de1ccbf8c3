"""Algorithm 1 cut into the sub-steps a student can watch: sample, classify, loss, gradient, step.

Whole iterations go through the engine's own `Game.step()`. To stop *inside* an iteration, this module
replays the engine's alternating update (advnets.game.updates.alternating_update) from the Game's public
pieces (its nets, optimisers, minibatches, noise, and advnets.game.losses), pausing after each sub-step.
It makes the same calls in the same order, so an iteration stepped here leaves the game exactly where
`Game.step()` would (tests/lab/test_substeps.py checks this parameter for parameter).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from advnets.game.loop import Game
from advnets.game.losses import discriminator_loss, generator_loss
from advnets.game.optim import apply_schedule

STAGES = ("sample", "classify", "loss", "gradient", "step")

EXPLAIN = {
    ("D", "sample"): "D update: draw a minibatch of m real examples x and m noise samples z, and G(z)",
    ("D", "classify"): "D update: D scores the real and the generated samples",
    ("D", "loss"): "D update: D's loss -[log D(x) + log(1 - D(G(z)))] / 2 on the minibatch",
    ("D", "gradient"): "D update: backpropagate to D's parameters (G's samples are constants here)",
    ("D", "step"): "D update: the optimiser moves D's parameters to ascend V(D, G)",
    ("G", "sample"): "G update: draw m noise samples z and make G(z)",
    ("G", "classify"): "G update: D scores G's samples",
    ("G", "loss"): "G update: G's loss on D's scores (saturating or non-saturating)",
    ("G", "gradient"): "G update: backpropagate through D (frozen) into G's parameters",
    ("G", "step"): "G update: the optimiser moves G's parameters; the iteration is complete",
}


@dataclass
class Phase:
    """Where a paused iteration stands: which player, which sub-step, and the minibatch it works on."""

    player: str  # "D" or "G"
    stage: str  # one of STAGES
    update: int  # which D update (0..k-1) this is; k for G's update
    real: torch.Tensor | None = None  # (m, d) the real minibatch (D updates)
    fake: torch.Tensor | None = None  # (m, d) G's samples in this update
    loss: float | None = None
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def explanation(self) -> str:
        return EXPLAIN[(self.player, self.stage)]


def iteration_phases(game: Game) -> Iterator[Phase]:
    """One alternating iteration (k D updates, one G update), yielding after every sub-step.

    Exhausting the iterator leaves the game as one `Game.step()` would (update order "alternating").
    The final Phase carries the iteration's statistics (as Game.step() returns them) in `extra`.
    """
    for optimizer in (game.opt_g, game.opt_d):
        apply_schedule(optimizer, game.config.optim, game.step_count, game.epoch)
    kind = game.config.game.generator_loss
    k = game.config.game.k
    c_fake: torch.Tensor | None = None
    d_loss = torch.tensor(0.0)
    real_logits = fake_logits = torch.zeros(1)
    for update in range(k):
        # (1) Update D: maximise log D(x) + log(1 - D(G(z))); G's samples are constants here.
        x, c_real, c_fake = game.next_real_batch()
        batch = x.shape[0]
        with torch.no_grad():
            fake = game.generator(game.noise(batch), c_fake)
        yield Phase("D", "sample", update, real=x.detach(), fake=fake.detach())
        c_both = None if c_real is None or c_fake is None else torch.cat([c_real, c_fake])
        logits = game.discriminator(torch.cat([x, fake]), c_both)
        real_logits, fake_logits = logits[:batch], logits[batch:]
        yield Phase("D", "classify", update, real=x.detach(), fake=fake.detach())
        d_loss = discriminator_loss(real_logits, fake_logits)
        yield Phase("D", "loss", update, real=x.detach(), fake=fake.detach(), loss=float(d_loss.detach()))
        game.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        yield Phase("D", "gradient", update, real=x.detach(), fake=fake.detach(), loss=float(d_loss.detach()))
        game.opt_d.step()
        yield Phase("D", "step", update, real=x.detach(), fake=fake.detach(), loss=float(d_loss.detach()))
    # (2) Update G: descend its loss through D, whose parameters receive no gradient.
    batch = game.config.game.batch_size
    fake_g = game.generator(game.noise(batch), c_fake)
    yield Phase("G", "sample", k, fake=fake_g.detach())
    fake_logits_g = game.discriminator(fake_g, c_fake)
    yield Phase("G", "classify", k, fake=fake_g.detach())
    g_loss = generator_loss(fake_logits_g, kind)
    yield Phase("G", "loss", k, fake=fake_g.detach(), loss=float(g_loss.detach()))
    game.opt_g.zero_grad(set_to_none=True)
    g_loss.backward(inputs=list(game.generator.parameters()))
    yield Phase("G", "gradient", k, fake=fake_g.detach(), loss=float(g_loss.detach()))
    game.opt_g.step()
    game.step_count += 1
    stats = {
        "d_loss": float(d_loss.detach()),
        "g_loss": float(g_loss.detach()),
        "d_real": float(torch.sigmoid(real_logits.detach()).mean()),
        "d_fake": float(torch.sigmoid(fake_logits.detach()).mean()),
    }
    yield Phase("G", "step", k, fake=fake_g.detach(), loss=float(g_loss.detach()), extra=stats)


class SubStepper:
    """Advances a game by one sub-step, one player's update, or to the end of the current iteration."""

    def __init__(self, game: Game) -> None:
        self.game = game
        self._phases: Iterator[Phase] | None = None
        self.current: Phase | None = None

    @property
    def mid_iteration(self) -> bool:
        """True while an iteration has started here and not finished (Game.step() must wait)."""
        return self._phases is not None

    def substep(self) -> Phase:
        if self._phases is None:
            self._phases = iteration_phases(self.game)
        phase = next(self._phases)
        self.current = phase
        if phase.player == "G" and phase.stage == "step":
            self._phases = None
        return phase

    def update(self) -> Phase:
        """Run sub-steps until the current D or G update has taken its optimiser step."""
        phase = self.substep()
        while phase.stage != "step":
            phase = self.substep()
        return phase

    def finish_iteration(self) -> Phase | None:
        """Complete a started iteration (None when none was started)."""
        phase = None
        while self._phases is not None:
            phase = self.substep()
        return phase
