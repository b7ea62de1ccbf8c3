"""Learned approximate inference x -> z (the paper's section 7, item 2), in two forms.

`inference`: an encoder E trained beside the game to predict z from G(z), on G's own samples with G's
gradient blocked (what the authors suggest: "predicting z given x", wake-sleep style). `fit_encoder` does the
same after the game, for any trained G held frozen.
`bigan`: BiGAN / ALI (Donahue et al. 2017; Dumoulin et al. 2017): D judges (x, E(x)) against (G(z), z), and
G and E are trained together to fool it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import torch
from torch import nn
from torch.nn.functional import mse_loss, softplus

from advnets.config.schema import RunConfig
from advnets.game.noise import sample_noise
from advnets.game.phases import Batch, Move, Objective, Stats
from advnets.game.updates import PAPER, d_loss
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


# E's own move, after the game's: minimise |E(G(z)) - z|^2 on a fresh batch of G's samples; G gets no
# gradient, so E learns from G's current samples, jointly.


def _sample_for_encoder(game: Game, previous: Batch | None) -> Batch:
    z = game.noise(game.config.game.batch_size // game.shard[1])  # this process's share under torchrun
    with torch.no_grad():
        x = game.generator(z, None)
    return Batch(fake=x, more={"z": z})


def _encode(game: Game, batch: Batch) -> torch.Tensor:
    assert batch.fake is not None
    return game.players["encoder"](batch.fake)


def _encoder_loss(game: Game, batch: Batch, z_hat: torch.Tensor) -> tuple[torch.Tensor, Stats]:
    loss = game.config.inference.weight * mse_loss(z_hat, batch.more["z"])
    return loss, {"e_loss": loss.detach()}


ENCODER_MOVE = Move("E", ("encoder",), _sample_for_encoder, _encode, _encoder_loss)


class InferenceVariant(Variant):
    """The paper's GAN with an encoder trained on G's samples beside it."""

    name = "inference"

    def extra_players(self, config: RunConfig, info: DataInfo) -> dict[str, nn.Module]:
        return {"encoder": build_encoder(config, info)}

    def objective(self, config: RunConfig) -> Objective:
        return replace(PAPER, extra=(ENCODER_MOVE,))


# BiGAN: D ascends log D(x, E(x)) + log(1 - D(G(z), z)); then G and E, together, descend the
# non-saturating loss with the labels swapped (E wants its pairs called fake), on D's last x and z.


def _sample_pairs_for_d(game: Game, previous: Batch | None) -> Batch:
    x, _, _ = game.next_real_batch()
    z = game.noise(x.shape[0])
    with torch.no_grad():
        fake = game.generator(z, None)
        codes = game.players["encoder"](x)
    return Batch(x, fake, more={"z": z, "codes": codes})


def _sample_pairs_for_g(game: Game, previous: Batch | None) -> Batch:
    assert previous is not None and previous.real is not None
    x, z = previous.real, previous.more["z"]
    fake = game.generator(z, None)
    return Batch(x, fake, more={"z": z, "codes": game.players["encoder"](x)})


def _classify_pairs(game: Game, batch: Batch) -> torch.Tensor:
    """D's logits (2B,) for the pairs [(x, E(x)); (G(z), z)]."""
    assert batch.real is not None and batch.fake is not None
    more = batch.more
    return game.discriminator(torch.cat([batch.real, batch.fake]), torch.cat([more["codes"], more["z"]]))


def _swapped_labels_loss(game: Game, batch: Batch, logits: torch.Tensor) -> tuple[torch.Tensor, Stats]:
    real, fake = logits.split(len(logits) // 2)
    loss = 0.5 * (softplus(real).mean() + softplus(-fake).mean())
    return loss, {"g_loss": loss.detach()}


BIGAN = Objective(
    Move("D", ("d",), _sample_pairs_for_d, _classify_pairs, d_loss, minibatches=1),
    Move("G", ("g", "encoder"), _sample_pairs_for_g, _classify_pairs, _swapped_labels_loss, 0, True),
)


class CodedJudge(nn.Module):
    """D(x, E(x)): BiGAN's D on x beside the code E gives it, the score of (x, E(x)) as a real pair."""

    def __init__(self, discriminator: nn.Module, encoder: nn.Module) -> None:
        super().__init__()
        self.discriminator, self.encoder = discriminator, encoder

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        return self.discriminator(x, self.encoder(x))


class BiGANVariant(Variant):
    """BiGAN / ALI: D sees (x, z) pairs; the encoder is a third player of the game, moving with G.

    With `game.update=alternating` D takes k steps on fresh batches first, as in Algorithm 1; the
    simultaneous order is one D step and one G-and-E step on the same minibatch.
    """

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

    def objective(self, config: RunConfig) -> Objective:
        return BIGAN


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
