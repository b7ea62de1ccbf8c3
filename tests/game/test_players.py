"""Optional loop hooks: extra players get optimisers and checkpoints; resume restores them exactly."""

from __future__ import annotations

import torch

from advnets.data.base import ImageDataset
from advnets.game.updates import UPDATES
from advnets.runs.state import restore, snapshot
from advnets.runs.training import build_game
from advnets.variants import get_variant
from tests.conftest import tiny_config


def test_paper_variant_keeps_its_two_players_and_configured_update(digits: ImageDataset) -> None:
    for update in ("simultaneous", "alternating"):
        game = build_game(tiny_config(f"game.update={update}"), digits)
        assert game.players == {} and game.player_opts == {}
        assert game.update is UPDATES[update]
        tensors, _ = snapshot(game)
        assert not any(key.startswith(("player.", "opt_player.")) for key in tensors)


def test_extra_player_is_checkpointed_and_resume_continues_exactly(digits: ImageDataset) -> None:
    config = tiny_config("variant=inference", "inference.hidden=[32]")
    game = build_game(config, digits)
    assert set(game.players) == {"encoder"}
    for _ in range(5):
        stats = game.step()
    assert "e_loss" in stats
    tensors, meta = snapshot(game)
    tensors = {key: value.clone() for key, value in tensors.items()}  # as if read back from a file
    assert any(key.startswith("player.encoder.") for key in tensors)
    assert any(key.startswith("opt_player.encoder.state.") for key in tensors)
    resumed = build_game(config, digits)
    restore(resumed, tensors, meta)
    for a, b in zip(
        game.players["encoder"].parameters(), resumed.players["encoder"].parameters(), strict=True
    ):
        assert torch.equal(a, b)
    # The same next step from the original and the restored game.
    state = torch.get_rng_state()
    game.step()
    torch.set_rng_state(state)
    resumed.step()
    for a, b in zip(
        game.players["encoder"].parameters(), resumed.players["encoder"].parameters(), strict=True
    ):
        assert torch.equal(a, b)


def test_adam_state_with_scalar_step_round_trips(digits: ImageDataset, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from advnets.runs.checkpoint import load_checkpoint, save_checkpoint

    game = build_game(tiny_config("variant=semisup", "semisup.labels=50"), digits)
    game.step()
    tensors, meta = snapshot(game)
    loaded, _ = load_checkpoint(save_checkpoint(tmp_path / "c.safetensors", tensors, meta))
    assert loaded.keys() == tensors.keys()
    assert get_variant("semisup").name == "semisup"
