"""Repositories for the practice: therapists, one-time codes, clients' links, sessions, notes and
the audit log.

Authorization lives in the questions asked here: a therapist's client is found by
``(therapist, alias)`` or ``(therapist, person id)``, never by a bare id, so a command can only
ever reach that therapist's own clients.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import (
    AuditEvent,
    ClientNote,
    Entry,
    OneTimeCode,
    Person,
    RiskEvent,
    Therapist,
    TherapySession,
)
from storage.rows import PersonRow

PEOPLE = cast(Table, Person.__table__)
THERAPISTS = cast(Table, Therapist.__table__)
CODES = cast(Table, OneTimeCode.__table__)
SESSIONS = cast(Table, TherapySession.__table__)
NOTES = cast(Table, ClientNote.__table__)
AUDIT = cast(Table, AuditEvent.__table__)
ENTRIES = cast(Table, Entry.__table__)
RISK = cast(Table, RiskEvent.__table__)


def alias_key(alias: str) -> str:
    """How aliases are compared: Unicode-normalised and case-folded ("Émile" = "ÉMILE")."""
    return unicodedata.normalize("NFKC", alias).casefold()


def _person(row: Any) -> PersonRow | None:
    return None if row is None else PersonRow(*row)


class CodePurpose:
    REGISTER = "register"  # a therapist's registration, from the admin
    INVITE = "invite"  # a client's invitation, from their therapist
    DIGEST_CHAT = "digest_chat"  # links a group or channel as a therapist's digest chat


class SessionStatus:
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    DIGEST_SENT = "digest_sent"
    PASSED = "passed"  # it began before its digest could be sent


ON_DEMAND = "on_demand"
"""A digest asked for with /digest: a row like a session's, due at once, not a session."""


class Role:
    CLIENT = "client"
    THERAPIST = "therapist"


@dataclass(slots=True)
class TherapistRow:
    person_id: int
    name: str
    lead_minutes: int
    digest_transport: str | None
    digest_chat_id: str | None
    digest_chat_title: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class CodeRow:
    id: int
    purpose: str
    code_hash: str
    therapist_id: int | None
    name: str | None
    alias: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None


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


@dataclass(slots=True)
class NoteRow:
    id: int
    person_id: int
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ClientSummary:
    """One line of ``/clients``."""

    person_id: int
    alias: str
    joined_at: datetime | None
    last_activity: datetime | None
    unreachable_since: datetime | None


class Therapists:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, person_id: int) -> TherapistRow | None:
        row = (
            await self._connection.execute(select(THERAPISTS).where(THERAPISTS.c.person_id == person_id))
        ).first()
        return None if row is None else TherapistRow(*row)

    async def register(self, person_id: int, name: str, lead_minutes: int, now: datetime) -> None:
        await self._connection.execute(
            insert(THERAPISTS).values(
                person_id=person_id, name=name, lead_minutes=lead_minutes, created_at=now, updated_at=now
            )
        )
        await self._connection.execute(
            update(PEOPLE).where(PEOPLE.c.id == person_id).values(role="therapist", updated_at=now)
        )

    async def set_lead(self, person_id: int, minutes: int, now: datetime) -> None:
        await self._connection.execute(
            update(THERAPISTS)
            .where(THERAPISTS.c.person_id == person_id)
            .values(lead_minutes=minutes, updated_at=now)
        )

    async def set_digest_chat(
        self, person_id: int, transport: str | None, chat_id: str | None, title: str | None, now: datetime
    ) -> None:
        await self._connection.execute(
            update(THERAPISTS)
            .where(THERAPISTS.c.person_id == person_id)
            .values(
                digest_transport=transport, digest_chat_id=chat_id, digest_chat_title=title, updated_at=now
            )
        )

    async def all(self) -> list[TherapistRow]:
        result = await self._connection.execute(select(THERAPISTS).order_by(THERAPISTS.c.person_id))
        return [TherapistRow(*row) for row in result]


