"""Outbox messages become signal-cli ``send`` calls; Signal's answers become delivery errors.

A message is known by its timestamp. Questions are numbered (``transports.plain``) and the
numbers printed in the text, since Signal has no buttons. A live message (a countdown) is
edited in place with ``editTimestamp`` = its **latest** version's timestamp (clients drop an
edit aimed at an older version), at most :data:`MAX_EDITS` times, with ``noUrgent`` so a
countdown does not buzz the phone; then it goes on as a new message. The conversation keeps
knowing it by its first id (``Versions``), so typed numbers and quote-replies still find it.
A closed question is edited to say how it ended, as in Telegram: "✓ Calm, Tired" confirms
what the numbers typed under it meant.

Per-recipient results: UNREGISTERED_FAILURE makes the chat unreachable (as a Telegram 403);
a rate limit pauses every send of the account until ``retryAfterSeconds`` (and a captcha
``token`` is told to the operator once: only a person can solve it); a changed safety number
is trusted again only if the practice allows it (``SIGNAL_TRUST_NEW_IDENTITIES``), since it can
mean a different person: otherwise the chat is unreachable until someone checks.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.errors import PermanentDeliveryError, TransientDeliveryError
from bot.core.messages import Attachment, Outgoing, Purpose, TextLimit
from bot.delivery.pacing import Pacer
from bot.delivery.sink import Capabilities
from bot.transports.plain import GESTURES, PlainChoices, render_prompt
from bot.transports.signal.memory import ToldOnce, Versions
from bot.transports.signal.rpc import (
    JsonDict,
    PermanentReply,
    RateLimited,
    TransientReply,
    UntrustedIdentity,
    retry_after_of,
)
from storage import Database

log = logging.getLogger(__name__)

Call = Callable[[str, JsonDict], Awaitable[Any]]
Sleep = Callable[[float], Awaitable[None]]
Guide = Callable[[str, Outgoing], Awaitable[Outgoing | None]]
"""What goes before a message, if anything (the breathing animation before its live message)."""

MAX_BODY_BYTES = 2000
"""Longer bodies travel whole as a long-text attachment; the body keeps their start."""
LONG_TEXT_TYPE = "text/x-signal-plain"
TEXT_LIMIT = TextLimit(64_000, lambda text: len(text.encode()))
"""What one message may carry: a long text goes whole, as a long-text attachment."""
CAPABILITIES = Capabilities(TEXT_LIMIT, buttons=False, edits=True, attachments=True)
FRAME_INTERVAL = timedelta(seconds=60)
"""A live message (a countdown) moves on at most this often on Signal: ten edits then cover
ten minutes, and a frame skipped is never missed (the next one shows the time as it is)."""
GROUP_PREFIX = "group."
"""A chat id naming a Signal group (a therapist's digest chat) rather than a person's ACI."""

SUCCESS = "SUCCESS"
UNREGISTERED = "UNREGISTERED_FAILURE"
IDENTITY = "IDENTITY_FAILURE"
RATE_LIMIT = "RATE_LIMIT_FAILURE"


class AccountPause:
    """Signal rate-limited the account: nothing is sent until the pause ends."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.until: datetime | None = None

    def remaining(self) -> float | None:
        if self.until is None or self.until <= self._clock():
            return None
        return (self.until - self._clock()).total_seconds()

    def pause(self, seconds: float) -> None:
        until = self._clock() + timedelta(seconds=seconds)
        self.until = max(until, self.until) if self.until is not None else until


def recipient_params(chat_id: str) -> JsonDict:
    if chat_id.startswith(GROUP_PREFIX):
        return {"groupId": chat_id.removeprefix(GROUP_PREFIX)}
    return {"recipient": [chat_id]}


def data_uri(attachment: Attachment) -> str:
    mime = mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"
    content = base64.b64encode(attachment.content).decode("ascii")
    return f"data:{mime};filename={attachment.filename};base64,{content}"


def body_params(text: str, attachment: Attachment | None) -> JsonDict:
    """``message`` and ``attachment``: a body over 2000 bytes keeps its start and travels whole
    as a long-text attachment, as Signal's own clients send it."""
    params: JsonDict = {}
    files = [data_uri(attachment)] if attachment is not None else []
    encoded = text.encode()
    if len(encoded) > MAX_BODY_BYTES:
        long_text = Attachment("document", "long-message.txt", encoded)
        mime_free = data_uri(long_text).replace("data:text/plain", f"data:{LONG_TEXT_TYPE}", 1)
        files.insert(0, mime_free)
        text = encoded[:MAX_BODY_BYTES].decode("utf-8", "ignore")
    if text:
        params["message"] = text
    if files:
        params["attachment"] = files
    return params


def _failure(results: list[JsonDict]) -> JsonDict | None:
    """The result that failed the send: none when any recipient got it (a group)."""
    if not results or any(r.get("type") == SUCCESS for r in results):
        return None
    return results[0]


class SignalSink:
    """Shows outbox messages in Signal through the daemon's ``send``."""

    capabilities = CAPABILITIES

    def __init__(
        self,
        call: Call,
        choices: PlainChoices,
        clock: Clock,
        database: Database,
        *,
        pacer: Pacer | None = None,
        sleep: Sleep = asyncio.sleep,
        trust_new_identities: bool = False,
        on_identity_changed: Callable[[str], Awaitable[None]] | None = None,
        guide: Guide | None = None,
    ) -> None:
        self._call = call
        self._choices = choices
        self._clock = clock
        self._pacer = pacer if pacer is not None else Pacer(rate=0)
        self._sleep = sleep
        self._trust = trust_new_identities
        self._on_identity_changed = on_identity_changed
        self._guide = guide
        self.versions = Versions(database, clock)
        self.pause = AccountPause(clock)
        self.told = ToldOnce(database, clock)
        """A captcha waiting, chats whose safety number changed (``between status``)."""

    async def deliver(self, chat_id: str, message: Outgoing) -> str | None:
        waiting = self.pause.remaining()
        if waiting is not None:  # the account is rate-limited: nothing goes, nothing is lost
            raise TransientDeliveryError("signal: account paused by a rate limit", retry_after=waiting)
        if message.purpose is Purpose.CLOSE_PROMPT:
            return await self._close(chat_id, message)
        if message.edit_of is not None and not (
            message.prompt_token and message.purpose is not Purpose.TIMER
        ):
            return await self._change(chat_id, message, message.edit_of)
        return await self._new(chat_id, message)

    async def _new(self, chat_id: str, message: Outgoing) -> str:
        """A new message: a question is numbered before it is sent, then remembered by its id."""
        before = await self._guide(chat_id, message) if self._guide is not None else None
        if before is not None:
            await self._send(chat_id, body_params(before.text or "", before.attachment), False)
        numbering = await self._choices.plan(chat_id, None, message)
        text = self._text(message, numbering.offered() if numbering is not None else None)
        timestamp = await self._send(chat_id, body_params(text, message.attachment), message.urgent)
        shown = str(timestamp)
        offered = numbering.offered().values() if numbering is not None else ()
        await self.versions.sent(chat_id, shown, timestamp, offered=offered, question=numbering is not None)
        if message.edit_of is not None:  # a new question in place of a live message
            await self._choices.shown(chat_id, message.edit_of, Outgoing(None, Purpose.CLOSE_PROMPT))
        if numbering is not None:
            await self._choices.keep(chat_id, shown, message, numbering)
        return shown

    async def _change(self, chat_id: str, message: Outgoing, shown: str) -> str:
        """A question or live message changed: an edit of its latest version while Signal
        allows one, else the rest as a new message (the conversation still knows it by ``shown``)."""
        numbers = await self._choices.shown(chat_id, shown, message)
        known = await self.versions.latest(shown)
        offered = frozenset(numbers.values())
        unchanged = known is not None and offered == known.offered
        if message.purpose is Purpose.TIMER and unchanged and known and self._recent(known.changed_at):
            return shown  # a coarse countdown: this frame is skipped, the next says the same
        params = body_params(self._text(message, numbers), None)
        if await self._edited(chat_id, shown, params, message.urgent, offered):
            return shown
        if message.purpose is Purpose.TIMER:
            params["noUrgent"] = True
        timestamp = await self._send(chat_id, params, message.urgent)
        await self.versions.sent(chat_id, shown, timestamp, offered=offered)
        return shown

    async def _edited(
        self, chat_id: str, shown: str, params: JsonDict, urgent: bool, offered: frozenset[int]
    ) -> bool:
        """``params`` sent as the next edit of ``shown``, quietly; False when Signal allows no
        more (or its latest version is not known for sure): then send a new message."""
        edit = await self.versions.begin_edit(chat_id, shown)
        if edit is None:
            return False
        params = params | {"editTimestamp": edit.target, "noUrgent": True}
        await self.versions.settle(edit, await self._send(chat_id, params, urgent), offered)
        return True

    async def _close(self, chat_id: str, message: Outgoing) -> str | None:
        """An answered question: its numbers stop working, and it is edited to say how it
        ended ("✓ Calm, Tired": what the numbers typed meant; "✓ I'll check in again at 9:45")."""
        shown = message.edit_of
        if shown is None:
            return None
        await self._choices.shown(chat_id, shown, message)
        if message.text:
            await self._edited(
                chat_id, shown, body_params(GESTURES.speak(message.text), None), False, frozenset()
            )
        return shown

    def _recent(self, changed_at: datetime) -> bool:
        """Changed less than a frame ago (a live message moves on once a minute at most)."""
        return self._clock() - changed_at < FRAME_INTERVAL

    @staticmethod
    def _text(message: Outgoing, numbers: dict[str, int] | None) -> str:
        if message.expected is not None and message.purpose is not Purpose.NOTE:
            return render_prompt(message, numbers)
        return GESTURES.speak(message.text or "")

    async def _send(self, chat_id: str, params: JsonDict, urgent: bool) -> int:
        await self._paced(chat_id, urgent)
        try:
            answer = await self._call("send", recipient_params(chat_id) | params)
        except RateLimited as error:
            await self._rate_limited(error.results(), error.retry_after)
            raise
        except UntrustedIdentity as error:
            return await self._untrusted(chat_id, params, urgent, error)
        except (PermanentReply, TransientReply) as error:  # no recipient got it: say why
            failed = _failure(error.results())
            if failed is not None:
                await self._failed(chat_id, failed, error.results())
            raise
        finally:
            self._pacer.answered()
        results = answer.get("results") if isinstance(answer, dict) else None
        failed = _failure(results if isinstance(results, list) else [])
        if failed is not None:
            await self._failed(chat_id, failed, results or [])
        await self.told.went_through(chat_id)
        return int(answer["timestamp"])

    async def _failed(self, chat_id: str, failed: JsonDict, results: list[JsonDict]) -> None:
        kind = str(failed.get("type"))
        if kind == UNREGISTERED:
            raise PermanentDeliveryError("signal: not registered", unreachable=True)
        if kind == RATE_LIMIT:
            await self._rate_limited(results, retry_after_of(results))
            raise TransientDeliveryError("signal: rate limited", retry_after=self.pause.remaining())
        if kind == IDENTITY:
            raise await self._identity_changed(chat_id)
        raise TransientDeliveryError(f"signal: {kind.lower()}")

    async def _rate_limited(self, results: list[JsonDict], retry_after: float | None) -> None:
        """Every send waits; a captcha is told to the operator once (kept over a restart)."""
        self.pause.pause(retry_after if retry_after is not None else 60.0)
        log.warning("Signal rate-limited the account; every send waits %.0f s", self.pause.remaining() or 0)
        if any(r.get("token") for r in results) and await self.told.first_captcha():
            log.error(
                "Signal asks for a captcha before this account may send again: solve it and run "
                "`signal-cli submitRateLimitChallenge` (see the README, Signal); sends wait meanwhile"
            )

    async def _untrusted(self, chat_id: str, params: JsonDict, urgent: bool, error: UntrustedIdentity) -> int:
        if not self._trust or chat_id.startswith(GROUP_PREFIX):
            raise await self._identity_changed(chat_id) from error
        await self._call("trust", {"recipient": [chat_id], "trustAllKnownKeys": True})
        log.warning("signal chat %s: new safety number trusted (SIGNAL_TRUST_NEW_IDENTITIES)", chat_id)
        answer = await self._call("send", recipient_params(chat_id) | params)
        return int(answer["timestamp"])

    async def _identity_changed(self, chat_id: str) -> PermanentDeliveryError:
        """Said once per chat (kept over a restart): in the log, and to the client's therapist."""
        if await self.told.first_identity_change(chat_id):
            if self._on_identity_changed is not None:
                await self._on_identity_changed(chat_id)
            log.error(
                "signal chat %s: the safety number changed (a reinstall, or another person); nothing "
                "more is sent until the therapist checks and the operator runs `signal-cli trust`",
                chat_id,
            )
        return PermanentDeliveryError("signal: safety number changed", unreachable=True)

    async def _paced(self, chat_id: str, urgent: bool) -> None:
        """Signal's limits are unpublished: one message a second per recipient and a slow
        overall pace (settings), an urgent one held only by the overall pace."""
        wait = self._pacer.delay(chat_id, urgent=urgent)
        if wait > 0:
            await self._sleep(wait)
        self._pacer.spend(chat_id)
