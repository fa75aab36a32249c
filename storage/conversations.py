"""Open flows: one row per person, rewritten in the same transaction as each answer.

Every answer passes through here, so the statements are built once, at import, with bound
parameters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from storage.repository import Repository, RowReader
from storage.tables import CONVERSATIONS


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


CONVERSATION = RowReader.of(OpenConversation, CONVERSATIONS)

_SAVED = (
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
"""What an answer can change; the rest is fixed when the flow begins."""
_SAVE = (
    update(CONVERSATIONS)
    .where(CONVERSATIONS.c.person_id == bindparam("key_person_id"))
    .values({name: bindparam(name) for name in _SAVED})
)
_RECORD_PROMPT_MESSAGE = (
    update(CONVERSATIONS)
    .where(
        CONVERSATIONS.c.person_id == bindparam("key_person_id"),
        CONVERSATIONS.c.prompt_token == bindparam("key_prompt_token"),
    )
    .values(prompt_message_id=bindparam("prompt_message_id"))
)


class Conversations(Repository):
    """Open flows. Every answer passes through here, so its statements are prebuilt."""

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
            person_id=person_id,
            entry_id=entry_id,
            flow_id=flow_id,
            step_id=step_id,
            answers={},
            selection=[],
            history=[],
            prompt_token=prompt_token,
            prompt_message_id=None,
            started_at=now,
            updated_at=now,
            last_update_id=update_id,
            due_prompt_id=due_prompt_id,
        )
        await self._execute(insert(CONVERSATIONS).values(asdict(conversation)))
        return conversation

    async def save(self, conversation: OpenConversation) -> None:
        parameters = {name: getattr(conversation, name) for name in _SAVED}
        await self._execute(_SAVE, {"key_person_id": conversation.person_id, **parameters})

    async def due_to_wake(self, now: datetime, limit: int) -> list[int]:
        """People whose open conversation the clock should move on now (timers), soonest first."""
        result = await self._execute(
            select(CONVERSATIONS.c.person_id)
            .where(CONVERSATIONS.c.wake_at <= now)
            .order_by(CONVERSATIONS.c.wake_at)
            .limit(limit)
        )
        return [int(person_id) for person_id in result.scalars()]

    async def snooze_wake(self, person_id: int, until: datetime) -> None:
        await self._update(CONVERSATIONS, CONVERSATIONS.c.person_id == person_id, wake_at=until)

    async def end(self, person_id: int) -> None:
        await self._execute(delete(CONVERSATIONS).where(CONVERSATIONS.c.person_id == person_id))

    async def record_prompt_message(self, person_id: int, prompt_token: str, message_id: str) -> None:
        """Remember which message shows the open prompt, so it can be edited or closed later."""
        await self._execute(
            _RECORD_PROMPT_MESSAGE,
            {"key_person_id": person_id, "key_prompt_token": prompt_token, "prompt_message_id": message_id},
        )


__all__ = ["CONVERSATION", "Conversations", "OpenConversation"]