class Codes:
    """One-time codes, by their hash. Redeeming marks one used in the same statement that
    checks it is still unused and unexpired, so two redemptions cannot both succeed."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        purpose: str,
        code_hash: str,
        now: datetime,
        expires_at: datetime,
        *,
        therapist_id: int | None = None,
        name: str | None = None,
        alias: str | None = None,
    ) -> int:
        result = await self._connection.execute(
            insert(CODES)
            .values(
                purpose=purpose,
                code_hash=code_hash,
                therapist_id=therapist_id,
                name=name,
                alias=alias,
                created_at=now,
                expires_at=expires_at,
            )
            .returning(CODES.c.id)
        )
        return int(result.scalar_one())

    async def find_usable(self, code_hash: str, now: datetime) -> CodeRow | None:
        row = (
            await self._connection.execute(
                select(CODES).where(
                    CODES.c.code_hash == code_hash, CODES.c.used_at.is_(None), CODES.c.expires_at > now
                )
            )
        ).first()
        return None if row is None else CodeRow(*row)

    async def use(self, code_id: int, person_id: int | None, now: datetime) -> bool:
        """Mark a code used; False if it was used (or expired) meanwhile."""
        result = await self._connection.execute(
            update(CODES)
            .where(CODES.c.id == code_id, CODES.c.used_at.is_(None), CODES.c.expires_at > now)
            .values(used_at=now, used_by=person_id)
        )
        return bool(result.rowcount)

    async def open_invitations(self, therapist_id: int, now: datetime) -> list[CodeRow]:
        result = await self._connection.execute(
            select(CODES)
            .where(
                CODES.c.therapist_id == therapist_id,
                CODES.c.purpose == CodePurpose.INVITE,
                CODES.c.used_at.is_(None),
                CODES.c.expires_at > now,
            )
            .order_by(CODES.c.created_at)
        )
        return [CodeRow(*row) for row in result]


class Clients:
    """A therapist's clients. Every lookup names the therapist."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def link(self, person_id: int, therapist_id: int, alias: str, now: datetime) -> None:
        await self._connection.execute(
            update(PEOPLE)
            .where(PEOPLE.c.id == person_id)
            .values(therapist_id=therapist_id, alias=alias, role="client", updated_at=now)
        )

    async def record_consent(self, person_id: int, version: str, now: datetime) -> None:
        await self._connection.execute(
            update(PEOPLE)
            .where(PEOPLE.c.id == person_id)
            .values(consent_version=version, consented_at=now, updated_at=now)
        )

    async def alias_taken(self, therapist_id: int, alias: str, now: datetime) -> bool:
        """An alias already names a client, or waits in an open invitation (compared as
        :func:`alias_key`: case and accents as people read them, not as SQL's ``lower`` does)."""
        key = alias_key(alias)
        clients = await self._connection.execute(
            select(PEOPLE.c.alias).where(PEOPLE.c.therapist_id == therapist_id)
        )
        invited = await self._connection.execute(
            select(CODES.c.alias).where(
                CODES.c.therapist_id == therapist_id,
                CODES.c.purpose == CodePurpose.INVITE,
                CODES.c.used_at.is_(None),
                CODES.c.expires_at > now,
            )
        )
        return any(alias_key(row[0] or "") == key for row in (*clients, *invited))

    async def by_alias(self, therapist_id: int, alias: str) -> PersonRow | None:
        """The therapist's client with this alias; None if there is none — or it is someone
        else's: the caller cannot tell the two apart."""
        key = alias_key(alias)
        return next((c for c in await self.of(therapist_id) if alias_key(c.alias or "") == key), None)

    async def by_id(self, therapist_id: int, person_id: int) -> PersonRow | None:
        result = await self._connection.execute(
            select(PEOPLE).where(PEOPLE.c.therapist_id == therapist_id, PEOPLE.c.id == person_id)
        )
        return _person(result.first())

    async def of(self, therapist_id: int) -> list[PersonRow]:
        """The therapist's clients, by alias."""
        result = await self._connection.execute(select(PEOPLE).where(PEOPLE.c.therapist_id == therapist_id))
        return sorted((PersonRow(*row) for row in result), key=lambda c: alias_key(c.alias or ""))

    async def last_activity(self, person_ids: list[int]) -> dict[int, datetime]:
        """When each client last did homework (an entry updated)."""
        if not person_ids:
            return {}
        result = await self._connection.execute(
            select(ENTRIES.c.person_id, func.max(ENTRIES.c.updated_at))
            .where(ENTRIES.c.person_id.in_(person_ids))
            .group_by(ENTRIES.c.person_id)
        )
        return {int(row[0]): row[1] for row in result}


