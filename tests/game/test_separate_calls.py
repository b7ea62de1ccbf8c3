"""With batch norm in D, the DCGAN variants call D on real and fake minibatches separately."""

from __future__ import annotations

import pytest
import torch

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.data.base import ImageDataset
from advnets.data.transforms import pad_to
from advnets.game.updates import discriminate
from advnets.runs.training import build_game

# Digits padded to 16x16, so D has a batch-norm layer (an 8x8 D has only its input layer, which has none).
DIGITS_DCGAN = ["data.name=digits", "data.image_size=16", "generator.width=8", "discriminator.width=8"]


@pytest.fixture(scope="module")
def digits16(digits: ImageDataset) -> ImageDataset:
    return pad_to(digits, 16)


def dcgan_game(digits: ImageDataset, variant: str):  # type: ignore[no-untyped-def]
    config = resolve_config(
        "mnist-dcgan", None, parse_assignments([*DIGITS_DCGAN, f"variant={variant}", "game.batch_size=16"])
    )
    return build_game(config, digits)


def batch_norm_input_means(game, x: torch.Tensor, fake: torch.Tensor) -> list[torch.Tensor]:  # type: ignore[no-untyped-def]
    """The per-channel batch means that D's first batch norm normalised with, one per D call."""
    seen: list[torch.Tensor] = []
    bn = next(m for m in game.discriminator.modules() if isinstance(m, torch.nn.BatchNorm2d))
    hook = bn.register_forward_hook(lambda m, args, out: seen.append(args[0].mean(dim=(0, 2, 3))))
    with torch.no_grad():
        logits = discriminate(game, x, fake, None, None)
    hook.remove()
    assert logits.shape == (2 * x.shape[0],)
    return seen


def test_dcgan_keeps_real_and_fake_batch_statistics_apart(digits16: ImageDataset) -> None:
    game = dcgan_game(digits16, "dcgan")
    assert game.variant.separate_real_fake
    x, fake = digits16["train"].images[:16], torch.rand(16, 1, 16, 16)
    seen = batch_norm_input_means(game, x, fake)
    assert len(seen) == 2  # one call on the real rows, one on the fake rows
    with torch.no_grad():
        first = game.discriminator.net[:3](x)  # conv, leaky ReLU, conv: the batch norm's input
    assert torch.allclose(seen[0], first.mean(dim=(0, 2, 3)))  # statistics of real rows alone


def test_plain_variant_keeps_one_joint_call(digits16: ImageDataset) -> None:
    game = dcgan_game(digits16, "gan")
    assert not game.variant.separate_real_fake
    seen = batch_norm_input_means(game, digits16["train"].images[:16], torch.rand(16, 1, 16, 16))
    assert len(seen) == 1  # MLP-era behaviour: D runs once on [x; G(z)]


@pytest.mark.parametrize("update", ["simultaneous", "alternating"])
def test_separate_calls_give_exact_generator_gradients(digits16: ImageDataset, update: str) -> None:
    """Both update orders step with batch norm in D and stay finite (the exact backward pass is taken)."""
    config = resolve_config(
        "mnist-dcgan",
        None,
        parse_assignments([*DIGITS_DCGAN, "game.batch_size=16", f"game.update={update}", "train.threads=1"]),
    )
    game = build_game(config, digits16)
    before = [p.clone() for p in game.generator.parameters()]
    stats = game.step()
    assert all(torch.isfinite(v) for v in stats.values())
    assert any(not torch.equal(a, b) for a, b in zip(before, game.generator.parameters(), strict=True))
