"""Telegram's links: ``t.me/<bot>?start=<code>`` opens the bot with the code, and the bot's
@username they need is asked of Telegram (``getMe``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot
from telegram.error import TelegramError

log = logging.getLogger(__name__)


def start_link(bot_username: str | None, code: str) -> str | None:
    """The deep link that opens the bot with ``/start <code>``; None without a username."""
    return f"https://t.me/{bot_username}?start={code}" if bot_username else None


class TelegramLinks:
    """The Telegram transport's link maker (``bot.core.links.LinkMaker``)."""

    def __init__(self, username: Callable[[], str | None]) -> None:
        self._username = username

    @property
    def username(self) -> str | None:
        """The bot's @username once the transport has started; None before."""
        return self._username()

    def start_link(self, code: str) -> str | None:
        return start_link(self.username, code)


async def ask_username(token: str, base_url: str) -> str | None:
    """The bot's @username, asked of Telegram (None if it cannot be reached)."""
    bot = Bot(token, base_url=base_url)
    try:
        async with bot:
            return bot.username
    except TelegramError as error:
        log.warning(
            "could not ask Telegram for the bot's name (%s); printing the code only", type(error).__name__
        )
        return None
