"""Minibatches as index tensors over one in-memory tensor, in a seeded order that a resume can replay."""

from __future__ import annotations

import torch


class EpochSampler:
    """Yields index tensors of `batch_size`, reshuffling each epoch from (seed, epoch) alone.

    Because the order is a pure function of (seed, epoch), a resumed run needs only (epoch, position).
    The last partial batch of an epoch is dropped so every step sees the same batch size. The order is drawn
    on the host and kept on `device`, copied there once per epoch rather than once per batch.
    """

    def __init__(self, size: int, batch_size: int, seed: int, device: torch.device | str = "cpu") -> None:
        if size < batch_size:
            raise ValueError(f"batch size {batch_size} exceeds the {size} training examples")
        self.size, self.batch_size, self.seed = size, batch_size, seed
        self.device = torch.device(device)
        self.epoch, self.position = 0, 0
        self._order = self._permutation(0)

    @property
    def batches_per_epoch(self) -> int:
        return self.size // self.batch_size

    def _permutation(self, epoch: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        return torch.randperm(self.size, generator=generator).to(self.device)

    def next(self) -> torch.Tensor:
        if self.position >= self.batches_per_epoch:
            self.epoch, self.position = self.epoch + 1, 0
            self._order = self._permutation(self.epoch)
        start = self.position * self.batch_size
        self.position += 1
        return self._order[start : start + self.batch_size]

    def state_dict(self) -> dict[str, int]:
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.epoch, self.position = int(state["epoch"]), int(state["position"])
        self._order = self._permutation(self.epoch)
