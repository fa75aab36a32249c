"""People: everyone the bot talks to, one row per person and transport.

The hot path reads a person together with their open conversation in one prebuilt query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update

from bot.core.statuses import PersonStatus, Role
from storage.conversations import CONVERSATION, OpenConversation
from storage.repository import Repository, RowReader
from storage.tables import CONVERSATIONS, PEOPLE


@dataclass(slots=True)
class PersonRow:
    id: int
    transport: str
    external_user_id: str
    chat_id: str
    role: str
    timezone: str
    status: str
    created_at: datetime
    updated_at: datetime
    last_update_id: int | None = None
    unreachable_since: datetime | None = None
    therapist_id: int | None = None
    alias: str | None = None
    consent_version: str | None = None
    consented_at: datetime | None = None
    language: str | None = None


PERSON = RowReader.of(PersonRow, PEOPLE)

_PERSON_WITH_CONVERSATION = select(*PEOPLE.columns, *CONVERSATIONS.columns).outerjoin(
    CONVERSATIONS, CONVERSATIONS.c.person_id == PEOPLE.c.id
)
_BY_USER = (
    PEOPLE.c.transport == bindparam("transport"),
    PEOPLE.c.external_user_id == bindparam("external_user_id"),
)
_BY_ID = PEOPLE.c.id == bindparam("person_id")
_FIND_PERSON_WITH_CONVERSATION = _PERSON_WITH_CONVERSATION.where(*_BY_USER)
_GET_PERSON_WITH_CONVERSATION = _PERSON_WITH_CONVERSATION.where(_BY_ID)
# A turn locks the person's row first (PostgreSQL): processes sharing the database handle one
# person's updates, timers and buttons one at a time. The read comes after, in a statement of
# its own: one that waited for the lock sees only the locked row anew, not a conversation the
# turn before it created. SQLite has one writer at a time anyway.
_LOCK_BY_USER = select(PEOPLE.c.id).where(*_BY_USER).with_for_update()
_LOCK_BY_ID = select(PEOPLE.c.id).where(_BY_ID).with_for_update()
_RECORD_UPDATE = (
    update(PEOPLE)
    .where(PEOPLE.c.id == bindparam("key_id"))
    .values(last_update_id=bindparam("last_update_id"))
)


def _person_and_conversation(row: Row[Any] | None) -> tuple[PersonRow | None, OpenConversation | None]:
    if row is None:
        return None, None
    opened = row._mapping[CONVERSATIONS.c.person_id] is not None
    return PERSON.read(row), (CONVERSATION.read(row) if opened else None)


class People(Repository):
    async def find(self, transport: str, external_user_id: str) -> PersonRow | None:
        return await self._one(
            PERSON,
            select(PEOPLE).where(
                PEOPLE.c.transport == transport, PEOPLE.c.external_user_id == external_user_id
            ),
        )

    async def get(self, person_id: int) -> PersonRow | None:
        return await self._one(PERSON, select(PEOPLE).where(PEOPLE.c.id == person_id))

    async def find_with_conversation(
        self, transport: str, external_user_id: str
    ) -> tuple[PersonRow | None, OpenConversation | None]:
        """The person and their open conversation, if any, in one query (the hot path); the
        person's row stays locked until the transaction ends (one turn at a time)."""
        key = {"transport": transport, "external_user_id": external_user_id}
        if self._locks:
            await self._execute(_LOCK_BY_USER, key)
        return _person_and_conversation((await self._execute(_FIND_PERSON_WITH_CONVERSATION, key)).first())

    async def get_with_conversation(
        self, person_id: int, *, skip_locked: bool = False
    ) -> tuple[PersonRow | None, OpenConversation | None]:
        """The same by the person's id, locked the same way. ``skip_locked`` (a timer's frame):
        a person whose row another turn holds (another process's timer, an answer) reads as
        (None, None) — the frame is claimed by whoever holds it, or comes on the next tick."""
        key = {"person_id": person_id}
        if self._locks:
            lock = _LOCK_BY_ID.with_for_update(skip_locked=True) if skip_locked else _LOCK_BY_ID
            if (await self._execute(lock, key)).first() is None:
                return None, None
        return _person_and_conversation((await self._execute(_GET_PERSON_WITH_CONVERSATION, key)).first())

    @property
    def _locks(self) -> bool:
        """Row locks matter where several processes share the database (PostgreSQL)."""
        return self._connection.dialect.name == "postgresql"

    async def create(
        self,
        transport: str,
        external_user_id: str,
        chat_id: str,
        timezone: str,
        now: datetime,
        update_id: int | None = None,
        language: str | None = None,
    ) -> PersonRow:
        values: dict[str, Any] = {
            "language": language,
            "transport": transport,
            "external_user_id": external_user_id,
            "chat_id": chat_id,
            "role": Role.CLIENT,
            "timezone": timezone,
            "status": PersonStatus.ACTIVE,
            "created_at": now,
            "updated_at": now,
            "last_update_id": update_id,
        }
        return PersonRow(id=await self._insert(PEOPLE, **values), **values)

    async def find_or_create(
        self, transport: str, external_user_id: str, chat_id: str, timezone: str, now: datetime
    ) -> PersonRow:
        person = await self.find(transport, external_user_id)
        if person is None:
            return await self.create(transport, external_user_id, chat_id, timezone, now)
        if person.chat_id != chat_id:
            await self.move_chat(person, chat_id, now)
        return person

    async def record_update(self, person_id: int, update_id: int) -> None:
        """Remember the newest update handled for this person (see ``last_update_id``)."""
        await self._execute(_RECORD_UPDATE, {"key_id": person_id, "last_update_id": update_id})

    async def chats(self, person_ids: set[int]) -> dict[int, tuple[str, str]]:
        """Where to reach each of these people: (transport, chat id)."""
        result = await self._execute(
            select(PEOPLE.c.id, PEOPLE.c.transport, PEOPLE.c.chat_id).where(PEOPLE.c.id.in_(person_ids))
        )
        return {row.id: (row.transport, row.chat_id) for row in result}

    async def languages(self, person_ids: set[int]) -> dict[int, str | None]:
        """The language each of these people reads (None: the practice's default)."""
        result = await self._execute(
            select(PEOPLE.c.id, PEOPLE.c.language).where(PEOPLE.c.id.in_(person_ids))
        )
        return {row.id: row.language for row in result}

    async def set_language(self, person: PersonRow, language: str, now: datetime) -> None:
        person.language, person.updated_at = language, now
        await self._update(PEOPLE, PEOPLE.c.id == person.id, language=language, updated_at=now)

    async def set_timezone(self, person_id: int, timezone: str, now: datetime) -> None:
        await self._update(PEOPLE, PEOPLE.c.id == person_id, timezone=timezone, updated_at=now)

    async def mark_unreachable(self, person_ids: list[int], now: datetime) -> None:
        """The transport cannot reach them (blocked the bot, chat gone): stop sending, tell their
        therapist. Writing to us again makes them reachable."""
        if person_ids:
            await self._update(
                PEOPLE,
                PEOPLE.c.id.in_(person_ids),
                PEOPLE.c.status == PersonStatus.ACTIVE,
                status=PersonStatus.UNREACHABLE,
                unreachable_since=now,
                updated_at=now,
            )

    async def mark_reachable(self, person: PersonRow, now: datetime) -> None:
        person.status, person.updated_at = PersonStatus.ACTIVE, now
        await self._update(PEOPLE, PEOPLE.c.id == person.id, status=PersonStatus.ACTIVE, updated_at=now)

    async def move_chat(self, person: PersonRow, chat_id: str, now: datetime) -> None:
        """The person now talks to us from another chat (Telegram migrated it, say)."""
        person.chat_id, person.updated_at = chat_id, now
        await self._update(PEOPLE, PEOPLE.c.id == person.id, chat_id=chat_id, updated_at=now)


__all__ = ["PERSON", "People", "PersonRow"]
