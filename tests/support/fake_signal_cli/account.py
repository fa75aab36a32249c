"""The daemon's one account: who it talks to, what each recipient sees, and Signal's rules.

Signal's edit rules live in the recipients' clients, not in the daemon: signal-cli accepts
any ``editTimestamp`` (ManagerImpl.sendEditMessage checks nothing). So does this fake; an
edit a client would drop is kept as a :class:`DroppedEdit` plus a :class:`Violation`, and the
user's view stays unchanged.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .envelopes import Address, is_long_text
from .models import (
    EDIT_WINDOW_SECONDS,
    IDENTITY_FAILURE,
    LONG_TEXT_TYPE,
    MAX_BODY_BYTES,
    MAX_EDITS,
    RATE_LIMIT_FAILURE,
    RATELIMIT_ERROR,
    SUCCESS,
    UNREGISTERED_FAILURE,
    UNTRUSTED_KEY_ERROR,
    USER_ERROR,
    Attachment,
    DroppedEdit,
    InjectedResult,
    JsonDict,
    RpcError,
    ShownMessage,
    Version,
    Violation,
)


@dataclass(eq=False)
class Chat:
    """One conversation: a person (keyed by uuid) or a group (keyed by group id)."""

    key: str
    messages: list[ShownMessage] = field(default_factory=list)
    user_messages: dict[int, str | None] = field(default_factory=dict)
    reactions: dict[int, str] = field(default_factory=dict)
    receipts: list[tuple[str, list[int]]] = field(default_factory=list)
    typing: bool = False

    def find(self, timestamp: int) -> ShownMessage | None:
        """The bot's message any of whose versions has this timestamp."""
        for message in self.messages:
            if message.has_timestamp(timestamp):
                return message
        return None


@dataclass
class Person:
    """A Signal user the account can reach; ``identity_changed`` until the account trusts them."""

    address: Address
    chat: Chat
    registered: bool = True
    identity_changed: bool = False
    number_known: bool = False


@dataclass(frozen=True)
class SendLogEntry:
    """One outgoing message-ish call to one recipient, for pacing checks."""

    method: str
    recipient: str
    at: datetime
    loop_time: float
    type: str


@dataclass
class Content:
    """What one ``send`` carries, decoded."""

    text: str
    attachments: list[Attachment]
    long_text: bool


