"""The one background runner: tickers outlive a failure, and everything stops on exit; the
running transports' link makers, as the core gets them."""

from __future__ import annotations

import asyncio

from bot.core.links import NoLinks
from bot.runtime.background import Ticker, running
from bot.runtime.transports import Transports
from bot.transports.telegram.links import TelegramLinks


async def test_a_ticker_outlives_a_failure_and_everything_stops_on_exit() -> None:
    runs: list[int] = []
    third_run, drained = asyncio.Event(), asyncio.Event()

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database is locked")
        if len(runs) == 3:
            third_run.set()

    async def drainer() -> None:
        drained.set()
        await asyncio.Event().wait()  # until cancelled

    async with running([Ticker("flaky", 0.001, flaky)], drainer):
        async with asyncio.timeout(5):
            await third_run.wait()
            await drained.wait()
    stopped_at = len(runs)
    await asyncio.sleep(0.01)
    assert len(runs) == stopped_at  # cancelled, not ticking on


async def test_first_none_waits_one_interval() -> None:
    runs: list[int] = []

    async def work() -> None:
        runs.append(1)

    async def drainer() -> None:
        await asyncio.Event().wait()

    async with running([Ticker("slow", 60, work)], drainer, first=None):
        await asyncio.sleep(0.01)
    assert runs == []


def test_links_come_from_the_transport_while_it_runs() -> None:
    transports = Transports()
    assert isinstance(transports.links("telegram"), NoLinks)
    with transports.running("telegram", TelegramLinks(lambda: "between_bot")):
        assert transports.links("telegram").start_link("CODE") == "https://t.me/between_bot?start=CODE"
        assert transports.links("terminal").start_link("CODE") is None  # shown bare
    assert transports.links("telegram").start_link("CODE") is None
