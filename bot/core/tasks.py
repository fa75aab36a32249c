"""Work that must run to its end once started: a database call in flight has to finish before
the database closes, or its worker thread answers an event loop that is already gone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def uninterrupted(work: Awaitable[T]) -> T:
    """Await ``work`` to its end even if the caller is cancelled meanwhile; the cancellation is
    raised once the work is done (stopping waits for the unit in hand, never cuts it)."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise
