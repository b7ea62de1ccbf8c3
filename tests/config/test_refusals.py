"""Names checked against their registries; a setting the chosen update would ignore, refused in one line."""

from __future__ import annotations

import pytest

from advnets.config.overrides import ignored_setting, resolve_config, settings, validate, validate_saved
from advnets.config.presets import PRESETS
from advnets.config.schema import DATASETS, VARIANTS
from advnets.data import DATASETS as DATASET_REGISTRY
from advnets.errors import AdvnetsError
from advnets.variants import VARIANTS as VARIANT_REGISTRY


def refusal(preset: str, values: dict[str, object]) -> str:
    with pytest.raises(AdvnetsError) as caught:
        resolve_config(preset, None, settings(values))
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_configs_names_are_the_registries_names() -> None:
    assert tuple(VARIANT_REGISTRY) == VARIANTS
    assert tuple(DATASET_REGISTRY) == DATASETS


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"variant": "cgna"},
            "bad config value variant='cgna': not a variant (did you mean 'cgan'?); choose",
        ),
        ({"variant": "vae"}, "not a variant; choose one of: gan, cgan, dcgan, cdcgan, inference, bigan"),
        ({"data.name": "mnsit"}, "bad config value data.name='mnsit': not a dataset (did you mean 'mnist'?)"),
        ({"train.device": "gpu"}, "bad config value train.device='gpu': 'gpu' is not a device; use cpu"),
    ],
)
def test_unknown_names_are_one_line_with_a_hint_and_the_choices(
    values: dict[str, object], expected: str
) -> None:
    assert expected in refusal("digits-mlp", values)


def test_k_is_refused_under_the_simultaneous_update_and_taken_under_the_alternating_one() -> None:
    message = refusal("digits-mlp", {"game.k": 3})
    assert message.startswith("game.k=3 does nothing under game.update=simultaneous")
    assert "set game.update=alternating" in message
    config = resolve_config("digits-mlp", None, settings({"game.update": "alternating", "game.k": 3}))
    assert config.game.k == 3
    assert resolve_config("mnist-dcgan", None, settings({"game.k": 2})).game.k == 2  # alternating preset


def test_what_the_semisup_and_bigan_updates_ignore_is_refused() -> None:
    assert "game.k=2 does nothing under game.update=simultaneous" in refusal("digits-semisup", {"game.k": 2})
    alternating = {"game.update": "alternating"}
    assert "alternating with game.k=1 does nothing in the semisup variant" in refusal(
        "digits-semisup", alternating
    )
    saturating = {"game.generator_loss": "saturating"}
    assert "does nothing in the semisup variant" in refusal("digits-semisup", saturating)
    assert "does nothing in the bigan variant" in refusal("digits-bigan", saturating)
    assert "alternating with game.k=1 does nothing in the bigan variant" in refusal(
        "digits-bigan", alternating
    )
    # Both read k, under the alternating update (k D steps per G step).
    for preset in ("digits-bigan", "digits-semisup"):
        config = resolve_config(preset, None, settings({"game.update": "alternating", "game.k": 2}))
        assert config.game.k == 2


def test_no_preset_sets_what_its_update_ignores() -> None:
    for name, preset in PRESETS.items():
        assert ignored_setting(validate({"preset": name, **preset})) is None, name


def test_runs_saved_with_an_ignored_setting_still_load_and_resume() -> None:
    """The rule is for configurations a user resolves: a run stored before it keeps loading, and a resume
    (resolved over the run's own configuration) is checked against the checkpoint instead."""
    stored = {"preset": "digits-mlp", "data": {"name": "digits"}, "game": {"update": "simultaneous", "k": 3}}
    saved = validate_saved(stored)
    assert saved.game.k == 3
    resumed = resolve_config(None, None, settings({"train.epochs": 9}), base=saved.to_dict())
    assert (resumed.game.k, resumed.train.epochs) == (3, 9)
