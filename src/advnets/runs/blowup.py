"""A game that has blown up without a NaN: D saturated, losses or weights exploding. Said, never silent.

Seen: Adam at lr 1e6 on digits-cgan ran to its end with D(x) = 1.00 and D(G(z)) = 0.00, G's loss 3.7e21,
weights near 4e26 and samples of pure noise; nothing was NaN, and the collapse check never fired because
the samples had never spread out. Each mark below is judged on a whole logging window's means, and its
limit lies far outside what working runs show (the paper's MNIST run starts at D(G(z)) = 0.04; measured
figures in docs/reliability.md), so a normal run never warns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SATURATED = 0.999  # D(x) above it and D(G(z)) below 1 - it, on average over a whole window
LOSS_LIMIT = 1e4  # |a loss| (softplus of a D logit): a logit of 10,000 is no working run's
WEIGHT_LIMIT = 1e4  # largest |parameter| of G or D

SATURATED_D, LOSS_EXPLODING, WEIGHTS_EXPLODING = "d_saturated", "loss_exploding", "weights_exploding"


def blowup_marks(means: dict[str, float], largest_weight: float) -> dict[str, str]:
    """The marks of a blown-up game in one window: code -> what was seen. Empty for a working window."""
    marks = {}
    real, fake = means.get("d_real"), means.get("d_fake")
    if real is not None and fake is not None and real > SATURATED and fake < 1 - SATURATED:
        marks[SATURATED_D] = f"D saturated (D(x) {real:.4f}, D(G(z)) {fake:.4f} over the window)"
    big = [f"{key} {value:.3g}" for key, value in sorted(means.items()) if _is_loss(key, value)]
    if big:
        marks[LOSS_EXPLODING] = f"losses exploding ({', '.join(big)})"
    if largest_weight > WEIGHT_LIMIT:
        marks[WEIGHTS_EXPLODING] = f"weights exploding (largest |parameter| {largest_weight:.3g})"
    return marks


def _is_loss(key: str, value: float) -> bool:
    return key.endswith("_loss") and abs(value) > LOSS_LIMIT


@dataclass
class BlowupWatch:
    """Follows the marks window by window: a warning when a new one appears, a line for the summary."""

    advice: str  # how to train again, e.g. with lower learning rates
    first_step: int | None = None
    first: dict[str, str] = field(default_factory=dict)
    last: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def observe(self, step: int, marks: dict[str, str]) -> str | None:
        """Record one window's marks; a warning line for those this run had not shown yet."""
        self.last = marks
        new = [text for code, text in marks.items() if code not in self.seen]
        self.seen |= set(marks)
        if not new:
            return None
        if self.first_step is None:
            self.first_step, self.first = step, marks
            return f"the game has blown up at step {step}: {'; '.join(new)}. {self.advice}"
        return f"the game, blown up since step {self.first_step}, shows at step {step}: {'; '.join(new)}"

    def summary(self, step: int) -> str | None:
        """One line for the end of the run, or None if no window was marked."""
        if self.first_step is None:
            return None
        now = (
            f"and was still blown up at step {step} ({'; '.join(self.last.values())}): its samples are "
            "likely noise"
            if self.last
            else f"and looked sound again by step {step}"
        )
        first = "; ".join(self.first.values())
        return f"the game blew up at step {self.first_step} ({first}) {now}. {self.advice}"
