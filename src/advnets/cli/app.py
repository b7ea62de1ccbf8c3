"""The Typer application and its consoles; each command lives in its own module beside this one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console

from advnets.errors import AdvnetsError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Generative Adversarial Nets, faithfully.")
out = Console(markup=False)  # what is printed is data (paths, numbers): "[x]" in a path stays in it
err = Console(stderr=True)


def write_after_showing(write: Callable[[], Path]) -> Path:
    """Run `write` once the results are on screen: a failed write says they were shown, not lost."""
    try:
        return write()
    except AdvnetsError as error:
        raise AdvnetsError(f"{error} (the results are printed above)") from None