class SignalAccount:
    """State of the daemon's single account and the rules recipients' clients apply."""

    def __init__(
        self,
        address: Address,
        clock: Callable[[], datetime],
        loop_time: Callable[[], float],
        *,
        splits_long_text: bool,
    ) -> None:
        self.address = address
        self.clock = clock
        self.loop_time = loop_time
        self.splits_long_text = splits_long_text
        self.people: dict[str, Person] = {}
        self.groups: dict[str, tuple[str, list[str]]] = {}
        self.group_chats: dict[str, Chat] = {}
        self.violations: list[Violation] = []
        self.dropped_edits: list[DroppedEdit] = []
        self.send_log: list[SendLogEntry] = []
        self.injected: list[InjectedResult] = []
        self.profile: JsonDict = {}
        self.received_attachments: dict[str, Attachment] = {}
        self._last_timestamp = 0
        self._attachment_ids = itertools.count(1)

    # ------------------------------------------------------------------ identities

    def next_timestamp(self) -> int:
        """Milliseconds by the injected clock, nudged up so every message's is unique."""
        now = int(self.clock().timestamp() * 1000)
        self._last_timestamp = max(now, self._last_timestamp + 1)
        return self._last_timestamp

    def add_person(self, address: Address, *, number_known: bool) -> Person:
        person = Person(address=address, chat=Chat(key=address.uuid), number_known=number_known)
        self.people[address.uuid] = person
        return person

    def resolve(self, identifier: str) -> Person | Address:
        """A recipient string as signal-cli reads it: a uuid, or a +number."""
        if identifier in self.people:
            return self.people[identifier]
        if identifier.startswith("+") and identifier[1:].isdigit():
            for person in self.people.values():
                if person.address.number == identifier:
                    person.number_known = True
                    return person
            raise RpcError(USER_ERROR, f"The user {identifier} is not registered.")
        if _looks_like_uuid(identifier):
            return Address(uuid=identifier, number=None)
        raise RpcError(USER_ERROR, f"Invalid phone number '{identifier}': not a valid number")

    def new_attachment_id(self) -> str:
        return f"att{next(self._attachment_ids):06d}.bin"

    def attachment_data(self, attachment_id: str) -> JsonDict:
        """getAttachment: the bytes a user sent, base64 (JsonAttachmentData)."""
        stored = self.received_attachments.get(attachment_id)
        if stored is None:
            raise RpcError(USER_ERROR, f"Could not find attachment with ID: {attachment_id}")
        return {"data": base64.b64encode(stored.data).decode()}

    # ------------------------------------------------------------------ results

    def outcome(self, method: str, target: Person | Address) -> tuple[JsonDict, bool]:
        """The per-recipient result for one call, and whether the user gets the message."""
        if isinstance(target, Address):
            return {"recipientAddress": target.recipient_address(), "type": UNREGISTERED_FAILURE}, False
        address = self.shown_address(target)
        injected = self._take_injected(method, target.address.uuid)
        if injected is not None:
            return injected.result_json(address), injected.delivered
        if not target.registered:
            return {"recipientAddress": address, "type": UNREGISTERED_FAILURE}, False
        if target.identity_changed:
            return {"recipientAddress": address, "type": IDENTITY_FAILURE}, False
        return {"recipientAddress": address, "type": SUCCESS}, True

    def shown_address(self, person: Person) -> JsonDict:
        """The recipientAddress signal-cli reports: the number only once it knows it."""
        number = person.address.number if person.number_known else None
        return {"uuid": person.address.uuid, "number": number, "username": None}

    def log_send(self, method: str, recipient: str, result_type: str) -> None:
        self.send_log.append(SendLogEntry(method, recipient, self.clock(), self.loop_time(), result_type))

    def _take_injected(self, method: str, uuid: str) -> InjectedResult | None:
        for injected in self.injected:
            if injected.method != method or injected.recipient not in (None, uuid):
                continue
            injected.remaining -= 1
            if injected.remaining <= 0:
                self.injected.remove(injected)
            return injected
        return None

    @staticmethod
    def raise_if_nothing_succeeded(timestamp: int, results: list[JsonDict]) -> None:
        """SendMessageResultUtils.outputResult: no success at all becomes an error carrying
        the results in ``data.response``."""
        types = {entry["type"] for entry in results}
        if SUCCESS in types:
            return
        data = {"response": {"timestamp": timestamp, "results": results}}
        if types == {IDENTITY_FAILURE}:
            raise RpcError(UNTRUSTED_KEY_ERROR, "Failed to send message due to untrusted identities", data)
        if types == {RATE_LIMIT_FAILURE}:
            raise RpcError(RATELIMIT_ERROR, "Failed to send message due to rate limiting", data)
        raise RpcError(USER_ERROR, "Failed to send message", data)

    # ------------------------------------------------------------------ what users see

    def content(self, text: str, attachments: list[Attachment], timestamp: int, recipient: str) -> Content:
        """Reassemble a long text as the recipient's client does, or note the broken rule."""
        long_texts = [a for a in attachments if is_long_text(a)]
        others = [a for a in attachments if not is_long_text(a)]
        if long_texts:
            return Content(long_texts[0].data.decode("utf-8", "replace"), others, long_text=True)
        size = len(text.encode())
        if size <= MAX_BODY_BYTES:
            return Content(text, others, long_text=False)
        if self.splits_long_text:
            return Content(text, others, long_text=True)
        self.violate(
            "long-body",
            f"{size} bytes in the body; over {MAX_BODY_BYTES} must go as a {LONG_TEXT_TYPE} attachment",
            recipient,
            timestamp,
        )
        trimmed = text.encode()[:MAX_BODY_BYTES].decode("utf-8", "ignore")
        return Content(trimmed, others, long_text=False)

    def show(self, chat: Chat, message: ShownMessage) -> None:
        chat.messages.append(message)

    def apply_edit(self, chat: Chat, target: int, version: Version) -> None:
        """Apply an edit the way recipients' clients do, or keep it as dropped."""
        message = chat.find(target)
        reason: tuple[str, str] | None = None
        if message is None:
            reason = ("edit-not-ours", f"no message of ours with timestamp {target} in this chat")
        elif message.deleted:
            reason = ("edit-deleted", "the message was deleted")
        elif target != message.latest_timestamp:
            reason = (
                "edit-latest-timestamp",
                f"edit names {target}, but the latest version is {message.latest_timestamp}",
            )
        elif (version.at - message.versions[0].at).total_seconds() > EDIT_WINDOW_SECONDS:
            reason = ("edit-24h", "more than 24 h after the original")
        elif message.edits >= MAX_EDITS:
            reason = ("edit-limit", f"already edited {MAX_EDITS} times")
        if reason is None and message is not None:
            message.versions.append(version)
            return
        rule, detail = reason or ("edit", "")
        dropped = DroppedEdit(version.timestamp, target, version.text, detail)
        self.dropped_edits.append(dropped)
        if message is not None:
            message.dropped_edits.append(dropped)
        self.violate(rule, detail, chat.key, version.timestamp)

    def violate(self, rule: str, detail: str, recipient: str | None, timestamp: int | None) -> None:
        self.violations.append(Violation(rule, detail, recipient, timestamp))

    def group_members(self, group_id: str) -> list[Person]:
        if group_id not in self.groups:
            raise RpcError(USER_ERROR, f"Group not found: {group_id}")
        return [self.people[uuid] for uuid in self.groups[group_id][1]]

    def groups_json(self) -> list[JsonDict]:
        """listGroups, trimmed to the members ListGroupsCommand.JsonGroup always has."""
        listed = []
        for group_id, (name, members) in self.groups.items():
            people = [self.people[uuid].address for uuid in members]
            listed.append(
                {
                    "id": group_id,
                    "name": name,
                    "description": "",
                    "isMember": True,
                    "isBlocked": False,
                    "messageExpirationTime": 0,
                    "members": [
                        {"number": p.number, "uuid": p.uuid, "isAdmin": False}
                        for p in [self.address, *people]
                    ],
                    "pendingMembers": [],
                    "requestingMembers": [],
                    "admins": [{"number": self.address.number, "uuid": self.address.uuid}],
                    "banned": [],
                    "permissionAddMember": "EVERY_MEMBER",
                    "permissionEditDetails": "EVERY_MEMBER",
                    "permissionSendMessage": "EVERY_MEMBER",
                    "groupInviteLink": None,
                }
            )
        return listed


def _looks_like_uuid(text: str) -> bool:
    parts = text.split("-")
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and all(
        c in "0123456789abcdefABCDEF" for c in text.replace("-", "")
    )
