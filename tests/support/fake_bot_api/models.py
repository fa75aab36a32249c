"""Plain records the fake Bot API keeps, so tests can assert on what the bot did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """A Bot API error reply; raised inside the server, also used for injected failures."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


@dataclass
class UploadedFile:
    """A multipart file part as the bot uploaded it."""

    filename: str
    content: bytes
    content_type: str


@dataclass
class ApiCall:
    """One HTTP request the bot made; ``status``/``description`` are filled in once answered."""

    method: str
    params: dict[str, Any]
    at: float
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int | None = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        """True once the call was answered successfully."""
        return self.status == 200

    def summary(self) -> str:
        """One line for assertion messages."""
        shown = {k: v for k, v in self.params.items() if k != "reply_markup"}
        text = repr(shown)
        if len(text) > 160:
            text = text[:157] + "..."
        outcome = "pending" if self.status is None else str(self.status)
        if self.description:
            outcome += f" {self.description!r}"
        return f"{self.method}({text}) -> {outcome}"


@dataclass
class CallbackAnswer:
    """What the bot passed to answerCallbackQuery."""

    query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent, kept live: edits and deletions update this same object."""

    message_id: int
    chat_id: int
    date: int
    kind: str = "text"
    text: str | None = None
    caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    raw_text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    history: list[str | None] = field(default_factory=list)  # text/caption before each text edit
    file_id: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    content: bytes | None = None

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """Inline keyboard rows as (label, callback_data); non-callback buttons have ""."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [
            [(str(b.get("text", "")), str(b.get("callback_data", ""))) for b in row]
            for row in self.reply_markup["inline_keyboard"]
        ]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of a reply (non-inline) keyboard, if the message carried one."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return None
        return [
            [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
            for row in self.reply_markup["keyboard"]
        ]

    def labels(self) -> list[str]:
        """All inline button labels, row by row."""
        return [label for row in self.buttons for label, _ in row]

    def callback_data(self, label: str) -> str:
        """The callback_data behind the button with this exact label."""
        for row in self.buttons:
            for text, data in row:
                if text == label:
                    return data
        raise AssertionError(f"no button {label!r} on message {self.message_id}: {self.labels()}")

    @property
    def document(self) -> bytes | None:
        """Uploaded bytes of a document message."""
        return self.content if self.kind == "document" else None

    @property
    def photo(self) -> bytes | None:
        """Uploaded bytes of a photo message."""
        return self.content if self.kind == "photo" else None

    def summary(self) -> str:
        """One line for assertion messages."""
        body = self.text if self.text is not None else self.caption
        shown = repr(body if body is None or len(body) < 80 else body[:77] + "...")
        extra = f" buttons={self.labels()}" if self.buttons else ""
        if self.filename:
            extra += f" file={self.filename!r}"
        if self.deleted:
            extra += " (deleted)"
        return f"#{self.message_id} {self.kind} {shown}{extra}"
