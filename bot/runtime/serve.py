"""Running a transport with a runtime: the runtime builds the transport and hands it what it
needs (the gateway, the courier, the background runner); transports never import the runtime."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from bot.runtime.background import Ticker
from bot.runtime.background import running as running_tickers
from bot.runtime.settings import Settings, listen_address
from bot.runtime.status import STATUS_EVERY_SECONDS, database_status, status_writer
from bot.runtime.wiring import Runtime, background, tick
from bot.transports.signal.app import SignalConfig, SignalTransport
from bot.transports.signal.app import signal_running as signal_transport_running
from bot.transports.signal.inbound import TRANSPORT as SIGNAL
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
        turn_to_poll=lambda: runtime.wait_to_poll(TELEGRAM),
    ) as transport:
        with runtime.transports.running(TELEGRAM, transport.links):
            yield transport


def _report_telegram(runtime: Runtime, telegram: TelegramTransport) -> None:
    """Say how Telegram's updates arrive (a log line and ``between status``)."""
    me = telegram.application.bot
    webhook = telegram_config(runtime).webhook
    if webhook is None:
        runtime.transports.report(TELEGRAM, lambda: {"polling as": f"@{me.username}"})
        log.info("polling Telegram as @%s (bot id %s)", me.username, me.id)
        return
    runtime.transports.report(TELEGRAM, lambda: {"webhook as": f"@{me.username}"})
    log.info(
        "receiving Telegram's webhook on %s:%d as @%s (bot id %s)",
        webhook.host,
        webhook.port,
        me.username,
        me.id,
    )


def signal_config(runtime: Runtime) -> SignalConfig:
    settings = runtime.settings
    assert settings.signal_account is not None
    return SignalConfig(
        account=settings.signal_account,
        address=settings.signal_cli_address,
        send_interval=settings.signal_send_interval_seconds,
        send_rate=settings.signal_send_rate_per_second,
        trust_new_identities=settings.signal_trust_new_identities,
    )


@asynccontextmanager
async def signal_running(runtime: Runtime) -> AsyncIterator[SignalTransport]:
    """Receive from signal-cli with ``runtime`` (the background runner is the caller's)."""
    async with signal_transport_running(
        signal_config(runtime), runtime.gateway, runtime.courier, runtime.database, runtime.clock
    ) as transport:
        with runtime.transports.running(SIGNAL, transport.links):
            yield transport


async def run_messengers(runtime: Runtime, stop: asyncio.Event) -> None:
    """Serve every messenger configured (Telegram, Signal or both) until ``stop`` is set, with
    one background runner for them all."""
    settings = runtime.settings
    async with AsyncExitStack() as running:
        # entered first, left last: each messenger stops taking updates (finishing the one in
        # hand) before the drainer and the tickers stop
        await running.enter_async_context(background(runtime))
        if settings.signal_account is not None:
            signal = await running.enter_async_context(signal_running(runtime))
            runtime.transports.report(SIGNAL, signal.status)
            log.info("receiving Signal messages for the practice's number through %s", signal.client.address)
        if settings.telegram_bot_token is not None:
            telegram = await running.enter_async_context(telegram_running(runtime, with_background=False))
            _report_telegram(runtime, telegram)
        runtime.courier.wake()  # every sink is registered: what waited for one goes now
        write = status_writer(Path(settings.status_file), lambda: _statuses(runtime), runtime.clock)
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


async def run_terminal(runtime: Runtime, read_line: ReadLine, write: Write) -> None:
    """The terminal chat with ``runtime`` until end of input or /quit; everything is kept."""
    chat = TerminalChat(runtime.gateway, runtime.database, runtime.clock, read_line, write)
    runtime.courier.register(TERMINAL, chat.sink)
    try:
        await chat.run(catch_up=lambda: tick(runtime), background=lambda: background(runtime, first=None))
    finally:
        runtime.courier.unregister(TERMINAL)
