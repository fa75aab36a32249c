"""The python-telegram-bot application: built in one place, started and stopped in pairs.

The runtime hands in what the transport needs (its settings, the gateway, the courier and the
background runner); the transport registers its sink and link maker while it runs. Updates come
through our own :class:`~bot.transports.telegram.polling.Poller` or, with a webhook configured,
our own :class:`~bot.transports.telegram.webhook.WebhookReceiver`; not PTB's ``Updater``, which
confirms updates to Telegram before they are handled (see those modules). Both hand every update
to the same ``handle``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.ext import Application, ApplicationBuilder, ExtBot, TypeHandler

from bot.core.errors import ConfigurationError
from bot.core.i18n import installed
from bot.delivery.courier import Courier
from bot.delivery.gateway import Gateway
from bot.transports.telegram.links import TelegramLinks
from bot.transports.telegram.messenger import TRANSPORT
from bot.transports.telegram.polling import HandleUpdate, Outcome, Poller
from bot.transports.telegram.sink import TelegramSink
from bot.transports.telegram.updates import (
    CONTEXT_TYPES,
    BotData,
    TelegramContext,
    on_error,
    on_update,
    publish_menu,
)
from bot.transports.telegram.webhook import WebhookConfig, WebhookReceiver

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
    webhook: WebhookConfig | None = None
    """Receive updates by webhook instead of polling."""


@dataclass(frozen=True, slots=True)
class TelegramTransport:
    """A running Telegram transport: its application, its link maker and what receives updates."""

    application: TelegramApplication
    links: TelegramLinks
    receiver: Poller | WebhookReceiver


def build_application(config: TelegramConfig, gateway: Gateway) -> TelegramApplication:
    """One generic handler, one error handler, typed context; no JobQueue (the runtime's
    background runner does the ticking) and no Updater (the poller fetches updates)."""
    application: TelegramApplication = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.base_url)
        .base_file_url(config.file_base_url)
        .context_types(CONTEXT_TYPES)
        .job_queue(None)
        .updater(None)
        .build()
    )
    application.bot_data.gateway = gateway
    application.bot_data.idle = lambda: True
    application.bot_data.failures = 0
    application.bot_data.unavailable = 0
    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    return application


async def publish_commands(application: TelegramApplication, gateway: Gateway) -> None:
    """The command menu in the practice's default language, and in each installed language for
    people whose Telegram is set to it (Telegram picks by the user's ``language_code``)."""
    await application.bot.set_my_commands([BotCommand(n, d) for n, d in gateway.commands()])
    for language in installed():
        commands = [BotCommand(n, d) for n, d in gateway.commands(language)]
        await application.bot.set_my_commands(commands, language_code=language)
    for chat_id, menu in await gateway.therapist_menus(TRANSPORT):  # each in their own language
        await publish_menu(application.bot, chat_id, menu)


@asynccontextmanager
async def telegram_running(
    config: TelegramConfig,
    gateway: Gateway,
    courier: Courier,
    background: Background | None = None,
    *,
    turn_to_poll: Callable[[], Awaitable[None]] | None = None,
) -> AsyncIterator[TelegramTransport]:
    """Start receiving updates from Telegram; stop everything in reverse order on exit. With
    polling, ``turn_to_poll`` returns once this process may poll (several processes on one
    database elect one poller; the others send and do background work meanwhile)."""
    application = build_application(config, gateway)
    await _initialize(application, config)
    try:
        courier.register(TRANSPORT, TelegramSink(application.bot))
        receiver = _receiver(application, config)
        transport = TelegramTransport(application, TelegramLinks(lambda: application.bot.username), receiver)
        await publish_commands(application, gateway)
        async with background() if background is not None else contextlib.nullcontext():
            await application.start()
            try:
                await _start_receiving(application, receiver, turn_to_poll)
                yield transport
            finally:
                await receiver.stop()
                await gateway.settle()  # replies of the last updates, while the bot can send
                await application.stop()
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


async def _start_receiving(
    application: TelegramApplication,
    receiver: Poller | WebhookReceiver,
    turn_to_poll: Callable[[], Awaitable[None]] | None,
) -> None:
    if isinstance(receiver, WebhookReceiver):
        await receiver.start()  # sets the webhook; every process may receive
    else:
        await application.bot.delete_webhook()  # getUpdates is refused while one is set
        receiver.start(turn_to_poll)


def _receiver(application: TelegramApplication, config: TelegramConfig) -> Poller | WebhookReceiver:
    """The poller or the webhook receiver, handing each update to the application; the handler
    asks it whether another update is waiting (sends are then written down by that one)."""
    handle = _handler(application)
    receiver: Poller | WebhookReceiver
    if config.webhook is not None:
        receiver = WebhookReceiver(application.bot, handle, config.webhook, allowed_updates=ALLOWED_UPDATES)
    else:
        receiver = Poller(
            application.bot, handle, timeout=config.poll_timeout, allowed_updates=ALLOWED_UPDATES
        )
    application.bot_data.idle = receiver.idle
    return receiver


def _handler(application: TelegramApplication) -> HandleUpdate:
    """Handle one update through the application and say how it ended (the error handler
    counts failures in ``bot_data``, those of an unavailable database apart)."""

    async def handle(update: Update) -> Outcome:
        data = application.bot_data
        failures, unavailable = data.failures, data.unavailable
        await application.process_update(update)
        if data.failures == failures:
            return Outcome.HANDLED
        return Outcome.UNAVAILABLE if data.unavailable > unavailable else Outcome.FAILED

    return handle
