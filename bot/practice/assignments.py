"""Homework agreed in chat: the one-line and the guided /assign, /assignments and /unassign."""

from __future__ import annotations

import logging
import re
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
from bot.core.i18n import _, reading
from bot.core.local_time import (
    local_today,
    parse_times,
    parse_weekdays,
    plan_of,
)
from bot.core.messages import parse_button_number
from bot.core.plan_text import describe_plan_days
from bot.core.statuses import Cadence
from bot.core.timezones import zone_or_utc
from bot.practice import texts as ptexts
from bot.practice.therapist import Desk, _times_text, find_client, homework_title
from flows import Flow
from flows.assign import (
    AssignmentDraft,
    assign_flow,
    assignment_from,
    clients_context,
    given_context,
    given_items,
)
from storage import (
    PersonRow,
    ScheduleRow,
    TherapistRow,
)

log = logging.getLogger(__name__)

MAX_TIMES = 8
"""At most this many prompts a day for one assignment."""
MAX_RATIONALE = 1000
"""Characters of a rationale at most."""
SESSION_WORDS = {
    "before-session": Cadence.BEFORE_SESSION,
    "before-every-session": Cadence.BEFORE_SESSION,
    "before-other-session": Cadence.BEFORE_OTHER_SESSION,
    "before-every-other-session": Cadence.BEFORE_OTHER_SESSION,
}
EVERY_N_DAYS = re.compile(r"every-?(\d{1,3})-?days?")


@dataclass(frozen=True, slots=True)
class OneLineAssignment:
    alias: str
    flow: Flow
    times: tuple[str, ...]
    weekdays: tuple[int, ...]
    start: date | None
    rationale: str | None
    cadence: str = Cadence.WEEKLY
    interval_days: int | None = None
    given: Mapping[str, tuple[str, ...]] | None = None
    """Lists given with it, by name (``ladder "…; …"``: an exposure ladder's steps)."""


@dataclass(frozen=True, slots=True)
class When:
    """The days part of a one-line /assign: weekdays, or a cadence (and how many words it took)."""

    weekdays: tuple[int, ...]
    cadence: str = Cadence.WEEKLY
    interval_days: int | None = None
    words: int = 1


def _when(rest: Sequence[str], index: int) -> When | None:
    """Days ("weekdays", "mon,thu"), before-session, before-other-session or every-14-days at
    ``rest[index]``; None when that word is not one of them."""
    if index >= len(rest) or rest[index].lower() == "from" or _is_rationale(rest, index):
        return None
    word = rest[index].lower()
    every_day = tuple(range(7))
    if word in SESSION_WORDS:
        return When(every_day, SESSION_WORDS[word])
    if (match := EVERY_N_DAYS.fullmatch(word)) is not None:
        return When(every_day, Cadence.EVERY_N_DAYS, int(match.group(1)))
    if word == "every":
        count = rest[index + 1] if index + 1 < len(rest) else ""
        unit = rest[index + 2].lower() if index + 2 < len(rest) else ""
        if not count.isdigit() or unit not in ("day", "days"):
            raise UsageError(_(ptexts.ASSIGN_BAD_INTERVAL))
        return When(every_day, Cadence.EVERY_N_DAYS, int(count), words=3)
    try:
        return When(tuple(sorted(parse_weekdays(rest[index]))))
    except ValueError as error:
        raise UsageError(str(error)) from None


def too_often(
    flow: Flow, cadence: str, times: Sequence[str], weekdays: Sequence[int], every: int | None
) -> bool:
    """Whether a plan asks a measure (``Flow.min_interval_days``) more often than it may be asked."""
    least = flow.min_interval_days
    if least <= 0 or cadence in Cadence.SESSIONS:
        return False
    if len(times) != 1:
        return True
    if cadence == Cadence.EVERY_N_DAYS:
        return (every or 0) < least
    return len(weekdays) != 1 or least > 7


