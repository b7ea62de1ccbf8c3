"""Settings travel as data: code builds nested dicts; only a user's own `--set key=value` text is parsed."""

from __future__ import annotations

import pytest

from advnets.cli.options import shorthands
from advnets.config.overrides import deep_merge, parse_assignments, resolve_config, setting, settings


def test_a_setting_is_the_nested_dict_it_names() -> None:
    assert setting("train.epochs", 5) == {"train": {"epochs": 5}}
    assert setting("preset", "digits-mlp") == {"preset": "digits-mlp"}
    assert settings({"train.seed": 1, "train.epochs": 5, "optim.lr": 0.1}) == {
        "train": {"seed": 1, "epochs": 5},
        "optim": {"lr": 0.1},
    }


def test_values_given_as_data_are_never_parsed() -> None:
    """As text, '123' would be read as a number and 'null' as None; as data each stays the string it is."""
    for folder in ("123", "null", "a: b", "[x]"):
        config = resolve_config("digits-mlp", None, setting("data.data_dir", folder))
        assert config.data.data_dir == folder
    assert parse_assignments(["data.data_dir=123"]) == {"data": {"data_dir": 123}}  # the --set reading


def test_the_users_assignments_are_read_once_the_later_winning() -> None:
    parsed = parse_assignments(["game.k=3", "generator.hidden=[10, 20]", "game.k=4", "optim.lr_d=null"])
    assert parsed == {"game": {"k": 4}, "generator": {"hidden": [10, 20]}, "optim": {"lr_d": None}}


def test_shorthand_flags_win_over_set_and_unset_ones_are_left_out() -> None:
    """`advnets train --set train.epochs=9 --epochs 5` trains 5 epochs, as it did when both were text."""
    flags = shorthands({"train.epochs": 5, "train.seed": None, "train.progress": False})
    assert flags == {"train": {"epochs": 5, "progress": False}}
    merged = deep_merge(parse_assignments(["train.epochs=9", "train.seed=2"]), flags)
    config = resolve_config("digits-mlp", None, merged)
    assert (config.train.epochs, config.train.seed, config.train.progress) == (5, 2, False)


def test_resolve_config_refuses_text_where_data_belongs() -> None:
    with pytest.raises(TypeError, match="nested mapping"):
        resolve_config("digits-mlp", None, ["train.epochs=5"])  # type: ignore[arg-type]
