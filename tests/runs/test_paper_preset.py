"""The `mnist-mlp` preset against the settings of the authors' code, row by row (docs/engine.md cites each).

"adversarial" is github.com/goodfeli/adversarial at 600ee5c (9 June 2014, "Copy the code and hyperparameters
from galatea"); "pylearn2" is github.com/lisa-lab/pylearn2 at 3688a56 (8 June 2014, the last commit before
600ee5c; its README asks for a Pylearn2 from about 9 June 2014). Paths below are relative to those trees.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from advnets.config.overrides import resolve_config
from advnets.config.schema import RunConfig
from advnets.data.base import ImageDataset, Split
from advnets.data.mnist import MNIST
from advnets.game.loop import Game
from advnets.game.losses import discriminator_loss, generator_loss
from advnets.game.schedules import learning_rate, momentum
from advnets.metrics.parzen import PAPER_SIGMAS
from advnets.nets.blocks import Dropout, Maxout
from advnets.reporting.evaluate import EvalOptions
from advnets.runs.training import build_game

# config key -> the value the authors' code uses (adversarial mnist.yaml unless another file is named).
CITED: dict[str, Any] = {
    "data.name": "mnist",  # mnist.yaml:2 pylearn2.datasets.mnist.MNIST
    "data.image_size": 28,  # pylearn2 datasets/mnist.py:122-125 (28 x 28, one channel)
    "data.channels": 1,  # pylearn2 datasets/mnist.py:125
    "generator.kind": "mlp",  # mnist.yaml:11 pylearn2.models.mlp.MLP
    "generator.noise_dim": 100,  # mnist.yaml:30 `nvis: 100`
    "generator.noise": "uniform",  # mnist.yaml:10 `noise: "uniform"`; __init__.py:201-202 U(-sqrt 3, sqrt 3)
    "generator.hidden": [1200, 1200],  # mnist.yaml:15, :20 `dim: 1200`
    "generator.activation": "relu",  # mnist.yaml:13, :18 RectifiedLinear; pylearn2 models/mlp.py:2695 slope 0
    "generator.output": "sigmoid",  # mnist.yaml:23 Sigmoid, :27 `dim: 784`
    "generator.init_range": 0.05,  # mnist.yaml:16, :21, :26 `irange: .05`
    "generator.output_bias_from_data": True,  # mnist.yaml:24 init_sigmoid_bias_from_marginals of *train
    "discriminator.kind": "mlp",  # mnist.yaml:33 pylearn2.models.mlp.MLP
    "discriminator.hidden": [240, 240],  # mnist.yaml:37, :43 `num_units: 240`
    "discriminator.activation": "maxout",  # mnist.yaml:35, :41 pylearn2.models.maxout.Maxout
    "discriminator.pieces": 5,  # mnist.yaml:38, :44 `num_pieces: 5`
    "discriminator.input_keep": 0.8,  # mnist.yaml:78-80 include 'h0': .8, scale 1.25 at :82-84
    "discriminator.hidden_keep": 0.5,  # mnist.yaml:77 default include .5, scale 2. at :81
    "discriminator.init_range": 0.005,  # mnist.yaml:39, :45, :50 `irange: .005`
    "optim.name": "sgd",  # mnist.yaml:56 pylearn2.training_algorithms.sgd.SGD
    "optim.name_d": None,  # one SGD for every parameter: mnist.yaml:56
    "optim.name_g": None,  # (as above)
    "optim.lr": 0.1,  # mnist.yaml:58 `learning_rate: .1`
    "optim.lr_d": None,  # one learning rate for every parameter: pylearn2 training_algorithms/sgd.py:181, 346
    "optim.lr_g": None,  # (as above; the yaml sets no W_lr_scale / b_lr_scale)
    "optim.lr_decay": 1.000004,  # mnist.yaml:95-96 ExponentialDecay `decay_factor: 1.000004`
    "optim.lr_min": 1e-6,  # mnist.yaml:97 `min_lr: .000001`
    "optim.momentum_start": 0.5,  # mnist.yaml:59-60 Momentum `init_momentum: .5`
    "optim.momentum_end": 0.7,  # mnist.yaml:105, :108 MomentumAdjustor `final_momentum: .7`
    "optim.momentum_saturate_epoch": 250,  # mnist.yaml:107 `saturate: 250` (`start: 1` at :106)
    "optim.momentum_rule": "pylearn2",  # pylearn2 training_algorithms/learning_rule.py:123-127
    "game.update": "simultaneous",  # __init__.py:384-409 both players' gradients from one pass, one update
    "game.g_steps": 1,  # __init__.py:384-409 one G update per step (alternate_g off, :290)
    "game.loss": "log",  # __init__.py:348, :354 the cross-entropy costs of the value function
    "game.generator_loss": "non-saturating",  # __init__.py:354 g_obj = cost(y1, y_hat0); blend_obj off (:293)
    "game.batch_size": 100,  # mnist.yaml:57 `batch_size: 100`; noise rows = batch rows, __init__.py:327, 332
}


def _get(config: RunConfig, key: str) -> Any:
    value: Any = config
    for part in key.split("."):
        value = getattr(value, part)
    return value


@pytest.fixture(scope="module")
def config() -> RunConfig:
    return resolve_config("mnist-mlp")


@pytest.mark.parametrize("key", sorted(CITED))
def test_preset_setting_matches_the_authors_code(config: RunConfig, key: str) -> None:
    assert _get(config, key) == CITED[key]


def test_split_and_parzen_protocol_match_the_authors_code() -> None:
    # mnist.yaml:3-5 train on images 0..49,999; :65-69 validate on 50,000..59,999.
    assert MNIST.train_size == 50_000
    options = EvalOptions()
    assert options.n_samples == 10_000  # parzen_ll.py:103 `--num_samples` default 10000
    assert options.n_valid == 1000  # parzen_ll.py:104 `--limit_size` 1000, applied at :79
    # parzen_ll.py:106-109, 134: numpy.logspace(-1, 0, num=10)
    assert np.allclose(PAPER_SIGMAS, np.logspace(-1.0, 0.0, 10), rtol=1e-12)


def test_learning_rate_follows_exponential_decay(config: RunConfig) -> None:
    # pylearn2 training_algorithms/sgd.py:435-436 call the decay after every minibatch; :779-784 give
    # lr_t = lr_0 / 1.000004**t until it reaches min_lr, then min_lr.
    for step in (0, 1, 500, 125_000, 1_000_000):
        assert learning_rate(config.optim, step) == pytest.approx(0.1 / 1.000004**step, rel=1e-9)
    assert learning_rate(config.optim, 3_000_000) == 1e-6  # 0.1 / 1.000004**3e6 = 6.1e-7 < min_lr


def _pylearn2_momentum(epoch: int) -> float:
    """Momentum during 0-based epoch `epoch` under MomentumAdjustor(start=1, saturate=250, final=.7).

    pylearn2 train.py:197 calls on_monitor once before the first epoch and :215 after each one, so its
    counter (learning_rule.py:167) is epoch + 1 while that epoch trains; learning_rule.py:180-185 give
    alpha = (count - start) / (saturate - start), clipped to [0, 1].
    """
    alpha = min(max((epoch + 1 - 1) / (250 - 1), 0.0), 1.0)
    return 0.5 * (1 - alpha) + 0.7 * alpha


def test_momentum_ramp_matches_momentum_adjustor(config: RunConfig) -> None:
    for epoch in (0, 1, 2, 125, 249, 250, 400):
        assert momentum(config.optim, epoch) == pytest.approx(_pylearn2_momentum(epoch), abs=1e-12)


def test_losses_have_the_authors_scale() -> None:
    # __init__.py:348 d_obj = 0.5 * (cost(1, D(x)) + cost(0, D(G(z)))) and :354 g_obj = cost(1, D(G(z))),
    # where pylearn2's Sigmoid cost is the batch mean of the cross-entropy (expr/nnet.py:154-161).
    generator = torch.Generator().manual_seed(0)
    real, fake = torch.randn(100, generator=generator) * 3, torch.randn(100, generator=generator) * 3
    bce = nn.functional.binary_cross_entropy
    expected_d = 0.5 * (
        bce(torch.sigmoid(real), torch.ones(100)) + bce(torch.sigmoid(fake), torch.zeros(100))
    )
    expected_g = bce(torch.sigmoid(fake), torch.ones(100))
    assert torch.allclose(discriminator_loss(real, fake), expected_d, rtol=1e-5)
    assert torch.allclose(generator_loss(fake, "non-saturating"), expected_g, rtol=1e-5)


def _mnist_shaped() -> ImageDataset:
    """120 binary 28x28 images with a pixel-dependent mean; pixel 0 is always dark (as MNIST's corners)."""
    generator = torch.Generator().manual_seed(0)
    ink = torch.linspace(0.0, 0.9, 784).view(1, 1, 28, 28)
    images = (torch.rand(120, 1, 28, 28, generator=generator) < ink).float()
    split = Split(images, torch.zeros(120, dtype=torch.int64))
    return ImageDataset("mnist", {"train": split, "valid": split, "test": split}, num_classes=10)


@pytest.fixture(scope="module")
def game(config: RunConfig) -> Game:
    return build_game(config, _mnist_shaped())


def _linears(module: nn.Module) -> list[nn.Linear]:
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def _check_uniform_init(layer: nn.Linear, irange: float) -> None:
    # pylearn2 models/mlp.py:2068-2075 and models/maxout.py:228-234: W ~ U(-irange, irange).
    weights = layer.weight.detach().double()
    largest = float(weights.abs().max())
    assert largest <= irange
    # max |w| of n draws is below 0.95 irange with probability 0.95**n: < 5e-6 for the smallest layer (240).
    assert largest > 0.95 * irange
    if weights.numel() >= 100_000:  # U(-r, r) has std r / sqrt 3, estimated here to 0.15 % (1 standard error)
        assert float(weights.std()) == pytest.approx(irange / math.sqrt(3), rel=0.01)


def test_generator_is_the_authors_rectifier_mlp(game: Game) -> None:
    layers = _linears(game.generator)
    # mnist.yaml:30, :15, :20, :27: 100 -> 1200 -> 1200 -> 784
    assert [(m.in_features, m.out_features) for m in layers] == [(100, 1200), (1200, 1200), (1200, 784)]
    for layer in layers:
        _check_uniform_init(layer, 0.05)  # mnist.yaml:16, :21, :26
    for layer in layers[:-1]:  # pylearn2 models/mlp.py:1995, 2026: biases start at 0
        assert not layer.bias.detach().any()
    # mnist.yaml:24 (pylearn2 models/dbm/__init__.py:84-88): logit of the training pixels' mean, clipped
    # to [1e-7, 1 - 1e-7].
    mean = game.images.double().mean(0).flatten().clamp(1e-7, 1 - 1e-7).numpy()
    assert np.allclose(layers[-1].bias.detach().double().numpy(), np.log(mean / (1 - mean)), atol=1e-4)
    # ReLU hidden layers (left_slope 0, pylearn2 models/mlp.py:2707) and a sigmoid output, by hand.
    z = torch.randn(8, 100)
    h = z
    for layer in layers[:-1]:
        h = torch.clamp(h @ layer.weight.T + layer.bias, min=0.0)
    expected = torch.sigmoid(h @ layers[-1].weight.T + layers[-1].bias).view(8, 1, 28, 28)
    assert torch.allclose(game.generator(z), expected, atol=1e-6)


def test_discriminator_is_the_authors_maxout_net(game: Game) -> None:
    maxouts = [m for m in game.discriminator.modules() if isinstance(m, Maxout)]
    # mnist.yaml:37-38, :43-44: 240 units of 5 pieces each, on 784 inputs (:53); a 1-unit sigmoid (:49).
    assert [(m.linear.in_features, m.units, m.pieces) for m in maxouts] == [(784, 240, 5), (240, 240, 5)]
    layers = _linears(game.discriminator)
    assert [(m.in_features, m.out_features) for m in layers] == [(784, 1200), (240, 1200), (240, 1)]
    for layer in layers:
        _check_uniform_init(layer, 0.005)  # mnist.yaml:39, :45, :50
        assert not layer.bias.detach().any()  # pylearn2 models/maxout.py:144, 163; models/mlp.py:1995
    # pylearn2 models/maxout.py:575-581: unit j is the max of detector columns 5j .. 5j+4.
    x = torch.rand(8, 1, 28, 28)
    game.discriminator.eval()
    try:
        h = x.view(8, -1)
        for layer in layers[:-1]:
            h = (h @ layer.weight.T + layer.bias).view(8, 240, 5).amax(-1)
        expected = (h @ layers[-1].weight.T + layers[-1].bias).squeeze(1)
        assert torch.allclose(game.discriminator(x), expected, atol=1e-6)
    finally:
        game.discriminator.train()


def test_discriminator_drops_the_input_of_every_layer(game: Game) -> None:
    # pylearn2 models/mlp.py:827-849 drop the input of each layer (h0, h1 and y), per example and unit
    # (:1030-1032), multiplying kept values by the scale (:1041): .8 / 1.25 for h0, .5 / 2 for the rest.
    stack = list(game.discriminator.hidden)  # then `out`, the sigmoid unit's affine map
    assert [type(m) for m in stack] == [Dropout, Maxout, Dropout, Maxout, Dropout]
    dropouts = [m for m in stack if isinstance(m, Dropout)]
    for dropout, keep in zip(dropouts, (0.8, 0.5, 0.5), strict=True):
        out = dropout.train()(torch.ones(400, 1000))
        kept = out != 0
        # 400k Bernoulli(keep) draws: the kept share is within 0.005 of keep (6+ standard errors).
        assert float(kept.double().mean()) == pytest.approx(keep, abs=0.005)
        assert torch.allclose(out[kept], torch.tensor(1.0 / keep))


def test_noise_is_uniform_on_plus_minus_sqrt3(game: Game) -> None:
    # mnist.yaml:10 `noise: "uniform"`; __init__.py:201-202 uniform(low=-sqrt(3), high=sqrt(3)).
    torch.manual_seed(0)
    z = game.noise(20_000).double()
    assert z.shape == (20_000, 100)
    bound = math.sqrt(3.0)
    assert bound * 0.999 < float(z.abs().max()) <= bound
    counts = torch.histc(z, bins=4, min=-bound, max=bound) / z.numel()  # uniform: a quarter in each quarter
    assert torch.allclose(counts, torch.full((4,), 0.25, dtype=torch.float64), atol=0.003)
