"""Drivers that play Telegram users against the fake server.

They build updates that look like real Telegram JSON and wait on the server's
condition (never sleeping) for the bot's reaction.

Reading position: each chat driver keeps a cursor into the bot's messages in that chat.
``expect``/``expect_text`` consume from it; sending does *not* move it, so a reply that
arrives a little late is never skipped. Call :meth:`mark_read` to drop unread messages.

Groups and channels know whether the bot is in them (``remove_bot``/``add_bot``); while it
is not, the bot's sends there answer 403 and nothing said there is delivered to it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .formatting import utf16_len
from .media import SAMPLE_OGG, SAMPLE_WEBP, make_png
from .models import BotMessage, CallbackAnswer

if TYPE_CHECKING:
    from .server import FakeBotApi

JsonDict = dict[str, Any]

# Who adds or removes the bot when a test does not say (a channel post has no user at all).
CHAT_OWNER: JsonDict = {"id": 777_000_002, "is_bot": False, "first_name": "Owner"}
_CHANNEL_ADMIN_RIGHTS: JsonDict = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": False,
    "can_restrict_members": False,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": False,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_post_messages": True,
    "can_edit_messages": True,
}


def command_entities(text: str) -> list[JsonDict]:
    """A bot_command entity for a leading ``/command`` (incl. ``@botname``), as Telegram adds."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return []
    word = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(word)}]


