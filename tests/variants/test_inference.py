"""Learned inference: E recovers z from G(z) far better than chance, jointly, post hoc, and as BiGAN."""

from __future__ import annotations

import copy

import pytest
import torch
from torch.nn.functional import mse_loss, softplus

from advnets.config.schema import RunConfig
from advnets.data.base import ImageDataset
from advnets.game.noise import sample_noise
from advnets.runs.model import TrainedModel
from advnets.runs.trainer import TrainResult
from advnets.runs.training import build_game, train
from advnets.variants.inference import fit_encoder
from tests.conftest import tiny_config

# The paper's SGD barely moves a tiny G in two epochs (G(z) is nearly constant); Adam gives in seconds a G
# whose samples depend on z, so that there is something to recover.
QUICK = (
    "optim.name=adam",
    "optim.lr=0.002",
    "optim.lr_decay=1.0",
    "discriminator.init_range=0.05",
    "train.epochs=3",
)
NO_DROPOUT = ("discriminator.input_keep=1.0", "discriminator.hidden_keep=1.0")


def _recovery(generator: torch.nn.Module, encoder: torch.nn.Module, config: RunConfig) -> dict[str, float]:
    """On fresh z from G's own prior: |E(G(z)) - z|^2 (chance, predicting 0: E z^2 = 1 for both priors), and
    |G(E(G(z))) - G(z)|^2 against |G(z') - G(z)|^2 for an independent z' (chance in image space: a GAN's G
    need not be one-to-one)."""
    dim, prior = config.generator.noise_dim, config.generator.noise
    z = sample_noise(2000, dim, prior, "cpu", torch.Generator().manual_seed(123))
    other = sample_noise(2000, dim, prior, "cpu", torch.Generator().manual_seed(321))
    with torch.no_grad():
        x = generator(z, None)
        z_hat = encoder(x)
        return {
            "z": float(mse_loss(z_hat, z)),
            "x": float(mse_loss(generator(z_hat, None), x)),
            "x_chance": float(mse_loss(generator(other, None), x)),
        }


