"""advnets.files: atomic writes of every kind, and the one line each failed write or bad read becomes."""

from __future__ import annotations

import errno
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from advnets import files
from advnets.errors import AdvnetsError, WriteError

WRITERS: dict[str, Callable[[Path], Path]] = {
    "text": lambda path: files.atomic_write_text(path, "hello\n"),
    "json": lambda path: files.write_json(path, {"a": [1, 2.5, None]}),
    "figure": lambda path: files.save_figure(Figure(figsize=(1, 1)), path),
    "image": lambda path: files.save_image(Image.new("L", (4, 3), 7), path),
    "npy": lambda path: files.save_npy(path, np.arange(6).reshape(2, 3)),
}
SUFFIX = {"text": ".md", "json": ".json", "figure": ".png", "image": ".png", "npy": ".npy"}


def disk_full(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def only_the(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_each_writer_round_trips(tmp_path: Path) -> None:
    paths = {kind: write(tmp_path / f"out-{kind}{SUFFIX[kind]}") for kind, write in WRITERS.items()}
    assert paths["text"].read_text() == "hello\n"
    assert files.read_json(paths["json"], "") == {"a": [1, 2.5, None]}
    assert paths["figure"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.asarray(Image.open(paths["image"])).tolist() == [[7] * 4] * 3
    assert np.load(paths["npy"]).tolist() == [[0, 1, 2], [3, 4, 5]]
    assert not list(tmp_path.glob(".*.tmp"))


def test_npy_gets_its_suffix_like_np_save(tmp_path: Path) -> None:
    assert files.save_npy(tmp_path / "samples", np.zeros(2)) == tmp_path / "samples.npy"


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_full_disk_keeps_the_old_file_and_leaves_nothing_else(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"out{SUFFIX[kind]}"
    path.write_bytes(b"the previous version")
    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(WriteError) as caught:
        WRITERS[kind](path)
    assert str(caught.value) == (
        f"cannot write {path}: the disk is full; free space on the disk holding {tmp_path}, then run it again"
    )
    assert caught.value.errno == errno.ENOSPC  # still an OSError for code that handles those
    assert path.read_bytes() == b"the previous version" and only_the(path) == [path.name]


def test_a_full_disk_never_leaves_a_zero_byte_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(WriteError):
        files.write_json(tmp_path / "eval.json", {"x": 1})
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    if os.geteuid() == 0:  # root writes through a chmod: make the temp file's creation fail as it would

        def refused(*args: object, **kwargs: object) -> None:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    else:
        folder.chmod(0o555)
    try:
        with pytest.raises(WriteError) as caught:
            files.write_json(folder / "eval.json", {}, "choose another --run-dir")
    finally:
        folder.chmod(0o755)
    fix = "make it writable or choose another --run-dir"
    assert str(caught.value) == f"cannot write {folder / 'eval.json'}: {folder} is read-only; {fix}"
    assert list(folder.iterdir()) == []


def test_a_file_where_a_folder_should_be_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "runs"
    blocker.write_text("a file")
    with pytest.raises(
        WriteError, match=rf"cannot write .*: {blocker} is a file, not a folder; move it away"
    ):
        files.save_image(Image.new("L", (2, 2)), blocker / "r1" / "grid.png")
    assert blocker.read_text() == "a file"


def test_a_folder_where_the_file_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "sample.png").mkdir()
    with pytest.raises(WriteError, match=r"sample\.png: it is a folder; remove it or"):
        files.save_image(Image.new("L", (2, 2)), tmp_path / "sample.png")
    assert only_the(tmp_path / "sample.png") == ["sample.png"]


def test_an_unknown_image_suffix_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(AdvnetsError, match=r"unknown suffix '\.pgx'; use a \.png path"):
        files.save_image(Image.new("L", (2, 2)), tmp_path / "grid.pgx")
    with pytest.raises(AdvnetsError, match=r"cannot save a figure as .*grid\.pgx"):
        files.save_figure(Figure(), tmp_path / "grid.pgx")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty; rerun"),
        (b"   \n", "is empty; rerun"),
        (b'{"points": [1, 2', r"is not valid JSON \(Expecting .* at line 1, column \d+\); rerun"),
        (b"\xff\xfe\x00garbage", "is not text"),
    ],
)
def test_bad_json_is_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "eval.json"
    path.write_bytes(content)
    with pytest.raises(AdvnetsError, match=message):
        files.read_json(path, "rerun")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"game: {k: 1\n", r"is not valid YAML \(.* at line 2, column 1\)"),
        (b"a: [\n", "YAML"),
    ],
)
def test_bad_yaml_is_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(content)
    with pytest.raises(AdvnetsError, match=message):
        files.read_yaml(path, "fix it")


def test_reading_a_folder_or_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(AdvnetsError, match="is a folder, not a file; check"):
        files.read_bytes(tmp_path, "check")
    with pytest.raises(AdvnetsError, match="does not exist; check"):
        files.read_text(tmp_path / "nope", "check")


def test_figure_options_reach_matplotlib(tmp_path: Path) -> None:
    small = files.save_figure(Figure(figsize=(1, 1)), tmp_path / "a.png", dpi=20)
    large = files.save_figure(Figure(figsize=(1, 1)), tmp_path / "b.png", dpi=80)
    assert Image.open(io.BytesIO(small.read_bytes())).size == (20, 20)
    assert Image.open(large).size == (80, 80)
