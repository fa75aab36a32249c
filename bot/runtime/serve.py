"""Running the messengers with a runtime: the runtime hands each what it needs (the gateway,
the courier, the background runner: a ``Host``); transports never import the runtime, and this
module names no messenger (``bot.runtime.messengers`` lists them)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from bot.runtime.background import Ticker
from bot.runtime.background import running as running_tickers
from bot.runtime.messengers import MESSENGERS, chat_here, configured
from bot.runtime.status import STATUS_EVERY_SECONDS, database_status, status_writer
from bot.runtime.wiring import Runtime, background, tick
from bot.transports.messenger import Host, Messenger, ReadLine, Running, Write


def host_for(
    runtime: Runtime, messenger: str, *, with_background: bool = False, first: float | None = 0.0
) -> Host:
    """What ``runtime`` hands the messenger called ``messenger`` (the background runner too,
    when it is to hold it)."""
    return Host(
        gateway=runtime.gateway,
        courier=runtime.courier,
        database=runtime.database,
        clock=runtime.clock,
        background=(lambda: background(runtime, first=first)) if with_background else None,
        catch_up=lambda: tick(runtime),
        turn_to_poll=lambda: runtime.wait_to_poll(messenger),
        turned_on_by=tuple(m.turned_on_by for m in MESSENGERS if m.turned_on_by),
    )


@asynccontextmanager
async def messenger_running(runtime: Runtime, messenger: Messenger) -> AsyncIterator[Running]:
    """Run ``messenger`` with ``runtime`` (the background runner is the caller's); its links
    and status are the runtime's while it runs."""
    assert messenger.running is not None
    async with messenger.running(host_for(runtime, messenger.name), runtime.settings) as running:
        runtime.transports.report(messenger.name, running.status)
        with runtime.transports.running(messenger.name, running.links):
            yield running


async def run_messengers(runtime: Runtime, stop: asyncio.Event) -> None:
    """Serve every messenger configured until ``stop`` is set, with one background runner for
    them all."""
    async with AsyncExitStack() as running:
        # entered first, left last: each messenger stops taking updates (finishing the one in
        # hand) before the drainer and the tickers stop
        await running.enter_async_context(background(runtime))
        for messenger in configured(runtime.settings):
            await running.enter_async_context(messenger_running(runtime, messenger))
        runtime.courier.wake()  # every sink is registered: what waited for one goes now
        write = status_writer(Path(runtime.settings.status_file), lambda: _statuses(runtime), runtime.clock)
        await running.enter_async_context(
            running_tickers([Ticker("status", STATUS_EVERY_SECONDS, _async(write))], _idle)
        )
        await stop.wait()


def _statuses(runtime: Runtime) -> dict[str, dict[str, object]]:
    """Each messenger's state and the database's, for ``between status``."""
    reachability = runtime.database.reachability
    database = database_status(reachability.down_since, reachability.reason)
    return {**runtime.transports.statuses(), "database": database}


def _async(work: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        work()

    return run


async def _idle() -> None:
    await asyncio.Event().wait()


async def run_terminal(
    runtime: Runtime, read_line: ReadLine | None = None, write: Write | None = None
) -> None:
    """The chat on this machine with ``runtime`` until end of input or /quit; everything is kept."""
    here = chat_here()
    assert here.chat_here is not None
    host = host_for(runtime, here.name, with_background=True, first=None)
    await here.chat_here(host, read_line, write)
