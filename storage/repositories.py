"""Small async repositories over one connection inside one transaction.

Services get a :class:`Transaction` from ``Database.transaction()`` and use its repositories;
everything they write commits together or not at all. Rows come back as plain dataclasses, not
ORM objects: nothing is lazy-loaded, nothing is flushed behind your back, and the statements on
the path every answer takes are built once, at import, with bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, null, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.choices import TypedChoices
from storage.models import Conversation, Entry, OutboxMessage, Person
from storage.practice import AuditLog, ClientNotes, Clients, Codes, RiskEvents, Therapists, TherapySessions
from storage.rows import PersonRow
from storage.schedules import DuePrompts, Schedules

PEOPLE = cast(Table, Person.__table__)
ENTRIES = cast(Table, Entry.__table__)
CONVERSATIONS = cast(Table, Conversation.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)


class EntryStatus:
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


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


@dataclass(slots=True)
class OpenConversation:
    """A person's open flow as plain data: read once per update, written back with ``save``."""

    person_id: int
    entry_id: int | None
    flow_id: str
    step_id: str
    answers: dict[str, Any]
    selection: list[str]
    history: list[str]
    prompt_token: str
    prompt_message_id: str | None
    started_at: datetime
    updated_at: datetime
    last_update_id: int | None = None
    due_prompt_id: int | None = None
    wake_at: datetime | None = None
    paused_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PendingMessage:
    id: int
    person_id: int | None
    transport: str
    chat_id: str
    payload: dict[str, Any]
    attempts: int
    due_at: datetime


_PERSON_COLUMNS = len(PEOPLE.columns)

