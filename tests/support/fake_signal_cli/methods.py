"""The JSON-RPC methods a bot calls, with signal-cli's parameter names and result shapes.

Parameters follow JsonRpcNamespace: camelCase names, and a list parameter may come as one
value, a list, or under its plural (``attachment``/``attachments``). Results follow
SendMessageResultUtils: ``{"timestamp": T, "results": [...]}``, or an error carrying them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .account import Chat, Person, SignalAccount
from .envelopes import Address, decode_attachment
from .models import USER_ERROR, JsonDict, RpcError, ShownMessage, Version

Method = Callable[[SignalAccount, JsonDict], Any]


def param_list(params: JsonDict, name: str) -> list[Any]:
    """A list parameter given as one value, a list, or under the plural name."""
    value = params.get(name)
    if value is None:
        value = params.get(name + "s")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _int_param(params: JsonDict, name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RpcError(USER_ERROR, f"Invalid {name}: {value!r}")
    return int(value)


def _targets(account: SignalAccount, params: JsonDict) -> tuple[list[Person | Address], str | None]:
    """Recipients (persons, or unknown uuids) and the group id, if the call names a group."""
    group_ids = param_list(params, "groupId")
    if group_ids:
        return list(account.group_members(str(group_ids[0]))), str(group_ids[0])
    recipients = [account.resolve(str(r)) for r in param_list(params, "recipient")]
    if not recipients:
        raise RpcError(USER_ERROR, "No recipients given")
    return recipients, None


def _chat_of(account: SignalAccount, target: Person | Address, group_id: str | None) -> Chat | None:
    if group_id is not None:
        return account.group_chats[group_id]
    return target.chat if isinstance(target, Person) else None


def _deliver(
    account: SignalAccount,
    method: str,
    params: JsonDict,
    show: Callable[[Chat, int], None],
) -> JsonDict:
    """Hand one call to every recipient; ``show`` applies it to a chat that receives it."""
    targets, group_id = _targets(account, params)
    timestamp = account.next_timestamp()
    results = []
    shown_in_group = False
    for target in targets:
        entry, delivered = account.outcome(method, target)
        if group_id is not None:
            entry["groupId"] = group_id
        results.append(entry)
        key = target.address.uuid if isinstance(target, Person) else target.uuid
        account.log_send(method, key, entry["type"])
        chat = _chat_of(account, target, group_id)
        if delivered and chat is not None and not (group_id is not None and shown_in_group):
            show(chat, timestamp)
            shown_in_group = group_id is not None
    account.raise_if_nothing_succeeded(timestamp, results)
    return {"timestamp": timestamp, "results": results}


def send(account: SignalAccount, params: JsonDict) -> JsonDict:
    """``send``: a new message, or an edit when ``editTimestamp`` is given."""
    text = params.get("message") or ""
    attachments = [decode_attachment(str(spec)) for spec in param_list(params, "attachment")]
    quote_timestamp = _int_param(params, "quoteTimestamp")
    if quote_timestamp is not None and params.get("quoteAuthor") is None:
        raise RpcError(USER_ERROR, "Quote author parameter is missing")
    if not text and not attachments and params.get("sticker") is None and quote_timestamp is None:
        raise RpcError(
            USER_ERROR,
            "Sending empty message is not allowed, either a message, attachment or sticker must be given.",
        )
    edit_timestamp = _int_param(params, "editTimestamp")
    urgent = not params.get("noUrgent", False)
    styles = [str(style) for style in param_list(params, "textStyle")]

    def show(chat: Chat, timestamp: int) -> None:
        content = account.content(str(text), attachments, timestamp, chat.key)
        version = Version(timestamp, content.text, account.clock(), urgent)
        if edit_timestamp is not None:
            account.apply_edit(chat, edit_timestamp, version)
            return
        message = ShownMessage(
            timestamp=timestamp,
            recipient=chat.key,
            versions=[version],
            attachments=content.attachments,
            quote_timestamp=quote_timestamp,
            quote_author=params.get("quoteAuthor"),
            text_styles=styles,
            long_text=content.long_text,
        )
        account.show(chat, message)

    return _deliver(account, "send", params, show)


def send_reaction(account: SignalAccount, params: JsonDict) -> JsonDict:
    """``sendReaction``: an emoji on a message (``remove`` takes it back)."""
    emoji = params.get("emoji")
    target = _int_param(params, "targetTimestamp")
    if not emoji or target is None:
        raise RpcError(USER_ERROR, "emoji and targetTimestamp are required")
    remove = bool(params.get("remove", False))

    def show(chat: Chat, timestamp: int) -> None:
        if target not in chat.user_messages and chat.find(target) is None:
            account.violate("reaction-target", f"no message {target} in this chat", chat.key, timestamp)
            return
        if remove:
            chat.reactions.pop(target, None)
        else:
            chat.reactions[target] = str(emoji)

    return _deliver(account, "sendReaction", params, show)


def send_typing(account: SignalAccount, params: JsonDict) -> JsonDict:
    """``sendTyping``: start (or with ``stop``, end) the typing indicator."""
    stop = bool(params.get("stop", False))

    def show(chat: Chat, timestamp: int) -> None:
        chat.typing = not stop

    return _deliver(account, "sendTyping", params, show)


def send_receipt(account: SignalAccount, params: JsonDict) -> JsonDict:
    """``sendReceipt``: read (default) or viewed receipts for the user's messages."""
    kind = params.get("type") or "read"
    if kind not in ("read", "viewed"):
        raise RpcError(USER_ERROR, f"Unknown receipt type: {kind}")
    timestamps = [int(t) for t in param_list(params, "targetTimestamp")]

    def show(chat: Chat, timestamp: int) -> None:
        chat.receipts.append((str(kind), timestamps))

    return _deliver(account, "sendReceipt", params, show)