class _ChatDriver:
    """Shared reading/pressing logic for one chat."""

    def __init__(self, api: FakeBotApi, chat_id: int) -> None:
        self.api = api
        self.chat_id = chat_id
        self._cursor = 0

    # ----------------------------------------------------------------- reading

    def messages(self) -> list[BotMessage]:
        """All bot messages in this chat as currently shown (edits applied, deleted gone)."""
        return self.api.sent_messages(self.chat_id)

    def last_message(self) -> BotMessage:
        """The newest bot message still shown in this chat."""
        shown = self.messages()
        if not shown:
            raise AssertionError(f"the bot has sent nothing to chat {self.chat_id}")
        return shown[-1]

    def unread(self) -> list[BotMessage]:
        """Bot messages after the cursor, without waiting or consuming them."""
        return self.api.all_bot_messages(self.chat_id)[self._cursor :]

    def mark_read(self) -> None:
        """Move the cursor past everything the bot has sent so far."""
        self._cursor = self.api.bot_message_count(self.chat_id)

    async def expect(self, count: int = 1, timeout: float = 5.0) -> list[BotMessage]:  # noqa: ASYNC109
        """Wait for ``count`` new bot messages after the cursor; consume and return them.

        Messages the bot deleted in the meantime are still returned (``deleted=True``),
        so the count does not depend on timing.
        """
        if count < 1:
            raise ValueError("count must be >= 1")
        start = self._cursor

        def ready() -> bool:
            return self.api.bot_message_count(self.chat_id) - start >= count

        await self.api.wait_until(
            ready,
            timeout,
            message=lambda: self._describe_wait(f"{count} new bot message(s)", start),
        )
        got = self.api.all_bot_messages(self.chat_id)[start : start + count]
        self._cursor = start + count
        return got

    async def expect_text(self, fragment: str, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Wait for a new message whose text or caption contains ``fragment``.

        Consumes everything up to and including that message.
        """
        start = self._cursor
        found: list[int] = []

        def ready() -> bool:
            count = self.api.bot_message_count(self.chat_id)
            if count <= start:
                return False
            messages = self.api.all_bot_messages(self.chat_id)
            for index in range(start, count):
                body = messages[index].text or messages[index].caption or ""
                if fragment in body:
                    found.append(index)
                    return True
            return False

        await self.api.wait_until(
            ready,
            timeout,
            message=lambda: self._describe_wait(f"a new bot message containing {fragment!r}", start),
        )
        index = found[-1]
        self._cursor = index + 1
        return self.api.all_bot_messages(self.chat_id)[index]

    def _describe_wait(self, what: str, start: int) -> str:
        messages = self.api.all_bot_messages(self.chat_id)
        new = [m.summary() for m in messages[start:]] or ["(none)"]
        earlier = [m.summary() for m in messages[:start]] or ["(none)"]
        return (
            f"{what} in chat {self.chat_id}\n"
            "new since cursor:\n  " + "\n  ".join(new) + "\n"
            "already consumed:\n  " + "\n  ".join(earlier)
        )

    # --------------------------------------------------------------- sending

    def _message(self, sender: FakeUser, content: JsonDict) -> JsonDict:
        """A new message in this chat from ``sender``, recorded on the server."""
        message: JsonDict = {
            "message_id": self.api.new_message_id(self.chat_id),
            "from": sender.user_json(),
            "chat": self.api.chat_json(self.chat_id),
            "date": int(time.time()),
            **content,
        }
        self.api.record_user_message(self.chat_id, message)
        sender.last_sent_id = message["message_id"]
        return message

    def _text_content(self, text: str, reply_to: int | None) -> JsonDict:
        content: JsonDict = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            replied = self.api.message_snapshot(self.chat_id, reply_to)
            if replied is None:
                raise AssertionError(f"no message {reply_to} in chat {self.chat_id} to reply to")
            content["reply_to_message"] = replied
        return content

    def _find_button(self, label: str, message_id: int | None) -> tuple[BotMessage, str]:
        shown = self.messages()
        if message_id is not None:
            candidates = [m for m in shown if m.message_id == message_id]
            if not candidates:
                raise AssertionError(f"no live bot message {message_id} in chat {self.chat_id}")
        else:
            candidates = list(reversed(shown))
        for message in candidates:
            for row in (message.reply_markup or {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("text") != label:
                        continue
                    if "callback_data" not in button:
                        raise AssertionError(
                            f"button {label!r} on message {message.message_id} has no callback_data: {button}"
                        )
                    return message, str(button["callback_data"])
        available = [f"#{m.message_id}: {m.labels()}" for m in shown if m.buttons]
        raise AssertionError(
            f"no inline button labelled {label!r} in chat {self.chat_id}"
            + (f" on message {message_id}" if message_id is not None else "")
            + "; available: "
            + ("; ".join(available) if available else "no inline keyboards")
        )

    async def _callback(self, sender: FakeUser, message_id: int, data: str) -> str:
        query_id = self.api.new_callback_query(sender.id, self.chat_id, message_id, data)
        message = self.api.message_snapshot(self.chat_id, message_id)
        if message is None:
            # Telegram sends an InaccessibleMessage (date 0) for deleted/ancient messages.
            message = {"chat": self.api.chat_json(self.chat_id), "message_id": message_id, "date": 0}
        await self.api.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": sender.user_json(),
                    "message": message,
                    "chat_instance": self.api.chat_instance(self.chat_id),
                    "data": data,
                }
            }
        )
        return query_id

    async def _press(self, sender: FakeUser, label: str, message_id: int | None) -> str:
        message, data = self._find_button(label, message_id)
        return await self._callback(sender, message.message_id, data)


class FakeUser(_ChatDriver):
    """A Telegram user talking to the bot in a private chat (chat id == user id)."""

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        *,
        first_name: str = "Alex",
        language_code: str = "en",
        username: str | None = None,
    ) -> None:
        super().__init__(api, user_id)
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.last_sent_id: int | None = None

    def user_json(self) -> JsonDict:
        """This user as a Telegram User object."""
        data: JsonDict = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username is not None:
            data["username"] = self.username
        return data

    async def _post(self, content: JsonDict) -> int:
        return await self.api.push_update({"message": self._message(self, content)})

    async def send(self, text: str, *, reply_to: int | None = None) -> int:
        """Send a text message (commands get a bot_command entity); returns the update_id."""
        return await self._post(self._text_content(text, reply_to))

    async def send_sticker(self, emoji: str = "👍") -> int:
        """Send a static sticker."""
        ids = self.api.register_file(
            SAMPLE_WEBP, mime_type="image/webp", filename="sticker.webp", folder="stickers"
        )
        sticker = {
            **ids,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._post({"sticker": sticker})

    async def send_photo(self, caption: str | None = None) -> int:
        """Send a (real, tiny) PNG photo, in a thumbnail and a full size like Telegram."""
        sizes = []
        for side in (2, 4):
            content = make_png(side, side)
            ids = self.api.register_file(
                content, mime_type="image/png", filename="photo.png", folder="photos"
            )
            sizes.append({**ids, "width": side, "height": side})
        content_json: JsonDict = {"photo": sizes}
        if caption is not None:
            content_json["caption"] = caption
        return await self._post(content_json)

    async def send_voice(self, duration: int = 3) -> int:
        """Send a voice note (OGG/Opus header bytes only)."""
        ids = self.api.register_file(SAMPLE_OGG, mime_type="audio/ogg", filename="voice.ogg", folder="voice")
        return await self._post({"voice": {**ids, "duration": duration, "mime_type": "audio/ogg"}})

    async def send_location(self, latitude: float = 52.52, longitude: float = 13.405) -> int:
        """Share a location."""
        return await self._post({"location": {"latitude": latitude, "longitude": longitude}})

    async def edit(self, message_id: int, text: str) -> int:
        """Edit a text message this user sent earlier (an ``edited_message`` update)."""
        original = self.api.user_message(self.chat_id, message_id)
        if original is None or original.get("from", {}).get("id") != self.id:
            raise AssertionError(f"user {self.id} has no message {message_id} to edit")
        edited = {k: v for k, v in original.items() if k not in ("entities", "text")}
        edited.update(self._text_content(text, None))
        edited["edit_date"] = int(time.time())
        self.api.record_user_message(self.chat_id, edited)
        return await self.api.push_update({"edited_message": edited})

    async def forward(self, text: str) -> int:
        """Forward someone else's text message into the chat."""
        origin = {
            "type": "user",
            "sender_user": {"id": 777_000_001, "is_bot": False, "first_name": "Sam"},
            "date": int(time.time()) - 3600,
        }
        return await self._post({"text": text, "forward_origin": origin})

    async def press(self, label: str, *, message_id: int | None = None) -> str:
        """Press the inline button with exactly this label on the newest bot message having it
        (or on ``message_id``); returns the callback query id."""
        return await self._press(self, label, message_id)

    async def press_data(self, data: str, *, message_id: int) -> str:
        """Send a callback query with arbitrary (possibly forged or stale) data."""
        return await self._callback(self, message_id, data)

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        """How the bot answered a callback query, if it did."""
        return self.api.callback_answers.get(query_id)

    async def wait_callback_answer(self, query_id: str, timeout: float = 5.0) -> CallbackAnswer:  # noqa: ASYNC109
        """Wait until the bot answers the callback query."""
        await self.api.wait_until(
            lambda: query_id in self.api.callback_answers,
            timeout,
            message=f"answerCallbackQuery for query {query_id} (chat {self.chat_id})",
        )
        return self.api.callback_answers[query_id]

    async def block_bot(self) -> int:
        """Block the bot: later sends get 403, and the bot receives a my_chat_member update."""
        self.api.block(self.id)
        return await self._member_update("member", "kicked")

    async def unblock_bot(self) -> int:
        """Unblock the bot again (Telegram sends my_chat_member kicked -> member)."""
        self.api.unblock(self.id)
        return await self._member_update("kicked", "member")

    async def _member_update(self, old: str, new: str) -> int:
        bot = self.api.bot_user_json()
        now = int(time.time())
        return await self.api.push_update(
            {
                "my_chat_member": {
                    "chat": self.api.chat_json(self.chat_id),
                    "from": self.user_json(),
                    "date": now,
                    "old_chat_member": chat_member_json(bot, old, "private"),
                    "new_chat_member": chat_member_json(bot, new, "private"),
                }
            }
        )


class _MemberChat(_ChatDriver):
    """A group or channel: the bot may or may not be in it."""

    #: Bot status after :meth:`remove_bot` unless ``kicked`` says otherwise.
    removed_status = "kicked"
    #: Bot status after :meth:`add_bot`.
    joined_status = "member"

    def __init__(self, api: FakeBotApi, chat_id: int, *, title: str) -> None:
        super().__init__(api, chat_id)
        self.title = title

    @property
    def bot_is_member(self) -> bool:
        """Whether the bot is in this chat (sends work, updates from here are delivered)."""
        return self.api.bot_is_member(self.chat_id)

    async def remove_bot(self, *, kicked: bool | None = None, by: FakeUser | None = None) -> int:
        """Remove the bot (``kicked`` bans it; default per chat type) and push the
        ``my_chat_member`` update Telegram sends; returns its update_id."""
        if not self.bot_is_member:
            raise AssertionError(f"the bot is not a member of chat {self.chat_id}")
        status = self.removed_status
        if kicked is not None:
            status = "kicked" if kicked else "left"
        return await self._membership_update(status, by)

    async def add_bot(self, *, by: FakeUser | None = None) -> int:
        """Add the bot back (as an admin in channels), pushing ``my_chat_member``."""
        if self.bot_is_member:
            raise AssertionError(f"the bot is already a member of chat {self.chat_id}")
        return await self._membership_update(self.joined_status, by)

    async def _membership_update(self, new: str, by: FakeUser | None) -> int:
        chat_type = str(self.api.chat_json(self.chat_id)["type"])
        old = self.api.bot_status(self.chat_id)
        self.api.set_bot_status(self.chat_id, new)
        bot = self.api.bot_user_json()
        return await self.api.push_update(
            {
                "my_chat_member": {
                    "chat": self.api.chat_json(self.chat_id),
                    "from": by.user_json() if by is not None else dict(CHAT_OWNER),
                    "date": int(time.time()),
                    "old_chat_member": chat_member_json(bot, old, chat_type),
                    "new_chat_member": chat_member_json(bot, new, chat_type),
                }
            }
        )


class FakeGroup(_MemberChat):
    """A group chat in which several fake users can talk to the bot."""

    def __init__(self, api: FakeBotApi, chat_id: int, *, title: str = "Group") -> None:
        super().__init__(api, chat_id, title=title)

    async def send(self, from_user: FakeUser, text: str, *, reply_to: int | None = None) -> int:
        """Post a text message as ``from_user``; returns the update_id (withheld from the
        bot, like every update from here, while it is not a member)."""
        message = self._message(from_user, self._text_content(text, reply_to))
        return await self.api.push_update({"message": message})

    async def press(self, from_user: FakeUser, label: str, *, message_id: int | None = None) -> str:
        """Press an inline button in this group as ``from_user``."""
        return await self._press(from_user, label, message_id)


class FakeChannel(_MemberChat):
    """A channel: posts are signed by the channel itself (``sender_chat``, no ``from``)."""

    removed_status = "left"
    joined_status = "administrator"

    def __init__(self, api: FakeBotApi, chat_id: int, *, title: str = "Channel") -> None:
        super().__init__(api, chat_id, title=title)
        self.last_post_id: int | None = None

    async def post(self, text: str, *, reply_to: int | None = None) -> int:
        """Publish a text post (``channel_post``; commands get a bot_command entity).

        Returns the update_id; while the bot is not a member the update is withheld
        (see ``FakeBotApi.withheld``), as Telegram would never send it.
        """
        chat = self.api.chat_json(self.chat_id)
        message: JsonDict = {
            "message_id": self.api.new_message_id(self.chat_id),
            "sender_chat": chat,
            "chat": chat,
            "date": int(time.time()),
            **self._text_content(text, reply_to),
        }
        self.api.record_user_message(self.chat_id, message)
        self.last_post_id = message["message_id"]
        return await self.api.push_update({"channel_post": message})

    async def edit_post(self, message_id: int, text: str) -> int:
        """Edit an earlier post (an ``edited_channel_post`` update); returns the update_id."""
        original = self.api.user_message(self.chat_id, message_id)
        if original is None or "sender_chat" not in original:
            raise AssertionError(f"channel {self.chat_id} has no post {message_id} to edit")
        edited = {k: v for k, v in original.items() if k not in ("entities", "text")}
        edited.update(self._text_content(text, None))
        edited["edit_date"] = int(time.time())
        self.api.record_user_message(self.chat_id, edited)
        return await self.api.push_update({"edited_channel_post": edited})

    async def press(self, from_user: FakeUser, label: str, *, message_id: int | None = None) -> str:
        """A subscriber presses an inline button under one of the bot's posts."""
        return await self._press(from_user, label, message_id)


def chat_member_json(user: JsonDict, status: str, chat_type: str = "group") -> JsonDict:
    """A ChatMember object; administrators get channel-posting rights in channels."""
    member: JsonDict = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "administrator":
        rights = dict(_CHANNEL_ADMIN_RIGHTS)
        if chat_type != "channel":
            del rights["can_post_messages"], rights["can_edit_messages"]
            rights["can_pin_messages"] = True
        member.update(rights)
    return member
