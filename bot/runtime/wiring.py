"""Wiring in one place: database, clock, services, transports — opened and closed in pairs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.chat.service import ConversationService
from bot.chat.turn import new_prompt_token
from bot.core.clock import Clock, utc_now
from bot.core.errors import ConfigurationError
from bot.core.logs import describe_error
from bot.delivery.courier import Courier
from bot.delivery.pacing import Pacer
from bot.digest.delivery import DigestDelivery
from bot.practice.admission import Admissions
from bot.runtime.services import build_conversation
from bot.runtime.settings import Settings
from bot.safety.response import Safety
from bot.scheduling.scheduler import HomeworkScheduler
from bot.transports.telegram.updates import (
    TRANSPORT,
    TelegramServices,
    TelegramSink,
    on_error,
    on_update,
    publish_commands,
)
from flows import FLOWS
from storage import Database, StorageError
from storage.crypto import KeyRing, KeyRingError

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a transport needs, built once per process."""

    settings: Settings
    database: Database
    clock: Clock
    conversations: ConversationService
    courier: Courier
    scheduler: HomeworkScheduler
    digests: DigestDelivery
    safety: Safety
    practice: Admissions
    bot_name: _BotName
    """The transport's name for the bot, for invitation links (known once it has started)."""


class _BotName:
    """The bot's name as the transport knows it once started (``None`` until then)."""

    def __init__(self) -> None:
        self.provider: Callable[[], str | None] = lambda: None

    def __call__(self) -> str | None:
        return self.provider()


@asynccontextmanager
async def open_runtime(
    settings: Settings, clock: Clock = utc_now, *, keyring: KeyRing | None = None
) -> AsyncIterator[Runtime]:
    """Open the database (migrating it to the newest schema) and build the services.

    ``keyring`` seals what clients write; without it, ``ENCRYPTION_KEYS`` does if set. The
    ``between`` command always passes one (from ENCRYPTION_KEYS or the key file, which it creates
    on first start); in-process tests that pass none store values as they are.
    """
    keys = settings.encryption_keys.get_secret_value() if settings.encryption_keys else ""
    if keyring is None and keys.strip():
        try:
            keyring = KeyRing.parse(keys, "ENCRYPTION_KEYS")
        except KeyRingError as error:
            raise ConfigurationError(str(error)) from None
    if keyring is None:
        log.warning("no encryption key given: what clients write is stored unencrypted")
    database = Database(settings.database_url, keyring=keyring)
    try:
        await database.migrate()
        await database.check_keys()
        await seal_leftovers(database)
        pacer = Pacer(
            rate=settings.send_rate_per_second,
            chat_interval=settings.chat_send_interval_seconds,
            chat_burst=settings.chat_send_burst,
        )
        courier = Courier(database, clock, pacer=pacer, idle_check_seconds=settings.outbox_tick_seconds)
        bot_name = _BotName()
        features = build_conversation(database, clock, settings, ledger=courier.ledger, bot_username=bot_name)
        scheduler = HomeworkScheduler(
            database,
            clock,
            flows=FLOWS,
            new_token=new_prompt_token,
            reminder_delay=timedelta(minutes=settings.reminder_delay_minutes),
            grace=timedelta(minutes=settings.downtime_grace_minutes),
        )
        digests = DigestDelivery(database, clock, charts=settings.digest_charts)
        await courier.prime()
        try:
            yield Runtime(
                settings,
                database,
                clock,
                features.conversations,
                courier,
                scheduler,
                digests,
                features.safety,
                features.practice,
                bot_name,
            )
        finally:
            await courier.close()
    finally:
        await database.close()


async def seal_leftovers(database: Database) -> None:
    """Values written before encryption was on (or under a retired key) are sealed at start-up,
    so an upgraded practice does not keep old answers readable in the file."""
    ring = database.keyring
    if ring is None:
        return
    usage = await database.key_usage()
    waiting = sum(n for counts in usage.values() for key_id, n in counts.items() if key_id != ring.newest)
    if waiting:
        log.warning("sealing %s values written before encryption was on (or under a retired key)", waiting)
        report = await database.reseal()
        if report.resealed.total():
            await database.compact()


async def scheduled_work(runtime: Runtime) -> None:
    """The scheduler's tick (after writing down shown messages: it reads their ids), the digests
    that are due and the later "are you safe?" questions — each on its own, so one that fails
    never keeps the others from their turn (the first error is raised once all have run)."""
    await runtime.courier.flush()
    failed: BaseException | None = None
    for name, work in (
        ("scheduler", runtime.scheduler.tick),
        ("digests", runtime.digests.tick),
        ("safety follow-ups", lambda: runtime.safety.follow_ups(runtime.clock())),
    ):
        try:
            await work()
        except Exception as error:
            log.error("%s tick failed: %s", name, describe_error(error))
            failed = failed or error
    if failed is not None:
        raise failed


async def timer_work(runtime: Runtime) -> int:
    """Live messages (timers) one frame on; returns how many messages that queued."""
    return len(await runtime.conversations.tick_timers())


async def tick(runtime: Runtime) -> None:
    """Scheduled work and timers, then everything due in the outbox, here and now (tests, the
    terminal)."""
    await scheduled_work(runtime)
    await timer_work(runtime)
    await runtime.courier.deliver_due()


def _job(
    work: Callable[[Runtime], Coroutine[Any, Any, object]], runtime: Runtime, name: str
) -> Callable[[ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """A JobQueue callback: do the work, survive a database hiccup, wake the courier."""

    async def job(_: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            queued = await work(runtime)
        except StorageError:
            log.exception("%s tick failed; the next one retries", name)
            return
        if queued is None or queued:
            runtime.courier.wake()

    return job


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
async def telegram_running(
    runtime: Runtime, *, poll_timeout: float = 10.0, background: bool = True
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Start polling Telegram with ``runtime``; stop everything in reverse order on exit."""
    application = build_telegram_application(runtime)
    await application.initialize()
    try:
        runtime.courier.register(TRANSPORT, TelegramSink(application.bot))
        runtime.bot_name.provider = lambda: application.bot.username
        await publish_commands(application, application.bot_data["services"])

        assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
        drainer: asyncio.Task[None] | None = None
        if background:
            # The JobQueue is only the ticker; what is due lives in our tables (FIELD-NOTES).
            for name, work, interval in (
                ("scheduler", scheduled_work, runtime.settings.scheduler_tick_seconds),
                ("timers", timer_work, runtime.settings.timer_tick_seconds),
            ):
                application.job_queue.run_repeating(
                    _job(work, runtime, name),
                    interval=interval,
                    first=0.0,
                    name=name,
                    job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
                )
            drainer = asyncio.get_running_loop().create_task(runtime.courier.run(), name="outbox-drainer")
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0,
            timeout=timedelta(seconds=poll_timeout),
            allowed_updates=[
                Update.MESSAGE,
                Update.CALLBACK_QUERY,
                Update.EDITED_MESSAGE,
                Update.CHANNEL_POST,
            ],
        )
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            await application.stop()
            if drainer is not None:
                drainer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await drainer
    finally:
        runtime.courier.unregister(TRANSPORT)
        await application.shutdown()


async def run_telegram(runtime: Runtime, stop: asyncio.Event) -> None:
    """Serve Telegram until ``stop`` is set (SIGINT/SIGTERM in the CLI)."""
    async with telegram_running(runtime) as application:
        me = application.bot
        log.info("polling Telegram as @%s (bot id %s)", me.username, me.id)
        await stop.wait()