class TherapySessions:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        client_id: int,
        therapist_id: int,
        starts_at: datetime,
        repeat: str,
        digest_due_at: datetime,
        now: datetime,
    ) -> int:
        result = await self._connection.execute(
            insert(SESSIONS)
            .values(
                client_id=client_id,
                therapist_id=therapist_id,
                starts_at=starts_at,
                repeat=repeat,
                status=SessionStatus.SCHEDULED,
                digest_due_at=digest_due_at,
                created_at=now,
                updated_at=now,
            )
            .returning(SESSIONS.c.id)
        )
        return int(result.scalar_one())

    async def get(self, session_id: int) -> SessionRow | None:
        row = (await self._connection.execute(select(SESSIONS).where(SESSIONS.c.id == session_id))).first()
        return None if row is None else SessionRow(*row)

    async def get_for(self, therapist_id: int, session_id: int) -> SessionRow | None:
        row = (
            await self._connection.execute(
                select(SESSIONS).where(SESSIONS.c.id == session_id, SESSIONS.c.therapist_id == therapist_id)
            )
        ).first()
        return None if row is None else SessionRow(*row)

    async def upcoming(
        self, therapist_id: int, now: datetime, client_id: int | None = None
    ) -> list[SessionRow]:
        query = select(SESSIONS).where(
            SESSIONS.c.therapist_id == therapist_id,
            SESSIONS.c.status != SessionStatus.CANCELLED,
            SESSIONS.c.starts_at > now,
        )
        if client_id is not None:
            query = query.where(SESSIONS.c.client_id == client_id)
        result = await self._connection.execute(query.order_by(SESSIONS.c.starts_at))
        return [SessionRow(*row) for row in result]

    async def digests_due(self, now: datetime, limit: int) -> list[SessionRow]:
        result = await self._connection.execute(
            select(SESSIONS)
            .where(SESSIONS.c.status == SessionStatus.SCHEDULED, SESSIONS.c.digest_due_at <= now)
            .order_by(SESSIONS.c.digest_due_at)
            .limit(limit)
        )
        return [SessionRow(*row) for row in result]

    async def mark_digest_sent(self, session_id: int, now: datetime) -> bool:
        result = await self._connection.execute(
            update(SESSIONS)
            .where(SESSIONS.c.id == session_id, SESSIONS.c.status == SessionStatus.SCHEDULED)
            .values(status=SessionStatus.DIGEST_SENT, digest_sent_at=now, updated_at=now)
        )
        return bool(result.rowcount)

    async def cancel(self, session_id: int, now: datetime) -> None:
        await self._connection.execute(
            update(SESSIONS)
            .where(SESSIONS.c.id == session_id)
            .values(status=SessionStatus.CANCELLED, updated_at=now)
        )

    async def cancel_following(self, session: SessionRow, now: datetime) -> None:
        """Cancel the sessions of the same series after this one (already written ahead)."""
        await self._connection.execute(
            update(SESSIONS)
            .where(
                SESSIONS.c.client_id == session.client_id,
                SESSIONS.c.therapist_id == session.therapist_id,
                SESSIONS.c.repeat == session.repeat,
                SESSIONS.c.status == SessionStatus.SCHEDULED,
                SESSIONS.c.starts_at > session.starts_at,
            )
            .values(status=SessionStatus.CANCELLED, updated_at=now)
        )

    async def mark_passed(self, session_id: int, now: datetime) -> bool:
        """A session that began before its digest could go (the bot was down): no digest."""
        result = await self._connection.execute(
            update(SESSIONS)
            .where(SESSIONS.c.id == session_id, SESSIONS.c.status == SessionStatus.SCHEDULED)
            .values(status=SessionStatus.PASSED, updated_at=now)
        )
        return bool(result.rowcount)

    async def set_digest_due(self, session_id: int, due_at: datetime, now: datetime) -> None:
        await self._connection.execute(
            update(SESSIONS).where(SESSIONS.c.id == session_id).values(digest_due_at=due_at, updated_at=now)
        )

    async def previous(self, client_id: int, before: datetime) -> SessionRow | None:
        """The client's last session (not cancelled) that started before ``before``."""
        row = (
            await self._connection.execute(
                select(SESSIONS)
                .where(
                    SESSIONS.c.client_id == client_id,
                    SESSIONS.c.status != SessionStatus.CANCELLED,
                    SESSIONS.c.repeat != ON_DEMAND,
                    SESSIONS.c.starts_at < before,
                )
                .order_by(SESSIONS.c.starts_at.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else SessionRow(*row)

    async def drop_for_client(self, client_id: int) -> None:
        await self._connection.execute(delete(SESSIONS).where(SESSIONS.c.client_id == client_id))


class ClientNotes:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, person_id: int, text: str, now: datetime) -> None:
        await self._connection.execute(insert(NOTES).values(person_id=person_id, text=text, created_at=now))

    async def between(self, person_id: int, start: datetime, end: datetime) -> list[NoteRow]:
        result = await self._connection.execute(
            select(NOTES)
            .where(NOTES.c.person_id == person_id, NOTES.c.created_at >= start, NOTES.c.created_at < end)
            .order_by(NOTES.c.created_at)
        )
        return [NoteRow(*row) for row in result]


class AuditLog:
    """Append-only: there is no update or delete here, by design."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(
        self,
        at: datetime,
        actor_id: int | None,
        action: str,
        subject_id: int | None,
        detail: str | None = None,
    ) -> None:
        await self._connection.execute(
            insert(AUDIT).values(
                at=at, actor_id=actor_id, action=action, subject_id=subject_id, detail=detail
            )
        )

    async def for_subject(self, subject_id: int) -> list[tuple[datetime, int | None, str, str | None]]:
        result = await self._connection.execute(
            select(AUDIT.c.at, AUDIT.c.actor_id, AUDIT.c.action, AUDIT.c.detail)
            .where(AUDIT.c.subject_id == subject_id)
            .order_by(AUDIT.c.id)
        )
        return [(row[0], row[1], row[2], row[3]) for row in result]


@dataclass(slots=True)
class RiskEventRow:
    id: int
    person_id: int
    at: datetime
    where: str
    category: str
    text: str | None
    answer: str | None
    answered_at: datetime | None
    follow_up_at: datetime | None
    follow_up_sent_at: datetime | None
    follow_up_answer: str | None


class RiskEvents:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self,
        person_id: int,
        at: datetime,
        where: str,
        category: str,
        text: str | None,
        follow_up_at: datetime | None,
    ) -> int:
        result = await self._connection.execute(
            insert(RISK)
            .values(
                person_id=person_id,
                at=at,
                where=where[:64],
                category=category[:32],
                text=text,
                follow_up_at=follow_up_at,
            )
            .returning(RISK.c.id)
        )
        return int(result.scalar_one())

    async def get(self, event_id: int) -> RiskEventRow | None:
        row = (await self._connection.execute(select(RISK).where(RISK.c.id == event_id))).first()
        return None if row is None else RiskEventRow(*row)

    async def latest(self, person_id: int) -> RiskEventRow | None:
        row = (
            await self._connection.execute(
                select(RISK).where(RISK.c.person_id == person_id).order_by(RISK.c.id.desc()).limit(1)
            )
        ).first()
        return None if row is None else RiskEventRow(*row)

    async def follow_up_pending(self, person_id: int) -> bool:
        """Whether a later "are you safe?" is already on its way to this person."""
        result = await self._connection.execute(
            select(func.count())
            .select_from(RISK)
            .where(RISK.c.person_id == person_id, RISK.c.follow_up_at.is_not(None))
        )
        return bool(result.scalar_one())

    async def answer(self, event_id: int, answer: str, now: datetime) -> None:
        await self._connection.execute(
            update(RISK).where(RISK.c.id == event_id).values(answer=answer, answered_at=now)
        )

    async def follow_ups_due(self, now: datetime, limit: int) -> list[RiskEventRow]:
        result = await self._connection.execute(
            select(RISK).where(RISK.c.follow_up_at <= now).order_by(RISK.c.follow_up_at).limit(limit)
        )
        return [RiskEventRow(*row) for row in result]

    async def follow_up_sent(self, event_id: int, now: datetime) -> None:
        await self._connection.execute(
            update(RISK).where(RISK.c.id == event_id).values(follow_up_at=None, follow_up_sent_at=now)
        )

    async def follow_up_answer(self, event_id: int, answer: str) -> None:
        await self._connection.execute(
            update(RISK).where(RISK.c.id == event_id).values(follow_up_answer=answer)
        )

    async def between(self, person_id: int, start: datetime, end: datetime) -> list[RiskEventRow]:
        result = await self._connection.execute(
            select(RISK)
            .where(RISK.c.person_id == person_id, RISK.c.at >= start, RISK.c.at < end)
            .order_by(RISK.c.at)
        )
        return [RiskEventRow(*row) for row in result]
