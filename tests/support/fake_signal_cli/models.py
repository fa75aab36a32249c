"""Plain records the fake signal-cli keeps, so tests can assert on what the bot did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JsonDict = dict[str, Any]

# signal-cli's error codes (SignalJsonRpcCommandHandler) and the JSON-RPC standard ones.
USER_ERROR = -1
IO_ERROR = -3
UNTRUSTED_KEY_ERROR = -4
RATELIMIT_ERROR = -5
CAPTCHA_REJECTED_ERROR = -6
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

# Per-recipient result types (JsonSendMessageResult.Type).
SUCCESS = "SUCCESS"
NETWORK_FAILURE = "NETWORK_FAILURE"
UNREGISTERED_FAILURE = "UNREGISTERED_FAILURE"
IDENTITY_FAILURE = "IDENTITY_FAILURE"
RATE_LIMIT_FAILURE = "RATE_LIMIT_FAILURE"
INVALID_PRE_KEY_FAILURE = "INVALID_PRE_KEY_FAILURE"
RESULT_TYPES = frozenset(
    {
        SUCCESS,
        NETWORK_FAILURE,
        UNREGISTERED_FAILURE,
        IDENTITY_FAILURE,
        RATE_LIMIT_FAILURE,
        INVALID_PRE_KEY_FAILURE,
    }
)

LONG_TEXT_TYPE = "text/x-signal-plain"
MAX_BODY_BYTES = 2000
MAX_EDITS = 10
EDIT_WINDOW_SECONDS = 24 * 3600


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked with "..." when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RpcError(Exception):
    """A JSON-RPC error reply; raised by method handlers, also used for injected errors."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> JsonDict:
        """The ``error`` member as signal-cli writes it (``data`` is always present, maybe null)."""
        return {"code": self.code, "message": self.message, "data": self.data}


@dataclass
class RpcCall:
    """One request the bot made; ``result``/``error`` are filled in once it was answered."""

    method: str
    params: JsonDict
    id: Any
    at: datetime
    loop_time: float
    connection: int
    result: Any = None
    error: JsonDict | None = None
    answered: bool = False

    @property
    def is_notification(self) -> bool:
        """A request without ``id``: handled, but never answered."""
        return self.id is None

    def summary(self) -> str:
        """One line for assertion messages."""
        text = clip(repr(self.params), 160)
        if self.error is not None:
            outcome = f"error {self.error.get('code')} {self.error.get('message')!r}"
        else:
            outcome = "ok" if self.answered else "pending/unanswered"
        return f"{self.method}({text}) -> {outcome}"


@dataclass(frozen=True)
class Attachment:
    """An attachment decoded to bytes, as a recipient's phone shows it."""

    content_type: str
    filename: str | None
    data: bytes


@dataclass
class Version:
    """One version of a message the bot sent: the original or an applied edit."""

    timestamp: int
    text: str
    at: datetime
    urgent: bool


@dataclass
class DroppedEdit:
    """An edit the daemon accepted but the recipient's client ignores (the user never sees it)."""

    timestamp: int
    target_timestamp: int
    text: str
    reason: str


@dataclass
class Violation:
    """A rule of Signal the bot broke; the daemon accepted the call, the user may not see it."""

    rule: str
    detail: str
    recipient: str | None = None
    timestamp: int | None = None


@dataclass(eq=False)
class ShownMessage:
    """A message the bot sent, as its recipient sees it; edits and deletions update it."""

    timestamp: int
    recipient: str
    versions: list[Version]
    attachments: list[Attachment] = field(default_factory=list)
    quote_timestamp: int | None = None
    quote_author: str | None = None
    text_styles: list[str] = field(default_factory=list)
    dropped_edits: list[DroppedEdit] = field(default_factory=list)
    deleted: bool = False
    long_text: bool = False

    @property
    def text(self) -> str:
        """The newest applied version's text (long texts reassembled)."""
        return self.versions[-1].text

    @property
    def latest_timestamp(self) -> int:
        """The timestamp the next edit must name."""
        return self.versions[-1].timestamp

    @property
    def edits(self) -> int:
        """How many edits the user saw applied."""
        return len(self.versions) - 1

    @property
    def history(self) -> list[str]:
        """Every text the user saw, oldest first."""
        return [version.text for version in self.versions]

    def has_timestamp(self, timestamp: int) -> bool:
        """Whether ``timestamp`` names any version of this message."""
        return any(version.timestamp == timestamp for version in self.versions)

    def summary(self) -> str:
        """One line for assertion messages."""
        shown = repr(clip(self.text, 80))
        extra = f" files={[a.filename for a in self.attachments]}" if self.attachments else ""
        if self.edits:
            extra += f" edits={self.edits}"
        if self.deleted:
            extra += " (deleted)"
        return f"@{self.timestamp} -> {self.recipient} {shown}{extra}"


@dataclass
class InjectedResult:
    """A per-recipient outcome to hand out instead of SUCCESS for the next matching calls.

    ``delivered`` says whether the user still sees the message (a rate-limit error does not
    prove it was not delivered, signal-cli #2071).
    """

    type: str
    method: str
    recipient: str | None
    remaining: int
    retry_after_seconds: int | None = None
    token: str | None = None
    delivered: bool = False

    def result_json(self, address: JsonDict) -> JsonDict:
        """The per-recipient result entry, as JsonSendMessageResult serialises it."""
        entry: JsonDict = {"recipientAddress": address, "type": self.type}
        if self.token is not None:
            entry["token"] = self.token
        if self.retry_after_seconds is not None:
            entry["retryAfterSeconds"] = self.retry_after_seconds
        return entry
