"""The versions of messages edited in place, and what a transport has said once.

A messenger whose edits get ids of their own (Signal) must name a message's **latest** version
in an edit and stop after a number of edits: those facts live here, so a restart keeps them.
What it says once (a captcha to solve, a changed safety number told to a therapist) is kept
here too, so a restart does not say it again; so is what a newcomer answered before any row
of theirs exists (the language they chose on a messenger that sends none).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import MessageVersion, ToldOnce

MESSAGE_VERSIONS = cast(Table, MessageVersion.__table__)
TOLD_ONCE = cast(Table, ToldOnce.__table__)


@dataclass(frozen=True, slots=True)
class LatestVersion:
    """A message as the messenger shows it now: its newest version and how it got there."""

    message_id: str
    version_id: str
    edits: int
    sent_at: datetime
    changed_at: datetime
    offered: frozenset[int]
    question: bool


class MessageVersions:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def sent(
        self,
        transport: str,
        chat_id: str,
        message_id: str,
        version_id: str,
        *,
        edits: int,
        sent_at: datetime,
        changed_at: datetime,
        offered: Collection[int] = (),
        question: bool = False,
    ) -> None:
        """A version of ``message_id`` was shown (``edits`` 0: a message of its own)."""
        await self._connection.execute(
            insert(MESSAGE_VERSIONS).values(
                transport=transport,
                chat_id=chat_id,
                message_id=message_id,
                version_id=version_id,
                edits=edits,
                sent_at=sent_at,
                changed_at=changed_at,
                offered=sorted(offered),
                question=question,
            )
        )

    async def latest(self, transport: str, message_id: str) -> LatestVersion | None:
        """The message's newest version; None when it is not known (or forgotten)."""
        columns = MESSAGE_VERSIONS.c
        row = (
            await self._connection.execute(
                select(
                    columns.version_id,
                    columns.edits,
                    columns.sent_at,
                    columns.changed_at,
                    columns.offered,
                    columns.question,
                )
                .where(columns.transport == transport, columns.message_id == message_id)
                .order_by(columns.id.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        return LatestVersion(
            message_id,
            row.version_id,
            row.edits,
            row.sent_at,
            row.changed_at,
            frozenset(row.offered),
            row.question,
        )

    async def settle(self, transport: str, marker: str, version_id: str, offered: Collection[int]) -> None:
        """The version written as ``marker`` (an edit on its way) was shown as ``version_id``."""
        columns = MESSAGE_VERSIONS.c
        await self._connection.execute(
            update(MESSAGE_VERSIONS)
            .where(columns.transport == transport, columns.version_id == marker)
            .values(version_id=version_id, offered=sorted(offered))
        )

    async def message_of(self, transport: str, version_id: str) -> str | None:
        """The message a version belongs to (a quote names the version the client saw)."""
        columns = MESSAGE_VERSIONS.c
        found = await self._connection.execute(
            select(columns.message_id).where(columns.transport == transport, columns.version_id == version_id)
        )
        return found.scalar_one_or_none()

    async def forget_before(self, transport: str, before: datetime) -> None:
        """Versions last changed before ``before`` are no use any more (edits stop after a day)."""
        columns = MESSAGE_VERSIONS.c
        await self._connection.execute(
            delete(MESSAGE_VERSIONS).where(columns.transport == transport, columns.changed_at < before)
        )


class ToldOnceFacts:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def tell(self, transport: str, fact: str, subject: str, now: datetime) -> bool:
        """Note that ``fact`` about ``subject`` was told; False when it had been already."""
        if subject in await self.subjects(transport, fact):
            return False
        await self._connection.execute(
            insert(TOLD_ONCE).values(transport=transport, fact=fact, subject=subject, told_at=now)
        )
        return True

    async def subjects(self, transport: str, fact: str) -> set[str]:
        """Whom (or what) ``fact`` was told of and still holds for."""
        columns = TOLD_ONCE.c
        rows = await self._connection.execute(
            select(columns.subject).where(columns.transport == transport, columns.fact == fact)
        )
        return set(rows.scalars())

    async def forget(self, transport: str, fact: str, subject: str) -> None:
        """``fact`` no longer holds for ``subject``: should it again, it is told again."""
        columns = TOLD_ONCE.c
        await self._connection.execute(
            delete(TOLD_ONCE).where(
                columns.transport == transport, columns.fact == fact, columns.subject == subject
            )
        )

    async def about(self, transport: str, subject: str) -> set[str]:
        """Every fact told of ``subject`` that still holds."""
        columns = TOLD_ONCE.c
        rows = await self._connection.execute(
            select(columns.fact).where(columns.transport == transport, columns.subject == subject)
        )
        return set(rows.scalars())

    async def forget_told_before(self, transport: str, facts: Collection[str], before: datetime) -> None:
        """``facts`` told before ``before`` no longer hold, whoever they were told of."""
        columns = TOLD_ONCE.c
        await self._connection.execute(
            delete(TOLD_ONCE).where(
                columns.transport == transport, columns.fact.in_(list(facts)), columns.told_at < before
            )
        )
