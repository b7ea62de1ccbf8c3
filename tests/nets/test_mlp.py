import torch

from advnets.config.schema import DiscriminatorConfig, GeneratorConfig
from advnets.nets import Maxout, MLPDiscriminator, MLPGenerator, build_discriminator, build_generator


def test_paper_generator_shapes_range_and_init() -> None:
    g = build_generator(GeneratorConfig(), (1, 28, 28))
    with torch.no_grad():
        out = g(torch.randn(7, 100))
    assert out.shape == (7, 1, 28, 28)
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    widths = [m.weight.shape for m in g.modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [(1200, 100), (1200, 1200), (784, 1200)]
    for layer in (m for m in g.modules() if isinstance(m, torch.nn.Linear)):
        assert layer.weight.detach().abs().max() <= torch.tensor(0.05)
        assert float(layer.bias.detach().abs().max()) == 0.0


def test_paper_discriminator_is_maxout_240x5_with_dropout() -> None:
    d = build_discriminator(DiscriminatorConfig(), (1, 28, 28))
    maxouts = [m for m in d.modules() if isinstance(m, Maxout)]
    assert [(m.units, m.pieces, m.linear.in_features) for m in maxouts] == [(240, 5, 784), (240, 5, 240)]
    drops = [m.p for m in d.modules() if isinstance(m, torch.nn.Dropout)]
    assert drops == [0.19999999999999996, 0.5, 0.5]  # keep 0.8 on pixels, 0.5 on the inputs above
    d.eval()
    assert d(torch.rand(5, 1, 28, 28)).shape == (5,)


def test_maxout_matches_hand_computation() -> None:
    layer = Maxout(2, units=2, pieces=3)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor([[1.0, 0], [0, 1], [1, 1], [-1, 0], [0, -1], [2, -3]]))
        layer.linear.bias.copy_(torch.tensor([0.0, 0, -5, 0, 1, 0]))
    x = torch.tensor([[2.0, 3.0]])
    # unit 0: max(2, 3, 2 + 3 - 5) = 3; unit 1: max(-2, -3 + 1, 4 - 9) = -2
    assert torch.equal(layer(x), torch.tensor([[3.0, -2.0]]))


def test_output_bias_starts_g_at_the_data_mean() -> None:
    g = MLPGenerator(4, (1, 2, 2), [8], init_range=1e-9)
    mean = torch.tensor([0.1, 0.5, 0.0, 1.0]).view(1, 2, 2)
    g.set_output_bias_from_marginals(mean)
    with torch.no_grad():
        out = g(torch.randn(3, 4))
    expected = mean.clamp(1e-7, 1 - 1e-7).expand(3, 1, 2, 2)
    assert torch.allclose(out, expected, atol=1e-6)


def test_input_dropout_keeps_about_80_percent_and_scales_by_1_25() -> None:
    d = MLPDiscriminator((1000,), [], input_keep=0.8)
    dropout = d.hidden[0]
    torch.manual_seed(0)
    out = dropout(torch.ones(100, 1000))
    kept = out != 0
    assert abs(float(kept.float().mean()) - 0.8) < 0.01
    assert torch.allclose(out[kept], torch.tensor(1.25))


def test_condition_changes_outputs() -> None:
    g = MLPGenerator(5, (3,), [16], cond_dim=2, init_range=0.5)
    d = MLPDiscriminator((3,), [8], activation="leaky_relu", cond_dim=2, init_range=0.5).eval()
    z = torch.randn(4, 5)
    a, b = torch.tensor([[1.0, 0]] * 4), torch.tensor([[0.0, 1]] * 4)
    assert not torch.allclose(g(z, a), g(z, b))
    x = torch.rand(4, 3)
    assert not torch.allclose(d(x, a), d(x, b))


def test_dropout_matches_nn_dropout_in_distribution_and_scale() -> None:
    from advnets.nets.blocks import Dropout

    layer = Dropout(0.5)
    torch.manual_seed(0)
    out = layer(torch.ones(200, 1000))
    kept = out != 0
    assert abs(float(kept.float().mean()) - 0.5) < 0.01 and torch.allclose(out[kept], torch.tensor(2.0))
    layer.eval()
    x = torch.randn(3, 4)
    assert torch.equal(layer(x), x)


def test_bf16_training_step_runs_and_stays_finite(digits) -> None:  # type: ignore[no-untyped-def]
    from advnets.runs.training import build_game
    from tests.conftest import tiny_config

    for update in ("simultaneous", "alternating"):
        game = build_game(tiny_config("train.precision=bf16", f"game.update={update}"), digits)
        stats = [game.step() for _ in range(3)][-1]
        assert all(torch.isfinite(v) for v in stats.values())
        assert all(p.dtype == torch.float32 for p in game.generator.parameters())
