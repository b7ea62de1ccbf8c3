"""Data-parallel training on PyTorch's own engine: torchrun's environment, DDP, per-rank data and RNG.

    torchrun --nproc-per-node 2 -m advnets train --preset mnist-mlp --data-dir PATH/TO/MNIST

torchrun sets RANK, WORLD_SIZE, LOCAL_RANK and the rendezvous address; `init()` joins that process group
(gloo on CPU, NCCL on CUDA) and `leave()` leaves it (both in `advnets.runs.group`).
`game.batch_size` stays the global minibatch: each of N ranks takes its contiguous 1/N of every batch of the
one global data order, and its 1/N slice of noise drawn for the whole batch from a generator every rank
holds in the same state, so the run does not depend on N (to float tolerance) and any N can resume a
checkpoint written by another. Dropout draws from each rank's own global RNG stream. Both nets are wrapped
in DistributedDataParallel; only rank 0 writes files.
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from advnets.errors import AdvnetsError
from advnets.game.batches import EpochSampler
from advnets.game.loop import Game
from advnets.nets.global_batchnorm import convert_global_batchnorm
from advnets.runs.group import Context

NOISE_STREAM = 4_099  # offsets that keep the noise and per-rank dropout streams apart from the init seed
RANK_STREAM = 7_919


class ShardedSampler(EpochSampler):
    """EpochSampler's global order, the same on every rank; `next()` is this rank's contiguous share.

    Its state (epoch, position) counts global batches, so a checkpoint means the same at any rank count.
    """

    def __init__(
        self, size: int, batch_size: int, seed: int, rank: int, ranks: int, device: torch.device | str = "cpu"
    ) -> None:
        if batch_size % ranks:
            raise AdvnetsError(
                f"game.batch_size={batch_size} does not split evenly over {ranks} processes; "
                f"use a multiple of {ranks} or another --nproc-per-node"
            )
        super().__init__(size, batch_size, seed, device)
        self.rank, self.ranks = rank, ranks

    def next(self) -> torch.Tensor:
        return super().next().chunk(self.ranks)[self.rank]  # (batch_size / ranks,)


def rank_seed(seed: int, rank: int, step: int) -> int:
    """Seed of rank `rank`'s dropout stream when no saved state exists for it (fresh start at `step`)."""
    return (seed * 1_000_003 + RANK_STREAM * rank + 104_729 * step) % 2**62


def noise_seed(seed: int, step: int) -> int:
    return (seed * 1_000_003 + NOISE_STREAM + 104_729 * step) % 2**62


def shard_game(game: Game, context: Context) -> None:
    """Give `game` this rank's data slice, the shared noise stream and its own dropout stream.

    Called on a freshly built game; restoring a checkpoint afterwards overwrites the streams from it
    (see `restore_streams`). Also used with a one-process Context to get the same streams without DDP.
    """
    seed = game.config.train.seed
    old = game.sampler
    game.sampler = ShardedSampler(
        old.size, old.batch_size, seed, context.rank, context.world_size, old.device
    )
    game.sampler.load_state_dict(old.state_dict())
    game.shard = (context.rank, context.world_size)
    game.noise_generator = torch.Generator().manual_seed(noise_seed(seed, game.step_count))
    if context.rank > 0:  # rank 0 keeps the stream build_game left, as a one-process run does
        torch.manual_seed(rank_seed(seed, context.rank, game.step_count))


def ddp(module: nn.Module, device: torch.device, sync_batchnorm: bool = False) -> DistributedDataParallel:
    """`module` wrapped so each backward through it averages its gradients over the ranks.

    forward_sync_buffers=False: batch-norm running statistics stay per rank (D may be called twice before one
    backward, which with buffer broadcasting fails in place). `sync_batchnorm` computes batch statistics over
    all ranks instead, so the ranks' running statistics agree too: PyTorch's SyncBatchNorm on CUDA, advnets'
    GlobalBatchNorm elsewhere (SyncBatchNorm runs on CUDA only). Optimisers keep working: the parameters are
    shared, not copied.
    """
    if sync_batchnorm:
        if device.type == "cuda":
            module = nn.SyncBatchNorm.convert_sync_batchnorm(module)
        else:
            module = convert_global_batchnorm(module)
    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids, forward_sync_buffers=False)


def wrap_nets(game: Game, context: Context, sync_batchnorm: bool = False) -> None:
    """Wrap G, D and a variant's extra players (an encoder) in DDP (see `ddp`) when a process group is
    active; a one-process game is left as is."""
    if context.active:
        game.generator = ddp(game.generator, game.device, sync_batchnorm)
        game.discriminator = ddp(game.discriminator, game.device, sync_batchnorm)
        game.players = {k: ddp(m, game.device, sync_batchnorm) for k, m in game.players.items()}


def _comm_device(context: Context, device: torch.device) -> torch.device:
    return device if context.backend == "nccl" else torch.device("cpu")


def rank_rng_tensors(context: Context, device: torch.device) -> dict[str, torch.Tensor]:
    """Every rank's RNG states, gathered (a collective: all ranks call it), as extra checkpoint tensors.

    Rank 0's states are the checkpoint's ordinary `rng.cpu` / `rng.cuda`; ranks r > 0 add `rng.cpu.rank{r}`.
    """
    if not context.active or context.world_size == 1:
        return {}
    states = {"rng.cpu": torch.get_rng_state()}
    if device.type == "cuda":
        states["rng.cuda"] = torch.cuda.get_rng_state(device)
    comm = _comm_device(context, device)
    out: dict[str, torch.Tensor] = {}
    for key, state in states.items():
        gathered = [torch.empty_like(state, device=comm) for _ in range(context.world_size)]
        dist.all_gather(gathered, state.to(comm))
        out.update({f"{key}.rank{r}": g.cpu() for r, g in enumerate(gathered) if r > 0})
    return out


def restore_streams(game: Game, tensors: dict[str, torch.Tensor], context: Context) -> None:
    """After `restore`: this rank's own dropout stream, and the noise stream if the checkpoint lacks one.

    A rank the writing run did not have (more ranks now) starts a fresh stream seeded from (seed, rank, step).
    """
    seed, step = game.config.train.seed, game.step_count
    if game.noise_generator is not None and "rng.noise" not in tensors:
        game.noise_generator.manual_seed(noise_seed(seed, step))
    if context.rank == 0:
        return
    key = f"rng.cpu.rank{context.rank}"
    if key in tensors:
        torch.set_rng_state(tensors[key])
    else:
        torch.manual_seed(rank_seed(seed, context.rank, step))
    if game.device.type == "cuda" and f"rng.cuda.rank{context.rank}" in tensors:
        torch.cuda.set_rng_state(tensors[f"rng.cuda.rank{context.rank}"], game.device)


def reduce_mean(values: torch.Tensor, context: Context) -> torch.Tensor:
    """The mean of `values` (any shape) over ranks; `values` itself on one process."""
    if not context.active or context.world_size == 1:
        return values
    device = values.device
    total = values.detach().to(_comm_device(context, device), torch.float64)
    dist.all_reduce(total)
    return (total / context.world_size).to(device, values.dtype)


def any_rank(flags: list[bool], context: Context, device: torch.device) -> list[bool]:
    """For each flag, whether it is true on any rank, so every rank takes the same branch."""
    if not context.active or context.world_size == 1:
        return flags
    tensor = torch.tensor([float(f) for f in flags], device=_comm_device(context, device))
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return [bool(v) for v in tensor.tolist()]
