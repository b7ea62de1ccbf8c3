"""The Typer application and its consoles; each command lives in its own module beside this one."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Generative Adversarial Nets, faithfully.")
out = Console(markup=False)  # what is printed is data (paths, numbers): "[x]" in a path stays in it
err = Console(stderr=True)
