"""The `advnets` command: parses, calls the library, prints. No logic the library lacks.

Each command is a module of this package that registers itself on `app`.
"""

from __future__ import annotations

import warnings
from typing import TextIO

from rich.text import Text

from advnets.cli import (  # noqa: F401  (registers the commands)
    compare,
    encode,
    eval,
    figures,
    info,
    inpaint,
    lab,
    report,
    reproduce,
    sample,
    score,
    semisup,
    theory,
    train,
)
from advnets.cli.app import app, err
from advnets.errors import AdvnetsError, AdvnetsWarning
from advnets.runs.distributed import is_main_process

__all__ = ["app", "main"]

_show_other_warnings = warnings.showwarning


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """AdvnetsWarnings as one `warning:` line (from the first process only); others as Python shows them."""
    if not issubclass(category, AdvnetsWarning):
        _show_other_warnings(message, category, filename, lineno, file, line)
    elif is_main_process():
        err.print(Text.assemble(("warning:", "bold yellow"), " ", str(message)), soft_wrap=True)


def main() -> None:
    warnings.showwarning = show_warning
    try:
        app(standalone_mode=False)
    except AdvnetsError as error:
        # Under torchrun every process meets the same bad input: the first one says so, all of them exit 2.
        if is_main_process():
            err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(130) from None
    except Exception as error:
        import click

        if isinstance(error, click.exceptions.ClickException):
            error.show()
            raise SystemExit(error.exit_code) from None
        if isinstance(error, click.exceptions.Abort):
            raise SystemExit(1) from None
        raise
