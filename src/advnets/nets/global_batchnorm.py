"""Batch norm with batch statistics over every process: the counterpart of nn.SyncBatchNorm for CPUs (gloo).

Under data-parallel training each of N processes holds 1/N of the batch, and plain batch norm normalises
with that share's statistics: N processes then compute something other than one process with the whole
batch. Here each process sums its values, their squares and their count, one all-reduce adds them up, and
the layer normalises with the whole batch's mean and biased variance. The all-reduce is differentiable
(its backward all-reduces the gradient), so the backward pass is the whole batch's too.

PyTorch's SyncBatchNorm does the same on CUDA only; `advnets.runs.distributed.ddp` picks one or the other.
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from advnets.errors import AdvnetsError


class _SumOverProcesses(torch.autograd.Function):
    """The sum of a tensor over all processes; its backward is the sum of the gradient over all processes.

    Every process's loss depends on the total, so the gradient reaching one process's share is the sum of
    the gradients all processes send back to the total. (torch.distributed.nn.functional.all_reduce does
    this too but is deprecated, and its replacement lives in a private module.)
    """

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, local: torch.Tensor) -> torch.Tensor:
        total = local.clone()
        dist.all_reduce(total)
        return total

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, grad: torch.Tensor) -> torch.Tensor:
        total = grad.contiguous().clone()
        dist.all_reduce(total)
        return total


def spans_processes() -> bool:
    """True inside a process group of more than one process: only then is there anything to reduce."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


class GlobalBatchNorm(_BatchNorm):
    """A batch norm whose training-mode statistics are those of the batch on all processes together.

    In eval mode, or in one process, it is the batch norm it subclasses, call for call.
    """

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        batch_statistics = self.training or self.running_mean is None
        if not batch_statistics or not spans_processes():
            return super().forward(input)
        self._check_input_dim(input)
        channels = input.shape[1]
        dims = [0, *range(2, input.dim())]
        # float64: E[x^2] - E[x]^2 cancels badly in float32 when |mean| >> std (PyTorch's CPU batch norm
        # also accumulates in double). One all-reduce carries sums, squares and count.
        wide = input.to(torch.float64)
        count = torch.full((1,), input.numel() // channels, dtype=torch.float64, device=input.device)
        local = torch.cat([wide.sum(dims), (wide * wide).sum(dims), count])
        total = _SumOverProcesses.apply(local)
        n = total[-1].detach()  # a count: no gradient flows through it
        if float(n) <= 1:  # every process sees the same n, so all raise together instead of one hanging
            raise AdvnetsError(
                f"batch norm needs more than one value per channel over all processes, got {int(n)}; "
                "raise game.batch_size"
            )
        mean = total[:channels] / n
        var = total[channels : 2 * channels] / n - mean * mean
        if self.training and self.track_running_stats:
            self._update_running_statistics(mean.detach(), var.detach() * n / (n - 1))
        shape = (1, channels) + (1,) * (input.dim() - 2)
        scale = torch.rsqrt(var + self.eps)
        if self.weight is not None:
            scale = scale * self.weight
        out = (input - mean.to(input.dtype).view(shape)) * scale.to(input.dtype).view(shape)
        return out if self.bias is None else out + self.bias.view(shape)

    @torch.no_grad()
    def _update_running_statistics(self, mean: torch.Tensor, unbiased_var: torch.Tensor) -> None:
        """nn.BatchNorm's update: momentum, or with momentum None the cumulative average over batches."""
        assert self.running_mean is not None and self.running_var is not None
        assert self.num_batches_tracked is not None
        self.num_batches_tracked.add_(1)
        factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        for running, batch in ((self.running_mean, mean), (self.running_var, unbiased_var)):
            running.copy_(factor * batch.to(running.dtype) + (1 - factor) * running)


class GlobalBatchNorm1d(GlobalBatchNorm, nn.BatchNorm1d):
    pass


class GlobalBatchNorm2d(GlobalBatchNorm, nn.BatchNorm2d):
    pass


class GlobalBatchNorm3d(GlobalBatchNorm, nn.BatchNorm3d):
    pass


GLOBAL_KINDS: dict[type[nn.Module], type[GlobalBatchNorm]] = {
    nn.BatchNorm1d: GlobalBatchNorm1d,
    nn.BatchNorm2d: GlobalBatchNorm2d,
    nn.BatchNorm3d: GlobalBatchNorm3d,
}


def convert_global_batchnorm(module: nn.Module) -> nn.Module:
    """`module` with every batch norm in it swapped for its GlobalBatchNorm twin (the root too, if it is one).

    The twin takes over the very parameter and buffer tensors, not copies: optimisers built on the net
    keep stepping the parameters that the net now uses.
    """
    if isinstance(module, GlobalBatchNorm):
        return module
    kind = GLOBAL_KINDS.get(type(module))
    if kind is not None:
        assert isinstance(module, _BatchNorm)
        twin = kind(
            module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats
        )
        for name, tensor in [*module.named_parameters(recurse=False), *module.named_buffers(recurse=False)]:
            setattr(twin, name, tensor)
        return twin.train(module.training)
    if isinstance(module, _BatchNorm):  # a subclass may change what forward computes: not ours to replace
        raise AdvnetsError(
            f"train.sync_batchnorm cannot compute {type(module).__name__}'s statistics over processes on "
            "this device (only nn.BatchNorm1d/2d/3d); set it false"
        )
    for name, child in module.named_children():
        setattr(module, name, convert_global_batchnorm(child))
    return module
