"""The python-telegram-bot application: built in one place, started and stopped in pairs.

The runtime hands in what the transport needs (its settings, the gateway, the courier and the
background runner); the transport registers its sink and link maker while it runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.ext import Application, ApplicationBuilder, ExtBot, TypeHandler

from bot.core.errors import ConfigurationError
from bot.delivery.courier import Courier
from bot.delivery.gateway import Gateway
from bot.transports.telegram.links import TelegramLinks
from bot.transports.telegram.sink import TelegramSink
from bot.transports.telegram.updates import (
    CONTEXT_TYPES,
    TRANSPORT,
    BotData,
    TelegramContext,
    on_error,
    on_update,
)

TelegramApplication = Application[
    ExtBot[None], TelegramContext, dict[Any, Any], dict[Any, Any], BotData, None
]
Background = Callable[[], AbstractAsyncContextManager[object]]
"""Starts the runtime's background runner (tickers, the outbox drainer) for as long as it is held."""

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.EDITED_MESSAGE, Update.CHANNEL_POST]


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str
    base_url: str
    file_base_url: str
    poll_timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class TelegramTransport:
    """A running Telegram transport: its application and its link maker."""

    application: TelegramApplication
    links: TelegramLinks


def build_application(config: TelegramConfig, gateway: Gateway) -> TelegramApplication:
    """One generic handler, one error handler, typed context; no JobQueue (the runtime's
    background runner does the ticking)."""
    application: TelegramApplication = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.base_url)
        .base_file_url(config.file_base_url)
        .context_types(CONTEXT_TYPES)
        .job_queue(None)
        .build()
    )
    application.bot_data.gateway = gateway
    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    return application


async def publish_commands(application: TelegramApplication, gateway: Gateway) -> None:
    commands = [BotCommand(name, description) for name, description in gateway.commands()]
    await application.bot.set_my_commands(commands)


@asynccontextmanager
async def telegram_running(
    config: TelegramConfig, gateway: Gateway, courier: Courier, background: Background | None = None
) -> AsyncIterator[TelegramTransport]:
    """Start polling Telegram; stop everything in reverse order on exit."""
    application = build_application(config, gateway)
    await _initialize(application, config)
    try:
        courier.register(TRANSPORT, TelegramSink(application.bot))
        transport = TelegramTransport(application, TelegramLinks(lambda: application.bot.username))
        await publish_commands(application, gateway)
        async with background() if background is not None else contextlib.nullcontext():
            await application.start()
            try:
                await _polling(application, config)
                yield transport
            finally:
                await _stop(application)
    finally:
        courier.unregister(TRANSPORT)
        await application.shutdown()


async def _initialize(application: TelegramApplication, config: TelegramConfig) -> None:
    """Ask Telegram who the bot is (``getMe``); a rejected token or no network is one
    :class:`ConfigurationError` line that never shows the token (PTB's own message does)."""
    try:
        await application.initialize()
    except InvalidToken:
        raise ConfigurationError(
            "Telegram rejected TELEGRAM_BOT_TOKEN: copy the token again from @BotFather (/mybots → "
            "your bot → API Token), or leave it empty to chat in the terminal"
        ) from None
    except NetworkError as error:  # TimedOut too
        host = config.base_url.split("/bot")[0]
        reason = "no answer in time" if isinstance(error, TimedOut) else "connection failed"
        raise ConfigurationError(
            f"cannot reach Telegram at {host} ({reason}): check this machine's network connection "
            "(or TELEGRAM_API_BASE_URL)"
        ) from None


async def _polling(application: TelegramApplication, config: TelegramConfig) -> None:
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0.0, timeout=timedelta(seconds=config.poll_timeout), allowed_updates=ALLOWED_UPDATES
    )


async def _stop(application: TelegramApplication) -> None:
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    await application.stop()
