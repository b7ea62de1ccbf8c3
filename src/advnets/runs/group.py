"""Joining and leaving torchrun's process group: one way in (`init`), one way out (`leave`).

Training, the benches and the tests' worker processes all leave through `leave()`, so a fix to teardown
reaches every one of them. `session()` pairs the two for the length of a run.

torchrun's key-value store (hosted by its agent on node 0) outlives the workers it starts, and with
`--max-restarts` a restarted worker group would meet there the keys its killed predecessors left (a dead
peer's gloo address). TORCHELASTIC_RESTART_COUNT cannot name the attempt: it is counted per node (see
`restart_count`). So each worker group's rank 0 picks a new key prefix, and the other ranks take it from
rank 0 itself (`_attempt_store`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist
from torch.distributed.constants import default_pg_timeout
from torch.distributed.rendezvous import rendezvous

from advnets.errors import AdvnetsError
from advnets.runs.device import resolve_device

ANNOUNCE = "advnets/attempt"  # key in torchrun's store: the prefix of the newest attempt
ANSWER_WITHIN = timedelta(seconds=5)  # then read the announcement again (a busy rank 0 is asked again)
DESTROYED = "advnets/destroyed"  # ranks whose group is destroyed
RELEASED = "advnets/released"  # ranks 1.. that no longer read the store


@dataclass(frozen=True)
class Context:
    """This process's place in the job: rank among `world_size` ranks (0 of 1 when not distributed)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    backend: str | None = None  # "gloo" or "nccl" once a process group is joined

    @property
    def active(self) -> bool:
        return self.backend is not None

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def launched() -> bool:
    """True under torchrun (or any launcher that sets RANK and WORLD_SIZE)."""
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


def is_main_process() -> bool:
    """Rank 0, or a process not launched by torchrun: the one that prints and writes."""
    return int(os.environ.get("RANK", "0")) == 0


def restart_count() -> int:
    """How many times this node's torchrun agent has restarted its workers (`--max-restarts`); 0 otherwise.

    Per node: under c10d rendezvous a node whose own workers were healthy restarts them as a membership
    change, which this count does not include; so the run lock's job (`job_id`), not this count, tells a
    restarted worker its own run (`advnets.runs.claim.own_restart`).
    """
    return int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0"))


def job_id() -> str | None:
    """This torchrun job's name, the same in every attempt of `--max-restarts`; None outside torchrun.

    The rendezvous id (a fresh uuid under --standalone, the job's own under --rdzv-id); where it is torchrun's
    default "none", which every job shares, that with the launcher's host and pid (rank 0's node).
    """
    run_id = os.environ.get("TORCHELASTIC_RUN_ID")
    if not launched() or run_id is None:
        return None
    return run_id if run_id != "none" else f"none:{socket.gethostname()}:{os.getppid()}"


def _attempt_store(agent: dist.Store, rank: int, world: int) -> dist.Store:
    """torchrun's store under a prefix that this worker group alone uses (see the module docstring).

    Rank 0 announces a new prefix; every other rank says hello under it and waits for rank 0's answer. An
    announcement left by an earlier attempt is never answered (its rank 0 is dead), so the rank reads the
    announcement again until this attempt's rank 0 has replaced it.
    """
    if rank == 0:
        prefix = f"advnets/attempt-{uuid.uuid4().hex}"
        agent.set(ANNOUNCE, prefix)
        for other in range(1, world):
            agent.set(f"{prefix}/welcome/{other}", agent.get(f"{prefix}/hello/{other}").decode())
        return dist.PrefixStore(prefix, agent)
    hello = uuid.uuid4().hex
    deadline = time.monotonic() + default_pg_timeout.total_seconds()
    while time.monotonic() < deadline:
        prefix = agent.get(ANNOUNCE).decode()  # waits until some attempt has announced one
        agent.set(f"{prefix}/hello/{rank}", hello)
        answer = f"{prefix}/welcome/{rank}"
        with contextlib.suppress(RuntimeError):  # torch's DistStoreError: no answer in time
            agent.wait([answer], ANSWER_WITHIN)
            if agent.get(answer).decode() == hello:
                return dist.PrefixStore(prefix, agent)
        time.sleep(0.2)
    raise TimeoutError(f"rank {rank}: rank 0 of this torchrun attempt never answered")


def init(device_name: str) -> tuple[Context, torch.device]:
    """Join torchrun's process group, if launched by it, and return the context and this rank's device.

    The backend follows the device: NCCL for CUDA (rank r on GPU LOCAL_RANK), gloo for CPU.
    """
    device = resolve_device(device_name)
    if not launched():
        return Context(), device
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", "0"))
    backend = "gloo"
    if device.type == "cuda":
        if local >= torch.cuda.device_count():
            raise AdvnetsError(
                f"LOCAL_RANK {local} but only {torch.cuda.device_count()} GPUs; lower --nproc-per-node"
            )
        device, backend = torch.device("cuda", local), "nccl"
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        store, rank, world = next(rendezvous("env://", rank, world))
        if os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True":  # torchrun's store, shared by attempts
            store = _attempt_store(store, rank, world)
        dist.init_process_group(backend, store=store, rank=rank, world_size=world)
    return Context(rank, world, local, backend), device


def leave() -> None:
    """Leave the default process group together with every other rank, rank 0 last; a no-op outside one.

    For a normal finish (all ranks call it). Processes that left at different moments were seen aborted
    (SIGABRT) at teardown, and gloo keeps its sockets open until the process exits (measured: destroying
    the group closes none). So no rank starts to leave before all have finished their collectives (a
    barrier), and none goes on before all have destroyed their group (a count in the store). DDP wrappers
    that nothing references any more are freed first: each holds the group, and freed during interpreter
    exit it would be torn down then. Rank 0 returns last: under spawn (`init_method=tcp://` or env://
    without torchrun) its process hosts the store that the others are still reading.
    """
    if not dist.is_initialized():
        return
    store = dist.distributed_c10d._get_default_store()  # the group's own store (no public accessor)
    rank, world = dist.get_rank(), dist.get_world_size()
    dist.barrier()
    gc.collect()
    dist.destroy_process_group()
    store.add(DESTROYED, 1)
    _await_count(store, DESTROYED, world)
    if rank > 0:
        store.add(RELEASED, 1)
    else:
        _await_count(store, RELEASED, world - 1)


def _await_count(store: dist.Store, key: str, count: int) -> None:
    """Until `count` ranks have added 1 to `key`; as long as a collective would wait."""
    deadline = time.monotonic() + default_pg_timeout.total_seconds()
    while store.add(key, 0) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {store.add(key, 0)} of {count} processes reached {key!r}")
        time.sleep(0.01)


@contextmanager
def session(device_name: str) -> Iterator[tuple[Context, torch.device]]:
    """`init()` for the length of a run; leaves the process group as it found it (a caller's stays)."""
    owned = launched() and not dist.is_initialized()
    context, device = init(device_name)
    try:
        yield context, device
    except BaseException:
        # Another process may be gone (killed, or stopped by the same error): waiting for it could hang.
        if owned and dist.is_initialized():
            dist.destroy_process_group()
        raise
    if owned:
        leave()


def barrier(context: Context) -> None:
    if context.active:
        dist.barrier()
