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
    monkeypatch.setattr(advnets.lab, "serve", lambda host, port, on_ready: calls.append((host, port)))
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
