"""Options checked where they are parsed: counts, seeds, threads, ports and device names; shorthand flags
turned into the settings they stand for.

Each helper returns a `typer.Option` whose callback refuses a bad value with the option's own name, as
one line (`error: -n must be at least 1, not 0`), before the command does any work. The range is added to
the help text, so `--help` says what is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from advnets.config.overrides import settings
from advnets.config.schema import DEVICES, MAX_SEED, MAX_THREADS, is_device_name
from advnets.errors import AdvnetsError


def _name(param: typer.CallbackParam) -> str:
    """The option as its help shows it first (`-n`, `--n-valid`)."""
    return param.opts[0] if param.opts else str(param.name)


def _in_range(low: int, high: int | None) -> Callable[[typer.CallbackParam, int | None], int | None]:
    def check(param: typer.CallbackParam, value: int | None) -> int | None:
        if value is None:
            return value
        if high is not None and not low <= value <= high:
            raise AdvnetsError(f"{_name(param)} must be between {low} and {high}, not {value}")
        if value < low:
            raise AdvnetsError(f"{_name(param)} must be at least {low}, not {value}")
        return value

    return check


def count(*decls: str, help: str, low: int = 1, high: int | None = None) -> Any:
    """An integer option in low..high (no upper bound when high is None)."""
    shown = f"at least {low}" if high is None else f"{low}..{high}"
    return typer.Option(*decls, help=f"{help} ({shown})", callback=_in_range(low, high))


def seed(help: str = "seed") -> Any:
    return count(help=help, low=0, high=MAX_SEED)


def threads(help: str = "CPU threads (0: one per core)", low: int = 0) -> Any:
    return count(help=help, low=low, high=MAX_THREADS)


def port(help: str) -> Any:
    return count(help=help, low=1, high=65535)


def shorthands(values: dict[str, Any]) -> dict[str, Any]:
    """The shorthand flags a user gave, {'train.epochs': 5, 'train.seed': None}, as the settings they stand
    for ({'train': {'epochs': 5}}); None is a flag not given."""
    return settings({key: value for key, value in values.items() if value is not None})


def _device(param: typer.CallbackParam, value: str | None) -> str | None:
    if value is not None and not is_device_name(value):
        raise AdvnetsError(f"{_name(param)} '{value}' is not a device; use {DEVICES}")
    return value


def device(help: str) -> Any:
    return typer.Option(help=help, callback=_device)
