"""What a variant supplies to the one training loop: its nets, the condition each batch carries, and its
players' objectives.

The loop (Algorithm 1 in advnets.game.phases) is written once; a variant is a small subclass that overrides
only what differs, such as feeding a one-hot label to both nets, or D's and G's losses.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from advnets.config.schema import RunConfig
from advnets.game.phases import Objective
from advnets.game.updates import PAPER, UPDATES, UpdateRule
from advnets.nets import build_discriminator, build_generator


@dataclass(frozen=True)
class DataInfo:
    """What nets need to know about the data; saved in checkpoints so a run rebuilds without its dataset."""

    name: str
    sample_shape: tuple[int, ...]
    num_classes: int | None = None


class Variant:
    """An unconditional GAN: G(z) and D(x). Subclasses override the hooks below."""

    name = "gan"
    conditional = False
    # True: D sees the real and the fake minibatch in two calls, not one call on [x; G(z)]. Needed when D has
    # batch norm, whose statistics would otherwise mix real and fake rows (unlike the DCGAN reference).
    separate_real_fake = False
    # True: G completes masked images (its condition is a mask and the visible pixels); the lab offers it.
    supports_inpainting = False

    def cond_dim(self, info: DataInfo) -> int:
        return 0

    def build_generator(self, config: RunConfig, info: DataInfo) -> nn.Module:
        return build_generator(config.generator, info.sample_shape, self.cond_dim(info))

    def build_discriminator(self, config: RunConfig, info: DataInfo) -> nn.Module:
        return build_discriminator(config.discriminator, info.sample_shape, self.cond_dim(info))

    def real_condition(self, labels: torch.Tensor | None, info: DataInfo) -> torch.Tensor | None:
        """The condition c that accompanies a real minibatch (None: unconditional)."""
        return None

    def fake_condition(self, labels: torch.Tensor | None, info: DataInfo) -> torch.Tensor | None:
        """The condition G's samples are drawn under, given the real batch's labels."""
        return None

    def sample_condition(
        self, labels: torch.Tensor | None, n: int, info: DataInfo, device: torch.device
    ) -> torch.Tensor | None:
        """The condition for `n` samples a user asks for, optionally for chosen labels."""
        return None

    def judged_condition(self, condition: torch.Tensor | None, z: torch.Tensor) -> torch.Tensor | None:
        """What D sees beside a sample G(z) drawn under `condition`: by default that same condition."""
        return condition

    def judge_of_x(self, discriminator: nn.Module, players: dict[str, nn.Module]) -> nn.Module:
        """D as a function of x alone, for pictures of D over x (Figure 1): by default D itself."""
        return discriminator

    # Optional hooks for variants that change the game itself; the defaults keep the paper's two players.

    def conditions(
        self, x: torch.Tensor, labels: torch.Tensor | None, info: DataInfo
    ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """(c for the real batch x, c for G's samples); override when c depends on the images themselves."""
        return self.real_condition(labels, info), self.fake_condition(labels, info)

    def extra_players(self, config: RunConfig, info: DataInfo) -> dict[str, nn.Module]:
        """Nets beyond G and D (such as an encoder), each given its own optimiser and checkpointed."""
        return {}

    def objective(self, config: RunConfig) -> Objective:
        """The players' moves: D's, G's and any extra player's; by default the paper's value function."""
        return PAPER

    def update_rule(self, config: RunConfig) -> UpdateRule:
        """The order of the moves in one step: the config's choice of the paper's two orders."""
        return UPDATES[config.game.update]

    def minibatches_per_step(self, config: RunConfig) -> int:
        """Real minibatches one step of this variant's game draws: the unit of every count of steps."""
        game = config.game
        return self.update_rule(config).minibatches(self.objective(config), game.k, game.g_steps)
