"""Homework agreed in chat: the one-line and the guided /assign, /assignments and /unassign."""

from __future__ import annotations

import logging
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.chat import texts
from bot.chat.notes import LOW_CONFIDENCE, confidence_question
from bot.chat.turn import Turn, note
from bot.core import formatting
from bot.core.errors import UsageError
from bot.core.local_time import (
    describe_weekdays,
    local_today,
    parse_times,
    parse_weekdays,
    plan_of,
)
from bot.core.messages import parse_button_number
from bot.core.timezones import zone_or_utc
from bot.practice import texts as ptexts
from bot.practice.therapist import Desk, _times_text, find_client, homework_title
from flows import Flow
from flows.assign import ASSIGN, AssignmentDraft, assignment_from, clients_context
from storage import (
    PersonRow,
    TherapistRow,
)

log = logging.getLogger(__name__)

MAX_TIMES = 8
"""At most this many prompts a day for one assignment."""


@dataclass(frozen=True, slots=True)
class OneLineAssignment:
    alias: str
    flow: Flow
    times: tuple[str, ...]
    weekdays: tuple[int, ...]
    start: date | None
    rationale: str | None


def parse_one_line_assignment(args: str, flows: Sequence[Flow]) -> OneLineAssignment:
    """``<alias> <flow> <HH:MM[,HH:MM]> [days] [from YYYY-MM-DD] ["rationale"]``."""
    try:
        words = shlex.split(args.replace("“", '"').replace("”", '"'))
    except ValueError:
        raise UsageError("a quote is not closed") from None
    if len(words) < 3:
        raise UsageError("it needs at least a client, a homework and a time")
    alias, flow_name, times_text, *rest = words
    flow = next((f for f in flows if flow_name.lower() in (f.id, f.command, f"/{f.command}")), None)
    if flow is None:
        known = ", ".join(f.command for f in flows)
        raise UsageError(ptexts.ASSIGN_UNKNOWN_HOMEWORK.format(name=flow_name, known=known))
    try:
        times = tuple(f"{t:%H:%M}" for t in parse_times(times_text))
    except ValueError as error:
        raise UsageError(str(error)) from None
    if len(times) > MAX_TIMES:
        raise UsageError(ptexts.TOO_MANY_TIMES.format(most=MAX_TIMES))
    weekdays: tuple[int, ...] = tuple(range(7))
    start: date | None = None
    rationale: str | None = None
    index = 0
    if index < len(rest) and rest[index].lower() != "from" and not _is_rationale(rest, index):
        try:
            weekdays = tuple(sorted(parse_weekdays(rest[index])))
        except ValueError as error:
            raise UsageError(str(error)) from None
        index += 1
    if index < len(rest) and rest[index].lower() == "from":
        if index + 1 >= len(rest):
            raise UsageError("'from' needs a date like 2026-03-09")
        try:
            start = date.fromisoformat(rest[index + 1])
        except ValueError:
            raise UsageError(f"{rest[index + 1][:20]!r} is not a date like 2026-03-09") from None
        index += 2
    if index < len(rest):
        rationale = " ".join(rest[index:]).strip() or None
    if rationale is not None and len(rationale) > 1000:
        raise UsageError("the rationale is longer than 1000 characters")
    return OneLineAssignment(alias, flow, times, weekdays, start, rationale)


def _is_rationale(rest: Sequence[str], index: int) -> bool:
    """A last word with spaces in it was quoted: the rationale, not days."""
    return index == len(rest) - 1 and " " in rest[index]


