"""Resolve a RunConfig from a preset, an optional YAML/TOML file and `key=value` overrides."""

from __future__ import annotations

import copy
import difflib
import sys
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from advnets.config.presets import PRESETS
from advnets.config.schema import RunConfig
from advnets.errors import AdvnetsError, one_line, yaml_problem

_ADAPTER = TypeAdapter(RunConfig)


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def setting(key: str, value: Any) -> dict[str, Any]:
    """One setting as the nested data a configuration is filled with: ('train.epochs', 5) ->
    {'train': {'epochs': 5}}. The value is taken as it is, never parsed."""
    nested: dict[str, Any] = {}
    node = nested
    parts = key.strip().split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return nested


def settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys and their values as one nested mapping: {'train.seed': 1, 'train.epochs': 5} ->
    {'train': {'seed': 1, 'epochs': 5}} (a later key wins over an earlier one it overlaps)."""
    merged: dict[str, Any] = {}
    for key, value in values.items():
        merged = deep_merge(merged, setting(key, value))
    return merged


def parse_assignment(text: str) -> dict[str, Any]:
    """A user's `--set` text, 'game.k=3' -> {'game': {'k': 3}}; the value is read as YAML, so lists and null
    work too. Only what a user typed is parsed: code passes its settings as data (`setting`)."""
    if "=" not in text:
        raise AdvnetsError(f"--set expects key=value, got '{text}'; for example --set optim.lr=0.05")
    key, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return setting(key, value)


def parse_assignments(texts: Iterable[str]) -> dict[str, Any]:
    """Every `--set key=value` of a command line as one nested mapping, a later one winning."""
    merged: dict[str, Any] = {}
    for text in texts:
        merged = deep_merge(merged, parse_assignment(text))
    return merged


def load_yaml(text: str, source: str) -> Any:
    """YAML text read safely; a syntax error is one line naming the source, the line and the column."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise AdvnetsError(f"{source} is not valid YAML: {yaml_problem(error)}; fix its syntax") from None


def read_config_file(path: str | Path) -> dict[str, Any]:
    file = Path(path)
    if not file.is_file():
        what = "is a folder, not a file" if file.is_dir() else "does not exist"
        raise AdvnetsError(f"config file {file} {what}; check the path given to --config")
    try:
        text = file.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise AdvnetsError(f"config file {file} cannot be read ({one_line(str(error))})") from None
    if file.suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise AdvnetsError(f"config file {file} is not valid TOML: {one_line(str(error))}") from None
    else:
        data = load_yaml(text, f"config file {file}") or {}
    if not isinstance(data, dict):
        raise AdvnetsError(f"config file {file} must hold a mapping of sections such as 'game:'")
    return data


def _valid_keys(prefix: str) -> list[str]:
    node: Any = RunConfig()
    for part in [p for p in prefix.split(".") if p]:
        node = getattr(node, part, None)
        if not is_dataclass(node):
            return []
    return [f.name for f in fields(node)]


def _explain(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "unexpected_keyword_argument":
        parent, _, name = where.rpartition(".")
        valid = _valid_keys(parent)
        close = difflib.get_close_matches(name, valid, n=1)
        hint = f"did you mean '{'.'.join(filter(None, [parent, close[0]]))}'? " if close else ""
        scope = f" in {parent}" if parent else ""
        return f"unknown config key '{where}' {hint}(valid keys{scope}: {', '.join(valid)})"
    # A check of ours (a name, a device) words its own message; pydantic's own are kept as they are.
    message = str(first["ctx"]["error"]) if first["type"] == "value_error" else first["msg"]
    return f"bad config value {where}={first.get('input')!r}: {message}"


def validate(data: Mapping[str, Any]) -> RunConfig:
    try:
        return _ADAPTER.validate_python(dict(data))
    except ValidationError as error:
        raise AdvnetsError(_explain(error)) from None


# Settings added after runs were already saved, with the value those earlier runs trained with, so that an
# old run loads, samples and resumes as it was trained rather than under the new default.
_BEFORE_THEIR_OPTION = {("optim", "momentum_rule"): "pytorch", ("generator", "noise"): "gaussian"}


def validate_saved(data: Mapping[str, Any]) -> RunConfig:
    """A configuration stored in a run directory or checkpoint, filled as the run that saved it trained."""
    filled = copy.deepcopy(dict(data))
    for (section, key), value in _BEFORE_THEIR_OPTION.items():
        if isinstance(filled.get(section), dict):
            filled[section].setdefault(key, value)
    return validate(filled)


def ignored_setting(config: RunConfig) -> str | None:
    """Why a setting of `config` would do nothing under its update, as one line; None when each one acts.

    What each update reads of `game`: the paper's two (advnets.game.updates) read all of it, k and g_steps
    under "alternating" only; BiGAN's and semisup's moves (advnets.variants) take their own loss for G (and
    E) in the same phase sequence. The variants' updates cannot be
    asked from here (they sit above the config), so tests/variants/test_ignored_settings.py trains each
    variant with and without each setting and checks this rule against what changed.
    """
    game, variant = config.game, config.variant
    if variant == "semisup" and game.generator_loss != "non-saturating":
        return (
            f"game.generator_loss={game.generator_loss} does nothing in the semisup variant (G matches "
            "D's features, or with semisup.feature_matching=false takes the non-saturating loss); drop it"
        )
    if variant == "bigan" and game.generator_loss != "non-saturating":
        return (
            f"game.generator_loss={game.generator_loss} does nothing in the bigan variant (G and E take "
            "the non-saturating loss with D's labels swapped); drop it"
        )
    if variant in ("bigan", "semisup") and game.update == "alternating" and game.k == game.g_steps == 1:
        return (
            f"game.update=alternating with game.k=1 does nothing in the {variant} variant, which steps D, "
            "then G, under either update (alternating adds k D steps); set game.k or drop it"
        )
    if game.loss == "least-squares" and game.generator_loss != "non-saturating":
        return (
            f"game.generator_loss={game.generator_loss} does nothing under game.loss=least-squares (G takes "
            "LSGAN's squared loss); drop it, or set game.loss=log"
        )
    if game.update == "simultaneous" and game.k != 1:
        return (
            f"game.k={game.k} does nothing under game.update=simultaneous (one D and one G step from one "
            "minibatch); set game.update=alternating for k D steps per G step, or drop game.k"
        )
    if game.update == "simultaneous" and game.g_steps != 1:
        return (
            f"game.g_steps={game.g_steps} does nothing under game.update=simultaneous (one D and one G step "
            "from one minibatch); set game.update=alternating for g_steps G steps per iteration, or drop it"
        )
    return None


def unsupported_setting(config: RunConfig) -> str | None:
    """Why `config` asks for a combination advnets does not train, as one line; None when it trains."""
    if config.game.loss == "least-squares" and config.variant in ("bigan", "semisup"):
        return (
            f"game.loss=least-squares is LSGAN's pair of losses, and the {config.variant} variant's G takes "
            "a loss of its own; use game.loss=log (the default) with it"
        )
    return None


def resolve_config(
    preset: str | None = "mnist-mlp",
    config_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    base: Mapping[str, Any] | None = None,
) -> RunConfig:
    """Defaults <- preset <- file <- overrides (nested data: `settings`, `parse_assignments`), validated once.

    A setting the chosen update ignores is refused. Over a saved run's configuration (`base`) it is not: a
    resume may change none of those settings (advnets.runs.resume says so), and older runs may hold them.
    """
    if overrides is not None and not isinstance(overrides, Mapping):
        raise TypeError("resolve_config takes its overrides as a nested mapping; see settings()")
    data: dict[str, Any] = dict(base) if base is not None else {}
    if base is None:
        name = preset or "mnist-mlp"
        if name not in PRESETS:
            close = difflib.get_close_matches(name, PRESETS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise AdvnetsError(f"unknown preset '{name}'{hint}; choose one of: {', '.join(PRESETS)}")
        data = deep_merge({"preset": name}, PRESETS[name])
    if config_file is not None:
        data = deep_merge(data, read_config_file(config_file))
    config = validate(deep_merge(data, overrides or {}))
    problem = (ignored_setting(config) or unsupported_setting(config)) if base is None else None
    if problem is not None:
        raise AdvnetsError(problem)
    return config
