"""Algorithm 1 cut into the sub-steps a student can watch: sample, classify, loss, gradient, step.

The lab holds no copy of the update: it steps through the engine's own phases (`Game.phases()`, the
generator that `Game.step()` runs to the end), pausing after each, so an iteration stepped here leaves the
game exactly where `Game.step()` would (tests/lab/test_substeps.py checks this parameter for parameter).
"""

from __future__ import annotations

from collections.abc import Iterator

from advnets.game.loop import Game
from advnets.game.phases import Phase

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
    ("G", "step"): "G update: the optimiser moves G's parameters; after the last G update the iteration is "
    "complete",
}


# Under game.loss=least-squares (LSGAN) the loss sub-steps say so.
LEAST_SQUARES = {
    ("D", "loss"): "D update: D's loss ½[(D(x) − 1)² + D(G(z))²] on the minibatch (least squares, on D's raw "
    "output)",
    ("G", "loss"): "G update: G's loss ½(D(G(z)) − 1)² on D's raw scores (least squares)",
    ("D", "step"): "D update: the optimiser moves D's parameters to descend its squared loss",
}


def explain(phase: Phase, loss: str = "log") -> str:
    """The sentence the page shows for a phase, in the game `loss` (game.loss)."""
    key = (phase.player, phase.stage)
    if loss == "least-squares" and key in LEAST_SQUARES:
        return LEAST_SQUARES[key]
    return EXPLAIN.get(key, f"{phase.player} update: {phase.stage}")


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
            self._phases = self.game.phases()
        phase = next(self._phases)
        self.current = phase
        if phase.stats is not None:  # the iteration's last sub-step: the step is taken
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
