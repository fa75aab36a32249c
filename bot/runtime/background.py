"""The one background runner every transport gets: tickers that do scheduled work on an
interval, and the outbox drainer — started together, stopped together, in reverse order.

Each ticker runs its work at once (or after ``first`` seconds), then every ``interval``; a run
that takes longer than the interval is not doubled up (the next starts when it ends). What is
due lives in our tables, so a missed tick loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.core.errors import DatabaseUnavailable
from bot.core.logs import describe_error
from bot.core.tasks import uninterrupted

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Ticker:
    name: str
    interval: float
    work: Callable[[], Awaitable[None]]


async def _every(ticker: Ticker, first: float) -> None:
    """Run ``ticker`` until cancelled; a failure is logged (class only) and the next run retries."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(first)
    while True:
        started = loop.time()
        try:
            await uninterrupted(ticker.work())  # stopping waits for the run in hand
        except DatabaseUnavailable:
            pass  # said once for the whole outage, by the database; the next run retries
        except Exception as error:
            log.error("%s tick failed: %s; the next one retries", ticker.name, describe_error(error))
        await asyncio.sleep(max(0.0, ticker.interval - (loop.time() - started)))


@asynccontextmanager
async def running(
    tickers: Sequence[Ticker], drainer: Callable[[], Coroutine[Any, Any, None]], *, first: float | None = 0.0
) -> AsyncIterator[None]:
    """Run the tickers and the drainer while the block runs. ``first``: seconds before each
    ticker's first run (None: one interval, for a caller that has just done the work itself)."""
    loop = asyncio.get_running_loop()
    tasks = [
        loop.create_task(_every(t, t.interval if first is None else first), name=t.name) for t in tickers
    ]
    tasks.append(loop.create_task(drainer(), name="outbox-drainer"))
    try:
        yield
    finally:
        for task in reversed(tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
