"""The `advnets` command: parses, calls the library, prints. No logic the library lacks.

Each command is a module of this package that registers itself on `app`.
"""

from __future__ import annotations

import warnings
from typing import TextIO

import typer
from rich.markup import escape
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
from advnets.errors import AdvnetsError, AdvnetsWarning, one_line
from advnets.runs.group import is_main_process

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


def _say(message: str) -> None:
    # Under torchrun every process meets the same bad input: the first one says so, all of them exit 2.
    if is_main_process():
        err.print(f"[bold red]error:[/] {escape(one_line(message))}", highlight=False, soft_wrap=True)


def _usage(error: typer.TyperException) -> str:
    """Typer's own complaint (an unknown option, a missing argument, a value of the wrong type) as one line,
    without the usage box typer would draw around it."""
    message = error.format_message().rstrip(".")
    ctx = getattr(error, "ctx", None)
    hint = f"; see '{ctx.command_path} --help'" if ctx is not None else ""
    return message[:1].lower() + message[1:] + hint


def main() -> None:
    warnings.showwarning = show_warning
    try:
        code = app(standalone_mode=False)
    except AdvnetsError as error:
        _say(str(error))
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(130) from None
    except typer.Abort:
        raise SystemExit(1) from None
    except typer.TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # `advnets` alone: typer has printed the help
            raise SystemExit(error.exit_code) from None
        _say(_usage(error))
        raise SystemExit(error.exit_code) from None
    # Outside standalone mode typer turns Ctrl-C into a returned 130 (and --help into 0).
    if code == 130:
        err.print("interrupted")
    if isinstance(code, int) and code != 0:
        raise SystemExit(code)
