"""Telegram updates become conversation events, handed to the gateway.

One generic handler takes every update. It trusts only what Telegram sets (``from_user.id``),
runs client flows only in private chats, ignores forwards and other bots, and answers every
button press so the client's spinner stops.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, CallbackQuery, Chat, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.chat import texts
from bot.chat.turn import (
    ButtonPressed,
    CommandReceived,
    EditedText,
    Event,
    Recipient,
    Sender,
    TextReceived,
    UnsupportedReceived,
)
from bot.core.codes import looks_like_code
from bot.core.errors import DatabaseUnavailable
from bot.core.i18n import _, reading
from bot.core.logs import describe_error
from bot.delivery.gateway import Gateway
from bot.transports.telegram.messenger import TRANSPORT
from bot.transports.telegram.texts import GESTURES

log = logging.getLogger(__name__)

MEDIA_KINDS = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "contact",
    "location",
    "venue",
    "poll",
    "dice",
    "game",
    "story",
)


class BotData:
    """The application's ``bot_data``, typed: the gateway every update goes through (set once by
    the app factory, before the application starts), whether the poller has nothing waiting, and
    how many updates failed (the error handler counts; the poller retries a failed one)."""

    gateway: Gateway
    idle: Callable[[], bool]
    failures: int
    unavailable: int
    """Of the failures, those where the database could not be reached (held, never skipped)."""


TelegramContext = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)


_COMMAND = re.compile(r"/(\S+)(?:\s+(.*))?", re.DOTALL)


def _command(message: Message, bot_username: str | None) -> CommandReceived | None:
    """``/name@bot words``: the words after any whitespace, a new line included."""
    match = _COMMAND.fullmatch(message.text or "")
    if match is None:
        return None
    name, _, addressee = match.group(1).partition("@")
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    return CommandReceived(name=name, args=(match.group(2) or "").strip())


def _media_kind(message: Message) -> str:
    return next((kind for kind in MEDIA_KINDS if getattr(message, kind, None)), "other")


def event_for(update: Update, bot_username: str | None) -> tuple[Sender, Event] | None:
    """Translate an update into who sent it and what they did; ``None`` means ignore it."""
    query: CallbackQuery | None = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is None or chat.type != Chat.PRIVATE or query.from_user.is_bot:
            return None
        message_id = str(query.message.message_id) if query.message is not None else None
        sender = Sender(
            TRANSPORT, str(query.from_user.id), str(chat.id), language=query.from_user.language_code
        )
        return sender, ButtonPressed(query.data or "", message_id)

    message = update.message
    edited = update.edited_message
    if message is None and edited is not None and edited.from_user is not None:
        words = edited.text or edited.caption
        if not words or edited.chat.type != Chat.PRIVATE or edited.from_user.is_bot:
            return None  # an edit is not an answer, but it is read for risk language
        sender = Sender(
            TRANSPORT, str(edited.from_user.id), str(edited.chat.id), language=edited.from_user.language_code
        )
        return sender, EditedText(words)
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None  # channel posts, service updates: not answers
    if message.forward_origin is not None or message.via_bot is not None:
        return None
    if message.sender_chat is not None:
        return None
    sender = Sender(
        TRANSPORT, str(message.from_user.id), str(message.chat.id), language=message.from_user.language_code
    )
    if message.text is not None:
        command = _command(message, bot_username)
        if command is not None:
            return sender, command
        return sender, TextReceived(message.text)
    return sender, UnsupportedReceived(_media_kind(message), message.caption)


def chat_link_for(
    update: Update, bot_username: str | None
) -> tuple[Recipient, str, str | None, str, bool] | None:
    """``/link <code>`` posted in a group or channel: (the chat, its title, who posted it — None
    in a channel —, the code, whether the chat is public). Anything else there is ignored."""
    message = update.message or update.channel_post
    if message is None or message.chat.type == Chat.PRIVATE or message.text is None:
        return None
    command = _command(message, bot_username)
    if command is None or command.name.lower() != "link" or not looks_like_code(command.args):
        return None
    user_id: str | None = None
    if message.chat.type != Chat.CHANNEL:
        if message.from_user is None or message.from_user.is_bot or message.sender_chat is not None:
            user_id = "anonymous"  # a group's anonymous admin cannot be told apart from anyone
        else:
            user_id = str(message.from_user.id)
    chat = Recipient(TRANSPORT, str(message.chat.id))
    public = message.chat.username is not None  # anyone can read a chat with a public @name
    return chat, message.chat.title or "", user_id, command.args.strip(), public


async def on_update(update: Update, context: TelegramContext) -> None:
    """The one handler: every update goes through here."""
    gateway = context.bot_data.gateway
    link = chat_link_for(update, context.bot.username)
    if link is not None:
        await gateway.link_chat(*link)
        return
    translated = event_for(update, context.bot.username)
    if translated is None:
        if update.callback_query is not None:
            await update.callback_query.answer()
        return
    sender, event = translated
    message = update.effective_message
    if message is not None and message.chat.type != Chat.PRIVATE:
        if isinstance(event, CommandReceived):
            with reading(sender.language):  # (a group's sender is not looked up: their messenger's)
                await message.reply_text(_(texts.PRIVATE_ONLY))
        return

    async def answer_press(notice: str | None) -> None:
        if update.callback_query is None:
            return
        try:
            await update.callback_query.answer(text=GESTURES.speak(notice) if notice else notice)
        except TelegramError as error:  # too old to answer: nothing the client can see
            log.info("callback answer failed: %s", type(error).__name__)

    handled = await gateway.handle(
        sender, event, update.update_id, notice=answer_press, idle=context.bot_data.idle, detached=True
    )
    if handled.menu is not None:  # a therapist registered, or chose a language
        await publish_menu(context.bot, sender.chat_id, handled.menu)


async def publish_menu(bot: Bot, chat_id: str, menu: Sequence[tuple[str, str]]) -> None:
    """One chat's own command menu (a therapist's: their commands, in their language); a
    refusal leaves the general menu there, and is logged without the chat."""
    try:
        await bot.set_my_commands(
            [BotCommand(n, d) for n, d in menu], scope=BotCommandScopeChat(int(chat_id))
        )
    except TelegramError as error:
        log.warning("a therapist's command menu was refused: %s", type(error).__name__)


async def on_error(update: object, context: TelegramContext) -> None:
    """Log the error class and update id only — never the update, which holds what they wrote."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    context.bot_data.failures += 1
    if isinstance(error, DatabaseUnavailable):  # said once for the outage, by the database
        context.bot_data.unavailable += 1
        return
    log.error(
        "error handling update %s: %s",
        update_id,
        describe_error(error) if error is not None else "unknown",
    )
