"""optim.name_d / optim.name_g: an optimiser per player; unset means optim.name."""

import pytest
import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.errors import AdvnetsError
from advnets.runs.training import build_game
from tests.conftest import tiny_config


def test_each_player_gets_its_own_optimiser(digits) -> None:  # type: ignore[no-untyped-def]
    game = build_game(tiny_config("optim.name=sgd", "optim.name_d=adam"), digits)
    assert isinstance(game.opt_d, torch.optim.Adam) and isinstance(game.opt_g, torch.optim.SGD)
    game.step()
    game.step()
    # SGD's momentum is set by the schedule; Adam has none to set.
    assert game.opt_g.param_groups[0]["momentum"] == pytest.approx(0.5, rel=1e-4)  # pylearn2 rule: x lr ratio
    assert "momentum" not in game.opt_d.param_groups[0]
    assert len(game.opt_d.state) > 0 and all("exp_avg_sq" in s for s in game.opt_d.state.values())

    swapped = build_game(tiny_config("optim.name=adam", "optim.name_g=sgd"), digits)
    assert isinstance(swapped.opt_d, torch.optim.Adam) and isinstance(swapped.opt_g, torch.optim.SGD)


def test_unset_player_optimisers_keep_the_shared_one(digits) -> None:  # type: ignore[no-untyped-def]
    game = build_game(tiny_config("optim.name=adam"), digits)
    assert isinstance(game.opt_d, torch.optim.Adam) and isinstance(game.opt_g, torch.optim.Adam)


def test_an_unknown_player_optimiser_is_refused_by_the_config() -> None:
    with pytest.raises(AdvnetsError, match=r"optim.name_g='rmsprop'"):
        resolve_config("digits-mlp", None, parse_assignments(["optim.name_g=rmsprop"]))
