"""The game's state and its one loop step, shared by every variant, the CLI, the lab and the tests.

Side effects (files, progress bars, printing) live in advnets.runs; this module only computes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

from advnets.config.schema import RunConfig
from advnets.data.base import Split
from advnets.game.batches import EpochSampler
from advnets.game.devices import to_device
from advnets.game.noise import sample_noise
from advnets.game.optim import apply_schedule, make_optimizer
from advnets.game.parallel import unwrap
from advnets.game.phases import Phase, Stats, move_phases
from advnets.variants.base import DataInfo, Variant


class Game:
    """Two players, their optimisers, and the training data, advanced one iteration at a time by `step()`.

    A step is one iteration of Algorithm 1 (k D updates and one G update, or `game.g_steps` of them; or one
    simultaneous update),
    the moves that the variant's objective and the update rule give (advnets.game.phases); the learning
    rate decays per step and momentum ramps per epoch (one pass over the training split).
    """

    def __init__(
        self,
        config: RunConfig,
        variant: Variant,
        info: DataInfo,
        generator: nn.Module,
        discriminator: nn.Module,
        train: Split,
        device: torch.device | str = "cpu",
    ) -> None:
        self.config, self.variant, self.info = config, variant, info
        self.device = torch.device(device)
        self.generator = generator.to(self.device).train()
        self.discriminator = discriminator.to(self.device).train()
        self.opt_g = make_optimizer(self.generator, config.optim, "g")
        self.opt_d = make_optimizer(self.discriminator, config.optim, "d")
        # Extra players a variant adds (e.g. an encoder E), each with its own optimiser; empty for the paper.
        self.players = {k: m.to(self.device).train() for k, m in variant.extra_players(config, info).items()}
        self.player_opts = {k: make_optimizer(m, config.optim) for k, m in self.players.items()}
        self.images = train.images.to(self.device)
        self.labels = None if train.labels is None else train.labels.to(self.device)
        self.sampler = EpochSampler(len(train), config.game.batch_size, config.train.seed, self.device)
        self.update = variant.update_rule(config)
        self.moves = self.update.moves(variant.objective(config), config.game.k, config.game.g_steps)
        self.step_count = 0
        # Set by advnets.runs.distributed under torchrun: the noise is drawn for the whole global batch from
        # this generator (same state on every rank) and each rank keeps its slice `shard` = (rank, ranks).
        self.noise_generator: torch.Generator | None = None
        self.shard = (0, 1)

    @property
    def epoch(self) -> int:
        """Completed passes over the training split (the epoch the next batch belongs to)."""
        position_done = self.sampler.position >= self.sampler.batches_per_epoch
        return self.sampler.epoch + int(position_done)

    @property
    def minibatches_per_step(self) -> int:
        """Real minibatches one step draws (k, or 1 in the simultaneous order)."""
        return sum(move.minibatches for move in self.moves)

    @property
    def steps_per_epoch(self) -> int:
        return steps_per_epoch(self.sampler.batches_per_epoch, self.minibatches_per_step)

    def player(self, name: str) -> tuple[nn.Module, torch.optim.Optimizer]:
        """A player's net and optimiser by name: "g", "d", or an extra player's."""
        if name in ("g", "d"):
            return (self.generator, self.opt_g) if name == "g" else (self.discriminator, self.opt_d)
        return self.players[name], self.player_opts[name]

    def noise(self, n: int) -> torch.Tensor:
        """(n, noise_dim) draws for this process's n rows (from the global RNG unless sharded)."""
        cfg = self.config.generator
        if self.noise_generator is None:
            return sample_noise(n, cfg.noise_dim, cfg.noise, self.device)
        return self._share_of_global_draw(
            lambda rows, generator: sample_noise(rows, cfg.noise_dim, cfg.noise, "cpu", generator), n
        )

    def randint(self, high: int, n: int) -> torch.Tensor:
        """(n,) integers in [0, high) for this process's n rows, drawn like `noise`."""
        if self.noise_generator is None:
            return torch.randint(high, (n,), device=self.device)
        return self._share_of_global_draw(
            lambda rows, generator: torch.randint(high, (rows,), generator=generator), n
        )

    def _share_of_global_draw(
        self, draw: Callable[[int, torch.Generator], torch.Tensor], n: int
    ) -> torch.Tensor:
        """This process's n rows of one draw for the whole global batch from the shared stream, so the ranks
        together draw exactly what one process with the whole batch would."""
        assert self.noise_generator is not None
        rank, ranks = self.shard
        return to_device(draw(n * ranks, self.noise_generator)[rank * n : (rank + 1) * n], self.device)

    def next_real_batch(self) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """(x, c for x, c for G's samples) of one minibatch."""
        index = self.sampler.next().to(self.device)
        labels = None if self.labels is None else self.labels[index]
        x = self.images[index]
        c_real, c_fake = self.variant.conditions(x, labels, self.info)
        return x, c_real, c_fake

    def phases(self) -> Iterator[Phase]:
        """One step, pausing after every sub-step (the lab's view); its last phase carries the statistics.

        The step counts as taken once its last phase is out: a caller may stop there without exhausting it.
        """
        for name, optimizer in (("g", self.opt_g), ("d", self.opt_d), *self.player_opts.items()):
            apply_schedule(optimizer, self.config.optim, self.step_count, self.epoch, name)
        phases = move_phases(self, self.moves)
        # bf16 autocast (train.precision=bf16) runs the matmuls on the CPU's bf16 units (AMX where present)
        # or a GPU's tensor cores; it changes numerics, so it is never the default. It is entered for each
        # sub-step: autocast keeps its bf16 copies of the weights until its region ends, so one region around
        # the step would show G's move the D from before D's step (and it would stay on while paused).
        bf16 = self.config.train.precision == "bf16"
        while True:
            with torch.autocast(self.device.type, torch.bfloat16, enabled=bf16):
                phase = next(phases, None)
            if phase is None:
                return
            if phase.stats is not None:
                self.step_count += 1
            yield phase

    def step(self) -> Stats:
        """One iteration of Algorithm 1, run to the end; detached statistics, still on the device."""
        stats: Stats = {}
        for phase in self.phases():
            stats = phase.stats or stats
        return stats

    def steps(self, count: int) -> Iterator[Stats]:
        for _ in range(count):
            yield self.step()

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """(n, *sample_shape) samples from G in eval mode; with `generator`, training RNG is untouched."""
        cfg = self.config.generator
        z = sample_noise(n, cfg.noise_dim, cfg.noise, "cpu", generator).to(self.device)
        c = self.variant.sample_condition(None, n, self.info, self.device)
        net = unwrap(self.generator)
        was_training = net.training
        net.eval()
        samples = net(z, c)
        net.train(was_training)
        return samples

    def state(self) -> dict[str, Any]:
        """Everything a resume needs besides the weights: counters and the position in the data."""
        return {"step": self.step_count, "sampler": self.sampler.state_dict()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.step_count = int(state["step"])
        self.sampler.load_state_dict(state["sampler"])


def steps_per_epoch(batches_per_epoch: int, minibatches_per_step: int) -> int:
    """Steps in one pass over the training split, each drawing `minibatches_per_step` minibatches."""
    return max(batches_per_epoch // minibatches_per_step, 1)
