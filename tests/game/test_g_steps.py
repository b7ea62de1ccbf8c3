"""game.g_steps: G steps per iteration of Algorithm 1's alternating order, each on fresh noise; 1 (the
paper's Algorithm 1) by default."""

from __future__ import annotations

import pytest
import torch

from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError
from advnets.runs.training import build_game
from tests.conftest import tiny_config

ALTERNATING = ("game.update=alternating", "game.k=2", "game.batch_size=20")


def test_the_default_is_the_papers_one_g_step(digits: ImageDataset) -> None:
    game = build_game(tiny_config(*ALTERNATING), digits)
    assert game.config.game.g_steps == 1
    assert [move.player for move in game.moves] == ["D", "D", "G"]


def test_each_iteration_takes_g_steps_g_updates_on_fresh_noise(digits: ImageDataset) -> None:
    game = build_game(tiny_config(*ALTERNATING, "game.g_steps=3"), digits)
    assert [move.player for move in game.moves] == ["D", "D", "G", "G", "G"]
    steps = {"d": 0, "g": 0}
    for name, optimizer in (("d", game.opt_d), ("g", game.opt_g)):
        optimizer.register_step_post_hook(lambda *_, name=name: steps.__setitem__(name, steps[name] + 1))
    g_samples: list[torch.Tensor] = []
    for _ in range(2):
        for phase in game.phases():
            if phase.player == "G" and phase.stage == "sample":
                assert phase.fake is not None and phase.fake.shape[0] == 20
                g_samples.append(phase.fake)
    assert steps == {"d": 4, "g": 6} and game.step_count == 2
    assert game.sampler.position == 4  # G's steps draw no real minibatch: k per iteration, as before
    assert [p.update for p in game.phases() if p.stage == "step"] == [0, 1, 2, 3, 4]
    # Fresh noise each time (and G moved in between): no two of G's sample batches are the same.
    assert all(not torch.equal(a, b) for i, a in enumerate(g_samples) for b in g_samples[i + 1 :])


def test_extra_g_steps_move_g_only(digits: ImageDataset) -> None:
    """From the same seed, one iteration with 1 or 2 G steps leaves D the same (D moves first) and G not."""
    games = []
    for n in (1, 2):  # each built (which seeds the global RNG) just before it steps
        games.append(build_game(tiny_config(*ALTERNATING, f"game.g_steps={n}"), digits))
        games[-1].step()
    one, two = games
    for a, b in zip(one.discriminator.parameters(), two.discriminator.parameters(), strict=True):
        assert torch.equal(a, b)
    assert not all(
        torch.equal(a, b) for a, b in zip(one.generator.parameters(), two.generator.parameters(), strict=True)
    )


def test_g_steps_under_the_simultaneous_update_is_refused() -> None:
    with pytest.raises(AdvnetsError, match="game.g_steps=2 does nothing under game.update=simultaneous"):
        tiny_config("game.update=simultaneous", "game.g_steps=2")
