"""Envelopes and attachments shaped as signal-cli writes them (its ``json/Json*.java`` records).

Newer daemons omit null and empty members (``@JsonInclude(NON_NULL)``, empty lists become
null); ``legacy=True`` gives the older shape with empty ``mentions``/``attachments``/
``contacts`` lists, so a client is tested against both.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from .models import INTERNAL_ERROR, LONG_TEXT_TYPE, Attachment, JsonDict, RpcError, clip


@dataclass(frozen=True)
class Address:
    """A Signal account: the ACI (``uuid``) always, the number only when it is shared."""

    uuid: str
    number: str | None
    name: str | None = None

    @property
    def legacy_identifier(self) -> str:
        """RecipientAddress.getLegacyIdentifier(): the number if known, else the uuid."""
        return self.number if self.number is not None else self.uuid

    def recipient_address(self) -> JsonDict:
        """JsonRecipientAddress: uuid, number, username (always all three keys)."""
        return {"uuid": self.uuid, "number": self.number, "username": None}


def envelope(
    source: Address, timestamp: int, *, device: int = 1, received: int | None = None, **content: JsonDict
) -> JsonDict:
    """A JsonMessageEnvelope with exactly one content member (``dataMessage=...`` etc.).

    ``serverDeliveredTimestamp`` is filled in when the daemon hands it to a subscriber.
    """
    if len(content) != 1:
        raise ValueError("an envelope carries exactly one content member")
    return {
        "source": source.legacy_identifier,
        "sourceNumber": source.number,
        "sourceUuid": source.uuid,
        "sourceName": source.name,
        "sourceDevice": device,
        "timestamp": timestamp,
        "serverReceivedTimestamp": received if received is not None else timestamp,
        "serverDeliveredTimestamp": 0,
        **content,
    }


def data_message(
    timestamp: int,
    message: str | None,
    *,
    legacy: bool = False,
    quote: JsonDict | None = None,
    reaction: JsonDict | None = None,
    attachments: list[JsonDict] | None = None,
    group: JsonDict | None = None,
    mentions: list[JsonDict] | None = None,
) -> JsonDict:
    """A JsonDataMessage: ``message`` and ``expiresInSeconds`` always, the rest only when set."""
    data: JsonDict = {"timestamp": timestamp, "message": message, "expiresInSeconds": 0}
    if not legacy:
        data["isExpirationUpdate"] = False
    data["viewOnce"] = False
    if reaction is not None:
        data["reaction"] = reaction
    if quote is not None:
        data["quote"] = quote
    if mentions or legacy:
        data["mentions"] = mentions or []
    if attachments or legacy:
        data["attachments"] = attachments or []
    if legacy:
        data["contacts"] = []
    if group is not None:
        data["groupInfo"] = group
    return data


def quote_json(quoted_timestamp: int, author: Address, text: str | None) -> JsonDict:
    """A JsonQuote: ``attachments`` is an empty list even on newer daemons."""
    return {
        "id": quoted_timestamp,
        "author": author.legacy_identifier,
        "authorNumber": author.number,
        "authorUuid": author.uuid,
        "text": text,
        "attachments": [],
    }


def reaction_json(emoji: str, target_author: Address, target_timestamp: int, *, remove: bool) -> JsonDict:
    """A JsonReaction."""
    return {
        "emoji": emoji,
        "targetAuthor": target_author.legacy_identifier,
        "targetAuthorNumber": target_author.number,
        "targetAuthorUuid": target_author.uuid,
        "targetSentTimestamp": target_timestamp,
        "isRemove": remove,
    }


def attachment_json(
    attachment_id: str,
    attachment: Attachment,
    *,
    width: int | None = None,
    height: int | None = None,
    caption: str | None = None,
    uploaded: int | None = None,
) -> JsonDict:
    """A JsonAttachment (all eight keys, nulls kept)."""
    return {
        "contentType": attachment.content_type,
        "filename": attachment.filename,
        "id": attachment_id,
        "size": len(attachment.data),
        "width": width,
        "height": height,
        "caption": caption,
        "uploadTimestamp": uploaded,
    }


def group_json(group_id: str, name: str, revision: int = 2) -> JsonDict:
    """A JsonGroupInfo for an ordinary group message."""
    return {"groupId": group_id, "groupName": name, "revision": revision, "type": "DELIVER"}


def receipt_json(when: int, kind: str, timestamps: list[int]) -> JsonDict:
    """A JsonReceiptMessage; ``kind`` is "delivery", "read" or "viewed"."""
    return {
        "when": when,
        "isDelivery": kind == "delivery",
        "isRead": kind == "read",
        "isViewed": kind == "viewed",
        "timestamps": timestamps,
    }


def decode_attachment(spec: str) -> Attachment:
    """Read a ``send`` attachment: a file path (read now, as signal-cli does) or an RFC 2397
    data URI with signal-cli's ``filename=`` parameter."""
    if spec.startswith("data:"):
        return _decode_data_uri(spec)
    path = Path(spec)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise RpcError(
            INTERNAL_ERROR,
            f"Failed to send message: {spec}: {exc.strerror} (AttachmentInvalidException) "
            "(UnexpectedErrorException)",
        ) from None
    guessed, _ = mimetypes.guess_type(path.name)
    return Attachment(content_type=guessed or "application/octet-stream", filename=path.name, data=content)


def _decode_data_uri(uri: str) -> Attachment:
    header, sep, payload = uri[len("data:") :].partition(",")
    if not sep:
        raise _invalid_attachment(uri)
    parts = header.split(";")
    content_type = parts[0] or "text/plain"
    filename: str | None = None
    is_base64 = False
    for part in parts[1:]:
        if part == "base64":
            is_base64 = True
        elif part.startswith("filename="):
            filename = part[len("filename=") :]
    try:
        data = base64.b64decode(payload, validate=True) if is_base64 else payload.encode()
    except binascii.Error:
        raise _invalid_attachment(uri) from None
    return Attachment(content_type=content_type, filename=filename, data=data)


def _invalid_attachment(uri: str) -> RpcError:
    shown = clip(uri, 60)
    return RpcError(
        INTERNAL_ERROR,
        f"Failed to send message: {shown}: invalid data URI (AttachmentInvalidException) "
        "(UnexpectedErrorException)",
    )


def data_uri(content_type: str, filename: str | None, data: bytes) -> str:
    """Encode bytes the way a client passes them to ``send``."""
    name = f";filename={filename}" if filename else ""
    return f"data:{content_type}{name};base64,{base64.b64encode(data).decode()}"


def is_long_text(attachment: Attachment) -> bool:
    """Whether this attachment carries the full text of an over-long body."""
    return attachment.content_type == LONG_TEXT_TYPE
