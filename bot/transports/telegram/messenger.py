"""Telegram as the runtime sees it (``bot.transports.messenger``): configured by a bot token,
run by polling or by webhook, ``t.me`` links for invitations and registrations."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot.core.i18n import N_
from bot.transports.messenger import Host, Messenger, Running, Settings, own_settings
from bot.transports.telegram import texts
from bot.transports.telegram.settings import TelegramSettings, listen_address

if TYPE_CHECKING:  # the application (python-telegram-bot) is imported only to run it
    from bot.transports.telegram.app import TelegramConfig

log = logging.getLogger(__name__)

TRANSPORT = "telegram"
REPEAT_WINDOW = 10_000
"""A repeated delivery is one of the last few updates; Telegram restarts its update ids at a
random number after a week without updates, so an id far below the newest is new, not a repeat."""

MODE = "Between starts in Telegram mode ({how} {url}). Stop it with Ctrl-C."


def own(settings: Settings) -> TelegramSettings:
    return own_settings(settings, TelegramSettings)


def telegram_config(settings: Settings, poll_timeout: float = 10.0) -> TelegramConfig:
    """The application's configuration (the webhook when TELEGRAM_WEBHOOK_URL is set, the
    settings checked the rest; else polling)."""
    from bot.transports.telegram.app import TelegramConfig
    from bot.transports.telegram.webhook import WebhookConfig

    mine = own(settings)
    assert mine.telegram_bot_token is not None
    webhook = None
    if mine.telegram_webhook_url is not None and mine.telegram_webhook_secret is not None:
        host, port = listen_address(mine.telegram_webhook_listen)
        webhook = WebhookConfig(
            url=mine.telegram_webhook_url,
            secret=mine.telegram_webhook_secret.get_secret_value(),
            host=host,
            port=port,
            max_connections=mine.telegram_webhook_max_connections,
        )
    return TelegramConfig(
        token=mine.telegram_bot_token.get_secret_value(),
        base_url=mine.telegram_api_base_url,
        file_base_url=mine.telegram_file_base_url,
        poll_timeout=poll_timeout,
        webhook=webhook,
    )


@asynccontextmanager
async def running(host: Host, settings: Settings, *, poll_timeout: float = 10.0) -> AsyncIterator[Running]:
    """Receive Telegram's updates (polling, or the webhook when set) until the block ends."""
    from bot.transports.telegram.app import telegram_running

    config = telegram_config(settings, poll_timeout)
    async with telegram_running(
        config, host.gateway, host.courier, host.background, turn_to_poll=host.turn_to_poll
    ) as transport:
        me = transport.application.bot
        how = "polling as" if config.webhook is None else "webhook as"
        if config.webhook is None:
            log.info("polling Telegram as @%s (bot id %s)", me.username, me.id)
        else:
            log.info(
                "receiving Telegram's webhook on %s:%d as @%s (bot id %s)",
                config.webhook.host,
                config.webhook.port,
                me.username,
                me.id,
            )
        yield Running(transport.links, lambda: {how: f"@{me.username}"})


def starting(settings: Settings) -> str:
    mine = own(settings)
    how = "webhook at" if mine.telegram_webhook_url is not None else "polling"
    url = mine.telegram_webhook_url or mine.telegram_api_base_url.split("/bot")[0]
    return MODE.format(how=how, url=url)


async def registration_link(settings: Settings, code: str) -> str | None:
    """The ``t.me`` link (None when Telegram cannot be asked the bot's name)."""
    from bot.transports.telegram.links import ask_username, start_link

    mine = own(settings)
    assert mine.telegram_bot_token is not None
    token = mine.telegram_bot_token.get_secret_value()
    return start_link(await ask_username(token, mine.telegram_api_base_url), code)


TELEGRAM = Messenger(
    name=TRANSPORT,
    settings=TelegramSettings,
    configured=lambda settings: own(settings).telegram_bot_token is not None,
    turned_on_by=N_("TELEGRAM_BOT_TOKEN=<token from @BotFather>"),
    running=running,
    starting=starting,
    registration_link=registration_link,
    join_labelled=texts.JOIN_LABELLED,
    privacy_note=texts.PRIVACY_NOTE,
    repeat_window=REPEAT_WINDOW,
)
