"""One process at a time trains a run directory: RUN/.lock, held with flock(2), names its holder.

The kernel lets go of a flock however its process ends (kill -9 included) and taking one is atomic, so two
processes never both hold it and a dead one never blocks a run. The file also records the holder (pid, host,
the process's start time, its torchrun job): a refusal names it; a newcomer that finds a holder who ended
without letting go says whose lock it took over; a worker that torchrun restarted recognises a run its own
job started. Where flock does nothing (some network mounts), the record still refuses a live holder here.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from advnets.errors import AdvnetsError

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows: the record alone guards the directory)
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".lock"
RECORD_BYTES = 1024  # written in place at one fixed size, so a reader sees the old record or the new one


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    started: str | None  # the process's start time (Linux), so a PID the system reused is not taken for it
    since: float  # when it took the lock (seconds since the epoch)
    job: str | None = None  # the torchrun job that trains the run here (see distributed.job_id)
    released: bool = False

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        return f"process {self.pid} on {self.host} (since {when})"


def process_start(pid: int) -> str | None:
    """`pid`'s start time in clock ticks after boot (Linux /proc); "zombie" for one that has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return "zombie" if fields[0] in ("Z", "X") else fields[19]


def this_process() -> Holder:
    return Holder(os.getpid(), socket.gethostname(), process_start(os.getpid()), time.time())


def is_running(holder: Holder) -> bool:
    """Whether the process `holder` names still runs (on another host: unknown, so False; flock decides)."""
    if holder.host != socket.gethostname():
        return False
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        pass
    start = process_start(holder.pid)
    return start != "zombie" and (start is None or holder.started is None or start == holder.started)


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in lock file `path`; None when there is none or it cannot be read."""
    try:
        return Holder(**json.loads(path.read_bytes().decode().strip() or "null"))
    except (OSError, ValueError, TypeError):
        return None


def in_use_error(run: Path, holder: Holder | None) -> AdvnetsError:
    who = holder.describe() if holder is not None else "another process"
    return AdvnetsError(
        f"run directory {run} is being trained by {who}; only one process may train a run at a time: wait "
        f"for it to finish or stop it, or train elsewhere with a new --run-dir"
    )


class RunLock:
    """The lock of run directory `run`: `acquire`, `claim` once the run is this process's, `release`."""

    def __init__(self, run: Path) -> None:
        self.run, self.path = run, run / LOCK_NAME
        self._fd: int | None = None
        self._holder: Holder | None = None

    def acquire(self) -> Holder | None:
        """Take the lock, or raise naming its holder. Returns the record found: the last holder, which let
        go (`released`) or died holding it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a live process holds it
            os.close(fd)
            raise in_use_error(self.run, read_holder(self.path)) from None
        except OSError:  # no flock on this filesystem (ENOLCK, EOPNOTSUPP): the record alone decides
            pass
        before = read_holder(self.path)
        if before is not None and not before.released and is_running(before):
            os.close(fd)  # alive, yet flock let us in: a filesystem whose flock does nothing
            raise in_use_error(self.run, before)
        self._fd = fd
        return before

    def claim(self, job: str | None) -> None:
        """Write this process into the record, once the run is its to train; `job`: its torchrun job.

        Until then the record keeps naming the last holder, so a refused start leaves it as it was."""
        if self._fd is not None:
            self._write(replace(this_process(), job=job))

    def release(self) -> None:
        """Let go; the record stays, marked released, naming the last job that trained the run."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            if self._holder is not None:
                self._write(replace(self._holder, released=True))
        os.close(self._fd)  # closing the descriptor releases the flock
        self._fd = None

    def _write(self, holder: Holder) -> None:
        assert self._fd is not None
        text = json.dumps(asdict(holder)).encode().ljust(RECORD_BYTES)
        os.pwrite(self._fd, text, 0)
        os.ftruncate(self._fd, len(text))  # whatever the file held before, past the record, goes
        self._holder = holder
