"""Sub-stepping Algorithm 1 in the lab must leave the game exactly where the engine's Game.step() does."""

from __future__ import annotations

import pytest
import torch

from advnets.errors import AdvnetsError
from advnets.game.phases import STAGES
from advnets.lab.session import LabSession
from advnets.lab.settings import merge_settings, to_config
from advnets.lab.substeps import SubStepper
from advnets.lab.targets import make_target
from advnets.runs.training import build_game
from tests.conftest import tiny_config


def _game(k: int):
    settings = merge_settings({"data": "toy-ring-2d", "k": k, "batch": 64, "g_width": 16, "d_width": 16})
    target = make_target("toy-ring-2d")
    return build_game(to_config(settings, target.dim), target.dataset)


@pytest.mark.parametrize("k", [1, 3])
def test_substepped_iterations_match_game_step(k: int) -> None:
    engine = _game(k)
    for _ in range(3):
        engine.step()
    lab = _game(k)  # build_game reseeds: both start from the same nets and RNG state
    stepper = SubStepper(lab)
    phases = []
    for _ in range(3):
        phases.append(stepper.substep())
        while stepper.mid_iteration:
            phases.append(stepper.substep())
    assert [(p.player, p.stage) for p in phases[: 5 * (k + 1)]] == [
        *[("D", s) for _ in range(k) for s in STAGES],
        *[("G", s) for s in STAGES],
    ]
    assert lab.step_count == engine.step_count == 3
    for mine, theirs in zip(
        [*lab.generator.parameters(), *lab.discriminator.parameters()],
        [*engine.generator.parameters(), *engine.discriminator.parameters()],
        strict=True,
    ):
        assert torch.equal(mine, theirs)


def test_session_enforces_algorithm_1_order() -> None:
    session = LabSession()
    session.configure({"k": 2, "batch": 50, "g_width": 8, "d_width": 8})
    assert session.next_player == "D"
    with pytest.raises(AdvnetsError, match="updates D next"):
        session.command("g_update")
    session.command("d_update")
    assert session.next_player == "D" and session.game.step_count == 0
    session.command("d_update")
    assert session.next_player == "G"
    session.command("g_update")
    assert session.game.step_count == 1 and session.next_player == "D"
    session.command("substep")
    session.command("iteration")  # finishes the started iteration, no more
    assert session.game.step_count == 2 and not session.stepper.mid_iteration


def test_simultaneous_update_refuses_sub_steps() -> None:
    session = LabSession()
    session.configure({"update": "simultaneous", "batch": 50, "g_width": 8, "d_width": 8})
    session.command("iteration")
    assert session.game.step_count == 1
    with pytest.raises(AdvnetsError, match="alternating"):
        session.command("substep")


def test_substepping_keeps_each_players_learning_rate(digits) -> None:  # type: ignore[no-untyped-def]
    """optim.lr_d differs from optim.lr_g: the lab steps the engine's own phases, schedule included."""
    config = tiny_config("game.update=alternating", "game.k=2", "optim.lr_d=0.03", "optim.lr_g=0.2")
    engine = build_game(config, digits)
    for _ in range(2):
        engine.step()
    lab = build_game(config, digits)  # build_game reseeds: the same nets and RNG state as the engine's start
    stepper = SubStepper(lab)
    for _ in range(2):
        stepper.update()  # D, D, then G: one player's update at a time
        stepper.update()
        stepper.update()
        assert not stepper.mid_iteration
    assert (
        lab.opt_d.param_groups[0]["lr"]
        == engine.opt_d.param_groups[0]["lr"]
        == pytest.approx(0.03 / 1.000004)
    )
    assert lab.opt_g.param_groups[0]["lr"] == pytest.approx(0.2 / 1.000004)
    for mine, theirs in zip(
        [*lab.generator.parameters(), *lab.discriminator.parameters()],
        [*engine.generator.parameters(), *engine.discriminator.parameters()],
        strict=True,
    ):
        assert torch.equal(mine, theirs)
