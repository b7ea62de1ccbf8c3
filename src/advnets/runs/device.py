"""Where a run computes: the torch device a name stands for on this machine, and how many CPU threads."""

from __future__ import annotations

import os

import torch

from advnets.config.schema import DEVICES, MAX_THREADS, is_device_name
from advnets.errors import AdvnetsError


def resolve_device(name: str) -> torch.device:
    """The torch device for cpu, cuda, cuda:N or auto (a GPU when there is one), checked on this machine."""
    if not is_device_name(name):
        raise AdvnetsError(f"'{name}' is not a device; use {DEVICES}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise AdvnetsError(
            f"device '{name}' requested but no CUDA GPU is available; use --set train.device=cpu"
        )
    count = torch.cuda.device_count() if device.type == "cuda" else 0
    if device.index is not None and device.index >= count:
        raise AdvnetsError(
            f"device '{name}' requested but this machine has {count} CUDA GPU(s), "
            f"cuda:0 to cuda:{count - 1}; choose one of them"
        )
    return device


def set_threads(requested: int) -> None:
    """`requested` threads, or (0) this machine's cores shared among torchrun's processes on it."""
    if not 0 <= requested <= MAX_THREADS:
        raise AdvnetsError(f"threads must be between 0 (one per core) and {MAX_THREADS}, not {requested}")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    local_processes = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))  # set by torchrun
    torch.set_num_threads(requested or max(cores // local_processes, 1))
