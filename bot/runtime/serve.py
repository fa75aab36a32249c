"""Running a transport with a runtime: the runtime builds the transport and hands it what it
needs (the gateway, the courier, the background runner); transports never import the runtime."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.runtime.settings import Settings, listen_address
from bot.runtime.wiring import Runtime, background, tick
from bot.transports.telegram.app import TelegramConfig, TelegramTransport
from bot.transports.telegram.app import telegram_running as telegram_transport_running
from bot.transports.telegram.updates import TRANSPORT as TELEGRAM
from bot.transports.telegram.webhook import WebhookConfig
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
        webhook=webhook_config(settings),
    )


def webhook_config(settings: Settings) -> WebhookConfig | None:
    """The webhook when TELEGRAM_WEBHOOK_URL is set (the settings checked the rest); else None:
    polling."""
    if settings.telegram_webhook_url is None or settings.telegram_webhook_secret is None:
        return None
    host, port = listen_address(settings.telegram_webhook_listen)
    return WebhookConfig(
        url=settings.telegram_webhook_url,
        secret=settings.telegram_webhook_secret.get_secret_value(),
        host=host,
        port=port,
        max_connections=settings.telegram_webhook_max_connections,
    )


@asynccontextmanager
async def telegram_running(
    runtime: Runtime, *, poll_timeout: float = 10.0, with_background: bool = True
) -> AsyncIterator[TelegramTransport]:
    """Receive Telegram's updates (polling, or the webhook when set) with ``runtime`` (and,
    unless told not to, its background runner)."""
    async with telegram_transport_running(
        telegram_config(runtime, poll_timeout),
        runtime.gateway,
        runtime.courier,
        (lambda: background(runtime)) if with_background else None,
    ) as transport:
        with runtime.transports.running(TELEGRAM, transport.links):
            yield transport


async def run_telegram(runtime: Runtime, stop: asyncio.Event) -> None:
    """Serve Telegram until ``stop`` is set (SIGINT/SIGTERM in the CLI)."""
    async with telegram_running(runtime) as transport:
        me = transport.application.bot
        webhook = telegram_config(runtime).webhook
        if webhook is None:
            log.info("polling Telegram as @%s (bot id %s)", me.username, me.id)
        else:
            log.info(
                "receiving Telegram's webhook on %s:%d as @%s (bot id %s)",
                webhook.host,
                webhook.port,
                me.username,
                me.id,
            )
        await stop.wait()


async def run_terminal(runtime: Runtime, read_line: ReadLine, write: Write) -> None:
    """The terminal chat with ``runtime`` until end of input or /quit; everything is kept."""
    chat = TerminalChat(runtime.gateway, runtime.database, runtime.clock, read_line, write)
    runtime.courier.register(TERMINAL, chat.sink)
    try:
        await chat.run(catch_up=lambda: tick(runtime), background=lambda: background(runtime, first=None))
    finally:
        runtime.courier.unregister(TERMINAL)
