"""What the Signal transport must not forget over a restart, kept in the database.

- Every message's versions (``storage.message_versions``): an edit names the **latest**
  version (clients drop one aimed at an older version) and a message takes at most ten edits,
  so the newest version and the count outlive the process; a quote of any version finds the
  message the conversation knows.
- What was said once: a captcha the operator must solve, a client's changed safety number
  told to their therapist. Forgotten when it no longer holds (a send goes through), so it is
  said again should it happen again.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.transports.signal.messenger import TRANSPORT
from storage import Database
from storage.message_versions import LatestVersion

MAX_EDITS = 10
"""Signal clients apply at most ten edits of one message (and only within 24 hours)."""
EDIT_WINDOW = timedelta(hours=23)
"""An edit later than this after the original goes as a new message (clients stop at 24 h)."""
FORGET_AFTER = timedelta(days=7)
"""Versions unchanged this long are forgotten (edits stopped long ago; a quote of the first
version still finds its message, whose id it is)."""
UNSETTLED = "unsettled:"
"""Marks the version of an edit sent (or being sent) whose timestamp is not known yet."""
CAPTCHA = "captcha"
IDENTITY_CHANGED = "identity_changed"


@dataclass(frozen=True, slots=True)
class Edit:
    """An edit about to be sent: the version it names, and its row's marker until it is shown."""

    target: int
    marker: str


class Versions:
    """Every message's latest version and edit count, and which message a version belongs to."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    async def sent(
        self,
        chat_id: str,
        message_id: str,
        timestamp: int,
        *,
        offered: Collection[int] = (),
        question: bool = False,
    ) -> None:
        """Version ``timestamp`` of ``message_id`` was shown as a message of its own (the
        conversation may know it by an earlier message's id, whose edits ran out)."""
        now = self._clock()
        async with self._db.transaction() as tx:
            known = await tx.message_versions.latest(TRANSPORT, message_id)
            await tx.message_versions.forget_before(TRANSPORT, now - FORGET_AFTER)
            await tx.message_versions.sent(
                TRANSPORT,
                chat_id,
                message_id,
                str(timestamp),
                edits=0,
                sent_at=now,
                changed_at=now,
                offered=offered,
                question=question or (known is not None and known.question),
            )

    async def begin_edit(self, chat_id: str, message_id: str) -> Edit | None:
        """The next edit of ``message_id``, written down before it is sent; None when Signal
        allows none (ten made, a day gone, the message unknown) or an edit before was sent and
        its version never written down (the process died in between): then a new message."""
        now = self._clock()
        async with self._db.transaction() as tx:
            known = await tx.message_versions.latest(TRANSPORT, message_id)
            if known is None or not self._editable(known, now):
                return None
            marker = UNSETTLED + secrets.token_hex(8)
            await tx.message_versions.sent(
                TRANSPORT,
                chat_id,
                message_id,
                marker,
                edits=known.edits + 1,
                sent_at=known.sent_at,
                changed_at=now,
                offered=known.offered,
                question=known.question,
            )
        return Edit(int(known.version_id), marker)

    async def settle(self, edit: Edit, timestamp: int, offered: Collection[int]) -> None:
        """The edit was shown as version ``timestamp``: the next one names it."""
        async with self._db.transaction() as tx:
            await tx.message_versions.settle(TRANSPORT, edit.marker, str(timestamp), offered)

    async def latest(self, message_id: str) -> LatestVersion | None:
        async with self._db.transaction() as tx:
            return await tx.message_versions.latest(TRANSPORT, message_id)

    @staticmethod
    def _editable(known: LatestVersion, now: datetime) -> bool:
        unsettled = known.version_id.startswith(UNSETTLED)
        return not unsettled and known.edits < MAX_EDITS and now - known.sent_at <= EDIT_WINDOW

    async def message_of(self, timestamp: int) -> str:
        """The id the conversation knows for the message a version's timestamp belongs to."""
        async with self._db.transaction() as tx:
            found = await tx.message_versions.message_of(TRANSPORT, str(timestamp))
        return found if found is not None else str(timestamp)

    async def asked(self, message_id: str) -> bool:
        """Whether the message asked something (a quote of it once closed has expired)."""
        known = await self.latest(message_id)
        return known is not None and known.question


@dataclass
class ToldOnce:
    """What was said once, as kept in the database, and remembered here for ``between status``."""

    database: Database
    clock: Clock
    captcha: bool = False
    identity_changed: set[str] = field(default_factory=set)

    async def recall(self) -> None:
        """Read what was said before this process started."""
        async with self.database.transaction() as tx:
            self.captcha = bool(await tx.told_once.subjects(TRANSPORT, CAPTCHA))
            self.identity_changed = await tx.told_once.subjects(TRANSPORT, IDENTITY_CHANGED)

    async def first_captcha(self) -> bool:
        """A captcha is asked for: True the first time (until a send goes through again)."""
        self.captcha = True
        return await self._tell(CAPTCHA, "")

    async def first_identity_change(self, chat_id: str) -> bool:
        """``chat_id``'s safety number changed: True the first time (until a send to it goes
        through again)."""
        self.identity_changed.add(chat_id)
        return await self._tell(IDENTITY_CHANGED, chat_id)

    async def went_through(self, chat_id: str) -> None:
        """A send to ``chat_id`` went through: no captcha waits, its safety number is trusted."""
        if not self.captcha and chat_id not in self.identity_changed:
            return
        async with self.database.transaction() as tx:
            if self.captcha:
                await tx.told_once.forget(TRANSPORT, CAPTCHA, "")
            if chat_id in self.identity_changed:
                await tx.told_once.forget(TRANSPORT, IDENTITY_CHANGED, chat_id)
        self.captcha = False
        self.identity_changed.discard(chat_id)

    async def _tell(self, fact: str, subject: str) -> bool:
        now: datetime = self.clock()
        async with self.database.transaction() as tx:
            return await tx.told_once.tell(TRANSPORT, fact, subject, now)
