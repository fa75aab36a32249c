"""The real bot in the test's own process: python-telegram-bot polling the fake Bot API server.

The ``bot`` fixture (tests/conftest.py) hands one to every end-to-end test. The background
runner is off: a test does the timed work itself with :meth:`RunningBot.tick`, after moving
the clock, so nothing happens between two steps that the test did not ask for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.runtime.serve import host_for
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime, tick
from bot.transports.telegram import messenger as telegram
from flows import Flow
from tests.support.clock import FakeClock
from tests.support.enrolment import Enroller
from tests.support.fake_bot_api import FakeBotApi

TOKEN = "123456:TEST-TOKEN"
"""The bot token of every test against the fake Bot API server."""


class RunningBot:
    """The real python-telegram-bot Application polling the fake server; restartable."""

    def __init__(self, settings: Settings, clock: FakeClock, flows: tuple[Flow, ...] | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.flows = flows
        self.runtime: Runtime | None = None

    async def start(self) -> None:
        self._runtime_cm = open_runtime(self.settings, self.clock, flows=self.flows)
        self.runtime = await self._runtime_cm.__aenter__()
        self._bot_cm = _polling(self.runtime)
        await self._bot_cm.__aenter__()

    async def stop(self) -> None:
        await self._bot_cm.__aexit__(None, None, None)
        await self._runtime_cm.__aexit__(None, None, None)
        self.runtime = None

    async def tick(self) -> None:
        """The background work done once, at the clock's time: due prompts, timers, digests,
        the outbox (what the runner does every few seconds in production)."""
        assert self.runtime is not None, "the bot is stopped"
        await tick(self.runtime)


@asynccontextmanager
async def _polling(runtime: Runtime) -> AsyncIterator[None]:
    """Telegram run as ``between run`` runs it, polling with a short timeout (tests stop it often)."""
    host = host_for(runtime, telegram.TRANSPORT)
    async with telegram.running(host, runtime.settings, poll_timeout=1) as running:
        with runtime.transports.running(telegram.TRANSPORT, running.links):
            yield


@asynccontextmanager
async def serving(
    running: RunningBot, api: FakeBotApi, database_url: str, *, enrolled: bool = True
) -> AsyncIterator[RunningBot]:
    """``running`` started, its new users enrolled as clients (unless not ``enrolled``); stopped
    at the end if the test has not."""
    await running.start()
    enroller: Enroller | None = None
    if enrolled:
        enroller = Enroller(database_url, running.clock, running.settings.default_timezone)
        api.on_new_user = enroller
    try:
        yield running
    finally:
        if running.runtime is not None:
            await running.stop()
        if enroller is not None:
            enroller.close()
