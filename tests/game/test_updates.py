import copy

import pytest
import torch

from advnets.config.schema import OptimConfig
from advnets.game.losses import discriminator_loss, generator_loss
from advnets.game.schedules import learning_rate, momentum
from advnets.game.updates import simultaneous_update
from advnets.runs.training import build_game
from tests.conftest import tiny_config


@pytest.mark.parametrize("kind", ["non-saturating", "saturating"])
def test_shared_backward_equals_separate_gradients(digits, kind: str) -> None:  # type: ignore[no-untyped-def]
    """One forward/backward through D serves both players: compare with two independent autograd passes."""
    config = tiny_config(
        f"game.generator_loss={kind}", "discriminator.input_keep=1.0", "discriminator.hidden_keep=1.0"
    )
    game = build_game(config, digits)
    with torch.no_grad():  # move D away from its near-zero init so logits spread out
        for p in game.discriminator.parameters():
            p.add_(0.3 * torch.randn_like(p))
    g_ref, d_ref = copy.deepcopy(game.generator), copy.deepcopy(game.discriminator)
    sampler_state, rng_state = game.sampler.state_dict(), torch.get_rng_state()
    x, _, _ = game.next_real_batch()
    z = game.noise(x.shape[0])
    game.sampler.load_state_dict(sampler_state)
    torch.set_rng_state(rng_state)

    fake = g_ref(z)
    d_grads = torch.autograd.grad(
        discriminator_loss(d_ref(x), d_ref(fake.detach())), list(d_ref.parameters())
    )
    g_grads = torch.autograd.grad(generator_loss(d_ref(fake), kind), list(g_ref.parameters()))

    game.opt_d.step = game.opt_g.step = lambda *args, **kwargs: None  # type: ignore[method-assign]
    simultaneous_update(game)
    for param, ref in [
        *zip(game.discriminator.parameters(), d_grads),
        *zip(game.generator.parameters(), g_grads),
    ]:
        assert param.grad is not None
        assert torch.allclose(param.grad, ref, rtol=1e-4, atol=1e-6 * float(ref.abs().max()))


@pytest.mark.parametrize("k", [1, 3])
def test_alternating_takes_k_discriminator_steps_per_generator_step(digits, k: int) -> None:  # type: ignore[no-untyped-def]
    game = build_game(tiny_config("game.update=alternating", f"game.k={k}"), digits)
    counts = {"d": 0, "g": 0}
    real_d, real_g = game.opt_d.step, game.opt_g.step

    def count(name: str, step):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            counts[name] += 1
            return step(*args, **kwargs)

        return wrapped

    game.opt_d.step, game.opt_g.step = count("d", real_d), count("g", real_g)  # type: ignore[method-assign]
    for _ in range(4):
        game.step()
    assert counts == {"d": 4 * k, "g": 4}
    assert game.sampler.state_dict()["position"] == 4 * k  # a fresh minibatch for every D step
    assert game.steps_per_epoch == game.sampler.batches_per_epoch // k


def test_simultaneous_steps_both_players_once_per_minibatch(digits) -> None:  # type: ignore[no-untyped-def]
    game = build_game(tiny_config(), digits)
    before_g = [p.clone() for p in game.generator.parameters()]
    before_d = [p.clone() for p in game.discriminator.parameters()]
    game.step()
    assert game.sampler.state_dict()["position"] == 1
    assert any(not torch.equal(a, b) for a, b in zip(before_g, game.generator.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(before_d, game.discriminator.parameters()))


def test_paper_schedules() -> None:
    optim = OptimConfig()
    assert learning_rate(optim, 0) == 0.1
    assert learning_rate(optim, 1000) == pytest.approx(0.1 / 1.000004**1000)
    assert learning_rate(optim, 10**8) == 1e-6  # the floor
    # pylearn2's MomentumAdjustor(start=1, saturate=250): 0-based epoch e trains at count e + 1.
    assert momentum(optim, 0) == 0.5 and momentum(optim, 1) == pytest.approx(0.5 + 0.2 / 249)
    assert momentum(optim, 248) < 0.7 and momentum(optim, 249) == pytest.approx(0.7)
    assert momentum(optim, 400) == pytest.approx(0.7)
    assert momentum(optim, 125) == pytest.approx(0.5 + 0.2 * 125 / 249)


def test_schedule_reaches_the_optimisers(digits) -> None:  # type: ignore[no-untyped-def]
    game = build_game(tiny_config(), digits)
    for _ in range(3):
        game.step()
    assert game.opt_g.param_groups[0]["lr"] == pytest.approx(0.1 / 1.000004**2)
    # pylearn2's rule (optim.momentum_rule) runs as PyTorch momentum mu * lr_{t-1} / lr_t: here 0.5 * decay.
    assert game.opt_d.param_groups[0]["momentum"] == pytest.approx(0.5 * 1.000004)