def remote_delete(account: SignalAccount, params: JsonDict) -> JsonDict:
    """``remoteDelete``: delete one of our messages for everyone."""
    target = _int_param(params, "targetTimestamp")
    if target is None:
        raise RpcError(USER_ERROR, "targetTimestamp is required")

    def show(chat: Chat, timestamp: int) -> None:
        message = chat.find(target)
        if message is None:
            account.violate(
                "delete-not-ours", f"no message of ours with timestamp {target}", chat.key, target
            )
            return
        message.deleted = True

    return _deliver(account, "remoteDelete", params, show)


def update_profile(account: SignalAccount, params: JsonDict) -> JsonDict:
    """``updateProfile``: names and about text; signal-cli answers ``{}``."""
    account.profile.update({k: v for k, v in params.items() if v is not None})
    return {}


def trust(account: SignalAccount, params: JsonDict) -> JsonDict:
    """``trust``: accept a recipient's new safety number, so sends to them work again."""
    for recipient in param_list(params, "recipient"):
        target = account.resolve(str(recipient))
        if isinstance(target, Person):
            target.identity_changed = False
    return {}


def get_attachment(account: SignalAccount, params: JsonDict) -> JsonDict:
    """``getAttachment``: the bytes of an attachment a user sent."""
    attachment_id = params.get("id")
    if not attachment_id:
        raise RpcError(USER_ERROR, "Missing attachment id parameter")
    return account.attachment_data(str(attachment_id))


def list_groups(account: SignalAccount, params: JsonDict) -> list[JsonDict]:
    """``listGroups``."""
    return account.groups_json()


METHODS: dict[str, Method] = {
    "send": send,
    "sendReaction": send_reaction,
    "sendTyping": send_typing,
    "sendReceipt": send_receipt,
    "remoteDelete": remote_delete,
    "updateProfile": update_profile,
    "trust": trust,
    "getAttachment": get_attachment,
    "listGroups": list_groups,
}
