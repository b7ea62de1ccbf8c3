"""Moving small tensors between the host and an accelerator without draining its queue of work.

A plain `tensor.to("cuda")` from ordinary host memory, or `bool(cuda_tensor)`, makes the host wait until
the GPU has finished everything queued before it: once per training step, that idles the GPU while the host
queues the next kernels. On a CPU these helpers are the plain calls (nothing is queued there).
"""

from __future__ import annotations

import torch


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """`tensor` (on the host) on `device`; to a GPU through pinned memory, queued without waiting."""
    if device.type == "cuda":
        return tensor.pin_memory().to(device, non_blocking=True)
    return tensor.to(device)


class HostFlag:
    """A boolean computed on the device and read on the host later.

    On a GPU its copy to the host is queued at once and `bool()` waits only for the work queued before the
    flag, not for work queued since: the host can read it while the GPU runs a backward pass.
    """

    def __init__(self, flag: torch.Tensor) -> None:
        self._event: torch.cuda.Event | None = None
        self._value = flag
        if flag.device.type == "cuda":
            self._value = torch.empty(flag.shape, dtype=flag.dtype, pin_memory=True)
            self._value.copy_(flag, non_blocking=True)
            self._event = torch.cuda.Event()
            self._event.record()

    def __bool__(self) -> bool:
        if self._event is not None:
            self._event.synchronize()
        return bool(self._value)