def parse_one_line_assignment(args: str, flows: Sequence[Flow]) -> OneLineAssignment:
    """``<alias> <flow> <HH:MM[,HH:MM]> [days] [from YYYY-MM-DD] ["rationale"]``."""
    try:
        words = shlex.split(args.replace("“", '"').replace("”", '"'))
    except ValueError:
        raise UsageError(_(ptexts.ASSIGN_QUOTE_OPEN)) from None
    if len(words) < 3:
        raise UsageError(_(ptexts.ASSIGN_TOO_SHORT))
    alias, flow_name, times_text, *rest = words
    flow = next((f for f in flows if flow_name.lower() in (f.id, f.command, f"/{f.command}")), None)
    if flow is None:
        known = ", ".join(f.command for f in flows)
        raise UsageError(_(ptexts.ASSIGN_UNKNOWN_HOMEWORK).format(name=flow_name, known=known))
    try:
        times = tuple(f"{t:%H:%M}" for t in parse_times(times_text))
    except ValueError as error:
        raise UsageError(str(error)) from None
    if len(times) > MAX_TIMES:
        raise UsageError(_(ptexts.TOO_MANY_TIMES).format(most=MAX_TIMES))
    when = _when(rest, 0) or When(tuple(range(7)), words=0)
    start: date | None = None
    rationale: str | None = None
    index = when.words
    if index < len(rest) and rest[index].lower() == "from":
        if index + 1 >= len(rest):
            raise UsageError(_(ptexts.ASSIGN_FROM_NEEDS_DATE))
        try:
            start = date.fromisoformat(rest[index + 1])
        except ValueError:
            typed, example = rest[index + 1][:20], "2026-03-09"
            raise UsageError(_(ptexts.NOT_A_DATE).format(typed=typed, example=example)) from None
        index += 2
    given, index = _given(flow, rest, index)
    if index < len(rest):
        rationale = " ".join(rest[index:]).strip() or None
    if rationale is not None and len(rationale) > MAX_RATIONALE:
        raise UsageError(_(ptexts.ASSIGN_RATIONALE_TOO_LONG).format(limit=MAX_RATIONALE))
    return OneLineAssignment(
        alias, flow, times, when.weekdays, start, rationale, when.cadence, when.interval_days, given
    )


def _given(flow: Flow, rest: Sequence[str], index: int) -> tuple[dict[str, tuple[str, ...]] | None, int]:
    """``ladder "step one; step two"`` at ``rest[index]`` (for a homework that takes a ladder),
    and where the words after it start."""
    given: dict[str, tuple[str, ...]] = {}
    while index + 1 < len(rest) and rest[index].lower() in flow.given_lists:
        try:
            given[rest[index].lower()] = tuple(given_items(rest[index + 1]))
        except ValueError as error:
            raise UsageError(str(error).rstrip(".")) from None
        index += 2
    return given or None, index


def _is_rationale(rest: Sequence[str], index: int) -> bool:
    """A last word with spaces in it was quoted: the rationale, not days."""
    return index == len(rest) - 1 and " " in rest[index]


