"""DCGAN and the paper's CIFAR-10 nets: shapes, ranges, and that the label changes the output."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.errors import AdvnetsError
from advnets.nets import build_discriminator, build_generator
from advnets.nets.cifar import PaperCifarDiscriminator, PaperCifarGenerator
from advnets.nets.conv import DCGANDiscriminator, DCGANGenerator, doublings


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 32, 32), (3, 32, 32)])
def test_dcgan_pair_shapes_and_ranges(shape: tuple[int, int, int]) -> None:
    torch.manual_seed(0)
    g, d = DCGANGenerator(10, shape, width=8), DCGANDiscriminator(shape, width=8)
    with torch.no_grad():
        x = g(torch.randn(5, 10))
    assert x.shape == (5, *shape) and float(x.min()) >= 0.0 and float(x.max()) <= 1.0
    assert d(x).shape == (5,)


def test_dcgan_label_changes_both_nets() -> None:
    torch.manual_seed(0)
    g, d = DCGANGenerator(10, (1, 16, 16), 8, cond_dim=3).eval(), DCGANDiscriminator((1, 16, 16), 8, 3).eval()
    z = torch.randn(4, 10)
    c0, c1 = torch.eye(3)[[0] * 4], torch.eye(3)[[2] * 4]
    assert not torch.allclose(g(z, c0), g(z, c1))
    x = g(z, c0)
    assert not torch.allclose(d(x, c0), d(x, c1))


def test_dcgan_layout_follows_radford() -> None:
    d = DCGANDiscriminator((1, 32, 32), width=16, activation_name="leaky_relu", leaky_slope=0.2)
    convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert [c.stride for c in convs[:-1]] == [(2, 2)] * 3  # strided convolutions, no pooling
    assert not any(isinstance(m, nn.MaxPool2d | nn.AvgPool2d) for m in d.modules())
    assert isinstance(d.net[0], nn.Conv2d) and not isinstance(d.net[1], nn.BatchNorm2d)  # no BN on input
    slopes = {m.negative_slope for m in d.modules() if isinstance(m, nn.LeakyReLU)}
    assert slopes == {0.2}
    for bn in (m for m in d.modules() if isinstance(m, nn.BatchNorm2d)):
        assert bn.eps == 1e-5 and bn.momentum == 0.1  # not nn.BatchNorm2d(c, 0.8), which sets eps


def test_conv_nets_refuse_odd_sizes() -> None:
    assert doublings((1, 32, 32)) == 3
    for shape in [(1, 28, 28), (1, 32, 16), (1, 4, 4)]:
        with pytest.raises(AdvnetsError):
            doublings(shape)


def test_leaky_slope_comes_from_config() -> None:
    config = resolve_config("mnist-dcgan", None, parse_assignments(["discriminator.leaky_slope=0.05"]))
    d = build_discriminator(config.discriminator, (1, 32, 32))
    assert {m.negative_slope for m in d.modules() if isinstance(m, nn.LeakyReLU)} == {0.05}
    relu = resolve_config("mnist-dcgan", None, parse_assignments(["discriminator.activation=relu"]))
    assert not any(
        isinstance(m, nn.LeakyReLU) for m in build_discriminator(relu.discriminator, (1, 32, 32)).modules()
    )


@pytest.mark.parametrize("deconv", [False, True])
def test_paper_cifar_generator(deconv: bool) -> None:
    torch.manual_seed(0)
    g = PaperCifarGenerator(10, (3, 32, 32), [64, 800], deconv, cond_dim=2)
    z = torch.randn(3, 10)
    with torch.no_grad():
        x = g(z, torch.eye(2)[[0, 0, 0]])
    assert x.shape == (3, 3, 32, 32) and float(x.min()) >= 0.0 and float(x.max()) <= 1.0
    assert not torch.allclose(x, g(z, torch.eye(2)[[1, 1, 1]]))
    assert isinstance(g.hidden[3], nn.Sigmoid)  # the paper's second hidden layer is sigmoid


def test_paper_cifar_discriminator_sizes_match_pylearn2() -> None:
    d = PaperCifarDiscriminator((3, 32, 32), width=4, units=10, pieces=2, cond_dim=2).eval()
    h = torch.zeros(2, 5, 32, 32)
    sides = []
    for layer in d.convs:
        h = layer(h)
        sides.append(h.shape[-1])
    assert sides[::2] == [16, 7, 5]  # the paper's code: conv outputs 33, 15, 9 pooled to 16, 7, 5
    x = torch.rand(2, 3, 32, 32)
    assert d(x, torch.eye(2)).shape == (2,)
    assert not torch.equal(d(x, torch.eye(2)[[0, 0]]), d(x, torch.eye(2)[[1, 1]]))


def test_presets_build_their_nets() -> None:
    for preset, shape in [
        ("cifar10-mlp", (3, 32, 32)),
        ("cifar10-conv", (3, 32, 32)),
        ("mnist-dcgan", (1, 32, 32)),
    ]:
        config = resolve_config(
            preset, None, parse_assignments(["generator.hidden=[16, 200]", "discriminator.hidden=[8, 8]"])
        )
        g, d = build_generator(config.generator, shape), build_discriminator(config.discriminator, shape)
        assert d(g(torch.randn(2, config.generator.noise_dim))).shape == (2,)
