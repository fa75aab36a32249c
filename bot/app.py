"""Wiring in one place: database, clock, services, transports — opened and closed in pairs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.clock import Clock, utc_now
from bot.conversation import ConversationService
from bot.delivery import Courier
from bot.settings import Settings
from bot.telegram_transport import (
    TRANSPORT,
    TelegramServices,
    TelegramSink,
    on_error,
    on_update,
    publish_commands,
)
from storage import Database

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a transport needs, built once per process."""

    settings: Settings
    database: Database
    clock: Clock
    conversations: ConversationService
    courier: Courier


@asynccontextmanager
async def open_runtime(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Runtime]:
    """Open the database (migrating it to the newest schema) and build the services."""
    database = Database(settings.database_url)
    try:
        await database.migrate()
        courier = Courier(database, clock)
        conversations = ConversationService(
            database, clock, default_timezone=settings.default_timezone, ledger=courier.ledger
        )
        await courier.prime()
        try:
            yield Runtime(settings, database, clock, conversations, courier)
        finally:
            await courier.close()
    finally:
        await database.close()


async def tick(runtime: Runtime) -> None:
    """Periodic work: deliver what is due in the outbox."""
    await runtime.courier.deliver_due()


def build_telegram_application(runtime: Runtime) -> Application:  # type: ignore[type-arg]
    """The python-telegram-bot application for a runtime: one generic handler, one error handler."""
    settings = runtime.settings
    assert settings.telegram_bot_token is not None
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .build()
    )
    application.bot_data["services"] = TelegramServices(runtime.conversations, runtime.courier)
    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    return application


@asynccontextmanager
async def telegram_running(runtime: Runtime, *, poll_timeout: float = 10.0) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Start polling Telegram with ``runtime``; stop everything in reverse order on exit."""
    application = build_telegram_application(runtime)
    await application.initialize()
    try:
        runtime.courier.register(TRANSPORT, TelegramSink(application.bot))
        await publish_commands(application, application.bot_data["services"])

        async def _tick(_: ContextTypes.DEFAULT_TYPE) -> None:
            await tick(runtime)

        assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
        application.job_queue.run_repeating(
            _tick, interval=runtime.settings.outbox_tick_seconds, first=0.0, name="outbox"
        )
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0,
            timeout=timedelta(seconds=poll_timeout),
            allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY, Update.EDITED_MESSAGE],
        )
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            await application.stop()
    finally:
        runtime.courier.unregister(TRANSPORT)
        await application.shutdown()


async def run_telegram(runtime: Runtime, stop: asyncio.Event) -> None:
    """Serve Telegram until ``stop`` is set (SIGINT/SIGTERM in the CLI)."""
    async with telegram_running(runtime) as application:
        me = application.bot
        log.info("polling Telegram as @%s (bot id %s)", me.username, me.id)
        await stop.wait()