async def assign(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    if not args.strip():
        clients = await turn.tx.clients.of(therapist.person_id)
        if not clients:
            turn.say(note(_(ptexts.ASSIGN_NEED_CLIENTS)))
            return
        clients_listed = clients_context([(c.id, c.alias or "") for c in clients])
        await desk.start_flow(turn, assign_flow(desk.flows), context=clients_listed)
        return
    try:
        line = parse_one_line_assignment(args, desk.flows)
    except UsageError as error:
        turn.say(note(ptexts.could_not_read(error, _(ptexts.ASSIGN_USAGE))))
        return
    client = await find_client(turn, therapist, line.alias)
    if client is None:
        return
    await write_assignment(
        turn,
        therapist,
        client,
        line.flow,
        line.times,
        line.weekdays,
        line.start,
        line.rationale,
        cadence=line.cadence,
        interval_days=line.interval_days,
        given=line.given,
        desk=desk,
    )


async def finish_assign(turn: Turn, answers: Mapping[str, Any], desk: Desk) -> None:
    """The guided /assign is done: write it (its client must still be this therapist's)."""
    flows = desk.flows
    therapist = await turn.tx.therapists.get(turn.person.id)
    try:
        draft: AssignmentDraft = assignment_from(answers, flows)
    except ValueError:
        turn.say(note(_(ptexts.ASSIGN_CLIENT_GONE)))
        return
    client = await turn.tx.clients.by_id(turn.person.id, draft.client_id) if therapist else None
    flow = next((f for f in flows if f.id == draft.flow_id), None)
    if therapist is None or client is None or flow is None:
        turn.say(note(_(ptexts.ASSIGN_CLIENT_GONE)))
        return
    zone = zone_or_utc(client.timezone)
    today = local_today(turn.now, zone)
    start = {"today": today, "tomorrow": today + timedelta(days=1)}.get(draft.start)
    if start is None:
        start = date.fromisoformat(draft.start)
    await write_assignment(
        turn,
        therapist,
        client,
        flow,
        draft.times,
        draft.weekdays,
        start,
        draft.rationale,
        cadence=draft.cadence,
        interval_days=draft.interval_days,
        given=draft.given,
        desk=desk,
    )


async def write_assignment(
    turn: Turn,
    therapist: TherapistRow,
    client: PersonRow,
    flow: Flow,
    times: Sequence[str],
    weekdays: Sequence[int],
    start: date | None,
    rationale: str | None,
    *,
    cadence: str = Cadence.WEEKLY,
    interval_days: int | None = None,
    given: Mapping[str, Sequence[str]] | None = None,
    desk: Desk | None = None,
) -> None:
    zone = zone_or_utc(client.timezone)
    today = local_today(turn.now, zone)
    start = start or today
    if start < today:
        turn.say(note(ptexts.could_not_read(_(ptexts.ASSIGN_PAST_START), _(ptexts.ASSIGN_USAGE))))
        return
    if too_often(flow, cadence, times, weekdays, interval_days):
        turn.say(note(measure_timing(flow, client, times)))
        return
    same = await _already_assigned(turn, client, flow, times, weekdays, cadence)
    if same is not None:
        time_text = next(t for t in times if t in same.times)
        said = _(ptexts.ASSIGNED_ALREADY)
        turn.say(note(said.format(alias=client.alias, title=_(flow.title), time=time_text, number=same.id)))
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
        cadence=cadence,
        interval_days=interval_days,
        given={name: list(items) for name, items in given.items()} if given else None,
    )
    plan = Plan(flow, times, frozenset(weekdays), start == today, start, cadence, interval_days, given)
    shown = plan.shown()
    lists = _lists_text(given)
    turn.say(note(_(ptexts.ASSIGNED).format(alias=client.alias, zone=client.timezone, **shown) + lists))
    with reading(client.language):  # the client reads it in their own language
        turn.tell(client, note(_told(plan, therapist, rationale)))
        turn.tell(client, confidence_question(schedule_id))
    _warn_placeholders(turn, desk, flow, client)
    log.info("therapist %s assigned %s to person %s", therapist.person_id, flow.id, client.id)


async def _already_assigned(
    turn: Turn, client: PersonRow, flow: Flow, times: Sequence[str], weekdays: Sequence[int], cadence: str
) -> ScheduleRow | None:
    """The client's active assignment of this homework at one of these times on one of these
    days, if any: assigned twice, they would be prompted twice."""
    for schedule in await turn.tx.schedules.for_person(client.id):
        if schedule.flow_id != flow.id or not set(schedule.times) & set(times):
            continue
        if schedule.cadence != cadence:
            continue
        if cadence != Cadence.WEEKLY or set(schedule.weekdays) & set(weekdays):
            return schedule
    return None


@dataclass(frozen=True, slots=True)
class Plan:
    """A new assignment as both people read it, each in their own language."""

    flow: Flow
    times: Sequence[str]
    weekdays: frozenset[int]
    from_today: bool
    start: date
    cadence: str
    interval_days: int | None
    given: Mapping[str, Sequence[str]] | None

    def shown(self) -> dict[str, str]:
        """Its title, times, days and start in the language being read."""
        days = describe_plan_days(self.cadence, self.weekdays, self.interval_days)
        start = _(ptexts.TODAY) if self.from_today else formatting.day(self.start)
        return {"title": _(self.flow.title), "times": _times_text(self.times), "days": days, "start": start}


def _told(plan: Plan, therapist: TherapistRow, rationale: str | None) -> str:
    """What the client is told of a new assignment (in the language being read)."""
    told = _(texts.ASSIGNED).format(therapist=therapist.name, **plan.shown()) + _lists_text(plan.given)
    if rationale:
        told += "\n\n" + _(texts.ASSIGNED_WHY).format(rationale=rationale)
    return told


