"""Nets by configuration: the paper's MLP pair and the blocks they are built from."""

from __future__ import annotations

from torch import nn

from advnets.nets.blocks import Maxout
from advnets.nets.mlp import MLPDiscriminator, MLPGenerator
from advnets.runs.config import DiscriminatorConfig, GeneratorConfig

__all__ = ["MLPDiscriminator", "MLPGenerator", "Maxout", "build_discriminator", "build_generator"]


def build_generator(config: GeneratorConfig, sample_shape: tuple[int, ...], cond_dim: int = 0) -> nn.Module:
    return MLPGenerator(
        noise_dim=config.noise_dim,
        sample_shape=sample_shape,
        hidden=list(config.hidden),
        activation=config.activation,
        output=config.output,
        cond_dim=cond_dim,
        init_range=config.init_range,
        leaky_slope=config.leaky_slope,
    )


def build_discriminator(
    config: DiscriminatorConfig, sample_shape: tuple[int, ...], cond_dim: int = 0
) -> nn.Module:
    return MLPDiscriminator(
        sample_shape=sample_shape,
        hidden=list(config.hidden),
        activation=config.activation,
        pieces=config.pieces,
        input_keep=config.input_keep,
        hidden_keep=config.hidden_keep,
        cond_dim=cond_dim,
        init_range=config.init_range,
        leaky_slope=config.leaky_slope,
    )
