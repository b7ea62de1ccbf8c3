"""A trained run loaded from its directory: the one path from a checkpoint to a sampler.

Every command and driver that needs a run's nets goes through `TrainedModel.load`, without the dataset. The
variant supplies what differs between runs (the condition G and D see); the run's config supplies the prior.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from advnets.config.schema import RunConfig
from advnets.errors import AdvnetsError
from advnets.game.noise import sample_noise
from advnets.runs.checkpoint import load_checkpoint
from advnets.runs.device import resolve_device
from advnets.runs.memory import require_memory
from advnets.runs.rundir import RunDir
from advnets.runs.state import info_from_meta, module_state
from advnets.variants import DataInfo, Variant, get_variant

# G runs on this many samples at a time, so its hidden layers' memory stays bounded whatever n is asked.
SAMPLE_CHUNK = 1000


@dataclass
class TrainedModel:
    """A run's nets in eval mode (G, D and a variant's extra players, such as an encoder); G as a sampler."""

    config: RunConfig
    info: DataInfo
    variant: Variant
    generator: nn.Module
    discriminator: nn.Module
    players: dict[str, nn.Module]
    checkpoint: Path
    step: int
    epoch: float | None
    device: torch.device

    @classmethod
    def load(
        cls,
        run_dir: str | os.PathLike[str],
        checkpoint: str | os.PathLike[str] | None = None,
        device: str = "cpu",
    ) -> TrainedModel:
        """The run's latest checkpoint (or the one named); a missing run directory is one clear error."""
        target = resolve_device(device)
        run = RunDir(Path(run_dir)).require_directory()
        path = Path(checkpoint) if checkpoint is not None else run.latest_checkpoint()
        tensors, meta = load_checkpoint(path)
        config, info = info_from_meta(meta)
        variant = get_variant(config.variant)
        generator = variant.build_generator(config, info)
        discriminator = variant.build_discriminator(config, info)
        players = variant.extra_players(config, info)
        nets = [("generator", generator), ("discriminator", discriminator)]
        nets += [(f"player.{name}", module) for name, module in players.items()]
        for prefix, module in nets:
            try:
                module.load_state_dict(module_state(tensors, prefix))
            except RuntimeError as error:
                raise AdvnetsError(
                    f"{path} does not fit the nets its own config describes ({str(error).splitlines()[0]}); "
                    "it was not written by this run"
                ) from None
            module.to(target).eval()
        step, epoch = int(meta["game"]["step"]), meta.get("epoch")
        return cls(config, info, variant, generator, discriminator, players, path, step, epoch, target)

    def noise(self, n: int, seed: int | None = None) -> torch.Tensor:
        """(n, noise_dim) draws from the run's own prior p_z, on the CPU; reproducible given `seed`."""
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        cfg = self.config.generator
        return sample_noise(n, cfg.noise_dim, cfg.noise, "cpu", generator)

    def condition(self, labels: torch.Tensor | None, n: int) -> torch.Tensor | None:
        """G's condition for n samples on the CPU (None for an unconditional G).

        labels: the classes wanted, for a conditional run (None: the classes in turn); other runs ignore them.
        """
        return self.variant.sample_condition(labels, n, self.info, torch.device("cpu"))

    def judged_condition(self, condition: torch.Tensor | None, z: torch.Tensor) -> torch.Tensor | None:
        """What D sees beside G(z) drawn under `condition` (BiGAN's D judges the pair (G(z), z))."""
        return self.variant.judged_condition(condition, z)

    def labels_for(self, label: int, n: int, option: str = "--label") -> torch.Tensor:
        """(n,) copies of `label`, checked against the run's classes; an error for unconditional runs.

        option: how the caller asked for a class (named in the error for an unconditional run).
        """
        if not self.variant.conditional or self.info.num_classes is None:
            raise AdvnetsError(
                f"this run (variant '{self.variant.name}') is not conditional: it has no classes to choose; "
                f"drop {option}"
            )
        if not 0 <= label < self.info.num_classes:
            raise AdvnetsError(
                f"label {label} is not a class of '{self.info.name}' (0..{self.info.num_classes - 1})"
            )
        self.require_memory(n)
        return torch.full((n,), label, dtype=torch.int64)

    def require_memory(self, n: int) -> None:
        """Refuse, before allocating anything, n samples that with their noise cannot fit in memory."""
        if n <= 0:
            raise AdvnetsError(f"number of samples must be positive, not {n}")
        condition = self.condition(None, 1)
        per_sample = 4 * (math.prod(self.info.sample_shape) + self.config.generator.noise_dim)
        if condition is not None:
            per_sample += condition[0].numel() * condition.element_size()
        require_memory(n, per_sample, f"samples of shape {tuple(self.info.sample_shape)}")

    @torch.no_grad()
    def sample(
        self,
        n: int,
        seed: int | None = None,
        labels: torch.Tensor | None = None,
        z: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """n samples from G, (n, *sample_shape), in [0, 1] for image models; reproducible given `seed`.

        z: the noise (n, noise_dim) to use instead of fresh draws from the prior. Refused, before anything
        is allocated, when n samples and their noise would not fit in memory.
        """
        self.require_memory(n)
        if z is None:
            z = self.noise(n, seed)
        condition = self.condition(labels, n)
        out: torch.Tensor | None = None
        for start in range(0, n, SAMPLE_CHUNK):
            part = slice(start, start + SAMPLE_CHUNK)
            c = None if condition is None else condition[part].to(self.device)
            chunk = self.generator(z[part].to(self.device), c).cpu()
            if out is None:  # filled in place: no second copy of all n samples, as torch.cat would make
                out = torch.empty((n, *chunk.shape[1:]), dtype=chunk.dtype)
            out[part] = chunk
        assert out is not None
        return out


def class_rows(model: TrainedModel, per_class: int) -> torch.Tensor:
    """Labels 0,0,..,1,1,..: `per_class` of each class in turn, for a grid with one class per row."""
    if per_class <= 0:
        raise AdvnetsError(f"--per-class must be positive, not {per_class}")
    model.labels_for(0, 1, option="--per-class")  # raises for an unconditional run
    assert model.info.num_classes is not None
    model.require_memory(model.info.num_classes * per_class)
    return torch.arange(model.info.num_classes).repeat_interleave(per_class)
