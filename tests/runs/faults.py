"""Helpers for the fault tests: run the real CLI in a subprocess, watch its files, kill it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

import advnets
from advnets.game.loop import Game
from advnets.game.parallel import unwrap
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint
from advnets.runs.trainer import TrainResult
from advnets.runs.training import train

SRC = str(Path(advnets.__file__).resolve().parents[1])


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "advnets", *args]


def torchrun(nproc: int, launcher_args: list[str], *args: str) -> list[str]:
    """`torchrun --standalone --nproc-per-node N [launcher_args] -m advnets [args]`."""
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}"]
    return [*launcher, *launcher_args, "-m", "advnets", *args]


def torchrun_node(port: int, launcher_args: list[str], *args: str) -> list[str]:
    """One node's agent of a 2-node job on this machine: c10d rendezvous at 127.0.0.1:`port`, 1 worker."""
    launcher = [sys.executable, "-m", "torch.distributed.run", "--nnodes=2", "--nproc-per-node=1"]
    rendezvous = ["--rdzv-backend=c10d", f"--rdzv-endpoint=127.0.0.1:{port}", f"--rdzv-id=advnets-{port}"]
    return [*launcher, *rendezvous, "--local-addr=127.0.0.1", *launcher_args, "-m", "advnets", *args]


def start(command: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env["OMP_NUM_THREADS"] = "1"
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(process: subprocess.Popen[bytes], timeout: float = 120) -> str:
    output, _ = process.communicate(timeout=timeout)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-12000:]
    return text


def finish_all(processes: list[subprocess.Popen[bytes]], timeout: float = 120) -> list[str]:
    """`finish` for processes that run together, read at once (one must not block on a full pipe while
    another is awaited); if one fails, those still running are stopped."""
    pool = ThreadPoolExecutor(len(processes))
    try:
        return [future.result() for future in [pool.submit(finish, p, timeout) for p in processes]]
    finally:
        stop_all(processes)
        pool.shutdown()


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGKILL to each process still running and to its children (torchrun's workers)."""
    for process in processes:
        if process.poll() is None:
            for pid in children(process.pid):
                kill(pid)
            kill(process.pid)


def partial_writes(run_dir: Path) -> list[Path]:
    return [p for p in (run_dir / "checkpoints").glob(".*.tmp")] if (run_dir / "checkpoints").is_dir() else []


def wait_for(condition, process: subprocess.Popen[bytes], timeout: float = 90) -> bool:  # type: ignore[no-untyped-def]
    """Poll `condition()` until true (True) or the process ended first (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return bool(condition())
        time.sleep(0.0005)
    raise TimeoutError("the training subprocess made no progress")


def latest_step(run_dir: Path) -> int:
    found = list_checkpoints(run_dir / "checkpoints")
    return int(found[-1].stem.split("-")[1]) if found else -1


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def children(pid: int) -> list[int]:
    """Child process ids of `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def rank_of(pid: int) -> int:
    """The RANK that torchrun gave worker `pid` (Linux /proc)."""
    environ = (Path("/proc") / str(pid) / "environ").read_bytes().split(b"\0")
    return int(next(entry for entry in environ if entry.startswith(b"RANK="))[5:])


def all_checkpoints_load(run_dir: Path) -> int:
    """Load every checkpoint in the run (raises if one is unloadable); how many there are."""
    found = list_checkpoints(run_dir / "checkpoints")
    for path in found:
        load_checkpoint(path)
    return len(found)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def train_as_one_rank(config, run_dir: Path, monkeypatch, **kwargs) -> TrainResult:  # type: ignore[no-untyped-def]
    """train() as torchrun's single worker would run it (a one-process gloo group), in this process."""
    with monkeypatch.context() as env:
        for key, value in dict(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1").items():
            env.setenv(key, value)
        env.setenv("MASTER_PORT", str(free_port()))
        return train(config, run_dir, **kwargs)


def poison_generator_at(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """After step `step`, one of G's weights becomes NaN (as an exploding update would leave it)."""
    real_step = Game.step

    def step_then_poison(game: Game):  # type: ignore[no-untyped-def]
        stats = real_step(game)
        if game.step_count == step:
            with torch.no_grad():
                next(unwrap(game.generator).parameters())[0, 0] = float("nan")
        return stats

    monkeypatch.setattr(Game, "step", step_then_poison)
