"""Downloads, tested against a file server on 127.0.0.1 (the only network a test may use)."""

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from advnets.data import mnist
from advnets.data.checksums import download
from advnets.errors import AdvnetsError


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    server.shutdown()


def test_mnist_is_downloaded_verified_and_loaded(
    file_server: tuple[str, Path], mnist_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, served = file_server
    for stem in mnist.FILES.values():
        shutil.copy(mnist_dir / f"{stem}.gz", served)
    monkeypatch.setattr("advnets.data.locate.cache_root", lambda: tmp_path / "cache")
    monkeypatch.delenv("ADVNETS_DATA", raising=False)
    source = mnist.IdxSource("mnist", ("http://127.0.0.1:9/unreachable", url), mnist.MNIST.checksums)
    target = tmp_path / "downloaded"
    data = mnist.load_idx_dataset(source, target)
    assert data.sizes() == {"train": 50_000, "valid": 10_000, "test": 10_000}
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{s}.gz" for s in mnist.FILES.values())


def test_a_corrupt_download_is_refused_and_leaves_nothing(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    url, served = file_server
    (served / "file.gz").write_bytes(b"tampered")
    target = tmp_path / "out" / "file.gz"
    with pytest.raises(AdvnetsError, match="checksum mismatch.*copy the file"):
        download((url,), target, ("0" * 32,))
    assert not target.exists() and list(target.parent.iterdir()) == []
