"""Small async repositories, all bound to one session inside one transaction.

Services get a :class:`Transaction` from ``Database.transaction()`` and use its repositories;
everything they write commits together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, Entry, OutboxMessage, Person, ProcessedUpdate


class EntryStatus:
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class People:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, transport: str, external_user_id: str) -> Person | None:
        result = await self._session.execute(
            select(Person).where(Person.transport == transport, Person.external_user_id == external_user_id)
        )
        return result.scalar_one_or_none()

    async def get(self, person_id: int) -> Person | None:
        return await self._session.get(Person, person_id)

    async def find_or_create(
        self, transport: str, external_user_id: str, chat_id: str, timezone: str, now: datetime
    ) -> Person:
        person = await self.find(transport, external_user_id)
        if person is None:
            person = Person(
                transport=transport,
                external_user_id=external_user_id,
                chat_id=chat_id,
                role="client",
                timezone=timezone,
                status="active",
                created_at=now,
                updated_at=now,
            )
            self._session.add(person)
            await self._session.flush()
        elif person.chat_id != chat_id:
            person.chat_id = chat_id
            person.updated_at = now
        return person


class Entries:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def start(self, person_id: int, flow_id: str, now: datetime) -> Entry:
        entry = Entry(
            person_id=person_id,
            flow_id=flow_id,
            status=EntryStatus.IN_PROGRESS,
            answers={},
            started_at=now,
            updated_at=now,
            completed_at=None,
        )
        self._session.add(entry)
        await self._session.flush()
        return entry

    async def get(self, entry_id: int) -> Entry | None:
        return await self._session.get(Entry, entry_id)

    async def record(
        self, entry: Entry, answers: dict[str, Any], now: datetime, status: str | None = None
    ) -> None:
        entry.answers = dict(answers)
        entry.updated_at = now
        if status is not None:
            entry.status = status
            if status == EntryStatus.COMPLETED:
                entry.completed_at = now

    async def for_person(self, person_id: int, limit: int = 50) -> list[Entry]:
        result = await self._session.execute(
            select(Entry)
            .where(Entry.person_id == person_id)
            .order_by(Entry.started_at.desc(), Entry.id.desc())
            .limit(limit)
        )
        return list(result.scalars())

    async def count(self, person_id: int, status: str | None = None) -> int:
        query = select(func.count()).select_from(Entry).where(Entry.person_id == person_id)
        if status is not None:
            query = query.where(Entry.status == status)
        return int((await self._session.execute(query)).scalar_one())


class Conversations:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open_for(self, person_id: int) -> tuple[Conversation, Entry] | None:
        """The open conversation and its entry, in one query."""
        result = await self._session.execute(
            select(Conversation, Entry)
            .join(Entry, Entry.id == Conversation.entry_id)
            .where(Conversation.person_id == person_id)
        )
        row = result.first()
        return None if row is None else (row[0], row[1])

    async def begin(
        self,
        person_id: int,
        entry_id: int,
        flow_id: str,
        step_id: str,
        prompt_token: str,
        now: datetime,
    ) -> Conversation:
        conversation = Conversation(
            person_id=person_id,
            entry_id=entry_id,
            flow_id=flow_id,
            step_id=step_id,
            selection=[],
            history=[],
            prompt_token=prompt_token,
            prompt_message_id=None,
            started_at=now,
            updated_at=now,
        )
        self._session.add(conversation)
        await self._session.flush()
        return conversation

    async def end(self, conversation: Conversation) -> None:
        await self._session.delete(conversation)

    async def record_prompt_message(self, person_id: int, prompt_token: str, message_id: str) -> None:
        """Remember which message shows the open prompt, so it can be edited or closed later."""
        await self._session.execute(
            update(Conversation)
            .where(Conversation.person_id == person_id, Conversation.prompt_token == prompt_token)
            .values(prompt_message_id=message_id)
        )


class UpdateLog:
    """Which transport updates were handled already (Telegram may deliver one twice)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_time(self, transport: str, update_id: int, now: datetime) -> bool:
        """Record ``update_id``; ``False`` if it was recorded before."""
        values = {"transport": transport, "update_id": update_id, "processed_at": now}
        dialect = self._session.get_bind().dialect.name
        if dialect == "postgresql":
            statement: Any = postgresql.insert(ProcessedUpdate).values(values)
        else:
            statement = sqlite.insert(ProcessedUpdate).values(values)
        result = await self._session.execute(statement.on_conflict_do_nothing())
        return bool(getattr(result, "rowcount", 0) == 1)

    async def forget_before(self, cutoff: datetime) -> int:
        result = await self._session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class PendingMessage:
    id: int
    person_id: int | None
    transport: str
    chat_id: str
    payload: dict[str, Any]
    attempts: int
    due_at: datetime


class Outbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(
        self,
        transport: str,
        chat_id: str,
        payload: dict[str, Any],
        now: datetime,
        person_id: int | None = None,
    ) -> None:
        self._session.add(
            OutboxMessage(
                person_id=person_id,
                transport=transport,
                chat_id=chat_id,
                payload=payload,
                created_at=now,
                due_at=now,
                attempts=0,
            )
        )

    async def pending_for_chat(self, transport: str, chat_id: str) -> list[PendingMessage]:
        """Everything still to send to one chat, oldest first (order matters in a chat)."""
        result = await self._session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.transport == transport, OutboxMessage.chat_id == chat_id)
            .order_by(OutboxMessage.id)
        )
        return [
            PendingMessage(m.id, m.person_id, m.transport, m.chat_id, m.payload, m.attempts, m.due_at)
            for m in result.scalars()
        ]

    async def due_chats(self, now: datetime, limit: int = 500) -> list[tuple[str, str]]:
        """Chats whose oldest pending message is due (retries after a failure, or a restart)."""
        result = await self._session.execute(
            select(OutboxMessage.transport, OutboxMessage.chat_id)
            .where(OutboxMessage.due_at <= now)
            .group_by(OutboxMessage.transport, OutboxMessage.chat_id)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in result]

    async def delivered(self, message_id: int) -> None:
        await self._session.execute(delete(OutboxMessage).where(OutboxMessage.id == message_id))

    async def retry_later(self, message_id: int, error: str, due_at: datetime) -> None:
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(attempts=OutboxMessage.attempts + 1, last_error=error[:200], due_at=due_at)
        )

    async def count(self) -> int:
        result = await self._session.execute(select(func.count()).select_from(OutboxMessage))
        return int(result.scalar_one())


class Transaction:
    """The repositories of one unit of work, sharing one session and one commit."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.people = People(session)
        self.entries = Entries(session)
        self.conversations = Conversations(session)
        self.updates = UpdateLog(session)
        self.outbox = Outbox(session)