async def assign(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    if not args.strip():
        clients = await turn.tx.clients.of(therapist.person_id)
        if not clients:
            turn.say(note(ptexts.ASSIGN_NEED_CLIENTS))
            return
        clients_listed = [(c.id, c.alias or "") for c in clients]
        await desk.start_flow(turn, ASSIGN, context=clients_context(clients_listed, desk.flows))
        return
    try:
        line = parse_one_line_assignment(args, desk.flows)
    except UsageError as error:
        turn.say(note(ptexts.ASSIGN_BAD.format(problem=error)))
        return
    client = await find_client(turn, therapist, line.alias)
    if client is None:
        return
    await write_assignment(
        turn, therapist, client, line.flow, line.times, line.weekdays, line.start, line.rationale
    )


async def finish_assign(turn: Turn, answers: Mapping[str, Any], flows: Sequence[Flow]) -> None:
    """The guided /assign is done: write it (its client must still be this therapist's)."""
    therapist = await turn.tx.therapists.get(turn.person.id)
    try:
        draft: AssignmentDraft = assignment_from(answers)
    except ValueError:
        turn.say(note(ptexts.ASSIGN_CLIENT_GONE))
        return
    client = await turn.tx.clients.by_id(turn.person.id, draft.client_id) if therapist else None
    flow = next((f for f in flows if f.id == draft.flow_id), None)
    if therapist is None or client is None or flow is None:
        turn.say(note(ptexts.ASSIGN_CLIENT_GONE))
        return
    zone = zone_or_utc(client.timezone)
    today = local_today(turn.now, zone)
    start = {"today": today, "tomorrow": today + timedelta(days=1)}.get(draft.start)
    if start is None:
        start = date.fromisoformat(draft.start)
    await write_assignment(turn, therapist, client, flow, draft.times, draft.weekdays, start, draft.rationale)


async def write_assignment(
    turn: Turn,
    therapist: TherapistRow,
    client: PersonRow,
    flow: Flow,
    times: Sequence[str],
    weekdays: Sequence[int],
    start: date | None,
    rationale: str | None,
) -> None:
    zone = zone_or_utc(client.timezone)
    today = local_today(turn.now, zone)
    start = start or today
    if start < today:
        turn.say(note(ptexts.ASSIGN_BAD.format(problem=ptexts.ASSIGN_PAST_START)))
        return
    schedule_id = await turn.tx.schedules.add(
        person_id=client.id,
        flow_id=flow.id,
        times=list(times),
        weekdays=list(weekdays),
        start_date=start,
        end_date=None,
        quiet_start=None,
        quiet_end=None,
        rationale=rationale,
        created_by=therapist.person_id,
        now=turn.now,
    )
    days = describe_weekdays(frozenset(weekdays))
    start_text = "today" if start == today else formatting.day(start)
    turn.say(
        note(
            ptexts.ASSIGNED.format(
                alias=client.alias,
                title=flow.title,
                times=_times_text(times),
                days=days,
                zone=client.timezone,
                start=start_text,
            )
        )
    )
    told = texts.ASSIGNED.format(
        therapist=therapist.name, title=flow.title, times=_times_text(times), days=days, start=start_text
    )
    if rationale:
        told += "\n\n" + texts.ASSIGNED_WHY.format(rationale=rationale)
    turn.tell(client, note(told))
    turn.tell(client, confidence_question(schedule_id))
    log.info("therapist %s assigned %s to person %s", therapist.person_id, flow.id, client.id)


async def assignments(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    if not args:
        turn.say(note(ptexts.ASSIGNMENTS_USAGE))
        return
    client = await find_client(turn, therapist, args.split()[0])
    if client is None:
        return
    schedules = await turn.tx.schedules.for_person(client.id)
    if not schedules:
        turn.say(note(ptexts.NO_ASSIGNMENTS.format(alias=client.alias)))
        return
    lines = [ptexts.ASSIGNMENTS_HEADER.format(alias=client.alias, zone=client.timezone)]
    for schedule in schedules:
        plan = plan_of(schedule)
        confidence = ""
        if schedule.confidence is not None:
            confidence = ptexts.ASSIGNMENT_CONFIDENCE.format(
                value=schedule.confidence,
                flag=ptexts.ASSIGNMENT_LOW if schedule.confidence <= LOW_CONFIDENCE else "",
            )
        lines.append(
            ptexts.ASSIGNMENT_LINE.format(
                number=schedule.id,
                title=formatting.sentence(homework_title(desk.flows, schedule.flow_id)),
                times=_times_text(schedule.times),
                days=describe_weekdays(plan.weekdays),
                start=formatting.day(schedule.start_date),
                confidence=confidence,
                rationale=ptexts.ASSIGNMENT_RATIONALE.format(rationale=schedule.rationale)
                if schedule.rationale
                else "",
            )
        )
    turn.say(note("\n".join(lines)))


async def unassign(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    number = parse_button_number(args.removeprefix("#")) if args else None
    if number is None:
        turn.say(note(ptexts.UNASSIGN_USAGE))
        return
    schedule = await turn.tx.schedules.get(number)
    client = await turn.tx.clients.by_id(therapist.person_id, schedule.person_id) if schedule else None
    if schedule is None or client is None or schedule.status != "active":
        turn.say(note(ptexts.NO_SUCH_ASSIGNMENT.format(number=number)))
        return
    await turn.tx.schedules.remove(schedule.id, turn.now)
    await turn.tx.due_prompts.drop_pending_for_schedule(schedule.id)
    title = homework_title(desk.flows, schedule.flow_id)
    turn.say(note(ptexts.UNASSIGNED.format(number=number, title=title, alias=client.alias)))
    turn.tell(client, note(texts.UNASSIGNED.format(therapist=therapist.name, title=title)))
    log.info("therapist %s removed schedule %s", therapist.person_id, schedule.id)