_PERSON_WITH_CONVERSATION = select(*PEOPLE.columns, *CONVERSATIONS.columns).outerjoin(
    CONVERSATIONS, CONVERSATIONS.c.person_id == PEOPLE.c.id
)
_FIND_PERSON_WITH_CONVERSATION = _PERSON_WITH_CONVERSATION.where(
    PEOPLE.c.transport == bindparam("transport"),
    PEOPLE.c.external_user_id == bindparam("external_user_id"),
)
_GET_PERSON_WITH_CONVERSATION = _PERSON_WITH_CONVERSATION.where(PEOPLE.c.id == bindparam("person_id"))
_SAVE_CONVERSATION = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.person_id == bindparam("key_person_id"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "step_id",
                "answers",
                "selection",
                "history",
                "prompt_token",
                "prompt_message_id",
                "updated_at",
                "last_update_id",
                "wake_at",
                "paused_at",
            )
        }
    )
)
_RECORD_PROMPT_MESSAGE = (
    update(CONVERSATIONS)
    .where(
        CONVERSATIONS.c.person_id == bindparam("key_person_id"),
        CONVERSATIONS.c.prompt_token == bindparam("key_prompt_token"),
    )
    .values(prompt_message_id=bindparam("prompt_message_id"))
)
_DELETE_OUTBOX = delete(OUTBOX).where(OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
_INSERT_OUTBOX = insert(OUTBOX).returning(OUTBOX.c.id)
_RECORD_UPDATE = (
    update(PEOPLE)
    .where(PEOPLE.c.id == bindparam("key_id"))
    .values(last_update_id=bindparam("last_update_id"))
)


def _person_and_conversation(row: Any) -> tuple[PersonRow | None, OpenConversation | None]:
    if row is None:
        return None, None
    person = PersonRow(*row[:_PERSON_COLUMNS])
    rest = row[_PERSON_COLUMNS:]
    return person, (OpenConversation(*rest) if rest[0] is not None else None)


class People:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def find(self, transport: str, external_user_id: str) -> PersonRow | None:
        result = await self._connection.execute(
            select(PEOPLE).where(
                PEOPLE.c.transport == transport, PEOPLE.c.external_user_id == external_user_id
            )
        )
        row = result.first()
        return None if row is None else PersonRow(*row)

    async def get(self, person_id: int) -> PersonRow | None:
        row = (await self._connection.execute(select(PEOPLE).where(PEOPLE.c.id == person_id))).first()
        return None if row is None else PersonRow(*row)

    async def find_with_conversation(
        self, transport: str, external_user_id: str
    ) -> tuple[PersonRow | None, OpenConversation | None]:
        """The person and their open conversation, if any, in one query (the hot path)."""
        result = await self._connection.execute(
            _FIND_PERSON_WITH_CONVERSATION,
            {"transport": transport, "external_user_id": external_user_id},
        )
        return _person_and_conversation(result.first())

    async def get_with_conversation(self, person_id: int) -> tuple[PersonRow | None, OpenConversation | None]:
        result = await self._connection.execute(_GET_PERSON_WITH_CONVERSATION, {"person_id": person_id})
        return _person_and_conversation(result.first())

    async def create(
        self,
        transport: str,
        external_user_id: str,
        chat_id: str,
        timezone: str,
        now: datetime,
        update_id: int | None = None,
    ) -> PersonRow:
        values: dict[str, Any] = {
            "transport": transport,
            "external_user_id": external_user_id,
            "chat_id": chat_id,
            "role": "client",
            "timezone": timezone,
            "status": "active",
            "created_at": now,
            "updated_at": now,
            "last_update_id": update_id,
        }
        result = await self._connection.execute(insert(PEOPLE).values(values).returning(PEOPLE.c.id))
        return PersonRow(id=int(result.scalar_one()), **values)

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
        await self._connection.execute(_RECORD_UPDATE, {"key_id": person_id, "last_update_id": update_id})

    async def chats(self, person_ids: set[int]) -> dict[int, tuple[str, str]]:
        """Where to reach each of these people: (transport, chat id)."""
        result = await self._connection.execute(
            select(PEOPLE.c.id, PEOPLE.c.transport, PEOPLE.c.chat_id).where(PEOPLE.c.id.in_(person_ids))
        )
        return {row[0]: (row[1], row[2]) for row in result}

    async def set_timezone(self, person_id: int, timezone: str, now: datetime) -> None:
        await self._connection.execute(
            update(PEOPLE).where(PEOPLE.c.id == person_id).values(timezone=timezone, updated_at=now)
        )

    async def mark_unreachable(self, person_ids: list[int], now: datetime) -> None:
        """The transport cannot reach them (blocked the bot, chat gone): stop sending, tell their
        therapist. Writing to us again makes them reachable."""
        if person_ids:
            await self._connection.execute(
                update(PEOPLE)
                .where(PEOPLE.c.id.in_(person_ids), PEOPLE.c.status == "active")
                .values(status="unreachable", unreachable_since=now, updated_at=now)
            )

    async def mark_reachable(self, person: PersonRow, now: datetime) -> None:
        person.status, person.updated_at = "active", now
        await self._connection.execute(
            update(PEOPLE).where(PEOPLE.c.id == person.id).values(status="active", updated_at=now)
        )

    async def move_chat(self, person: PersonRow, chat_id: str, now: datetime) -> None:
        """The person now talks to us from another chat (Telegram migrated it, say)."""
        person.chat_id, person.updated_at = chat_id, now
        await self._connection.execute(
            update(PEOPLE).where(PEOPLE.c.id == person.id).values(chat_id=chat_id, updated_at=now)
        )


class Entries:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def start(self, person_id: int, flow_id: str, now: datetime) -> int:
        """A new entry in progress; returns its id."""
        result = await self._connection.execute(
            insert(ENTRIES)
            .values(
                person_id=person_id,
                flow_id=flow_id,
                status=EntryStatus.IN_PROGRESS,
                answers={},
                started_at=now,
                updated_at=now,
                completed_at=None,
            )
            .returning(ENTRIES.c.id)
        )
        return int(result.scalar_one())

    async def get(self, entry_id: int) -> EntryRow | None:
        row = (await self._connection.execute(select(ENTRIES).where(ENTRIES.c.id == entry_id))).first()
        return None if row is None else EntryRow(*row)

    async def finish(
        self,
        entry_id: int,
        answers: dict[str, Any],
        status: str,
        now: datetime,
        draft: dict[str, Any] | None = None,
    ) -> None:
        """Move the final answers onto the entry (completed, or cancelled with where it stopped)."""
        await self._connection.execute(
            update(ENTRIES)
            .where(ENTRIES.c.id == entry_id)
            .values(
                answers=dict(answers),
                status=status,
                updated_at=now,
                completed_at=now if status == EntryStatus.COMPLETED else None,
                draft=draft if draft is not None else null(),  # SQL NULL, not JSON null
            )
        )

    async def latest_draft(self, person_id: int, flow_id: str, since: datetime) -> EntryRow | None:
        """The newest resumable draft of a flow, unless a later one of that flow was finished."""
        result = await self._connection.execute(
            select(ENTRIES)
            .where(
                ENTRIES.c.person_id == person_id, ENTRIES.c.flow_id == flow_id, ENTRIES.c.started_at >= since
            )
            .order_by(ENTRIES.c.started_at.desc(), ENTRIES.c.id.desc())
            .limit(1)
        )
        row = result.first()
        entry = None if row is None else EntryRow(*row)
        return entry if entry is not None and entry.draft is not None else None

    async def resume(self, entry_id: int, now: datetime) -> None:
        await self._connection.execute(
            update(ENTRIES)
            .where(ENTRIES.c.id == entry_id)
            .values(status=EntryStatus.IN_PROGRESS, draft=null(), updated_at=now)
        )

    async def discard_draft(self, entry_id: int, now: datetime) -> None:
        await self._connection.execute(
            update(ENTRIES).where(ENTRIES.c.id == entry_id).values(draft=null(), updated_at=now)
        )

    async def for_person(
        self, person_id: int, limit: int = 50, offset: int = 0, *, finished_only: bool = False
    ) -> list[EntryRow]:
        """A person's entries, newest first (finished ones only: completed or kept as drafts)."""
        query = select(ENTRIES).where(ENTRIES.c.person_id == person_id)
        if finished_only:
            query = query.where(ENTRIES.c.status != EntryStatus.IN_PROGRESS)
        result = await self._connection.execute(
            query.order_by(ENTRIES.c.started_at.desc(), ENTRIES.c.id.desc()).limit(limit).offset(offset)
        )
        return [EntryRow(*row) for row in result]

    async def between(self, person_id: int, start: datetime, end: datetime) -> list[EntryRow]:
        """A person's entries started in [start, end), oldest first (the digest reads them)."""
        result = await self._connection.execute(
            select(ENTRIES)
            .where(
                ENTRIES.c.person_id == person_id, ENTRIES.c.started_at >= start, ENTRIES.c.started_at < end
            )
            .order_by(ENTRIES.c.started_at, ENTRIES.c.id)
        )
        return [EntryRow(*row) for row in result]

    async def count(self, person_id: int, status: str | None = None) -> int:
        query = select(func.count()).select_from(ENTRIES).where(ENTRIES.c.person_id == person_id)
        if status is not None:
            query = query.where(ENTRIES.c.status == status)
        return int((await self._connection.execute(query)).scalar_one())


class Conversations:
    """Open flows. Every answer passes through here, so its statements are prebuilt."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def begin(
        self,
        person_id: int,
        entry_id: int | None,
        flow_id: str,
        step_id: str,
        prompt_token: str,
        now: datetime,
        update_id: int | None = None,
        due_prompt_id: int | None = None,
    ) -> OpenConversation:
        conversation = OpenConversation(
            person_id,
            entry_id,
            flow_id,
            step_id,
            {},
            [],
            [],
            prompt_token,
            None,
            now,
            now,
            update_id,
            due_prompt_id,
        )
        await self._connection.execute(insert(CONVERSATIONS).values(asdict(conversation)))
        return conversation

    async def save(self, conversation: OpenConversation) -> None:
        await self._connection.execute(
            _SAVE_CONVERSATION,
            {
                "key_person_id": conversation.person_id,
                "step_id": conversation.step_id,
                "answers": conversation.answers,
                "selection": conversation.selection,
                "history": conversation.history,
                "prompt_token": conversation.prompt_token,
                "prompt_message_id": conversation.prompt_message_id,
                "updated_at": conversation.updated_at,
                "last_update_id": conversation.last_update_id,
                "wake_at": conversation.wake_at,
                "paused_at": conversation.paused_at,
            },
        )

    async def due_to_wake(self, now: datetime, limit: int) -> list[int]:
        """People whose open conversation the clock should move on now (timers), soonest first."""
        result = await self._connection.execute(
            select(CONVERSATIONS.c.person_id)
            .where(CONVERSATIONS.c.wake_at <= now)
            .order_by(CONVERSATIONS.c.wake_at)
            .limit(limit)
        )
        return [int(row[0]) for row in result]

    async def snooze_wake(self, person_id: int, until: datetime) -> None:
        await self._connection.execute(
            update(CONVERSATIONS).where(CONVERSATIONS.c.person_id == person_id).values(wake_at=until)
        )

    async def end(self, person_id: int) -> None:
        await self._connection.execute(delete(CONVERSATIONS).where(CONVERSATIONS.c.person_id == person_id))

    async def record_prompt_message(self, person_id: int, prompt_token: str, message_id: str) -> None:
        """Remember which message shows the open prompt, so it can be edited or closed later."""
        await self._connection.execute(
            _RECORD_PROMPT_MESSAGE,
            {"key_person_id": person_id, "key_prompt_token": prompt_token, "prompt_message_id": message_id},
        )


class Outbox:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def put_many(
        self,
        transport: str,
        chat_id: str,
        payloads: list[dict[str, Any]],
        now: datetime,
        *,
        person_id: int | None = None,
        lease: timedelta = timedelta(0),
        not_before: datetime | None = None,
        attempts: int = 0,
    ) -> list[PendingMessage]:
        """Queue messages for one chat, in order. ``lease`` keeps the tick away from them while
        the caller delivers them itself right after the commit; should it die, the tick takes
        over when the lease ends. ``not_before`` and ``attempts`` carry on a retry they replace."""
        if not payloads:
            return []
        due_at = max(now + lease, not_before or now)
        result = await self._connection.execute(
            _INSERT_OUTBOX,
            [
                {
                    "person_id": person_id,
                    "transport": transport,
                    "chat_id": chat_id,
                    "payload": payload,
                    "created_at": now,
                    "due_at": due_at,
                    "attempts": attempts,
                    "last_error": None,
                    "coalesce_key": payload.get("coalesce_key"),
                }
                for payload in payloads
            ],
        )
        ids = sorted(result.scalars())  # ids grow in insertion order
        return [
            PendingMessage(id_, person_id, transport, chat_id, payload, attempts, due_at)
            for id_, payload in zip(ids, payloads, strict=True)
        ]

    async def put_rows(self, rows: list[tuple[str, str, int | None, dict[str, Any]]], now: datetime) -> None:
        """Queue messages for many chats at once (transport, chat, person, payload), due now."""
        if rows:
            await self._connection.execute(
                insert(OUTBOX),
                [
                    {
                        "person_id": person_id,
                        "transport": transport,
                        "chat_id": chat_id,
                        "payload": payload,
                        "created_at": now,
                        "due_at": now,
                        "attempts": 0,
                        "last_error": None,
                    }
                    for transport, chat_id, person_id, payload in rows
                ],
            )

    async def drop_superseded(
        self, transport: str, chat_id: str, keys: set[str]
    ) -> tuple[datetime | None, int]:
        """Forget unsent messages that a newer one with the same key replaces. Returns how far
        the chat is into waiting out a failed send among them (retry time and attempts), if any:
        the newer message inherits that wait. A reply's lease is not a wait."""
        superseded = (
            OUTBOX.c.transport == transport,
            OUTBOX.c.chat_id == chat_id,
            OUTBOX.c.coalesce_key.in_(keys),
        )
        waiting = await self._connection.execute(
            select(func.max(OUTBOX.c.due_at), func.max(OUTBOX.c.attempts)).where(
                *superseded, OUTBOX.c.attempts > 0
            )
        )
        retry_at, attempts = waiting.one()
        await self._connection.execute(delete(OUTBOX).where(*superseded))
        return cast(datetime | None, retry_at), int(attempts or 0)

    async def drop_chat(self, transport: str, chat_id: str) -> int:
        """Forget everything still queued for a chat we can no longer reach."""
        result = await self._connection.execute(
            delete(OUTBOX).where(OUTBOX.c.transport == transport, OUTBOX.c.chat_id == chat_id)
        )
        return result.rowcount

    async def pending_for_chat(self, transport: str, chat_id: str) -> list[PendingMessage]:
        """Everything still to send to one chat, oldest first (order matters in a chat)."""
        result = await self._connection.execute(
            select(
                OUTBOX.c.id,
                OUTBOX.c.person_id,
                OUTBOX.c.transport,
                OUTBOX.c.chat_id,
                OUTBOX.c.payload,
                OUTBOX.c.attempts,
                OUTBOX.c.due_at,
            )
            .where(OUTBOX.c.transport == transport, OUTBOX.c.chat_id == chat_id)
            .order_by(OUTBOX.c.id)
        )
        return [PendingMessage(*row) for row in result]

    async def chats_with_pending(self) -> list[tuple[str, str]]:
        result = await self._connection.execute(select(OUTBOX.c.transport, OUTBOX.c.chat_id).distinct())
        return [(row[0], row[1]) for row in result]

    async def due_chats(self, now: datetime, limit: int = 500) -> list[tuple[str, str]]:
        """Chats whose oldest pending message is due (messages in a chat go in order), oldest first."""
        first = (
            select(func.min(OUTBOX.c.id).label("id"))
            .group_by(OUTBOX.c.transport, OUTBOX.c.chat_id)
            .subquery()
        )
        result = await self._connection.execute(
            select(OUTBOX.c.transport, OUTBOX.c.chat_id)
            .join(first, first.c.id == OUTBOX.c.id)
            .where(OUTBOX.c.due_at <= now)
            .order_by(OUTBOX.c.due_at, OUTBOX.c.id)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in result]

    async def delivered(self, message_ids: list[int]) -> None:
        if message_ids:
            await self._connection.execute(_DELETE_OUTBOX, {"ids": message_ids})

    async def end_leases(self, now: datetime) -> None:
        """Replies never tried (their handler died) become due now."""
        await self._connection.execute(
            update(OUTBOX).where(OUTBOX.c.attempts == 0, OUTBOX.c.due_at > now).values(due_at=now)
        )

    async def make_due(self, message_ids: list[int], now: datetime) -> None:
        """End the lease of queued replies: the drainer sends them."""
        await self._connection.execute(update(OUTBOX).where(OUTBOX.c.id.in_(message_ids)).values(due_at=now))

    async def retry_later(self, message_id: int, error: str, due_at: datetime) -> None:
        await self._connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == message_id)
            .values(attempts=OUTBOX.c.attempts + 1, last_error=error[:200], due_at=due_at)
        )

    async def count(self) -> int:
        result = await self._connection.execute(select(func.count()).select_from(OUTBOX))
        return int(result.scalar_one())


