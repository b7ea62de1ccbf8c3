"""Learned approximate inference x -> z (the paper's section 7, item 2), in two forms.

`inference`: an encoder E trained beside the game to predict z from G(z), on G's own samples with G's
gradient blocked (what the authors suggest: "predicting z given x", wake-sleep style). `fit_encoder` does the
same after the game, for any trained G held frozen.
`bigan`: BiGAN / ALI (Donahue et al. 2017; Dumoulin et al. 2017): D judges (x, E(x)) against (G(z), z), and
G and E are trained together to fool it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.nn.functional import mse_loss, softplus

from advnets.config.schema import RunConfig
from advnets.game.losses import discriminator_loss
from advnets.game.noise import sample_noise
from advnets.game.updates import UPDATES, Stats
from advnets.nets import build_discriminator
from advnets.variants.base import DataInfo, Variant

if TYPE_CHECKING:
    from advnets.game.loop import Game


class Encoder(nn.Module):
    """E(x): (B, *sample_shape) -> (B, noise_dim); a rectifier MLP with a linear output."""

    def __init__(self, sample_shape: tuple[int, ...], noise_dim: int, hidden: list[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = math.prod(sample_shape)
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        self.net = nn.Sequential(*layers, nn.Linear(width, noise_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.reshape(x.shape[0], -1))


def build_encoder(config: RunConfig, info: DataInfo) -> Encoder:
    return Encoder(info.sample_shape, config.generator.noise_dim, list(config.inference.hidden))


def encoder_step(game: Game) -> torch.Tensor:
    """One E step on a fresh batch of G's samples: minimise |E(G(z)) - z|^2; G gets no gradient."""
    encoder, optimizer = game.players["encoder"], game.player_opts["encoder"]
    z = game.noise(game.config.game.batch_size // game.shard[1])  # this process's share under torchrun
    with torch.no_grad():
        x = game.generator(z, None)
    loss = game.config.inference.weight * mse_loss(encoder(x), z)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach()


def with_encoder_step(update: Callable[[Game], Stats], game: Game) -> Stats:
    """The configured game update, then one E step: E learns from G's current samples, jointly."""
    stats = update(game)
    stats["e_loss"] = encoder_step(game)
    return stats


class InferenceVariant(Variant):
    """The paper's GAN with an encoder trained on G's samples beside it."""

    name = "inference"

    def extra_players(self, config: RunConfig, info: DataInfo) -> dict[str, nn.Module]:
        return {"encoder": build_encoder(config, info)}

    def update_rule(self, config: RunConfig) -> Callable[[Game], Stats]:
        return partial(with_encoder_step, UPDATES[config.game.update])


def bigan_update(game: Game) -> Stats:
    """One BiGAN step: D ascends log D(x, E(x)) + log(1 - D(G(z), z)); then G and E swap its labels.

    With `game.update=alternating` D takes k steps on fresh batches first, as in Algorithm 1.
    """
    encoder, opt_e = game.players["encoder"], game.player_opts["encoder"]
    steps = game.config.game.k if game.config.game.update == "alternating" else 1
    for _ in range(steps):
        x, _, _ = game.next_real_batch()
        batch = x.shape[0]
        z = game.noise(batch)
        with torch.no_grad():
            pairs = torch.cat([x, game.generator(z, None)]), torch.cat([encoder(x), z])
        logits = game.discriminator(*pairs)  # (2B,)
        d_loss = discriminator_loss(logits[:batch], logits[batch:])
        game.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        game.opt_d.step()
    # G and E: the non-saturating loss with the labels swapped (E wants its pairs called fake).
    logits_ge = game.discriminator(torch.cat([x, game.generator(z, None)]), torch.cat([encoder(x), z]))
    ge_loss = 0.5 * (softplus(logits_ge[:batch]).mean() + softplus(-logits_ge[batch:]).mean())
    game.opt_g.zero_grad(set_to_none=True)
    opt_e.zero_grad(set_to_none=True)
    ge_loss.backward(inputs=[*game.generator.parameters(), *encoder.parameters()])
    game.opt_g.step()
    opt_e.step()
    return {
        "d_loss": d_loss.detach(),
        "g_loss": ge_loss.detach(),
        "d_real": torch.sigmoid(logits[:batch].detach()).mean(),
        "d_fake": torch.sigmoid(logits[batch:].detach()).mean(),
    }


class CodedJudge(nn.Module):
    """D(x, E(x)): BiGAN's D on x beside the code E gives it, the score of (x, E(x)) as a real pair."""

    def __init__(self, discriminator: nn.Module, encoder: nn.Module) -> None:
        super().__init__()
        self.discriminator, self.encoder = discriminator, encoder

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        return self.discriminator(x, self.encoder(x))


class BiGANVariant(Variant):
    """BiGAN / ALI: D sees (x, z) pairs; the encoder is a third player of the game."""

    name = "bigan"

    def build_discriminator(self, config: RunConfig, info: DataInfo) -> nn.Module:
        return build_discriminator(config.discriminator, info.sample_shape, config.generator.noise_dim)

    def extra_players(self, config: RunConfig, info: DataInfo) -> dict[str, nn.Module]:
        return {"encoder": build_encoder(config, info)}

    def judged_condition(self, condition: torch.Tensor | None, z: torch.Tensor) -> torch.Tensor | None:
        """D judges the pair (G(z), z)."""
        return z

    def judge_of_x(self, discriminator: nn.Module, players: dict[str, nn.Module]) -> nn.Module:
        return CodedJudge(discriminator, players["encoder"])

    def update_rule(self, config: RunConfig) -> Callable[[Game], Stats]:
        return bigan_update


def fit_encoder(
    generator: nn.Module,
    config: RunConfig,
    info: DataInfo,
    steps: int = 2000,
    lr: float = 1e-3,
    seed: int = 0,
    condition: torch.Tensor | None = None,
) -> Encoder:
    """An encoder fitted after training, to a frozen G: Adam on |E(G(z, c)) - z|^2.

    condition: G's condition c for each batch (config.game.batch_size rows; None for an unconditional G),
    such as the classes in turn for a conditional G: E then learns z whatever the class.
    """
    torch.manual_seed(seed)
    encoder = build_encoder(config, info)
    optimizer = torch.optim.Adam(encoder.parameters(), lr=lr)
    cfg, batch = config.generator, config.game.batch_size
    generator.eval()
    for _ in range(steps):
        z = sample_noise(batch, cfg.noise_dim, cfg.noise)
        with torch.no_grad():
            x = generator(z, condition)
        loss = mse_loss(encoder(x), z)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return encoder.eval()
