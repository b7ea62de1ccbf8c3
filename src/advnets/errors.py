"""The exception type for mistakes a user can make and fix, and the warning type for data worth a look."""

from __future__ import annotations


class AdvnetsError(Exception):
    """A user-fixable problem: the message says what is wrong and how to fix it, on one line.

    The command line prints these without a traceback; anything else is a bug in advnets.
    """


class WriteError(AdvnetsError, OSError):
    """A file could not be written (read-only folder, full disk, a file where a folder should be).

    Also an OSError, with the original errno and strerror, so code that already handles a failed write in
    its own words (the trainer says which checkpoints are intact) keeps doing so.
    """

    def __init__(self, message: str, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AdvnetsWarning(UserWarning):
    """Something in the input was skipped or looks wrong, but the command can go on (the CLI prints one
    `warning:` line for each)."""


def one_line(text: str) -> str:
    """`text` on one line: its non-blank lines joined by '; ' (for messages of other libraries)."""
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def yaml_problem(error: Exception) -> str:
    """A PyYAML error as one line: its problem, and where (line and column, counted from 1) if it knows."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return (getattr(error, "problem", None) or one_line(str(error))) + where