class Transaction:
    """The repositories of one unit of work, sharing one connection and one commit."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.people = People(connection)
        self.entries = Entries(connection)
        self.conversations = Conversations(connection)
        self.outbox = Outbox(connection)
        self.schedules = Schedules(connection)
        self.due_prompts = DuePrompts(connection)
        self.therapists = Therapists(connection)
        self.codes = Codes(connection)
        self.clients = Clients(connection)
        self.sessions = TherapySessions(connection)
        self.notes = ClientNotes(connection)
        self.audit = AuditLog(connection)
        self.risk_events = RiskEvents(connection)
        self.typed_choices = TypedChoices(connection)
        self._on_rollback: list[Callable[[], None]] = []
        self._on_commit: list[Callable[[], None]] = []

    def on_rollback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` if this transaction does not commit (to restore in-memory state)."""
        self._on_rollback.append(callback)

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this transaction has committed."""
        self._on_commit.append(callback)

    def rolled_back(self) -> None:
        for callback in self._on_rollback:
            callback()
        self._on_rollback.clear()
        self._on_commit.clear()

    def committed(self) -> None:
        for callback in self._on_commit:
            callback()
        self._on_commit.clear()
        self._on_rollback.clear()

    async def lock_for_write(self) -> None:
        """Open the write transaction now, before reads whose result a later write depends on.

        On SQLite the driver otherwise opens it at the first write; PostgreSQL needs nothing.
        """
        if self.dialect == "sqlite":
            await self.connection.exec_driver_sql("BEGIN IMMEDIATE")

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        """Run an ad-hoc statement in this transaction (tests, admin commands)."""
        return await self.connection.execute(statement, parameters)


__all__ = [
    "Conversations",
    "Entries",
    "EntryRow",
    "EntryStatus",
    "OpenConversation",
    "Outbox",
    "PendingMessage",
    "People",
    "PersonRow",
    "Transaction",
]
