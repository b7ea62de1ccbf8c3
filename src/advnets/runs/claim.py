"""Claiming a run directory for training: its lock, a torchrun restart's own run, a fresh start's clean slate.

A run directory holds one run, trained by one process at a time (see lock.py). Rank 0 decides, and every
rank learns its decision.
"""

from __future__ import annotations

import torch
from rich.console import Console

from advnets.runs import distributed, group
from advnets.runs.checkpoint import list_checkpoints, remove_partial_writes
from advnets.runs.group import Context
from advnets.runs.lock import Holder, RunLock
from advnets.runs.rundir import RunDir


def own_restart(run: RunDir, record: Holder | None, console: Console) -> bool | None:
    """For a worker torchrun restarted into the run its own job trains: True to resume it, False to start it
    over (that job wrote no checkpoint yet). None otherwise: another job's run, or none.

    The lock's job, not the restart count, decides: on several nodes an agent whose own workers were healthy
    restarts them as a membership change without counting it, and rank 0 may be on that node.
    """
    job = group.job_id()
    if job is None or record is None or record.job != job:
        return None
    if not list_checkpoints(run.checkpoints_dir):
        return False
    count = group.restart_count()
    why = f"torchrun restart {count}" if count else "torchrun restart (another node's workers)"
    console.print(f"{why}: resuming {run.path}", highlight=False)
    return True


def claim_run(
    run: RunDir, context: Context, device: torch.device, resume: bool, overwrite: bool, console: Console
) -> tuple[RunLock | None, bool]:
    """Rank 0 makes the directory, takes its lock, makes way for a fresh run, clears half-written files.

    Returns the lock (rank 0's) and whether the run resumes, the same on every rank.
    """
    lock = RunLock(run.path) if context.is_main else None
    if lock is not None:
        run.create()
        record = lock.acquire()
        try:
            if record is not None and not record.released:
                console.print(
                    f"[yellow]notice:[/] took over the lock of {run.path} from {record.describe()}, which "
                    "ended without letting go of it (killed?)",
                    highlight=False,
                )
            restart = own_restart(run, record, console)
            resume = resume or bool(restart)
            if not resume:
                run.claim_fresh(overwrite or restart is False)
            lock.claim(group.job_id())
            remove_partial_writes(run.checkpoints_dir)
            remove_partial_writes(run.path)
        except BaseException:
            lock.release()
            raise
    [resume] = distributed.any_rank([resume], context, device)  # rank 0's decision, and a barrier
    return lock, resume
