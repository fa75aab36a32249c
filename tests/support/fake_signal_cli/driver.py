"""Drivers that play Signal users (and groups) against the fake daemon.

A user's actions become envelopes queued on "Signal's server" (delivered once the bot has
subscribed). Reading returns what the user's phone shows: each message the bot sent in its
newest applied version, attachments decoded, long texts reassembled; edits the client
drops are never applied.

Reading position: each driver keeps a cursor into the bot's messages. ``expect`` consumes
from it; edits do not add messages, so a countdown edited ten times is still one message.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING

from .account import Chat, Person
from .envelopes import (
    Address,
    attachment_json,
    data_message,
    envelope,
    group_json,
    quote_json,
    reaction_json,
    receipt_json,
)
from .models import LONG_TEXT_TYPE, MAX_BODY_BYTES, Attachment, JsonDict, ShownMessage

if TYPE_CHECKING:
    from .fake import FakeSignalCli


class _ChatReader:
    """Reading the bot's messages in one chat, with a cursor."""

    def __init__(self, fake: FakeSignalCli, chat: Chat) -> None:
        self.fake = fake
        self.chat = chat
        self._cursor = 0

    def all_messages(self) -> list[ShownMessage]:
        """Every message the bot sent here, deleted ones included, oldest first."""
        return list(self.chat.messages)

    def messages(self) -> list[ShownMessage]:
        """The bot's messages as shown now (edits applied, deleted ones gone)."""
        return [m for m in self.chat.messages if not m.deleted]

    def last_message(self) -> ShownMessage:
        shown = self.messages()
        if not shown:
            raise AssertionError(f"the bot has sent nothing to {self.chat.key}")
        return shown[-1]

    def message(self, timestamp: int) -> ShownMessage:
        """The bot's message any of whose versions has this timestamp."""
        found = self.chat.find(timestamp)
        if found is None:
            raise AssertionError(f"no message of the bot's with timestamp {timestamp} in {self.chat.key}")
        return found

    def unread(self) -> list[ShownMessage]:
        return self.chat.messages[self._cursor :]

    def mark_read(self) -> None:
        self._cursor = len(self.chat.messages)

    async def expect(self, count: int = 1, timeout: float = 5.0) -> list[ShownMessage]:  # noqa: ASYNC109
        """Wait for ``count`` new messages after the cursor; consume and return them (live)."""
        if count < 1:
            raise ValueError("count must be >= 1")
        start = self._cursor
        await self.fake.wait_until(
            lambda: len(self.chat.messages) - start >= count,
            timeout,
            message=lambda: self._describe(f"{count} new message(s)", start),
        )
        self._cursor = start + count
        return self.chat.messages[start : start + count]

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until ``predicate()`` holds (e.g. a countdown reached its third edit)."""
        await self.fake.wait_until(predicate, timeout, message=lambda: self._describe("the condition", 0))

    async def expect_text(self, fragment: str, timeout: float = 5.0) -> ShownMessage:  # noqa: ASYNC109
        """Wait for a new message containing ``fragment``; consume up to and including it."""
        start = self._cursor
        found: list[int] = []

        def ready() -> bool:
            for index in range(start, len(self.chat.messages)):
                if fragment in self.chat.messages[index].text:
                    found.append(index)
                    return True
            return False

        await self.fake.wait_until(
            ready, timeout, message=lambda: self._describe(f"a new message containing {fragment!r}", start)
        )
        self._cursor = found[0] + 1
        return self.chat.messages[found[0]]

    def _describe(self, what: str, start: int) -> str:
        new = [m.summary() for m in self.chat.messages[start:]] or ["(none)"]
        return f"{what} in {self.chat.key}\nnew since cursor:\n  " + "\n  ".join(new)


class FakeSignalUser(_ChatReader):
    """A Signal user in a one-to-one chat with the practice's number."""

    def __init__(self, fake: FakeSignalCli, person: Person, *, shares_number: bool) -> None:
        super().__init__(fake, person.chat)
        self.person = person
        self.uuid = person.address.uuid
        self.number = person.address.number
        self.name = person.address.name
        # What the daemon sees of the sender: no number under phone-number privacy.
        self.source = Address(self.uuid, self.number if shares_number else None, self.name)

    # ------------------------------------------------------------------ state the bot changes

    @property
    def reactions(self) -> dict[int, str]:
        """The bot's reactions on this user's messages, by their timestamp."""
        return self.chat.reactions

    @property
    def bot_typing(self) -> bool:
        return self.chat.typing

    @property
    def receipts(self) -> list[tuple[str, list[int]]]:
        """Receipts the bot sent: (kind, timestamps)."""
        return self.chat.receipts

    def unregister(self) -> None:
        """The user left Signal: sends to them answer UNREGISTERED_FAILURE."""
        self.person.registered = False

    def reinstall(self) -> None:
        """New safety number: sends answer IDENTITY_FAILURE until the account calls ``trust``."""
        self.person.identity_changed = True

    # ------------------------------------------------------------------ acting

    def _data(
        self,
        text: str | None,
        *,
        quote: JsonDict | None = None,
        reaction: JsonDict | None = None,
        attachments: list[JsonDict] | None = None,
        group: JsonDict | None = None,
    ) -> JsonDict:
        return data_message(
            self.fake.account.next_timestamp(),
            text,
            legacy=self.fake.legacy_shapes,
            quote=quote,
            reaction=reaction,
            attachments=attachments,
            group=group,
        )

    async def send(self, text: str) -> int:
        """Send a text; returns its timestamp (which identifies it, with this user)."""
        attachments = None
        body = text
        if len(text.encode()) > MAX_BODY_BYTES:
            # signal-cli >= 0.14.0 puts the downloaded long text in ``message``; older ones
            # gave the first 2000 bytes. The long-text attachment is listed either way.
            attachments = [self._store(Attachment(LONG_TEXT_TYPE, None, text.encode()))]
            if self.fake.legacy_shapes:
                body = text.encode()[:MAX_BODY_BYTES].decode("utf-8", "ignore")
        return self._record(self._data(body, attachments=attachments), text)

    async def quote_reply(
        self, quoted_timestamp: int, text: str, *, author: FakeSignalUser | None = None
    ) -> int:
        """Reply quoting the bot's message (or ``author``'s) sent at ``quoted_timestamp``."""
        if author is None:
            quoted = self.chat.find(quoted_timestamp)
            quote = quote_json(quoted_timestamp, self.fake.account.address, quoted.text if quoted else None)
        else:
            quote = quote_json(
                quoted_timestamp, author.source, author.chat.user_messages.get(quoted_timestamp)
            )
        return self._record(self._data(text, quote=quote), text)

    async def react(self, emoji: str, target_timestamp: int, *, remove: bool = False) -> int:
        """React to the bot's message; ``message`` is null in a reaction."""
        reaction = reaction_json(emoji, self.fake.account.address, target_timestamp, remove=remove)
        data = self._data(None, reaction=reaction)
        stamp = int(data["timestamp"])
        self.fake.deliver(envelope(self.source, stamp, dataMessage=data))
        return stamp

    async def edit(self, own_timestamp: int, text: str) -> int:
        """Edit an earlier message of this user's; returns the edit's new timestamp."""
        if own_timestamp not in self.chat.user_messages:
            raise AssertionError(f"{self.uuid} sent no message {own_timestamp} to edit")
        data = self._data(text)
        self.chat.user_messages[int(data["timestamp"])] = text
        stamp = int(data["timestamp"])
        self.fake.deliver(
            envelope(
                self.source, stamp, editMessage={"targetSentTimestamp": own_timestamp, "dataMessage": data}
            )
        )
        return stamp

    async def send_attachment(
        self,
        data: bytes,
        content_type: str = "image/png",
        filename: str | None = "photo.png",
        *,
        text: str | None = None,
        caption: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> int:
        """Send a file (a photo by default), with an optional text."""
        stored = self._store(
            Attachment(content_type, filename, data), caption=caption, width=width, height=height
        )
        return self._record(self._data(text, attachments=[stored]), text)

    async def send_sticker(self, pack_id: str = "0" * 32, sticker_id: int = 1) -> int:
        data = self._data(None)
        data["sticker"] = {"packId": pack_id, "stickerId": sticker_id}
        return self._record(data, None)

    async def typing(self, *, stop: bool = False) -> None:
        stamp = self.fake.account.next_timestamp()
        typing = {"action": "STOPPED" if stop else "STARTED", "timestamp": stamp}
        self.fake.deliver(envelope(self.source, stamp, typingMessage=typing))

    async def receipt(self, timestamps: list[int], kind: str = "read") -> None:
        """Send a delivery/read/viewed receipt for the bot's messages."""
        stamp = self.fake.account.next_timestamp()
        self.fake.deliver(envelope(self.source, stamp, receiptMessage=receipt_json(stamp, kind, timestamps)))

    def _record(self, data: JsonDict, text: str | None) -> int:
        stamp = int(data["timestamp"])
        self.chat.user_messages[stamp] = text
        self.fake.deliver(envelope(self.source, stamp, dataMessage=data))
        return stamp

    def _store(
        self,
        attachment: Attachment,
        *,
        caption: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> JsonDict:
        """Keep the bytes for getAttachment and, like signal-cli without
        ``--ignore-attachments``, write them into its attachment folder."""
        attachment_id = self.fake.account.new_attachment_id()
        self.fake.account.received_attachments[attachment_id] = attachment
        folder = self.fake.attachment_dir
        if folder is not None and not self.fake.ignore_attachments:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / attachment_id).write_bytes(attachment.data)
        uploaded = self.fake.account.next_timestamp()
        return attachment_json(
            attachment_id, attachment, width=width, height=height, caption=caption, uploaded=uploaded
        )


class FakeSignalGroup(_ChatReader):
    """A Signal group the practice's number is in (e.g. a therapist's digest group)."""

    def __init__(self, fake: FakeSignalCli, group_id: str, name: str, chat: Chat) -> None:
        super().__init__(fake, chat)
        self.id = group_id
        self.name = name

    async def send(self, member: FakeSignalUser, text: str) -> int:
        """Post a text in the group as ``member``."""
        data = member._data(text, group=group_json(self.id, self.name))
        stamp = int(data["timestamp"])
        self.chat.user_messages[stamp] = text
        self.fake.deliver(envelope(member.source, stamp, dataMessage=data))
        return stamp


def group_id_for(name: str, index: int) -> str:
    """A base64 group id (32 bytes), stable per test."""
    raw = f"{index:04d}{name}".encode()[:32].ljust(32, b"\0")
    return base64.b64encode(raw).decode()
