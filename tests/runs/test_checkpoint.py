import contextlib
import errno
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from safetensors.torch import save as save_safetensors
from safetensors.torch import save_file

from advnets.errors import AdvnetsError, WriteError
from advnets.runs import checkpoint
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint, prune_checkpoints, save_checkpoint
from advnets.runs.state import restore, snapshot
from advnets.runs.training import build_game
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
    with pytest.raises(AdvnetsError, match=r"is corrupt \(it does not match its seal\); delete"):
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


def small_checkpoint(path: Path) -> Path:
    tensors = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3), "steps": torch.tensor(3)}
    meta = {"step": 5, "epoch": 1, "config": {"lr": 0.1, "name": "sgd", "betas": [0.5, 0.999]}}
    return save_checkpoint(path, tensors, meta)


def flipped_blobs(blob: bytes, bits: tuple[int, ...]) -> Iterator[tuple[int, int, bytes]]:
    """(index, bit, blob with that bit flipped) over the header: its 8-byte length, then its JSON."""
    for index in range(8 + int.from_bytes(blob[:8], "little")):
        for bit in bits:
            damaged = bytearray(blob)
            damaged[index] ^= 1 << bit
            yield index, bit, bytes(damaged)


def serve(monkeypatch: pytest.MonkeyPatch, blobs: dict[str, bytes]) -> None:
    """load_checkpoint reads blobs["now"] whatever the path: thousands of loads without as many files."""
    monkeypatch.setattr(checkpoint, "read_bytes", lambda path, fix: blobs["now"])


def test_every_header_byte_flip_is_caught_or_harmless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each bit of each byte of the header (its 8-byte length, then its JSON) flipped in turn: every load
    raises AdvnetsError or returns the very same metadata and tensors; never another exception."""
    path = small_checkpoint(tmp_path / "c.safetensors")
    tensors, meta = load_checkpoint(path)
    blobs, outcomes = {"now": path.read_bytes()}, {"caught": 0, "same": 0}
    serve(monkeypatch, blobs)
    for index, bit, blobs["now"] in flipped_blobs(path.read_bytes(), tuple(range(8))):
        try:
            got_tensors, got_meta = load_checkpoint(path)
        except AdvnetsError as error:
            assert "\n" not in str(error)
            outcomes["caught"] += 1
            continue
        assert got_meta == meta, (index, bit)
        assert got_tensors.keys() == tensors.keys(), (index, bit)
        for key, value in tensors.items():
            same = got_tensors[key].dtype == value.dtype and torch.equal(got_tensors[key], value)
            assert same, (index, bit, key)
        outcomes["same"] += 1
    assert outcomes["caught"] > 0.9 * sum(outcomes.values())  # harmless flips are rare: JSON whitespace


def old_format_checkpoint(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, object]) -> Path:
    """A checkpoint as advnets wrote it before the seal (format 1), built here from its definition: a
    SHA-256 over each tensor's name and bytes, in sorted order, as "digest" in the JSON metadata."""
    digest = hashlib.sha256()
    for key in sorted(tensors):
        digest.update(key.encode())
        digest.update(tensors[key].contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    header = {"format": "advnets-checkpoint", "format_version": 1, "digest": digest.hexdigest(), **meta}
    path.write_bytes(save_safetensors(tensors, metadata={"advnets": json.dumps(header)}))
    return path


def test_a_checkpoint_in_the_old_format_still_loads_and_resumes(tmp_path: Path, digits) -> None:  # type: ignore[no-untyped-def]
    game = build_game(tiny_config(), digits)
    for _ in range(3):
        game.step()
    tensors, meta = snapshot(game)
    tensors = {key: value.detach().cpu().contiguous() for key, value in tensors.items()}
    path = old_format_checkpoint(tmp_path / "step-00000003.safetensors", tensors, meta)
    loaded, loaded_meta = load_checkpoint(path)
    assert loaded_meta["format_version"] == 1 and "seal" not in loaded_meta
    assert all(torch.equal(loaded[key], tensors[key]) for key in tensors)
    fresh = build_game(tiny_config("train.seed=9"), digits)
    restore(fresh, loaded, loaded_meta)
    assert fresh.step_count == 3
    assert all(torch.equal(a, b) for a, b in zip(fresh.generator.parameters(), game.generator.parameters()))


def test_an_old_format_checkpoint_with_changed_tensors_is_still_caught(tmp_path: Path) -> None:
    path = old_format_checkpoint(tmp_path / "c.safetensors", {"w": torch.ones(100)}, {"step": 1})
    blob = bytearray(path.read_bytes())
    blob[-3] ^= 0x10
    path.write_bytes(bytes(blob))
    with pytest.raises(AdvnetsError, match="do not match their digest"):
        load_checkpoint(path)


def test_any_header_flip_of_an_old_format_checkpoint_is_at_worst_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Format 1 cannot see a changed metadata value (the reason for the seal), but no flip may raise
    anything other than AdvnetsError (before the seal's loader, about 1 flip in 15 raised JSONDecodeError)."""
    path = old_format_checkpoint(tmp_path / "c.safetensors", {"w": torch.ones(4)}, {"step": 5, "lr": 0.1})
    blobs = {"now": path.read_bytes()}
    serve(monkeypatch, blobs)
    for _, _, blobs["now"] in flipped_blobs(path.read_bytes(), tuple(range(8))):
        with contextlib.suppress(AdvnetsError):  # any other exception fails the test
            load_checkpoint(path)


def test_a_newer_format_asks_for_an_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "c.safetensors"
    header = {"format": "advnets-checkpoint", "format_version": 99}
    path.write_bytes(save_safetensors({"w": torch.ones(1)}, metadata={"advnets": json.dumps(header)}))
    with pytest.raises(
        AdvnetsError, match=r"format 99, newer than this advnets reads \(2\); upgrade advnets"
    ):
        load_checkpoint(path)


def test_a_failed_write_leaves_no_file_and_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "step-00000001.safetensors"

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(
        WriteError, match=r"cannot write .*step-00000001.safetensors: the disk is full; free space"
    ):
        save_checkpoint(path, {"w": torch.ones(3)}, {"step": 1})
    assert list(tmp_path.iterdir()) == []
