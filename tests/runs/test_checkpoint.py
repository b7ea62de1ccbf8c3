from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from advnets.errors import AdvnetsError
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint, prune_checkpoints, save_checkpoint
from advnets.runs.state import build_game, restore, snapshot
from tests.conftest import tiny_config


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_round_trip_restores_every_tensor_and_counter(tmp_path: Path, digits, optimizer: str) -> None:  # type: ignore[no-untyped-def]
    game = build_game(tiny_config(f"optim.name={optimizer}"), digits)
    for _ in range(5):
        game.step()
    tensors, meta = snapshot(game)
    path = save_checkpoint(tmp_path / "step-00000005.safetensors", tensors, meta)
    loaded, loaded_meta = load_checkpoint(path)
    assert loaded.keys() == tensors.keys()
    assert all(torch.equal(loaded[k], tensors[k]) for k in tensors)
    fresh = build_game(tiny_config("train.seed=9", f"optim.name={optimizer}"), digits)
    restore(fresh, loaded, loaded_meta)
    assert fresh.step_count == 5 and fresh.sampler.state_dict() == game.sampler.state_dict()
    assert all(torch.equal(a, b) for a, b in zip(fresh.generator.parameters(), game.generator.parameters()))
    for slot, value in game.opt_d.state_dict()["state"][0].items():  # momentum, or Adam's moments and step
        assert torch.equal(fresh.opt_d.state_dict()["state"][0][slot], value), slot


def test_checkpoint_holds_no_pickle(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "c.safetensors", {"w": torch.ones(2)}, {"step": 1})
    assert b"\x80\x04" not in path.read_bytes()[:2]  # not a pickle stream
    assert path.read_bytes()[8:9] == b"{"  # a safetensors JSON header


def test_truncated_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "c.safetensors", {"w": torch.ones(1000)}, {"step": 1})
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(AdvnetsError, match=r"truncated or corrupt.*delete"):
        load_checkpoint(path)


def test_flipped_byte_is_caught_by_the_digest(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "c.safetensors", {"w": torch.ones(1000)}, {"step": 1})
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(AdvnetsError, match="do not match their digest"):
        load_checkpoint(path)


def test_foreign_safetensors_file_is_refused(tmp_path: Path) -> None:
    save_file({"w": torch.ones(3)}, str(tmp_path / "other.safetensors"))
    with pytest.raises(AdvnetsError, match="not an advnets checkpoint"):
        load_checkpoint(tmp_path / "other.safetensors")


def test_rotation_keeps_the_newest(tmp_path: Path) -> None:
    for step in (1, 20, 300, 4000):
        save_checkpoint(tmp_path / f"step-{step:08d}.safetensors", {"w": torch.ones(1)}, {})
    prune_checkpoints(tmp_path, keep=2)
    assert [p.name for p in list_checkpoints(tmp_path)] == [
        "step-00000300.safetensors",
        "step-00004000.safetensors",
    ]
    assert not list(tmp_path.glob("*.tmp"))