@pytest.fixture(scope="module")
def quick_run(digits: ImageDataset, tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    """A tiny G trained for two epochs, with an encoder trained beside it (the `inference` variant)."""
    config = tiny_config("variant=inference", "inference.hidden=[64]", *QUICK)
    return train(config, tmp_path_factory.mktemp("inference"), dataset=digits)


def test_fitted_encoder_recovers_z_from_a_tiny_trained_g(quick_run: TrainResult) -> None:
    """G(E(G(z))) lands near G(z). In z space E beats chance only a little, because this tiny G uses z
    weakly: in seeds 0 and 1, moving one coordinate of z by 0.5 changes G's pixels by a mean square of at
    most 0.003, and 1,500 fitting steps instead of 300 gain nothing there (z error 0.944 against 0.948).

    Checked over seeds 0-4 x 1 and 2 threads: image-space ratio worst 0.089, threshold 0.2, chance 1; the
    untrained encoder's ratio worst 0.608 against a floor of 0.3; z error worst 0.950, threshold 0.98,
    chance 1 (the untrained encoder's worst 1.012).
    """
    nets = TrainedModel.load(quick_run.run_dir)
    config = nets.config
    fitted = _recovery(nets.generator, fit_encoder(nets.generator, config, nets.info, 300, lr=3e-3), config)
    untrained = _recovery(nets.generator, fit_encoder(nets.generator, config, nets.info, 0), config)
    assert fitted["z"] < 0.98 and untrained["z"] > 1.0
    assert fitted["x"] < 0.2 * fitted["x_chance"]
    assert untrained["x"] > 0.3 * untrained["x_chance"]


def test_joint_encoder_learns_beside_the_game(quick_run: TrainResult) -> None:
    """Checked over seeds 0-4 x 1 and 2 threads: image-space ratio worst 0.187, threshold 0.5, chance 1."""
    nets = TrainedModel.load(quick_run.run_dir)
    scores = _recovery(nets.generator, nets.players["encoder"], nets.config)
    assert scores["x"] < 0.5 * scores["x_chance"]


def test_bigan_trains_d_on_pairs_and_checkpoints_its_encoder(digits: ImageDataset, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tiny_config("variant=bigan", "train.epochs=1", "inference.hidden=[32]")
    result = train(config, tmp_path / "run", dataset=digits)
    nets = TrainedModel.load(result.run_dir)
    encoder = nets.players["encoder"]
    x = digits["test"].images[:4]
    z = encoder(x)
    assert z.shape == (4, config.generator.noise_dim)
    assert nets.discriminator(x, z).shape == (4,)  # D scores (x, z) pairs


def test_bigan_step_is_d_on_pairs_then_g_and_e_with_the_labels_swapped(digits: ImageDataset) -> None:
    """One BiGAN step, written out here with autograd and plain SGD: D descends its loss on the pairs
    (x, E(x)) against (G(z), z); then G and E together descend the swapped-label loss through the updated D,
    on the same x and z. Each move lowers its own loss on those pairs, and the engine's nets match."""
    config = tiny_config(
        "variant=bigan",
        "inference.hidden=[32]",
        "discriminator.input_keep=1.0",
        "discriminator.hidden_keep=1.0",
    )
    game = build_game(config, digits)
    with torch.no_grad():  # D away from its near-zero init, where its logits (and the losses' slopes) are ~0
        for param in game.discriminator.parameters():
            param.add_(0.05 * torch.randn_like(param))
    g, d, e = (copy.deepcopy(net) for net in (game.generator, game.discriminator, game.players["encoder"]))
    sampler_state, rng_state = game.sampler.state_dict(), torch.get_rng_state()
    x, _, _ = game.next_real_batch()
    z = game.noise(x.shape[0])
    game.sampler.load_state_dict(sampler_state)
    torch.set_rng_state(rng_state)
    lr = config.optim.lr  # the schedule at step 0; the first SGD step has no momentum yet

    def d_loss() -> torch.Tensor:  # -[log D(x, E(x)) + log(1 - D(G(z), z))] / 2, G and E held fixed
        with torch.no_grad():
            fake, codes = g(z, None), e(x)
        logits = d(torch.cat([x, fake]), torch.cat([codes, z]))
        return 0.5 * (softplus(-logits[: len(x)]).mean() + softplus(logits[len(x) :]).mean())

    def ge_loss() -> torch.Tensor:  # the labels swapped: E wants its pairs called fake, G its pairs real
        logits = d(torch.cat([x, g(z, None)]), torch.cat([e(x), z]))
        return 0.5 * (softplus(logits[: len(x)]).mean() + softplus(-logits[len(x) :]).mean())

    loss = d_loss()
    before = loss.detach()
    grads = torch.autograd.grad(loss, list(d.parameters()))
    with torch.no_grad():
        for param, grad in zip(d.parameters(), grads, strict=True):
            param -= lr * grad
    assert float(d_loss().detach()) < float(before)
    loss = ge_loss()
    before_ge = loss.detach()
    players = [*g.parameters(), *e.parameters()]
    grads = torch.autograd.grad(loss, players)
    with torch.no_grad():
        for param, grad in zip(players, grads, strict=True):
            param -= lr * grad
    assert float(ge_loss().detach()) < float(before_ge)
    assert any(grad.abs().max() > 0 for grad in grads[-len(list(e.parameters())) :])  # E is a player

    stats = game.step()
    assert stats["d_loss"] == pytest.approx(float(before), rel=1e-6)
    assert stats["g_loss"] == pytest.approx(float(before_ge), rel=1e-6)
    for net, ref in ((game.generator, g), (game.discriminator, d), (game.players["encoder"], e)):
        for mine, theirs in zip(net.parameters(), ref.parameters(), strict=True):
            assert torch.allclose(mine, theirs, rtol=1e-5, atol=1e-7)
