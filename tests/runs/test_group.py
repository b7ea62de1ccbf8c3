"""How a torchrun worker group finds its own key prefix in torchrun's store, which outlives the workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import torch.distributed as dist

from advnets.runs import group

STALE = "advnets/attempt-of-a-killed-group"


def test_a_stale_announcement_is_passed_over_for_the_live_rank_0(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A killed attempt's announcement is still in the store when rank 1 of the next attempt starts, and
    its rank 0 (dead) never answers: rank 1 must end up under the prefix of the live rank 0."""
    monkeypatch.setattr(group, "ANSWER_WITHIN", timedelta(seconds=0.5))
    server = dist.TCPStore("127.0.0.1", 0, None, True, timedelta(seconds=20), wait_for_workers=False)

    def client() -> dist.Store:
        return dist.TCPStore("127.0.0.1", server.port, None, False, timedelta(seconds=20))

    server.set(group.ANNOUNCE, STALE)
    found: dict[str, dist.Store] = {}
    rank1 = threading.Thread(target=lambda: found.update(rank1=group._attempt_store(client(), 1, 2)))
    rank1.start()
    server.wait([f"{STALE}/hello/1"])  # rank 1 has taken the stale announcement first
    rank0 = group._attempt_store(client(), 0, 2)
    rank1.join(20)
    assert "rank1" in found
    rank0.set("probe", "from rank 0")
    assert found["rank1"].get("probe") == b"from rank 0"  # one prefix for both
    assert not server.check([f"{STALE}/probe"])
