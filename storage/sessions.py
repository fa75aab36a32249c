"""Therapy sessions, and the digest each one is due (an on-demand digest is a row like them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select

from bot.core.statuses import SessionStatus
from storage.repository import Repository, RowReader
from storage.tables import SESSIONS

ON_DEMAND = "on_demand"
"""A digest asked for with /digest: a row like a session's, due at once, not a session."""


@dataclass(slots=True)
class SessionRow:
    id: int
    client_id: int
    therapist_id: int
    starts_at: datetime
    repeat: str
    status: str
    digest_due_at: datetime
    digest_sent_at: datetime | None
    created_at: datetime
    updated_at: datetime


SESSION = RowReader.of(SessionRow, SESSIONS)
_SCHEDULED = SESSIONS.c.status == SessionStatus.SCHEDULED
_NOT_CANCELLED = SESSIONS.c.status != SessionStatus.CANCELLED


def _sessions_of(client_id: int) -> tuple[ColumnElement[bool], ...]:
    """A client's sessions that are held or planned: not cancelled, not on-demand digests."""
    return (SESSIONS.c.client_id == client_id, _NOT_CANCELLED, SESSIONS.c.repeat != ON_DEMAND)


class TherapySessions(Repository):
    async def add(
        self,
        client_id: int,
        therapist_id: int,
        starts_at: datetime,
        repeat: str,
        digest_due_at: datetime,
        now: datetime,
    ) -> int:
        return await self._insert(
            SESSIONS,
            client_id=client_id,
            therapist_id=therapist_id,
            starts_at=starts_at,
            repeat=repeat,
            status=SessionStatus.SCHEDULED,
            digest_due_at=digest_due_at,
            created_at=now,
            updated_at=now,
        )

    async def get(self, session_id: int) -> SessionRow | None:
        return await self._one(SESSION, select(SESSIONS).where(SESSIONS.c.id == session_id))

    async def get_for(self, therapist_id: int, session_id: int) -> SessionRow | None:
        return await self._one(
            SESSION,
            select(SESSIONS).where(SESSIONS.c.id == session_id, SESSIONS.c.therapist_id == therapist_id),
        )

    async def upcoming(
        self, therapist_id: int, now: datetime, client_id: int | None = None
    ) -> list[SessionRow]:
        query = select(SESSIONS).where(
            SESSIONS.c.therapist_id == therapist_id, _NOT_CANCELLED, SESSIONS.c.starts_at > now
        )
        if client_id is not None:
            query = query.where(SESSIONS.c.client_id == client_id)
        return await self._all(SESSION, query.order_by(SESSIONS.c.starts_at))

    async def digests_due(self, now: datetime, limit: int) -> list[SessionRow]:
        return await self._all(
            SESSION,
            select(SESSIONS)
            .where(_SCHEDULED, SESSIONS.c.digest_due_at <= now)
            .order_by(SESSIONS.c.digest_due_at)
            .limit(limit),
        )

    async def claim_digests_due(self, now: datetime, until: datetime, limit: int) -> list[SessionRow]:
        """Digests due now, claimed for this process until ``until``. On PostgreSQL their rows
        are locked (``SKIP LOCKED``: another process's claim is left to it) and their due time
        moves to ``until``: built outside this transaction, a digest whose process died is due
        again then, for any process. SQLite (one process) only reads them."""
        query = (
            select(SESSIONS)
            .where(_SCHEDULED, SESSIONS.c.digest_due_at <= now)
            .order_by(SESSIONS.c.digest_due_at)
            .limit(limit)
        )
        if self._connection.dialect.name != "postgresql":
            return await self._all(SESSION, query)
        due = await self._all(SESSION, query.with_for_update(skip_locked=True))
        if due:
            await self._update(SESSIONS, SESSIONS.c.id.in_([s.id for s in due]), digest_due_at=until)
        return due

    async def mark_digest_sent(self, session_id: int, now: datetime) -> bool:
        sent = await self._update(
            SESSIONS,
            SESSIONS.c.id == session_id,
            _SCHEDULED,
            status=SessionStatus.DIGEST_SENT,
            digest_sent_at=now,
            updated_at=now,
        )
        return bool(sent)

    async def cancel(self, session_id: int, now: datetime) -> None:
        await self._update(
            SESSIONS, SESSIONS.c.id == session_id, status=SessionStatus.CANCELLED, updated_at=now
        )

    async def cancel_following(self, session: SessionRow, now: datetime) -> None:
        """Cancel the sessions of the same series after this one (already written ahead)."""
        await self._update(
            SESSIONS,
            SESSIONS.c.client_id == session.client_id,
            SESSIONS.c.therapist_id == session.therapist_id,
            SESSIONS.c.repeat == session.repeat,
            _SCHEDULED,
            SESSIONS.c.starts_at > session.starts_at,
            status=SessionStatus.CANCELLED,
            updated_at=now,
        )

    async def mark_passed(self, session_id: int, now: datetime) -> bool:
        """A session that began before its digest could go (the bot was down): no digest."""
        passed = await self._update(
            SESSIONS, SESSIONS.c.id == session_id, _SCHEDULED, status=SessionStatus.PASSED, updated_at=now
        )
        return bool(passed)

    async def set_digest_due(self, session_id: int, due_at: datetime, now: datetime) -> None:
        await self._update(SESSIONS, SESSIONS.c.id == session_id, digest_due_at=due_at, updated_at=now)

    async def previous(self, client_id: int, before: datetime) -> SessionRow | None:
        """The client's last session (not cancelled) that started before ``before``."""
        return await self._one(
            SESSION,
            select(SESSIONS)
            .where(*_sessions_of(client_id), SESSIONS.c.starts_at < before)
            .order_by(SESSIONS.c.starts_at.desc())
            .limit(1),
        )

    async def held_or_planned(self, client_id: int, since: datetime) -> list[SessionRow]:
        """The client's sessions (not cancelled, not on-demand digests) from ``since``, in order:
        what a before-session plan counts."""
        return await self._all(
            SESSION,
            select(SESSIONS)
            .where(*_sessions_of(client_id), SESSIONS.c.starts_at >= since)
            .order_by(SESSIONS.c.starts_at, SESSIONS.c.id),
        )

    async def drop_for_client(self, client_id: int) -> None:
        await self._execute(delete(SESSIONS).where(SESSIONS.c.client_id == client_id))


__all__ = ["ON_DEMAND", "SESSION", "SessionRow", "TherapySessions"]
