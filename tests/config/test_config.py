from pathlib import Path

import pytest

from advnets.config.overrides import parse_assignments, resolve_config
from advnets.config.presets import PRESETS
from advnets.config.schema import RunConfig
from advnets.errors import AdvnetsError


def test_defaults_are_the_papers_mnist_setup() -> None:
    config = RunConfig()
    assert (config.generator.noise_dim, config.generator.hidden) == (100, [1200, 1200])
    assert (config.discriminator.hidden, config.discriminator.pieces) == ([240, 240], 5)
    assert (config.optim.lr, config.optim.lr_decay, config.optim.lr_min) == (0.1, 1.000004, 1e-6)
    assert (config.optim.momentum_start, config.optim.momentum_end) == (0.5, 0.7)
    assert (config.game.batch_size, config.game.generator_loss) == (100, "non-saturating")


def test_every_preset_validates() -> None:
    for name in PRESETS:
        assert resolve_config(name).preset == name


def test_file_then_overrides_fill_the_same_tree(tmp_path: Path) -> None:
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("game:\n  update: alternating\n  k: 2\noptim:\n  lr: 0.05\n")
    toml_file = tmp_path / "c.toml"
    toml_file.write_text('[game]\nupdate = "alternating"\nk = 4\n')
    config = resolve_config(
        "mnist-mlp", yaml_file, parse_assignments(["optim.lr=0.01", "generator.hidden=[10, 20]"])
    )
    assert (config.game.k, config.optim.lr, config.generator.hidden) == (2, 0.01, [10, 20])
    assert resolve_config("mnist-mlp", toml_file).game.k == 4


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("game.kk=3", r"unknown config key 'game.kk' did you mean 'game.k'"),
        ("gmae.k=3", r"unknown config key 'gmae'"),
        ("game.k=three", r"bad config value game.k='three'.*integer"),
        ("game.k=0", r"bad config value game.k=0.*greater than 0"),
        ("discriminator.input_keep=1.5", r"input_keep=1.5.*less than or equal to 1"),
        ("game.update=sometimes", r"'simultaneous' or 'alternating'"),
        ("novalue", r"--set expects key=value"),
    ],
)
def test_bad_config_is_one_clear_line(assignment: str, message: str) -> None:
    with pytest.raises(AdvnetsError, match=message) as error:
        resolve_config("mnist-mlp", None, parse_assignments([assignment]))
    assert "\n" not in str(error.value)


def test_unknown_preset_suggests_the_closest() -> None:
    with pytest.raises(AdvnetsError, match="did you mean 'mnist-mlp'"):
        resolve_config("mnist-mpl")
