"""A client's goals (Goal-Based Outcomes): their words, each dated change, and their ratings.

A goal is numbered per client from 1 and the number is never reused; at most
:data:`MAX_ACTIVE` are active at once. Every change is a ``goal_changes`` row that is never
rewritten (an edit adds the new words; the old ones stay in the change before), so the words a
rating was given under can always be found. Goal words are sealed at rest like every other
thing a client (or their therapist, about them) wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, cast

from sqlalchemy import Table, func, select

from storage.models import Goal, GoalChange, GoalRating
from storage.repository import Repository, RowReader

GOALS = cast(Table, Goal.__table__)
GOAL_CHANGES = cast(Table, GoalChange.__table__)
GOAL_RATINGS = cast(Table, GoalRating.__table__)

MAX_ACTIVE: Final = 3
"""Goal-Based Outcomes keep to a few goals: up to three active at once."""


class GoalStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


class GoalAction(StrEnum):
    """What a ``goal_changes`` row records."""

    ADDED = "added"
    EDITED = "edited"
    RETIRED = "retired"


@dataclass(slots=True)
class GoalRow:
    id: int
    person_id: int
    number: int
    text: str
    status: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status == GoalStatus.ACTIVE


@dataclass(slots=True)
class GoalChangeRow:
    id: int
    goal_id: int
    person_id: int
    at: datetime
    action: str
    text: str | None
    actor_id: int | None


@dataclass(slots=True)
class GoalRatingRow:
    id: int
    goal_id: int
    person_id: int
    value: int
    rated_at: datetime
    entry_id: int | None


@dataclass(frozen=True, slots=True)
class RatingWithWords:
    """A rating and the goal's words when it was given (for the client's journal and export)."""

    number: int
    words: str
    value: int
    rated_at: datetime


GOAL = RowReader.of(GoalRow, GOALS)
GOAL_CHANGE = RowReader.of(GoalChangeRow, GOAL_CHANGES)
GOAL_RATING = RowReader.of(GoalRatingRow, GOAL_RATINGS)


class Goals(Repository):
    async def of(self, person_id: int) -> list[GoalRow]:
        """Every goal of the client, active and retired, by number."""
        return await self._all(
            GOAL, select(GOALS).where(GOALS.c.person_id == person_id).order_by(GOALS.c.number)
        )

    async def active(self, person_id: int) -> list[GoalRow]:
        return [g for g in await self.of(person_id) if g.active]

    async def by_number(self, person_id: int, number: int) -> GoalRow | None:
        return await self._one(
            GOAL, select(GOALS).where(GOALS.c.person_id == person_id, GOALS.c.number == number)
        )

    async def add(self, person_id: int, text: str, actor_id: int | None, now: datetime) -> GoalRow | None:
        """A new active goal with the next number; None when the client has three active."""
        if len(await self.active(person_id)) >= MAX_ACTIVE:
            return None
        highest = await self._execute(select(func.max(GOALS.c.number)).where(GOALS.c.person_id == person_id))
        number = int(highest.scalar_one() or 0) + 1
        goal_id = await self._insert(
            GOALS,
            person_id=person_id,
            number=number,
            text=text,
            status=GoalStatus.ACTIVE,
            created_by=actor_id,
            created_at=now,
            updated_at=now,
        )
        await self._change(goal_id, person_id, GoalAction.ADDED, text, actor_id, now)
        return await self.by_number(person_id, number)

    async def edit(self, goal: GoalRow, text: str, actor_id: int | None, now: datetime) -> None:
        """New words for an active goal; the old ones stay in its earlier change."""
        await self._update(GOALS, GOALS.c.id == goal.id, text=text, updated_at=now)
        await self._change(goal.id, goal.person_id, GoalAction.EDITED, text, actor_id, now)

    async def retire(self, goal: GoalRow, actor_id: int | None, now: datetime) -> None:
        await self._update(
            GOALS, GOALS.c.id == goal.id, status=GoalStatus.RETIRED, retired_at=now, updated_at=now
        )
        await self._change(goal.id, goal.person_id, GoalAction.RETIRED, None, actor_id, now)

    async def _change(
        self, goal_id: int, person_id: int, action: str, text: str | None, actor_id: int | None, now: datetime
    ) -> None:
        await self._insert(
            GOAL_CHANGES,
            goal_id=goal_id,
            person_id=person_id,
            at=now,
            action=action,
            text=text,
            actor_id=actor_id,
        )

    async def changes(self, person_id: int) -> list[GoalChangeRow]:
        """Every change of the client's goals, oldest first."""
        return await self._all(
            GOAL_CHANGE,
            select(GOAL_CHANGES)
            .where(GOAL_CHANGES.c.person_id == person_id)
            .order_by(GOAL_CHANGES.c.at, GOAL_CHANGES.c.id),
        )

    async def rate(
        self, person_id: int, ratings: Iterable[tuple[int, int]], entry_id: int | None, now: datetime
    ) -> int:
        """Ratings (goal number, 0–10) given now; numbers that are not the client's active goals,
        or values off the scale, are left out. Returns how many were kept."""
        active = {g.number: g.id for g in await self.active(person_id)}
        kept = 0
        for number, value in ratings:
            if number in active and 0 <= value <= 10:
                await self._insert(
                    GOAL_RATINGS,
                    goal_id=active[number],
                    person_id=person_id,
                    value=value,
                    rated_at=now,
                    entry_id=entry_id,
                )
                kept += 1
        return kept

    async def ratings(self, person_id: int, before: datetime | None = None) -> list[GoalRatingRow]:
        """The client's ratings, oldest first (only those before ``before``, if given)."""
        conditions = [GOAL_RATINGS.c.person_id == person_id]
        if before is not None:
            conditions.append(GOAL_RATINGS.c.rated_at < before)
        return await self._all(
            GOAL_RATING,
            select(GOAL_RATINGS).where(*conditions).order_by(GOAL_RATINGS.c.rated_at, GOAL_RATINGS.c.id),
        )

    async def ratings_with_words(self, person_id: int) -> list[RatingWithWords]:
        """Every rating with the goal's words as they were when it was given, oldest first."""
        goals = {g.id: g for g in await self.of(person_id)}
        changes = await self.changes(person_id)
        return [
            RatingWithWords(
                goals[r.goal_id].number, words_at(changes, r.goal_id, r.rated_at), r.value, r.rated_at
            )
            for r in await self.ratings(person_id)
            if r.goal_id in goals
        ]


def words_at(changes: Sequence[GoalChangeRow], goal_id: int, moment: datetime) -> str:
    """A goal's words at ``moment``: those of its latest change with words, at or before it."""
    said = [c for c in changes if c.goal_id == goal_id and c.text is not None and c.at <= moment]
    return (said[-1].text or "") if said else ""


__all__ = [
    "GOALS",
    "GOAL_CHANGES",
    "GOAL_RATINGS",
    "MAX_ACTIVE",
    "GoalAction",
    "GoalChangeRow",
    "GoalRatingRow",
    "GoalRow",
    "GoalStatus",
    "Goals",
    "RatingWithWords",
    "words_at",
]
