"""Outbox messages become Bot API calls; Telegram's errors become delivery errors."""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import timedelta

from telegram import Bot as TelegramBot
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.core.messages import Outgoing, TextLimit, split_text, utf16_length
from bot.delivery.sink import Capabilities
from bot.transports.telegram.texts import GESTURES

TEXT_LIMIT = TextLimit(4096, utf16_length)
"""Telegram takes at most 4096 characters a message, counted in UTF-16 code units."""
CAPABILITIES = Capabilities(TEXT_LIMIT, buttons=True, edits=True, attachments=True)

_EDIT_IMPOSSIBLE = "message to edit not found"


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in message.buttons]
    )


class TelegramSink:
    """Shows outbox messages in Telegram; translates Telegram errors into delivery errors."""

    capabilities = CAPABILITIES

    def __init__(self, bot: TelegramBot) -> None:
        self._bot = bot

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        try:
            return await self._show(int(chat_id), message)
        except RetryAfter as error:
            raise TransientDeliveryError("rate limited", retry_after=_retry_seconds(error)) from error
        except Forbidden as error:
            raise PermanentDeliveryError("forbidden (blocked?)", unreachable=True) from error
        except ChatMigrated as error:
            raise PermanentDeliveryError("chat migrated", unreachable=True) from error
        except BadRequest as error:
            reason = error.message.lower()
            if "message is not modified" in reason:
                return message.edit_of
            if message.edit_of is not None and message.prompt_token and _EDIT_IMPOSSIBLE in reason:
                # a question must be seen: the message it was to replace is gone, so send it anew
                return await self.deliver(chat_id, replace(message, edit_of=None))
            if "chat not found" in reason:
                raise PermanentDeliveryError("chat not found", unreachable=True) from error
            raise PermanentDeliveryError(f"bad request: {error.message[:80]}") from error
        except (TimedOut, NetworkError) as error:
            raise TransientDeliveryError(f"network: {type(error).__name__}") from error
        except TelegramError as error:
            raise TransientDeliveryError(f"telegram: {type(error).__name__}") from error

    async def _show(self, chat: int, message: Outgoing) -> str | None:
        if message.text is not None:  # gestures in Telegram's words: "tap Skip"
            message = replace(message, text=GESTURES.speak(message.text))
        if message.edit_of is not None:
            return await self._edit(chat, message, int(message.edit_of))
        if message.attachment is not None:
            upload = InputFile(message.attachment.content, filename=message.attachment.filename)
            send = self._bot.send_photo if message.attachment.kind == "photo" else self._bot.send_document
            sent = await send(chat, upload, caption=message.text, reply_markup=_markup(message))
            return str(sent.message_id)
        assert message.text is not None
        *leading, last = split_text(message.text, TEXT_LIMIT)
        for part in leading:  # a long text goes as several messages; buttons on the last
            await self._bot.send_message(chat, part)
        sent = await self._bot.send_message(chat, last, reply_markup=_markup(message))
        return str(sent.message_id)

    async def _edit(self, chat: int, message: Outgoing, message_id: int) -> str | None:
        if message.text is None:  # only the buttons change
            await self._bot.edit_message_reply_markup(
                chat_id=chat, message_id=message_id, reply_markup=_markup(message)
            )
        else:
            await self._bot.edit_message_text(
                message.text, chat_id=chat, message_id=message_id, reply_markup=_markup(message)
            )
        return message.edit_of


def _retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type this PTB version returns (int is deprecated)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: object = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]
