"""The one exception type for mistakes a user can make and fix."""


class AdvnetsError(Exception):
    """A user-fixable problem: the message says what is wrong and how to fix it, on one line.

    The command line prints these without a traceback; anything else is a bug in advnets.
    """


def one_line(text: str) -> str:
    """`text` on one line: its non-blank lines joined by '; ' (for messages of other libraries)."""
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())
