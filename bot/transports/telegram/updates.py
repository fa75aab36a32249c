"""Telegram transport: updates become conversation events; outbox messages become API calls.

One generic handler takes every update. It trusts only what Telegram sets (``from_user.id``),
runs client flows only in private chats, ignores forwards and other bots, and answers every
button press so the client's spinner stops.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, replace
from datetime import timedelta

from telegram import Bot as TelegramBot
from telegram import (
    BotCommand,
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ContextTypes

from bot.chat import texts
from bot.chat.service import ConversationService
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
from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.core.logs import describe_error
from bot.core.messages import Outgoing, split_text
from bot.delivery.courier import Courier

log = logging.getLogger(__name__)

TRANSPORT = "telegram"
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


@dataclass
class TelegramServices:
    """What the handlers need; stored in ``application.bot_data`` by the app factory."""

    conversations: ConversationService
    courier: Courier


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in message.buttons]
    )


_EDIT_IMPOSSIBLE = "message to edit not found"


class TelegramSink:
    """Shows outbox messages in Telegram; translates Telegram errors into delivery errors."""

    def __init__(self, bot: TelegramBot) -> None:
        self._bot = bot

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        chat = int(chat_id)
        try:
            if message.edit_of is not None:
                if message.text is None:  # only the buttons change
                    await self._bot.edit_message_reply_markup(
                        chat_id=chat, message_id=int(message.edit_of), reply_markup=_markup(message)
                    )
                else:
                    await self._bot.edit_message_text(
                        message.text,
                        chat_id=chat,
                        message_id=int(message.edit_of),
                        reply_markup=_markup(message),
                    )
                return message.edit_of
            if message.attachment is not None:
                upload = InputFile(message.attachment.content, filename=message.attachment.filename)
                send = self._bot.send_photo if message.attachment.kind == "photo" else self._bot.send_document
                sent = await send(chat, upload, caption=message.text, reply_markup=_markup(message))
                return str(sent.message_id)
            assert message.text is not None
            *leading, last = split_text(message.text)
            for part in leading:  # a long text goes as several messages; buttons on the last
                await self._bot.send_message(chat, part)
            sent = await self._bot.send_message(chat, last, reply_markup=_markup(message))
            return str(sent.message_id)
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


def _retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type this PTB version returns (int is deprecated)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: object = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]


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
        sender = Sender(TRANSPORT, str(query.from_user.id), str(chat.id))
        return sender, ButtonPressed(query.data or "", message_id)

    message = update.message
    edited = update.edited_message
    if message is None and edited is not None and edited.from_user is not None:
        words = edited.text or edited.caption
        if not words or edited.chat.type != Chat.PRIVATE or edited.from_user.is_bot:
            return None  # an edit is not an answer, but it is read for risk language
        return Sender(TRANSPORT, str(edited.from_user.id), str(edited.chat.id)), EditedText(words)
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None  # channel posts, service updates: not answers
    if message.forward_origin is not None or message.via_bot is not None:
        return None
    if message.sender_chat is not None:
        return None
    sender = Sender(TRANSPORT, str(message.from_user.id), str(message.chat.id))
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


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one handler: every update goes through here."""
    services: TelegramServices = context.application.bot_data["services"]
    link = chat_link_for(update, context.bot.username)
    if link is not None:
        linked = await services.conversations.link_chat(*link)
        if linked.others:
            services.courier.wake()
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
            await message.reply_text(texts.PRIVATE_ONLY)
        return
    handled = await services.conversations.handle(sender, event, update.update_id)
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(text=handled.notice)
        except TelegramError as error:  # too old to answer: nothing the client can see
            log.info("callback answer failed: %s", type(error).__name__)
    await services.courier.deliver(sender.transport, sender.chat_id, handled.replies)
    if handled.others:
        services.courier.wake()  # messages for other chats (a therapist's, a client's)
    if context.application.update_queue.empty():
        await services.courier.flush()  # idle: write the sends down now; busy: the next update does


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error class and update id only — never the update, which holds what they wrote."""
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    log.error(
        "error handling update %s: %s",
        update_id,
        describe_error(error) if error is not None else "unknown",
    )


async def publish_commands(application: Application, services: TelegramServices) -> None:  # type: ignore[type-arg]
    commands = [BotCommand(name, description) for name, description in services.conversations.commands()]
    await application.bot.set_my_commands(commands)
