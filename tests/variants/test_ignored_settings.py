"""The config refuses exactly the game settings that change nothing: checked against what every variant's
update does, by training twice from the same seed with and without the setting."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from advnets.config.overrides import deep_merge, ignored_setting, resolve_config, settings, validate
from advnets.config.schema import VARIANTS, RunConfig
from advnets.data.base import ImageDataset
from advnets.data.transforms import pad_to
from advnets.runs.training import build_game

SMALL = {"train.threads": 1, "game.batch_size": 20, "generator.noise_dim": 8, "inference.hidden": [16]}
MLP = {"generator.hidden": [32], "discriminator.hidden": [16]}
# Digits padded to 16x16 for the convolutional nets (as in tests/game/test_separate_calls.py).
CONV = {"data.image_size": 16, "generator.width": 8, "discriminator.width": 8}
STARTS = {
    "gan": ("digits-mlp", MLP),
    "cgan": ("digits-cgan", MLP),
    "dcgan": ("mnist-dcgan", {"data.name": "digits", **CONV}),
    "cdcgan": ("mnist-cdcgan", {"data.name": "digits", **CONV}),
    "inference": ("digits-inference", MLP),
    "bigan": ("digits-bigan", MLP),
    "inpaint": ("digits-inpaint", MLP),
    "semisup": ("digits-semisup", {**MLP, "semisup.labels": 20}),
}
PAPER = {
    "game.update": "simultaneous",
    "game.k": 1,
    "game.g_steps": 1,
    "game.loss": "log",
    "game.generator_loss": "non-saturating",
}
ALTERNATING = {**PAPER, "game.update": "alternating"}
LEAST_SQUARES = {**PAPER, "game.loss": "least-squares"}
# (the setting's absence, its presence): each pair differs in one setting.
CHANGES = {
    "k-simultaneous": (PAPER, {**PAPER, "game.k": 2}),
    "alternating": (PAPER, ALTERNATING),
    "k-alternating": (ALTERNATING, {**ALTERNATING, "game.k": 2}),
    "saturating": (PAPER, {**PAPER, "game.generator_loss": "saturating"}),
    "g-steps-simultaneous": (PAPER, {**PAPER, "game.g_steps": 2}),
    "g-steps-alternating": (ALTERNATING, {**ALTERNATING, "game.g_steps": 2}),
    "least-squares": (PAPER, LEAST_SQUARES),
    "saturating-least-squares": (LEAST_SQUARES, {**LEAST_SQUARES, "game.generator_loss": "saturating"}),
}


def config_for(variant: str, values: dict[str, Any]) -> RunConfig:
    """The variant's small config with `values`, validated without the ignored-setting rule."""
    preset, nets = STARTS[variant]
    start = resolve_config(preset, None, settings({**SMALL, **nets}))
    return validate(deep_merge(start.to_dict(), settings(values)))


def parameters_after_steps(config: RunConfig, dataset: ImageDataset, steps: int = 2) -> list[torch.Tensor]:
    game = build_game(config, dataset)
    for _ in range(steps):
        game.step()
    nets = [game.generator, game.discriminator, *game.players.values()]
    return [p.detach().clone() for net in nets for p in net.parameters()]


def test_every_variant_is_checked() -> None:
    assert set(STARTS) == set(VARIANTS)


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("variant", sorted(STARTS))
def test_a_setting_is_refused_exactly_when_it_changes_nothing(
    variant: str, change: str, digits: ImageDataset
) -> None:
    without, with_it = (config_for(variant, values) for values in CHANGES[change])
    dataset = pad_to(digits, 16) if with_it.data.image_size == 16 else digits
    before = parameters_after_steps(without, dataset)
    after = parameters_after_steps(with_it, dataset)
    unchanged = all(torch.equal(a, b) for a, b in zip(before, after, strict=True))
    refused = ignored_setting(with_it)
    assert (refused is not None) == unchanged, refused or f"{change} does nothing in {variant}"
