"""Algorithm 1 as one generator of phases: every variant's step is moves of five sub-steps, and draws as
many minibatches as its update rule declares (the number every count of steps per epoch reads)."""

from __future__ import annotations

import pytest

from advnets.data.base import ImageDataset
from advnets.game.phases import STAGES
from advnets.runs.training import build_game
from advnets.variants import get_variant
from tests.conftest import tiny_config

VARIANTS = {
    "gan": (),
    "cgan": (),
    "inference": ("inference.hidden=[16]",),
    "bigan": ("inference.hidden=[16]",),
    "inpaint": (),
    "semisup": ("semisup.labels=50",),
}
ORDERS = {
    "simultaneous": ("game.update=simultaneous",),
    "alternating": ("game.update=alternating", "game.k=3"),
}


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_step_draws_the_minibatches_its_rule_declares(
    digits: ImageDataset, variant: str, order: str
) -> None:
    config = tiny_config(f"variant={variant}", *VARIANTS[variant], *ORDERS[order])
    game = build_game(config, digits)
    declared = get_variant(variant).minibatches_per_step(config)
    assert declared == game.minibatches_per_step == (1 if order == "simultaneous" else 3)
    phases = list(game.phases())
    assert game.sampler.position == declared and game.step_count == 1
    assert [p.stage for p in phases] == list(STAGES) * len(game.moves)
    assert [p.stats is not None for p in phases] == [False] * (len(phases) - 1) + [True]
    assert game.steps_per_epoch == game.sampler.batches_per_epoch // declared


def test_a_paused_step_resumes_where_it_stopped(digits: ImageDataset) -> None:
    """Phases are yielded after the work they name: D's optimiser has stepped at D's "step" phase."""
    game = build_game(tiny_config("game.update=alternating", "game.k=2"), digits)
    phases = game.phases()
    steps = {"d": 0}
    real_step = game.opt_d.step

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        steps["d"] += 1
        return real_step(*args, **kwargs)

    game.opt_d.step = counted  # type: ignore[method-assign]
    seen = [next(phases) for _ in range(5)]
    assert [(p.player, p.stage, p.update) for p in seen[-2:]] == [("D", "gradient", 0), ("D", "step", 0)]
    assert steps["d"] == 1 and game.step_count == 0
    assert seen[0].real is not None and seen[0].fake is not None and seen[2].loss is not None
    rest = list(phases)
    assert [(p.player, p.update) for p in rest[::5]] == [("D", 1), ("G", 2)]
    assert steps["d"] == 2 and game.step_count == 1 and rest[-1].stats is not None
