"""The one exception type for mistakes a user can make and fix."""


class AdvnetsError(Exception):
    """A user-fixable problem: the message says what is wrong and how to fix it, on one line.

    The command line prints these without a traceback; anything else is a bug in advnets.
    """
