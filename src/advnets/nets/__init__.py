"""Nets by configuration: the paper's MLP pair, DCGAN's conv pair, the paper's CIFAR-10 models."""

from __future__ import annotations

from torch import nn

from advnets.config.schema import DiscriminatorConfig, GeneratorConfig
from advnets.nets.blocks import Maxout
from advnets.nets.cifar import PaperCifarDiscriminator, PaperCifarGenerator
from advnets.nets.conv import DCGANDiscriminator, DCGANGenerator
from advnets.nets.mlp import MLPDiscriminator, MLPGenerator

__all__ = [
    "DCGANDiscriminator",
    "DCGANGenerator",
    "MLPDiscriminator",
    "MLPGenerator",
    "Maxout",
    "PaperCifarDiscriminator",
    "PaperCifarGenerator",
    "build_discriminator",
    "build_generator",
]


def build_generator(config: GeneratorConfig, sample_shape: tuple[int, ...], cond_dim: int = 0) -> nn.Module:
    if config.kind == "dcgan":
        return DCGANGenerator(
            config.noise_dim, sample_shape, config.width, cond_dim, config.activation, config.leaky_slope,
            config.output,
        )  # fmt: skip
    if config.kind in ("cifar-fc", "cifar-deconv"):
        return PaperCifarGenerator(
            config.noise_dim, sample_shape, list(config.hidden), config.kind == "cifar-deconv", cond_dim,
            config.output, config.init_range,
        )  # fmt: skip
    return MLPGenerator(
        noise_dim=config.noise_dim,
        sample_shape=sample_shape,
        hidden=list(config.hidden),
        activation=config.activation,
        output=config.output,
        cond_dim=cond_dim,
        init_range=config.init_range,
        leaky_slope=config.leaky_slope,
        batch_norm=config.batch_norm,
    )


def build_discriminator(
    config: DiscriminatorConfig, sample_shape: tuple[int, ...], cond_dim: int = 0
) -> nn.Module:
    if config.kind == "dcgan":
        return DCGANDiscriminator(sample_shape, config.width, cond_dim, config.activation, config.leaky_slope)
    if config.kind == "cifar-conv":
        return PaperCifarDiscriminator(
            sample_shape, config.width, config.hidden[0] if config.hidden else 500, config.pieces,
            config.input_keep, config.hidden_keep, cond_dim, config.init_range,
        )  # fmt: skip
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
