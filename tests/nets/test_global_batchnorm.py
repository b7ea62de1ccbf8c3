"""GlobalBatchNorm: on 2 gloo processes with b rows each it is nn.BatchNorm on the 2b rows in one process.

One spawn of 2 processes checks outputs, input and parameter gradients, running statistics and eval mode,
for a 2-d and a 1-d batch norm, with the layer called twice before one backward (D on real, then fake).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from safetensors.torch import load_file, save_file
from torch import nn

from advnets.errors import AdvnetsError
from advnets.nets.global_batchnorm import (
    GlobalBatchNorm1d,
    GlobalBatchNorm2d,
    convert_global_batchnorm,
)
from advnets.runs.group import leave
from tests.runs.faults import free_port

ROWS = 3  # per process
CASES = {  # name: (the plain batch norm, the shape of one row)
    "2d": (lambda: nn.BatchNorm2d(4), (4, 5, 5)),
    "2d-cumulative": (lambda: nn.BatchNorm2d(4, momentum=None), (4, 5, 5)),
    "1d": (lambda: nn.BatchNorm1d(6, eps=1e-3), (6,)),
}


def real_then_fake(
    net: nn.Module, batches: list[torch.Tensor], weights: list[torch.Tensor]
) -> dict[str, torch.Tensor]:
    """`net` called on each batch in turn, then one backward of sum(weights * outputs): D's real-then-fake
    pattern. The weights make a loss that is not a plain mean, so the gradients through the statistics matter.
    """
    inputs = [x.clone().requires_grad_(True) for x in batches]
    outputs = [net(x) for x in inputs]
    sum((y * w).sum() for y, w in zip(outputs, weights)).backward()  # type: ignore[union-attr]
    return {
        "output": torch.cat(outputs),
        "input_grad": torch.cat([x.grad for x in inputs]),  # type: ignore[misc]
        "param_grad": torch.cat([p.grad for p in net.parameters()]),  # type: ignore[misc]
    }


def compare_on_rank(rank: int, world: int) -> dict[str, torch.Tensor]:
    """(mine, reference) pairs, as `{case}.{what}.mine` / `.ref` tensors, for this rank's rows."""
    out: dict[str, torch.Tensor] = {}
    rows = slice(rank * ROWS, (rank + 1) * ROWS)
    for case, (make, row_shape) in CASES.items():
        torch.manual_seed(0)  # the same data and initial layer on every rank
        reference = make()
        with torch.no_grad():
            reference.weight.normal_(1.0, 0.3)
            reference.bias.normal_(0.0, 0.3)
        mine = convert_global_batchnorm(copy.deepcopy(reference))
        # The fake batch sits far from zero, where E[x^2] - E[x]^2 would cancel in float32.
        batches = [torch.randn(world * ROWS, *row_shape), 4 + 0.5 * torch.randn(world * ROWS, *row_shape)]
        weights = [torch.randn_like(x) for x in batches]
        whole = real_then_fake(reference, batches, weights)
        share = real_then_fake(mine, [x[rows] for x in batches], [w[rows] for w in weights])
        # Each process's loss is the sum over its rows, so the whole batch's parameter gradient is their sum.
        dist.all_reduce(share["param_grad"])
        whole["output"], whole["input_grad"] = (
            torch.cat([t[rows] for t in whole[key].chunk(len(batches))]) for key in ("output", "input_grad")
        )
        for buffer in ("running_mean", "running_var", "num_batches_tracked"):
            share[buffer], whole[buffer] = getattr(mine, buffer), getattr(reference, buffer)
        test = torch.randn(2, *row_shape)
        with torch.no_grad():
            share["eval_output"], whole["eval_output"] = mine.eval()(test), reference.eval()(test)
        for what in whole:
            out[f"{case}.{what}.mine"] = share[what].detach().clone()
            out[f"{case}.{what}.ref"] = whole[what].detach().clone()
    return out


def worker(rank: int, world: int, port: int, out_dir: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    save_file(compare_on_rank(rank, world), str(Path(out_dir) / f"rank{rank}.safetensors"))
    leave()  # training's own teardown: together, rank 0 last


@pytest.mark.slow
def test_two_gloo_processes_normalise_like_one_with_the_whole_batch(tmp_path: Path) -> None:
    mp.spawn(worker, args=(2, free_port(), str(tmp_path)), nprocs=2, join=True)
    differ = []
    for rank in range(2):
        results = load_file(tmp_path / f"rank{rank}.safetensors")
        for key in (k.removesuffix(".mine") for k in results if k.endswith(".mine")):
            mine, ref = results[f"{key}.mine"], results[f"{key}.ref"]
            if not torch.allclose(mine, ref, rtol=1e-4, atol=1e-5):
                differ.append(f"rank {rank} {key}: max |diff| {float((mine - ref).abs().max()):.2e}")
    assert not differ, differ


def test_without_a_process_group_it_is_plain_batch_norm() -> None:
    torch.manual_seed(0)
    reference = nn.BatchNorm2d(3)
    mine = convert_global_batchnorm(copy.deepcopy(reference))
    assert isinstance(mine, GlobalBatchNorm2d)
    x = torch.randn(4, 3, 2, 2) * 3 + 1
    weights = torch.randn(4, 3, 2, 2)
    for net in (reference, mine):
        (net(x) * weights).sum().backward()
    assert torch.equal(mine(x), reference(x))
    assert torch.equal(mine.weight.grad, reference.weight.grad)  # type: ignore[arg-type]
    assert torch.equal(mine.running_var, reference.running_var)  # type: ignore[arg-type]


def test_convert_swaps_every_batch_norm_and_keeps_its_tensors() -> None:
    net = nn.Sequential(
        nn.Linear(4, 6), nn.BatchNorm1d(6), nn.Sequential(nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2))
    )
    net.eval()
    bn1, bn2 = net[1], net[2][1]
    converted = convert_global_batchnorm(net)
    assert converted is net
    assert isinstance(net[1], GlobalBatchNorm1d) and isinstance(net[2][1], GlobalBatchNorm2d)
    # The same tensors, not copies: an optimiser built before the conversion still steps what the net uses.
    assert net[1].weight is bn1.weight and net[2][1].running_mean is bn2.running_mean
    assert not net[1].training
    assert isinstance(convert_global_batchnorm(nn.BatchNorm2d(2)), GlobalBatchNorm2d)  # a bare root too


def test_convert_refuses_a_batch_norm_it_does_not_know() -> None:
    class Custom(nn.BatchNorm2d):
        pass

    with pytest.raises(AdvnetsError, match="cannot compute Custom's statistics"):
        convert_global_batchnorm(nn.Sequential(Custom(2)))
