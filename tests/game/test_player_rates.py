"""optim.lr_d / optim.lr_g: a starting learning rate per player, on the same decay; unset means optim.lr."""

import pytest

from advnets.game.schedules import learning_rate
from advnets.runs.training import build_game
from tests.conftest import tiny_config


def test_each_player_gets_its_own_rate_on_the_same_decay(digits) -> None:  # type: ignore[no-untyped-def]
    config = tiny_config("optim.lr_d=0.03", "optim.lr_decay=1.01")
    game = build_game(config, digits)
    for _ in range(3):
        game.step()
    # The schedule set before step 3 (0-based step 2): lr0 / 1.01**2 for each player's lr0.
    assert game.opt_d.param_groups[0]["lr"] == pytest.approx(0.03 / 1.01**2)
    assert game.opt_g.param_groups[0]["lr"] == pytest.approx(0.1 / 1.01**2)
    assert (
        learning_rate(config.optim, 2, "g") == learning_rate(config.optim, 2) == pytest.approx(0.1 / 1.01**2)
    )


def test_unset_player_rates_keep_the_shared_rate(digits) -> None:  # type: ignore[no-untyped-def]
    game = build_game(tiny_config(), digits)
    game.step()
    assert game.opt_d.param_groups[0]["lr"] == game.opt_g.param_groups[0]["lr"] == 0.1
