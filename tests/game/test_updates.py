import copy
import math

import pytest
import torch
from torch.nn.functional import softplus

from advnets.config.schema import OptimConfig
from advnets.game.losses import discriminator_loss, generator_loss
from advnets.game.schedules import learning_rate, momentum
from advnets.game.updates import SHARED_BACKWARD_MIN_LOGIT
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
    game.step()  # the simultaneous order (the preset's)
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


NO_DROPOUT = ("discriminator.input_keep=1.0", "discriminator.hidden_keep=1.0")


def _replayed_inputs(game, count: int) -> tuple[list[torch.Tensor], list[torch.Tensor]]:  # type: ignore[no-untyped-def]
    """The next `count` real minibatches and noise draws the game will make (with D's dropout off, noise is
    the only random draw), leaving the game's sampler and RNG where they were."""
    sampler_state, rng_state = game.sampler.state_dict(), torch.get_rng_state()
    xs = [game.next_real_batch()[0] for _ in range(count)]
    game.sampler.load_state_dict(sampler_state)
    bound = math.sqrt(3.0)  # the uniform prior U(-sqrt 3, sqrt 3), drawn as the engine draws it
    zs = [(torch.rand(x.shape[0], game.config.generator.noise_dim) * 2 - 1) * bound for x in xs]
    torch.set_rng_state(rng_state)
    return xs, zs


def _sgd(params: list[torch.Tensor], directions: list[torch.Tensor], lr: float) -> None:
    with torch.no_grad():
        for param, direction in zip(params, directions, strict=True):
            param -= lr * direction


@pytest.mark.parametrize("k", [1, 2])
def test_alternating_update_matches_a_hand_written_step(digits, k: int) -> None:  # type: ignore[no-untyped-def]
    """One iteration of Algorithm 1 written out here with autograd and plain SGD with momentum: k D steps
    (D's own learning rate), then one G step through the updated D."""
    config = tiny_config("game.update=alternating", f"game.k={k}", "optim.lr_d=0.03", *NO_DROPOUT)
    assert config.generator.noise == "uniform"
    game = build_game(config, digits)
    g, d = copy.deepcopy(game.generator), copy.deepcopy(game.discriminator)
    xs, zs = _replayed_inputs(game, k + 1)  # k minibatches for D; the last draw's noise is G's
    mu, lr_d, lr_g = config.optim.momentum_start, 0.03, config.optim.lr  # the schedule at step 0
    d_params, g_params = list(d.parameters()), list(g.parameters())
    velocity: list[torch.Tensor] = []
    for x, z in zip(xs[:k], zs[:k], strict=True):
        logits = d(torch.cat([x, g(z).detach()]))
        real, fake = logits[: len(x)], logits[len(x) :]
        d_loss = 0.5 * (softplus(-real).mean() + softplus(fake).mean())  # -V(D, G) / 2
        grads = torch.autograd.grad(d_loss, d_params)
        velocity = (
            list(grads) if not velocity else [mu * v + g_ for v, g_ in zip(velocity, grads, strict=True)]
        )
        _sgd(d_params, velocity, lr_d)
    g_loss = softplus(-d(g(zs[k]))).mean()  # -log D(G(z)), the non-saturating loss
    _sgd(g_params, list(torch.autograd.grad(g_loss, g_params)), lr_g)

    game.step()
    for mine, theirs in [
        *zip(d_params, game.discriminator.parameters(), strict=True),
        *zip(g_params, game.generator.parameters(), strict=True),
    ]:
        assert torch.allclose(mine, theirs, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kind", ["non-saturating", "saturating"])
def test_shared_backward_falls_back_to_exact_gradients_below_the_logit_floor(digits, kind: str) -> None:  # type: ignore[no-untyped-def]
    """D all but certain that G's samples are fake (logits near -200): D's loss sends them gradients that
    underflow (sigmoid(-200) is 0 in float32), so the shared pass would give G NaN; the step takes the exact
    second pass instead. Both players' gradients match two independent autograd passes."""
    game = build_game(tiny_config(f"game.generator_loss={kind}", *NO_DROPOUT), digits)
    with torch.no_grad():  # D away from its near-zero init (so that G's gradients are sizeable), then certain
        for p in game.discriminator.parameters():
            p.add_(0.3 * torch.randn_like(p))
        game.discriminator.out.bias.fill_(-200.0)
    g_ref, d_ref = copy.deepcopy(game.generator), copy.deepcopy(game.discriminator)
    [x], [z] = _replayed_inputs(game, 1)
    fake = g_ref(z)
    d_loss = 0.5 * (softplus(-d_ref(x)).mean() + softplus(d_ref(fake.detach())).mean())
    d_grads = torch.autograd.grad(d_loss, list(d_ref.parameters()))
    g_loss = softplus(-d_ref(fake)).mean() if kind == "non-saturating" else -softplus(d_ref(fake)).mean()
    g_grads = torch.autograd.grad(g_loss, list(g_ref.parameters()))
    # Why the shared pass cannot serve here: D's loss leaves exactly zero at G's samples.
    samples = fake.detach().requires_grad_(True)
    fake_logits = d_ref(samples)
    assert float(fake_logits.detach().max()) < SHARED_BACKWARD_MIN_LOGIT
    (from_d,) = torch.autograd.grad(softplus(fake_logits).mean(), samples)
    assert not from_d.any()

    game.opt_d.step = game.opt_g.step = lambda *args, **kwargs: None  # type: ignore[method-assign]
    game.step()
    for param, ref in [
        *zip(game.discriminator.parameters(), d_grads, strict=True),
        *zip(game.generator.parameters(), g_grads, strict=True),
    ]:
        assert param.grad is not None and torch.isfinite(param.grad).all()
        assert torch.allclose(param.grad, ref, rtol=1e-4, atol=1e-6 * float(ref.abs().max()))
    if kind == "non-saturating":  # -log D(G(z)) still pulls hard on G where D is sure
        assert max(float(ref.abs().max()) for ref in g_grads) > 1e-3


def test_bf16_moves_see_the_other_players_latest_parameters(digits) -> None:  # type: ignore[no-untyped-def]
    """Under bf16 autocast, G's move runs D as D's step left it: autocast caches its bf16 copies of the
    weights until its region ends, so one region around a whole step would show G a stale D."""
    game = build_game(tiny_config("game.update=alternating", "train.precision=bf16", *NO_DROPOUT), digits)
    layer = game.discriminator.out
    seen: list[tuple[torch.Tensor, torch.Tensor]] = []
    layer.register_forward_hook(lambda module, args, out: seen.append((args[0].detach(), out.detach())))
    game.step()
    last_input, last_output = seen[-1]  # D's last call: in G's move, after D's step
    with torch.no_grad(), torch.autocast("cpu", torch.bfloat16):
        expected = layer(last_input)
    assert torch.equal(last_output, expected)
