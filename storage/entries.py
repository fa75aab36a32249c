"""Homework entries: one per homework done, cancelled (kept as a resumable draft) or in progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import null, select

from bot.core.statuses import EntryStatus
from storage.repository import Repository, RowReader
from storage.tables import ENTRIES


@dataclass(slots=True)
class EntryRow:
    id: int
    person_id: int
    flow_id: str
    status: str
    answers: dict[str, Any]
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    draft: dict[str, Any] | None = None
    flow_version: str = "1"
    """The version of the homework's definition it was answered under."""


ENTRY = RowReader.of(EntryRow, ENTRIES)
_NEWEST_FIRST = (ENTRIES.c.started_at.desc(), ENTRIES.c.id.desc())


class Entries(Repository):
    async def start(self, person_id: int, flow_id: str, now: datetime, version: str | None = None) -> int:
        """A new entry in progress, answered under ``version`` of its homework (the column's
        default, "1", when not given); returns its id."""
        versioned = {"flow_version": version} if version is not None else {}
        return await self._insert(
            ENTRIES,
            person_id=person_id,
            flow_id=flow_id,
            status=EntryStatus.IN_PROGRESS,
            answers={},
            started_at=now,
            updated_at=now,
            completed_at=None,
            **versioned,
        )

    async def get(self, entry_id: int) -> EntryRow | None:
        return await self._one(ENTRY, select(ENTRIES).where(ENTRIES.c.id == entry_id))

    async def finish(
        self,
        entry_id: int,
        answers: dict[str, Any],
        status: str,
        now: datetime,
        draft: dict[str, Any] | None = None,
    ) -> None:
        """Move the final answers onto the entry (completed, or cancelled with where it stopped)."""
        await self._update(
            ENTRIES,
            ENTRIES.c.id == entry_id,
            answers=dict(answers),
            status=status,
            updated_at=now,
            completed_at=now if status == EntryStatus.COMPLETED else None,
            draft=draft if draft is not None else null(),  # SQL NULL, not JSON null
        )

    async def latest_draft(self, person_id: int, flow_id: str, since: datetime) -> EntryRow | None:
        """The newest resumable draft of a flow, unless a later one of that flow was finished."""
        entry = await self._one(
            ENTRY,
            select(ENTRIES)
            .where(
                ENTRIES.c.person_id == person_id, ENTRIES.c.flow_id == flow_id, ENTRIES.c.started_at >= since
            )
            .order_by(*_NEWEST_FIRST)
            .limit(1),
        )
        return entry if entry is not None and entry.draft is not None else None

    async def resume(self, entry_id: int, now: datetime) -> None:
        await self._update(
            ENTRIES, ENTRIES.c.id == entry_id, status=EntryStatus.IN_PROGRESS, draft=null(), updated_at=now
        )

    async def discard_draft(self, entry_id: int, now: datetime) -> None:
        await self._update(ENTRIES, ENTRIES.c.id == entry_id, draft=null(), updated_at=now)

    async def for_person(
        self, person_id: int, limit: int = 50, offset: int = 0, *, finished_only: bool = False
    ) -> list[EntryRow]:
        """A person's entries, newest first (finished ones only: completed or kept as drafts)."""
        query = select(ENTRIES).where(ENTRIES.c.person_id == person_id)
        if finished_only:
            query = query.where(ENTRIES.c.status != EntryStatus.IN_PROGRESS)
        return await self._all(ENTRY, query.order_by(*_NEWEST_FIRST).limit(limit).offset(offset))

    async def between(self, person_id: int, start: datetime, end: datetime) -> list[EntryRow]:
        """A person's entries started in [start, end), oldest first (the digest reads them)."""
        return await self._in_period(ENTRY, ENTRIES, "started_at", person_id, start, end)

    async def of_flows_before(
        self, person_id: int, flow_ids: Sequence[str], before: datetime
    ) -> list[EntryRow]:
        """A person's entries of these homework types started before ``before``, oldest first
        (a scored measure's baseline is its first score ever)."""
        if not flow_ids:
            return []
        query = select(ENTRIES).where(
            ENTRIES.c.person_id == person_id,
            ENTRIES.c.flow_id.in_(list(flow_ids)),
            ENTRIES.c.started_at < before,
        )
        return await self._all(ENTRY, query.order_by(ENTRIES.c.started_at, ENTRIES.c.id))

    async def count(self, person_id: int, status: str | None = None) -> int:
        conditions = [ENTRIES.c.person_id == person_id]
        if status is not None:
            conditions.append(ENTRIES.c.status == status)
        return await self._count(ENTRIES, *conditions)


__all__ = ["ENTRY", "Entries", "EntryRow"]
