"""Refusing, before allocating, a request that cannot fit in this machine's memory.

Without the check, `sample -n 100000000` allocates until the system kills the process (no message), or
swaps for minutes; with it, the user is told the size the request needs and what fits.
"""

from __future__ import annotations

import psutil

from advnets.errors import AdvnetsError


def available_memory() -> int:
    """Bytes this process can allocate without swapping (the kernel's MemAvailable, not just free pages)."""
    return int(psutil.virtual_memory().available)


def format_bytes(count: float) -> str:
    """1 decimal, in the largest of kB, MB, GB, TB that keeps the number at least 1 (decimal units)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{int(count)} bytes"


def require_memory(items: int, bytes_per_item: int, what: str) -> None:
    """Raise unless `items` x `bytes_per_item` fits in the memory available now.

    what: the items, in the plural (`"samples of shape (1, 28, 28)"`), for the message.
    """
    needed = items * bytes_per_item
    available = available_memory()
    if needed > available:
        fits = available // max(bytes_per_item, 1)
        raise AdvnetsError(
            f"{items:,} {what} would need {format_bytes(needed)} of memory, but {format_bytes(available)} "
            f"is available; ask for at most {fits:,}"
        )
