"""An in-process fake of the Telegram Bot API, served over real HTTP for a real PTB bot.

Tests run python-telegram-bot's own ``Application`` (polling, or a webhook: see webhook.py)
against this server, so request encoding, error mapping and update handling go through PTB's
real code paths.
All state lives in one asyncio event loop; nothing here is thread-safe.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from aiohttp import web

from .driver import FakeChannel, FakeGroup, FakeUser, chat_member_json
from .formatting import parse_formatted, utf16_len
from .media import image_size, looks_like_image
from .models import ApiCall, ApiError, BotMessage, CallbackAnswer, UploadedFile
from .webhook import WebhookPusher

JsonDict = dict[str, Any]
Files = dict[str, UploadedFile]
Handler = Callable[[JsonDict, Files], Awaitable[Any]]

BLOCKED_DESCRIPTION = "Forbidden: bot was blocked by the user"
NOT_MODIFIED_DESCRIPTION = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD_DESCRIPTION = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)

# Form fields PTB sends as plain strings. Everything else is JSON-encoded by PTB, so it is
# decoded here; keeping these raw stops a text like "123" from turning into an int.
_STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "caption_parse_mode", "callback_query_id", "url",
        "action", "language_code", "secret_token", "inline_message_id", "description",
        "short_description", "name", "title", "emoji", "business_connection_id",
        "message_effect_id", "photo", "document", "audio", "voice", "video", "animation",
        "sticker", "video_note", "thumbnail", "file_id", "ip_address", "question",
        "question_parse_mode", "explanation", "explanation_parse_mode", "address",
        "phone_number", "first_name", "last_name", "vcard", "custom_title", "payload",
        "currency", "start_parameter", "invite_link", "game_short_name", "reason",
    }
)  # fmt: skip

_SEND_METHODS = frozenset(
    {
        "sendmessage", "sendphoto", "senddocument", "sendaudio", "sendvoice", "sendvideo",
        "sendanimation", "sendsticker", "sendvideonote", "sendlocation", "sendvenue",
        "sendcontact", "sendpoll", "senddice", "sendmediagroup", "sendinvoice",
        "copymessage", "copymessages", "forwardmessage", "forwardmessages",
    }
)  # fmt: skip
_BLOCKABLE_PREFIXES = ("send", "edit", "copy", "forward", "pin", "unpin")
# A group or channel without the bot also refuses deletes and reads (getChat, getChatMember).
_MEMBER_ONLY_PREFIXES = (*_BLOCKABLE_PREFIXES, "delete", "getchat")
_BOT_STATUSES = frozenset({"member", "administrator", "left", "kicked"})
_MEMBER_STATUSES = frozenset({"member", "administrator"})
# Update kinds carrying a message in a chat; not delivered from a chat the bot is not in.
_MESSAGE_UPDATES = ("message", "edited_message", "channel_post", "edited_channel_post")
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_INLINE_ACTIONS = frozenset(
    {
        "callback_data", "url", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
        "callback_game", "pay", "web_app",
    }
)  # fmt: skip
# Telegram only sends these update types when they are explicitly allowed.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_RE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


CHAT_JITTER_SECONDS = 0.05
"""How much sooner than its rate allows a chat's message may arrive (a bursting chat's bucket)."""


@dataclass
class _Chat:
    """Per-chat state: message-id counter shared by user and bot messages, and history.

    ``blocked`` is for private chats, ``bot_status`` ("member", "administrator", "left",
    "kicked") for groups and channels; empty means the default for the chat type.
    """

    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    next_message_id: int = 1
    bot_messages: list[BotMessage] = field(default_factory=list)
    bot_by_id: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, JsonDict] = field(default_factory=dict)
    blocked: bool = False
    bot_status: str = ""

    def __post_init__(self) -> None:
        if not self.bot_status:
            self.bot_status = "administrator" if self.type == "channel" else "member"

    @property
    def bot_is_member(self) -> bool:
        return self.bot_status in _MEMBER_STATUSES

    def refusal(self, method: str) -> str | None:
        """The 403 description Telegram gives for ``method`` here, or None if it is allowed."""
        if self.type == "private":
            return BLOCKED_DESCRIPTION if self.blocked and method.startswith(_BLOCKABLE_PREFIXES) else None
        if self.bot_is_member or not method.startswith(_MEMBER_ONLY_PREFIXES):
            return None
        if self.bot_status == "kicked":
            return f"Forbidden: bot was kicked from the {self.type} chat"
        return f"Forbidden: bot is not a member of the {self.type} chat"

    def to_json(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.first_name is not None:
            data["first_name"] = self.first_name
        if self.username is not None:
            data["username"] = self.username
        return data

    def alloc_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def live_bot_message(self, message_id: int) -> BotMessage | None:
        message = self.bot_by_id.get(message_id)
        return None if message is None or message.deleted else message


@dataclass
class _Pending:
    """A queued update; ``redelivery`` entries survive offsets until delivered once."""

    update_id: int
    redelivery: bool = False


@dataclass
class _Failure:
    method: str
    error: ApiError
    chat_id: int | None
    remaining: int


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    mime_type: str
    filename: str


@dataclass
class _Query:
    user_id: int
    chat_id: int
    message_id: int
    data: str


class FakeBotApi:
    """Fake Telegram Bot API server; see the package docstring for the test-facing contract."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "between_test_bot",
        *,
        bot_first_name: str = "Between",
        enforce_rate_limits: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        per_chat_burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        webhook_retry_delay: float = 0.01,
        webhook_max_retry_delay: float = 0.5,
        webhook_timeout: float = 60.0,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.on_new_user: Callable[[int], None] | None = None
        """Called with each new user's id (tests use it to enrol them as clients)."""
        self.bot_first_name = bot_first_name
        self.enforce_rate_limits = enforce_rate_limits
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.per_chat_burst = per_chat_burst
        """Telegram tolerates a short burst to one chat: this many at once, then the chat's rate
        (a token bucket, with 50 ms of slack for the network's jitter). 1: a sliding window."""
        self._chat_buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, when)
        self.clock = clock

        self.calls: list[ApiCall] = []
        self.too_many_requests = 0
        self.updates: dict[int, JsonDict] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.webhook_url = ""
        self.allowed_updates: list[str] = []
        self.settings: dict[str, Any] = {}
        # Pushed updates Telegram would not send (from a chat the bot is not in); their
        # update_ids are used up but never handed out by getUpdates.
        self.withheld: set[int] = set()

        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._channels: dict[int, FakeChannel] = {}
        self._queue: list[_Pending] = []
        self._next_update_id = 1
        self._poll_generation = 0
        self._failures: list[_Failure] = []
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._queries: dict[str, _Query] = {}
        self._query_ids = itertools.count(4_611_686_018_427_387_904)
        self._files: dict[str, _StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._global_sends: deque[float] = deque()
        self._chat_sends: dict[int, deque[float]] = {}

        # Waiters are (predicate, future) pairs re-checked synchronously on every state
        # change: event-driven like a Condition, but without waking every waiting task.
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.webhook = WebhookPusher(self, webhook_retry_delay, webhook_max_retry_delay, webhook_timeout)
        """Pushes updates to the bot once a webhook is set and routed (:meth:`route_webhook`)."""
        self._port: int | None = None
        self._methods: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "deletemessage": self._delete_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendchataction": self._send_chat_action,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getfile": self._get_file,
            "close": self._return_true,
            "logout": self._return_true,
        }
        for setting in (
            "setMyDescription",
            "setMyShortDescription",
            "setMyName",
            "setChatMenuButton",
            "setMyDefaultAdministratorRights",
        ):
            self._methods[setting.lower()] = self._make_setting_handler(setting)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a long poll whose client went away (PTB cancels its
        # getUpdates on stop) ends at once instead of holding shutdown up.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._closing = False
        self._port = int(runner.addresses[0][1])
        self.webhook.start()

    async def stop(self) -> None:
        """Release pending long polls, then shut the HTTP server down."""
        if self._runner is None:
            return
        self._closing = True
        self._notify()
        await self.webhook.stop()
        await self._runner.cleanup()
        self._runner = None
        self._port = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The bound port; only valid while started."""
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started; use `await api.start()`")
        return self._port

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------ test-facing API

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls to one method (case-insensitive, like Telegram)."""
        key = method.lower()
        return [call for call in self.calls if call.method.lower() == key]

    def user(self, user_id: int, first_name: str = "Alex", language_code: str = "en") -> FakeUser:
        """The private-chat driver for this user (created once, then reused)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        chat = self._chats.get(user_id)
        if chat is None:
            self._chats[user_id] = _Chat(id=user_id, type="private", first_name=first_name)
        user = FakeUser(self, user_id, first_name=first_name, language_code=language_code)
        self._users[user_id] = user
        if self.on_new_user is not None:
            self.on_new_user(user_id)
        return user

    def group(
        self, chat_id: int, title: str = "Group", *, bot_is_member: bool = True, supergroup: bool = False
    ) -> FakeGroup:
        """A group chat driver (created once, then reused; later arguments are ignored)."""
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        self._new_chat(chat_id, "supergroup" if supergroup else "group", title, bot_is_member)
        group = FakeGroup(self, chat_id, title=title)
        self._groups[chat_id] = group
        return group

    def channel(
        self, chat_id: int, title: str = "Channel", *, bot_is_member: bool = True, username: str | None = None
    ) -> FakeChannel:
        """A channel driver (created once, then reused; later arguments are ignored).

        A member bot is an administrator, the only way bots get into channels. A ``username``
        makes it public (t.me/<username>).
        """
        existing = self._channels.get(chat_id)
        if existing is not None:
            return existing
        self._new_chat(chat_id, "channel", title, bot_is_member)
        self._chats[chat_id].username = username
        channel = FakeChannel(self, chat_id, title=title)
        self._channels[chat_id] = channel
        return channel

    def bot_status(self, chat_id: int) -> str:
        """The bot's ChatMember status in a group or channel."""
        return self._chat(chat_id).bot_status

    def bot_is_member(self, chat_id: int) -> bool:
        """Whether the bot is in this group or channel."""
        return self._chat(chat_id).bot_is_member

    def set_bot_status(self, chat_id: int, status: str) -> None:
        """Put the bot in or out of a group or channel without any update (see the drivers'
        ``remove_bot``/``add_bot`` for the version that also tells the bot)."""
        chat = self._chat(chat_id)
        if chat.type == "private":
            raise ValueError("use block()/unblock() for private chats")
        if status not in _BOT_STATUSES:
            raise ValueError(f"bot status must be one of {sorted(_BOT_STATUSES)}, not {status!r}")
        chat.bot_status = status

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching calls with this error instead of handling them."""
        error = ApiError(status, description, retry_after=retry_after)
        self._failures.append(_Failure(method.lower(), error, chat_id, times))

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to their chat answer 403 from now on."""
        self._chat(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        """Undo :meth:`block` (the user restarted the bot)."""
        self._chat(user_id).blocked = False

    async def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update for getUpdates; assigns ``update_id`` if missing."""
        data = dict(update)
        if "update_id" not in data:
            data["update_id"] = self._next_update_id
        update_id = int(data["update_id"])
        if update_id in self.updates:
            raise ValueError(f"update_id {update_id} already used; use redeliver() to repeat it")
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self.updates[update_id] = data
        self._register_chats(data)
        if self._bot_would_see(data):
            self._queue.append(_Pending(update_id))
        else:
            self.withheld.add(update_id)
        self._notify()
        return update_id

    async def redeliver(self, update_id: int) -> None:
        """Queue an already-pushed update again, same ``update_id`` (Telegram's at-least-once)."""
        if update_id not in self.updates:
            raise KeyError(f"unknown update_id {update_id}")
        if update_id in self.withheld:
            raise ValueError(f"update_id {update_id} was withheld (bot not in the chat); it never went out")
        self._queue.append(_Pending(update_id, redelivery=True))
        self._notify()

    def route_webhook(self, local_base: str) -> None:
        """Deliver the webhook's updates to ``local_base`` (``http://127.0.0.1:8443``) with the
        registered URL's path: what a reverse proxy with TLS does in front of the bot."""
        self.webhook.local_base = local_base
        self._notify()

    def pending_update_ids(self) -> list[int]:
        """Update ids still queued (not yet confirmed by an offset)."""
        return [pending.update_id for pending in self._queue]

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the documented contract
        *,
        message: str | Callable[[], str] | None = None,
    ) -> None:
        """Wait until ``predicate()`` holds, re-checking after every handled request/update."""
        try:
            async with asyncio.timeout(timeout):
                await self._wait_for(predicate)
        except TimeoutError:
            if callable(message):
                what = message()
            else:
                what = message or str(getattr(predicate, "__qualname__", repr(predicate)))
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}\n{self.describe_recent_calls()}"
            ) from None

    def describe_recent_calls(self, count: int = 15) -> str:
        """The last API calls, one per line, for assertion messages."""
        recent = [c for c in self.calls if c.method.lower() != "getupdates"][-count:]
        if not recent:
            return "no API calls besides getUpdates yet"
        return "recent API calls:\n" + "\n".join(f"  {c.summary()}" for c in recent)

    def sent_messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat as currently shown (edits applied, deletions gone)."""
        chat = self._chats.get(chat_id)
        return [] if chat is None else [m for m in chat.bot_messages if not m.deleted]

    @property
    def commands(self) -> list[JsonDict]:
        """Commands set for the default scope and no language code."""
        return self.commands_for()

    def commands_for(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[JsonDict]:
        """Commands set for a given scope/language pair."""
        return list(self._commands.get((_scope_key(scope), language_code), []))

    # ----------------------------------------------- helpers used by the driver

    def all_bot_messages(self, chat_id: int) -> list[BotMessage]:
        """Every bot message in the chat in send order, including deleted ones."""
        chat = self._chats.get(chat_id)
        return [] if chat is None else list(chat.bot_messages)

    def bot_message_count(self, chat_id: int) -> int:
        """How many messages the bot has sent to the chat (deleted ones included); cheap."""
        chat = self._chats.get(chat_id)
        return 0 if chat is None else len(chat.bot_messages)

    def new_message_id(self, chat_id: int) -> int:
        """Allocate the next message id in a chat (ids are shared with the bot's messages)."""
        return self._chat(chat_id).alloc_message_id()

    def record_user_message(self, chat_id: int, message: JsonDict) -> None:
        """Remember a message a user sent, so it can be edited, replied to or deleted."""
        self._chat(chat_id).user_messages[int(message["message_id"])] = message

    def user_message(self, chat_id: int, message_id: int) -> JsonDict | None:
        """A user's message as last sent or edited."""
        return self._chat(chat_id).user_messages.get(message_id)

    def chat_json(self, chat_id: int) -> JsonDict:
        """The chat object Telegram puts into updates."""
        return self._chat(chat_id).to_json()

    def chat_instance(self, chat_id: int) -> str:
        """Stable per-chat ``chat_instance`` for callback queries."""
        return str(-(abs(chat_id) * 1_000_003 + 7_000_000_000_000_000))

    def message_json(self, message: BotMessage) -> JsonDict:
        """A bot message as the Bot API returns it (and as callback queries carry it).

        In a channel the post is signed by the channel (``sender_chat``) and has no ``from``.
        """
        chat = self._chat(message.chat_id)
        data: JsonDict = {"message_id": message.message_id}
        if chat.type == "channel":
            data["sender_chat"] = chat.to_json()
        else:
            data["from"] = self.bot_user_json()
        data.update(chat=chat.to_json(), date=message.date)
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.kind == "text":
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        elif message.kind == "photo":
            data["photo"] = self._photo_sizes(message)
        elif message.kind == "document":
            data["document"] = self._document_json(message)
        if message.caption is not None:
            data["caption"] = message.caption
            if message.entities:
                data["caption_entities"] = message.entities
        inline = _inline_markup(message.reply_markup)
        if inline is not None:
            data["reply_markup"] = inline
        if message.reply_to_message_id is not None:
            replied = self.message_snapshot(message.chat_id, message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = replied
        return data

    def message_snapshot(self, chat_id: int, message_id: int) -> JsonDict | None:
        """Current JSON of any live message in the chat (bot's or user's), without replies."""
        chat = self._chat(chat_id)
        bot_message = chat.live_bot_message(message_id)
        if bot_message is not None:
            data = self.message_json(bot_message)
        else:
            user_message = chat.user_messages.get(message_id)
            if user_message is None:
                return None
            data = dict(user_message)
        data.pop("reply_to_message", None)
        return data

    def bot_user_json(self) -> JsonDict:
        """The bot as a User object (the ``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def new_callback_query(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """Register a callback query so answerCallbackQuery can accept it exactly once."""
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _Query(user_id, chat_id, message_id, data)
        return query_id

    def register_file(self, content: bytes, *, mime_type: str, filename: str, folder: str) -> JsonDict:
        """Store bytes under a fresh file_id (downloadable via getFile); returns id fields."""
        number = next(self._file_ids)
        extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = _StoredFile(
            file_id=f"BQACAgIAAxk{number:08d}{folder}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=f"{folder}/file_{number}.{extension}",
            content=content,
            mime_type=mime_type,
            filename=filename,
        )
        self._files[stored.file_id] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(content),
        }

    # ------------------------------------------------------------ HTTP plumbing

    @property
    def closing(self) -> bool:
        return self._closing

    def notify(self) -> None:
        """Re-check the waiters (the webhook pusher changed something)."""
        self._notify()

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        """Wait, without a timeout, until ``predicate()`` holds after some change."""
        await self._wait_for(predicate)

    def next_deliverable(self) -> _Pending | None:
        """The first queued update the bot asked for (updates it did not ask for are dropped)."""
        self._queue = [p for p in self._queue if self._is_allowed(p.update_id)]
        return self._queue[0] if self._queue else None

    def delivered(self, pending: _Pending) -> None:
        """The bot answered 200 for this queued update: Telegram forgets it."""
        self._queue = [p for p in self._queue if p is not pending]

    def _notify(self) -> None:
        """Re-check every waiter's predicate; called after each request and update."""
        if not self._waiters:
            return
        waiting: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            try:
                satisfied = predicate()
            except Exception as exc:  # surface a broken predicate in the waiting test
                future.set_exception(exc)
                continue
            if satisfied:
                future.set_result(None)
            else:
                waiting.append((predicate, future))
        self._waiters = waiting

    async def _wait_for(self, predicate: Callable[[], bool]) -> None:
        if predicate():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            await future
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await _read_params(request)
        call = ApiCall(method=method, params=params, at=time.monotonic(), files=files)
        self.calls.append(call)
        self._notify()  # arrival is observable too, e.g. "a long poll is now waiting"
        try:
            result = await self._dispatch(request.match_info["token"], method, params, files)
        except ApiError as err:
            call.status, call.description = err.status, err.description
            body, status = err.payload(), err.status
        except asyncio.CancelledError:
            call.description = "client disconnected"
            raise
        else:
            call.status = 200
            body, status = {"ok": True, "result": result}, 200
        self._notify()
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        if request.match_info["token"] == self.token:
            for stored in self._files.values():
                if stored.file_path == path:
                    return web.Response(body=stored.content, content_type=stored.mime_type)
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    async def _dispatch(self, token: str, method: str, params: JsonDict, files: Files) -> Any:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        key = method.lower()
        handler = self._methods.get(key)
        if handler is None:
            raise ApiError(404, "Not Found")
        chat_id = params.get("chat_id")
        self._apply_injected_failure(key, chat_id)
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        refusal = chat.refusal(key) if chat is not None else None
        if refusal is not None:
            raise ApiError(403, refusal)
        limited = self.enforce_rate_limits and key in _SEND_METHODS
        if limited:
            self._check_rate_limit(chat_id)
        result = await handler(params, files)
        if limited:
            self._record_send(chat_id)
        return result

    def _apply_injected_failure(self, key: str, chat_id: object) -> None:
        for failure in self._failures:
            if failure.method != key:
                continue
            if failure.chat_id is not None and failure.chat_id != chat_id:
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            raise failure.error

    # --------------------------------------------------------------- rate limits

    def _check_rate_limit(self, chat_id: object) -> None:
        now = self.clock()
        _prune(self._global_sends, now - 1.0)
        if len(self._global_sends) >= self.global_per_second:
            self._too_many(self._global_sends[0] + 1.0 - now)
        if not isinstance(chat_id, int):
            return
        if self.per_chat_burst > 1:
            tokens = self._chat_tokens(chat_id, now)
            if tokens < 1 - CHAT_JITTER_SECONDS * self.per_chat_per_second:
                self._too_many((1 - tokens) / self.per_chat_per_second)
            return
        window, limit = self._chat_window()
        sends = self._chat_sends.setdefault(chat_id, deque())
        _prune(sends, now - window)
        if len(sends) >= limit:
            self._too_many(sends[0] + window - now)

    def _chat_tokens(self, chat_id: int, now: float) -> float:
        tokens, when = self._chat_buckets.get(chat_id, (float(self.per_chat_burst), now))
        return min(float(self.per_chat_burst), tokens + (now - when) * self.per_chat_per_second)

    def _chat_window(self) -> tuple[float, int]:
        """Sliding window for the per-chat rate: 1 s, or longer for rates below 1/s."""
        rate = self.per_chat_per_second
        window = 1.0 if rate >= 1 else 1.0 / rate
        return window, max(1, int(rate * window))

    def _too_many(self, wait: float) -> NoReturn:
        self.too_many_requests += 1
        retry_after = max(1, math.ceil(wait))
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    def _record_send(self, chat_id: object) -> None:
        now = self.clock()
        self._global_sends.append(now)
        if isinstance(chat_id, int):
            self._chat_sends.setdefault(chat_id, deque()).append(now)
            if self.per_chat_burst > 1:
                self._chat_buckets[chat_id] = (self._chat_tokens(chat_id, now) - 1, now)

    # ------------------------------------------------------------ state helpers

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"unknown chat {chat_id}; create it with api.user()/api.group()/api.channel()")
        return chat

    def _new_chat(self, chat_id: int, chat_type: str, title: str, bot_is_member: bool) -> None:
        chat = self._chats.get(chat_id)
        kinds = {"channel"} if chat_type == "channel" else {"group", "supergroup"}
        if chat is not None and chat.type not in kinds:  # a group seen in raw updates keeps its type
            raise ValueError(f"chat {chat_id} already exists as a {chat.type}, not a {chat_type}")
        if chat is None:
            chat = self._chats[chat_id] = _Chat(id=chat_id, type=chat_type, title=title)
        if not bot_is_member:
            chat.bot_status = "left"

    def _bot_would_see(self, update: JsonDict) -> bool:
        """False for messages in a group or channel the bot is not in (Telegram drops them)."""
        for key in _MESSAGE_UPDATES:
            message = update.get(key)
            chat_data = message.get("chat") if isinstance(message, dict) else None
            if isinstance(chat_data, dict) and isinstance(chat_data.get("id"), int):
                chat = self._chats.get(chat_data["id"])
                if chat is not None and chat.type != "private" and not chat.bot_is_member:
                    return False
        return True

    def _chat_param(self, params: JsonDict) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _register_chats(self, update: JsonDict) -> None:
        """Make chats seen in raw updates known, so the bot can answer into them."""
        for key in _MESSAGE_UPDATES:
            if isinstance(update.get(key), dict):
                self._register_message_chat(update[key])
        query = update.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("message"), dict):
            self._register_message_chat(query["message"])
        member = update.get("my_chat_member")
        if isinstance(member, dict) and isinstance(member.get("chat"), dict):
            self._register_message_chat({"chat": member["chat"]})

    def _register_message_chat(self, message: JsonDict) -> None:
        chat_data = message.get("chat")
        if not isinstance(chat_data, dict) or not isinstance(chat_data.get("id"), int):
            return
        chat = self._chats.get(chat_data["id"])
        if chat is None:
            chat = _Chat(
                id=chat_data["id"],
                type=str(chat_data.get("type", "private")),
                title=chat_data.get("title"),
                first_name=chat_data.get("first_name"),
                username=chat_data.get("username"),
            )
            self._chats[chat.id] = chat
        message_id = message.get("message_id")
        if isinstance(message_id, int):
            chat.next_message_id = max(chat.next_message_id, message_id + 1)

    def _target_message(self, params: JsonDict, verb: str) -> tuple[_Chat, BotMessage]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._chat_param(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = chat.live_bot_message(message_id)
        if message is None:
            if message_id in chat.user_messages:
                raise ApiError(400, f"Bad Request: message can't be {verb}ed")
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        return chat, message

    def _render(
        self, text: str, params: JsonDict, mode_key: str, entities_key: str
    ) -> tuple[str, list[JsonDict]]:
        parse_mode = params.get(mode_key)
        explicit = params.get(entities_key)
        if explicit and not parse_mode:
            if not isinstance(explicit, list):
                raise ApiError(400, "Bad Request: can't parse entities JSON object")
            return text, list(explicit)
        return parse_formatted(text, parse_mode if isinstance(parse_mode, str) else None)

    def _text(self, params: JsonDict) -> tuple[str, str, list[JsonDict]]:
        raw = params.get("text")
        if not isinstance(raw, str) or not raw:
            raise ApiError(400, "Bad Request: message text is empty")
        text, entities = self._render(raw, params, "parse_mode", "entities")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return raw, text, entities

    def _caption(self, params: JsonDict) -> tuple[str | None, list[JsonDict]]:
        raw = params.get("caption")
        if not isinstance(raw, str) or not raw:
            return None, []
        caption, entities = self._render(raw, params, "parse_mode", "caption_entities")
        if utf16_len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return caption, entities

    def _reply_to(self, chat: _Chat, params: JsonDict) -> int | None:
        reply = params.get("reply_parameters")
        message_id: object = params.get("reply_to_message_id")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if not isinstance(message_id, int):
            return None
        exists = chat.live_bot_message(message_id) is not None or message_id in chat.user_messages
        if exists:
            return message_id
        if allow_missing:
            return None
        raise ApiError(400, "Bad Request: message to be replied not found")

    def _input_file(self, params: JsonDict, files: Files, field_name: str) -> UploadedFile:
        """The file for a media field: an upload, an attach:// part, a known file_id or a URL.

        URLs are not fetched; they yield an empty placeholder upload.
        """
        value = params.get(field_name)
        upload = files.get(field_name)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            if not upload.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return upload
        if isinstance(value, str) and value:
            stored = self._files.get(value)
            if stored is not None:
                return UploadedFile(stored.filename, stored.content, stored.mime_type)
            if value.startswith(("http://", "https://")):
                name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
                return UploadedFile(name, b"", "application/octet-stream")
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise ApiError(400, f"Bad Request: there is no {field_name} in the request")

    def _photo_sizes(self, message: BotMessage) -> list[JsonDict]:
        stored = self._files.get(message.file_id or "")
        width, height = image_size(message.content or b"")
        return [
            {
                "file_id": message.file_id,
                "file_unique_id": stored.file_unique_id if stored else "AgAD0",
                "width": width,
                "height": height,
                "file_size": len(message.content or b""),
            }
        ]

    def _document_json(self, message: BotMessage) -> JsonDict:
        stored = self._files.get(message.file_id or "")
        return {
            "file_id": message.file_id,
            "file_unique_id": stored.file_unique_id if stored else "AgAD0",
            "file_name": message.filename,
            "mime_type": message.mime_type,
            "file_size": len(message.content or b""),
        }

    def _store_bot_message(self, chat: _Chat, message: BotMessage) -> JsonDict:
        chat.bot_messages.append(message)
        chat.bot_by_id[message.message_id] = message
        return self.message_json(message)

    # ------------------------------------------------------------ API methods

    async def _return_true(self, params: JsonDict, files: Files) -> bool:
        return True

    def _make_setting_handler(self, name: str) -> Handler:
        async def handler(params: JsonDict, files: Files) -> bool:
            self.settings[name] = params
            return True

        return handler

    async def _get_me(self, params: JsonDict, files: Files) -> JsonDict:
        return {
            **self.bot_user_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JsonDict, files: Files) -> list[JsonDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _number(params, "offset", 0)
        limit = min(max(int(_number(params, "limit", 100)), 1), 100)
        timeout = max(_number(params, "timeout", 0), 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        self._confirm(int(offset))
        self._notify()  # confirmation changes the queue; waiters may care before the poll ends
        self._poll_generation += 1
        generation = self._poll_generation

        def ready() -> bool:
            return self._closing or generation != self._poll_generation or self._has_deliverable()

        try:
            async with asyncio.timeout(timeout):
                await self._wait_for(ready)
        except TimeoutError:
            pass
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self._take_batch(limit)

    def _confirm(self, offset: int) -> None:
        """Forget updates the client confirmed; redeliveries survive until delivered once."""
        if offset > 0:
            self._queue = [p for p in self._queue if p.update_id >= offset or p.redelivery]
        elif offset < 0:
            self._queue = self._queue[offset:]

    def _is_allowed(self, update_id: int) -> bool:
        update = self.updates[update_id]
        kind = next((k for k in update if k != "update_id"), "")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _OPT_IN_UPDATES

    def _has_deliverable(self) -> bool:
        return any(self._is_allowed(p.update_id) for p in self._queue)

    def _take_batch(self, limit: int) -> list[JsonDict]:
        """Next updates in queue order, cut where ids stop increasing so that PTB's
        ``offset = last id + 1`` never confirms an update it has not seen."""
        self._queue = [p for p in self._queue if self._is_allowed(p.update_id)]
        batch: list[_Pending] = []
        for pending in self._queue:
            if batch and pending.update_id <= batch[-1].update_id:
                break
            batch.append(pending)
            if len(batch) >= limit:
                break
        for pending in batch:
            pending.redelivery = False
        return [self.updates[p.update_id] for p in batch]

    async def _delete_webhook(self, params: JsonDict, files: Files) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _set_webhook(self, params: JsonDict, files: Files) -> bool:
        url = params.get("url")
        if not isinstance(url, str):
            raise ApiError(400, "Bad Request: url is empty")
        if url and not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not (
            isinstance(secret, str) and 1 <= len(secret) <= 256 and set(secret) <= _SECRET_CHARS
        ):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        self.webhook_url = url
        self.settings["setWebhook"] = params
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._notify()
        return True

    async def _get_webhook_info(self, params: JsonDict, files: Files) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook_url:
            info["max_connections"] = self.settings["setWebhook"].get("max_connections", 40)
        if self.webhook.last_error_date is not None:
            info["last_error_date"] = self.webhook.last_error_date
            info["last_error_message"] = self.webhook.last_error_message
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
        return info

    async def _set_my_commands(self, params: JsonDict, files: Files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            name = command.get("command")
            if not isinstance(name, str) or not 1 <= len(name) <= 32 or not set(name) <= _COMMAND_RE_CHARS:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _get_my_commands(self, params: JsonDict, files: Files) -> list[JsonDict]:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return list(self._commands.get(key, []))

    async def _delete_my_commands(self, params: JsonDict, files: Files) -> bool:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    async def _send_message(self, params: JsonDict, files: Files) -> JsonDict:
        chat = self._chat_param(params)
        raw, text, entities = self._text(params)
        markup = _validate_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        message = BotMessage(
            message_id=chat.alloc_message_id(),
            chat_id=chat.id,
            date=int(time.time()),
            kind="text",
            text=text,
            entities=entities,
            raw_text=raw,
            parse_mode=_str_or_none(params.get("parse_mode")),
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self._store_bot_message(chat, message)

    async def _send_media(self, params: JsonDict, files: Files, kind: str) -> JsonDict:
        chat = self._chat_param(params)
        upload = self._input_file(params, files, kind)
        if kind == "photo" and upload.content and not looks_like_image(upload.content):
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        caption, entities = self._caption(params)
        markup = _validate_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        ids = self.register_file(
            upload.content,
            mime_type=upload.content_type,
            filename=upload.filename,
            folder="photos" if kind == "photo" else "documents",
        )
        message = BotMessage(
            message_id=chat.alloc_message_id(),
            chat_id=chat.id,
            date=int(time.time()),
            kind=kind,
            caption=caption,
            entities=entities,
            raw_text=_str_or_none(params.get("caption")),
            parse_mode=_str_or_none(params.get("parse_mode")),
            reply_markup=markup,
            reply_to_message_id=reply_to,
            file_id=ids["file_id"],
            filename=upload.filename,
            mime_type=upload.content_type,
            content=upload.content,
        )
        return self._store_bot_message(chat, message)

    async def _send_photo(self, params: JsonDict, files: Files) -> JsonDict:
        return await self._send_media(params, files, "photo")

    async def _send_document(self, params: JsonDict, files: Files) -> JsonDict:
        return await self._send_media(params, files, "document")

    async def _edit_message_text(self, params: JsonDict, files: Files) -> JsonDict:
        _, message = self._target_message(params, "edit")
        if message.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        raw, text, entities = self._text(params)
        markup = _validate_inline_only(params.get("reply_markup"))
        current = _inline_markup(message.reply_markup)
        if text == message.text and entities == message.entities and markup == current:
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        message.history.append(message.text)
        message.text, message.entities, message.raw_text = text, entities, raw
        message.parse_mode = _str_or_none(params.get("parse_mode"))
        self._apply_edit(message, markup)
        return self.message_json(message)

    async def _edit_message_caption(self, params: JsonDict, files: Files) -> JsonDict:
        _, message = self._target_message(params, "edit")
        if message.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = _validate_inline_only(params.get("reply_markup"))
        current = _inline_markup(message.reply_markup)
        if caption == message.caption and entities == message.entities and markup == current:
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        message.history.append(message.caption)
        message.caption, message.entities = caption, entities
        message.raw_text = _str_or_none(params.get("caption"))
        self._apply_edit(message, markup)
        return self.message_json(message)

    async def _edit_message_reply_markup(self, params: JsonDict, files: Files) -> JsonDict:
        _, message = self._target_message(params, "edit")
        markup = _validate_inline_only(params.get("reply_markup"))
        if markup == _inline_markup(message.reply_markup):
            raise ApiError(400, NOT_MODIFIED_DESCRIPTION)
        self._apply_edit(message, markup)
        return self.message_json(message)

    def _apply_edit(self, message: BotMessage, markup: JsonDict | None) -> None:
        """Edits replace the inline keyboard: omitting reply_markup removes it, as in Telegram."""
        if message.reply_markup is None or "inline_keyboard" in message.reply_markup:
            message.reply_markup = markup
        message.edits += 1
        message.edit_date = int(time.time())

    async def _answer_callback_query(self, params: JsonDict, files: Files) -> bool:
        query_id = params.get("callback_query_id")
        query_key = str(query_id) if query_id is not None else ""
        if query_key not in self._queries or query_key in self.callback_answers:
            raise ApiError(400, QUERY_TOO_OLD_DESCRIPTION)
        text = _str_or_none(params.get("text"))
        if text is not None and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        cache_time = params.get("cache_time")
        self.callback_answers[query_key] = CallbackAnswer(
            query_id=query_key,
            text=text,
            show_alert=bool(params.get("show_alert", False)),
            url=_str_or_none(params.get("url")),
            cache_time=cache_time if isinstance(cache_time, int) else None,
        )
        return True

    async def _delete_message(self, params: JsonDict, files: Files) -> bool:
        chat = self._chat_param(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = chat.live_bot_message(message_id)
        if message is not None:
            message.deleted = True
        elif chat.user_messages.pop(message_id, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _send_chat_action(self, params: JsonDict, files: Files) -> bool:
        self._chat_param(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _get_chat(self, params: JsonDict, files: Files) -> JsonDict:
        chat = self._chat_param(params)
        return {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: JsonDict, files: Files) -> JsonDict:
        chat = self._chat_param(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise ApiError(400, "Bad Request: invalid user_id specified")
        if user_id == self.bot_id:
            return chat_member_json(self.bot_user_json(), chat.bot_status, chat.type)
        user = self._users.get(user_id)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        if chat.type == "private":
            present = user_id == chat.id
        else:  # anyone who has said something there counts as a member
            present = any(m.get("from", {}).get("id") == user_id for m in chat.user_messages.values())
        return chat_member_json(user.user_json(), "member" if present else "left", chat.type)

    async def _get_file(self, params: JsonDict, files: Files) -> JsonDict:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


# ------------------------------------------------------------------ module helpers


async def _read_params(request: web.Request) -> tuple[JsonDict, Files]:
    """Decode query string, urlencoded/multipart form or JSON body into typed params."""
    raw: dict[str, str] = dict(request.query)
    files: Files = {}
    typed: JsonDict = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                body = None
            if isinstance(body, dict):
                typed.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        filename=value.filename,
                        content=value.file.read(),
                        content_type=value.content_type,
                    )
                elif isinstance(value, bytes | bytearray):
                    raw[key] = value.decode("utf-8", "replace")
                else:
                    raw[key] = value
    params: JsonDict = {key: _decode_param(key, value) for key, value in raw.items()}
    params.update(typed)
    return params, files


def _decode_param(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _number(params: JsonDict, key: str, default: float) -> float:
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(400, f"Bad Request: invalid {key} specified")
    return value


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _prune(times: deque[float], older_than: float) -> None:
    while times and times[0] <= older_than:
        times.popleft()


def _scope_key(scope: object) -> str:
    if not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True)


def _inline_markup(markup: JsonDict | None) -> JsonDict | None:
    """The inline keyboard part Telegram echoes back; empty keyboards count as none."""
    if not markup or "inline_keyboard" not in markup:
        return None
    if not any(markup["inline_keyboard"]):
        return None
    return markup


def _validate_inline_only(value: object) -> JsonDict | None:
    markup = _validate_reply_markup(value)
    if markup is not None and "inline_keyboard" not in markup:
        raise ApiError(400, "Bad Request: inline keyboard expected")
    return _inline_markup(markup)


def _validate_reply_markup(value: object) -> JsonDict | None:
    """Check a reply_markup the way Telegram does for the failures bots actually hit."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard markup JSON object")
        for row in rows:
            for button in row:
                _validate_inline_button(button)
        return value
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, "Bad Request: can't parse keyboard markup JSON object")
        return value
    if value.get("remove_keyboard") or value.get("force_reply"):
        return value
    raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")


def _validate_inline_button(button: object) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button JSON object")
    if not button["text"]:
        raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    actions = _INLINE_ACTIONS.intersection(button)
    if not actions:
        raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
