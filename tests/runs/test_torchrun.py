"""torchrun as users run it: one node of 2 processes, and 2 nodes of 1 process each, here on one machine.

The 2 nodes are two torchrun agents (`--nnodes 2 --nproc-per-node 1`, c10d rendezvous on 127.0.0.1) sharing
one run directory, as a shared filesystem would. With `--max-restarts` a run whose worker is killed continues
from its last checkpoint and ends bit-identical to an uninterrupted 2-process run (dropout on: each rank's
own stream is restored).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.runs.checkpoint import list_checkpoints, load_checkpoint
from advnets.runs.rundir import read_metrics
from tests.runs.faults import (
    all_checkpoints_load,
    children,
    finish,
    finish_all,
    free_port,
    kill,
    latest_step,
    rank_of,
    start,
    stop_all,
    torchrun,
    torchrun_node,
    train_as_one_rank,
    wait_for,
)

SETTINGS = [
    "train.epochs=2",  # 50 steps of the global batch of 50, 25 rows per rank
    "train.checkpoint_every=5",
    "train.threads=1",  # one thread per process however the processes are spread over nodes
    "train.progress=false",
    "train.log_every=5",
]
PATIENCE = 600  # seconds a run may take on a loaded machine before it counts as hung (never a speed check)
TRAIN = ["train", "--preset", "digits-mlp", *[arg for setting in SETTINGS for arg in ("--set", setting)]]


def one_node(run_dir: Path, *launcher: str) -> list[str]:
    return torchrun(2, list(launcher), *TRAIN, "--run-dir", str(run_dir))


def two_nodes(run_dir: Path, *launcher: str) -> list[list[str]]:
    """The two agents' commands: the same on both nodes, as on a real cluster."""
    port = free_port()
    return [torchrun_node(port, list(launcher), *TRAIN, "--run-dir", str(run_dir)) for _ in range(2)]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-process run on one node that nothing interrupts: what every run here must equal."""
    run_dir = tmp_path_factory.mktemp("torchrun") / "whole"
    assert no_abort(finish(start(one_node(run_dir)), PATIENCE))
    return run_dir


def no_abort(*texts: str) -> bool:
    """No worker was aborted (torchrun reports a worker that died of SIGABRT with exit code -6)."""
    return not any("SIGABRT" in text or "exitcode: -6" in text for text in texts)


def final(run_dir: Path) -> dict[str, torch.Tensor]:
    tensors, meta = load_checkpoint(list_checkpoints(run_dir / "checkpoints")[-1])
    assert meta["game"]["step"] == 50
    return tensors


def assert_same_run(run_dir: Path, reference: Path) -> None:
    """Final checkpoints bit-identical, tensor by tensor; one metrics row per logged step, in order."""
    expected, got = final(reference), final(run_dir)
    assert got.keys() == expected.keys()
    assert "rng.cpu.rank1" in got  # rank 1's dropout stream travels in the checkpoint
    for key in expected:
        assert torch.equal(got[key], expected[key]), key
    steps = [row["step"] for row in read_metrics(run_dir / "metrics.jsonl")]
    assert steps == sorted(set(steps)) and steps[-1] == 50


@pytest.mark.slow
def test_max_restarts_recovers_a_killed_worker_exactly(
    tmp_path: Path, uninterrupted: Path, digits, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    run_dir = tmp_path / "restarted"
    launcher = start(one_node(run_dir, "--max-restarts=1"))
    assert wait_for(lambda: latest_step(run_dir) >= 10, launcher, PATIENCE), "the run ended before the kill"
    workers = children(launcher.pid)
    assert len(workers) == 2, workers
    kill(max(workers))  # one worker dies; torchrun restarts both from the last checkpoint
    text = finish(launcher, PATIENCE)
    assert "torchrun restart 1: resuming" in text and "finished at step 50" in text
    assert no_abort(text)
    all_checkpoints_load(run_dir)
    assert_same_run(run_dir, uninterrupted)

    # The 2-process run's step-40 checkpoint resumed by a single process (torchrun's one worker).
    whole = tmp_path / "whole"
    shutil.copytree(uninterrupted, whole)
    for later in list_checkpoints(whole / "checkpoints")[1:]:
        later.unlink()
    config = resolve_config("digits-mlp", None, parse_assignments(SETTINGS))
    result = train_as_one_rank(config, whole, monkeypatch, resume=True, dataset=digits)
    assert (result.status, result.step) == ("finished", 50)
    assert all(bool(torch.isfinite(t).all()) for t in final(whole).values() if t.is_floating_point())


@pytest.mark.slow
def test_two_nodes_equal_one_node_with_two_processes(tmp_path: Path, uninterrupted: Path) -> None:
    """Bitwise equal, not just to float tolerance: both layouts run rank 0 and rank 1 on the same shards of
    the same batches with one thread each, so each rank does the same arithmetic. The only operations across
    ranks are all-reduces and all-gathers over 2 ranks, whose sums are a + b on one rank and b + a on the
    other: equal bit for bit, since float addition is commutative. The nodes change where the ranks run and
    which sockets carry their messages, not a single operation.
    """
    run_dir = tmp_path / "two-nodes"
    texts = finish_all([start(command) for command in two_nodes(run_dir)], PATIENCE)
    assert sum("finished at step 50" in text for text in texts) == 1, texts  # rank 0 alone prints
    assert no_abort(*texts)
    all_checkpoints_load(run_dir)
    assert_same_run(run_dir, uninterrupted)


@pytest.mark.slow
@pytest.mark.parametrize("victim", [0, 1], ids=["rank0-killed", "rank1-killed"])
def test_two_nodes_survive_a_killed_worker_exactly(tmp_path: Path, uninterrupted: Path, victim: int) -> None:
    """One node's worker is killed (SIGKILL; its agent lives). Its agent counts a restart; the other node's
    agent restarts its healthy worker as a membership change, which torchrun does not count, so the two
    workers see different TORCHELASTIC_RESTART_COUNTs. They must still meet, and both resume.
    """
    run_dir = tmp_path / "two-nodes"
    agents = [start(command) for command in two_nodes(run_dir, "--max-restarts=1")]
    try:
        assert wait_for(lambda: latest_step(run_dir) >= 10, agents[0], PATIENCE), "ended before the kill"
        workers = {rank_of(pid): pid for agent in agents for pid in children(agent.pid)}
        assert sorted(workers) == [0, 1], workers
        kill(workers[victim])
    except BaseException:
        stop_all(agents)
        raise
    text = "\n".join(finish_all(agents, PATIENCE))
    assert "resuming" in text and "finished at step 50" in text, text[-4000:]
    assert no_abort(text)
    all_checkpoints_load(run_dir)
    assert_same_run(run_dir, uninterrupted)
