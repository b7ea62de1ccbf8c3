"""`advnets lab`: loopback by default, a warning for any other address, and a clear error for a busy port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import advnets.lab
from advnets.cli import app
from advnets.errors import AdvnetsError

SRC = Path(advnets.lab.__file__).resolve().parents[2]


def test_host_other_than_loopback_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def serve(host: str, port: int, on_ready: Any) -> None:
        calls.append((host, port))
        on_ready(f"http://{host}:{port}/")  # the warning comes once the address is known to work

    monkeypatch.setattr(advnets.lab, "serve", serve)
    result = CliRunner().invoke(app, ["lab", "--host", "0.0.0.0", "--port", "9999"])
    assert result.exit_code == 0, result.output
    assert calls == [("0.0.0.0", 9999)] and "warning" in result.output
    result = CliRunner().invoke(app, ["lab", "--port", "9998"])
    assert calls[-1] == ("127.0.0.1", 9998) and "warning" not in result.output


def test_busy_port_is_a_one_line_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = CliRunner().invoke(app, ["lab", "--port", str(taken.getsockname()[1])])
    assert isinstance(result.exception, AdvnetsError) and "choose another --port" in str(result.exception)


@pytest.mark.parametrize(
    ("host", "port", "message"),
    [
        ("127.0.0.1", 70000, "port 70000 is not a TCP port; choose one in 1..65535"),
        ("127.0.0.1", -1, "port -1 is not a TCP port"),
        ("no-such-host.invalid", 8765, "host 'no-such-host.invalid' is not an address or a name"),
        ("bad host", 8765, "host 'bad host' is not an address or a name"),
        ("192.0.2.1", 8765, "192.0.2.1 is not an address of this machine"),  # TEST-NET-1: never local
    ],
)
def test_a_port_or_host_that_cannot_be_used_is_one_line(host: str, port: int, message: str) -> None:
    """The kernel would wrap port 70000 to 4464, and werkzeug prints several lines: neither happens."""
    from advnets.lab.server import LabServer

    with pytest.raises(AdvnetsError) as caught:
        LabServer(host, port)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_lab_listens_on_the_port_it_was_given() -> None:
    from advnets.lab.server import LabServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = LabServer("127.0.0.1", port).start()
    try:
        assert server.port == port and server.url == f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(server.url, timeout=10) as response:
            assert b"advnets lab" in response.read()
    finally:
        server.stop()


def test_lab_command_serves_the_page_and_prints_its_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    command = [sys.executable, "-m", "advnets", "lab", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert f"http://127.0.0.1:{port}/" in line
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert b"advnets lab" in response.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=20)
