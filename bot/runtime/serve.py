"""Running a transport with a runtime: the runtime builds the transport and hands it what it
needs (the gateway, the courier, the background runner); transports never import the runtime."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.runtime.wiring import Runtime, background, tick
from bot.transports.telegram.app import TelegramConfig, TelegramTransport
from bot.transports.telegram.app import telegram_running as telegram_transport_running
from bot.transports.telegram.updates import TRANSPORT as TELEGRAM
from bot.transports.terminal.chat import TRANSPORT as TERMINAL
from bot.transports.terminal.chat import ReadLine, TerminalChat, Write

log = logging.getLogger(__name__)


def telegram_config(runtime: Runtime, poll_timeout: float = 10.0) -> TelegramConfig:
    settings = runtime.settings
    assert settings.telegram_bot_token is not None
    return TelegramConfig(
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        file_base_url=settings.telegram_file_base_url,
        poll_timeout=poll_timeout,
    )


@asynccontextmanager
async def telegram_running(
    runtime: Runtime, *, poll_timeout: float = 10.0, with_background: bool = True
) -> AsyncIterator[TelegramTransport]:
    """Poll Telegram with ``runtime`` (and, unless told not to, its background runner)."""
    async with telegram_transport_running(
        telegram_config(runtime, poll_timeout),
        runtime.gateway,
        runtime.courier,
        (lambda: background(runtime)) if with_background else None,
        turn_to_poll=lambda: runtime.wait_to_poll(TELEGRAM),
    ) as transport:
        with runtime.transports.running(TELEGRAM, transport.links):
            yield transport


async def run_telegram(runtime: Runtime, stop: asyncio.Event) -> None:
    """Serve Telegram until ``stop`` is set (SIGINT/SIGTERM in the CLI)."""
    async with telegram_running(runtime) as transport:
        me = transport.application.bot
        log.info("polling Telegram as @%s (bot id %s)", me.username, me.id)
        await stop.wait()


async def run_terminal(runtime: Runtime, read_line: ReadLine, write: Write) -> None:
    """The terminal chat with ``runtime`` until end of input or /quit; everything is kept."""
    chat = TerminalChat(runtime.gateway, runtime.database, runtime.clock, read_line, write)
    runtime.courier.register(TERMINAL, chat.sink)
    try:
        await chat.run(catch_up=lambda: tick(runtime), background=lambda: background(runtime, first=None))
    finally:
        runtime.courier.unregister(TERMINAL)