def _lists_text(given: Mapping[str, Sequence[str]] | None) -> str:
    """The lists given with an assignment as both people read them ("Ladder: 1. … 2. …")."""
    return "".join(
        _(texts.ASSIGNED_LIST).format(
            name=_list_name(name),
            items=" ".join(f"{number}. {item}" for number, item in enumerate(items, start=1)),
        )
        for name, items in (given or {}).items()
    )


def _list_name(name: str) -> str:
    """A list's name ("ladder") as a label, in the language being read."""
    known = ptexts.GIVEN_LISTS.get(name)
    return _(known) if known else formatting.sentence(name)


async def given_start(turn: Turn, flow: Flow) -> dict[str, Any]:
    """What a homework that takes a list from its assignment starts with: the lists of the
    newest active assignment of it that has them (none: the client names the step)."""
    return given_context(await turn.tx.schedules.latest_given(turn.person.id, flow.id))


def _warn_placeholders(turn: Turn, desk: Desk | None, flow: Flow, client: PersonRow) -> None:
    """Homework that can bring the crisis message, while the resources are the placeholders."""
    if desk is not None and desk.crisis_placeholders and any(s.alert is not None for s in flow.steps):
        turn.say(note(_(ptexts.CRISIS_PLACEHOLDERS).format(title=_(flow.title), alias=client.alias)))


def measure_timing(flow: Flow, client: PersonRow, times: Sequence[str]) -> str:
    """Why a measure is not asked this often, and the plans it can have instead."""
    return _(ptexts.MEASURE_TOO_OFTEN).format(
        title=_(flow.title),
        least=max(flow.min_interval_days, 7),
        alias=client.alias,
        command=flow.command or flow.id,
        time=times[0] if times else "18:00",
    )


async def assignments(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    if not args:
        turn.say(note(_(ptexts.ASSIGNMENTS_USAGE)))
        return
    client = await find_client(turn, therapist, args.split()[0])
    if client is None:
        return
    schedules = await turn.tx.schedules.for_person(client.id)
    if not schedules:
        turn.say(note(_(ptexts.NO_ASSIGNMENTS).format(alias=client.alias)))
        return
    lines = [_(ptexts.ASSIGNMENTS_HEADER).format(alias=client.alias, zone=client.timezone)]
    for schedule in schedules:
        plan = plan_of(schedule)
        confidence = ""
        if schedule.confidence is not None:
            confidence = _(ptexts.ASSIGNMENT_CONFIDENCE).format(
                value=schedule.confidence,
                flag=_(ptexts.ASSIGNMENT_LOW) if schedule.confidence <= LOW_CONFIDENCE else "",
            )
        lines.append(
            _(ptexts.ASSIGNMENT_LINE).format(
                number=schedule.id,
                title=formatting.sentence(homework_title(desk.flows, schedule.flow_id)),
                times=_times_text(schedule.times),
                days=describe_plan_days(schedule.cadence, plan.weekdays, schedule.interval_days),
                start=formatting.day(schedule.start_date),
                confidence=confidence,
                rationale=_(ptexts.ASSIGNMENT_RATIONALE).format(rationale=schedule.rationale)
                if schedule.rationale
                else "",
            )
            + _lists_text(schedule.given).replace("\n", ptexts.ASSIGNMENT_LIST_INDENT)
        )
    turn.say(note("\n".join(lines)))


async def unassign(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    number = parse_button_number(args.removeprefix("#")) if args else None
    if number is None:
        turn.say(note(_(ptexts.UNASSIGN_USAGE)))
        return
    schedule = await turn.tx.schedules.get(number)
    client = await turn.tx.clients.by_id(therapist.person_id, schedule.person_id) if schedule else None
    if schedule is None or client is None or schedule.status != "active":
        turn.say(note(_(ptexts.NO_SUCH_ASSIGNMENT).format(number=number)))
        return
    await turn.tx.schedules.remove(schedule.id, turn.now)
    await turn.tx.due_prompts.drop_pending_for_schedule(schedule.id)
    title = homework_title(desk.flows, schedule.flow_id)
    turn.say(note(_(ptexts.UNASSIGNED).format(number=number, title=title, alias=client.alias)))
    with reading(client.language):
        told = _(texts.UNASSIGNED).format(
            therapist=therapist.name, title=homework_title(desk.flows, schedule.flow_id)
        )
    turn.tell(client, note(told))
    log.info("therapist %s removed schedule %s", therapist.person_id, schedule.id)
