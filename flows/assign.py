"""Assign homework: the guided ``/assign`` a therapist uses in chat.

Whom for, which homework, at what local times, on which days, from when, and (optionally) why.
The therapist's clients are not known to the flow: the service passes them in when it starts
(``start(ASSIGN, clients_context(clients))``) and reads the finished answers with
:func:`assignment_from`, then writes the schedule and sends the real confirmation. Not homework
itself: it records no journal entry and keeps no drafts. Every string the therapist reads in it
is here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from bot.core.plan_text import parse_times, parse_weekdays
from flows.model import AnswerKind, Answers, Flow, Option, Step
from flows.registry import FLOWS

CLIENT_PROMPT: Final = "Who is this homework for?"
HOMEWORK_PROMPT: Final = "Which homework?"
TIMES_PROMPT: Final = "At what times, in the client's local time? For example 08:00 or 08:00, 20:30."
DAYS_PROMPT: Final = "On which days?"
DAYS_OTHER_PROMPT: Final = "Which days? For example mon, wed, fri or tue-thu."
START_PROMPT: Final = "From when?"
START_DATE_PROMPT: Final = "From which date? Please write it like 2026-03-09."
START_DATE_INVALID: Final = "Please write the date like 2026-03-09."
RATIONALE_PROMPT: Final = "Why this homework, in a sentence or two? Your client will read this with it."
SAVING: Final = "Saving the assignment…"

DAYS: Final = (
    Option("daily", "Every day"),
    Option("weekdays", "Weekdays"),
    Option("weekends", "Weekends"),
    Option("other", "Other days…"),
)
STARTS: Final = (
    Option("today", "Today"),
    Option("tomorrow", "Tomorrow"),
    Option("date", "Another date…"),
)

CLIENTS_KEY: Final = "clients"
"""Where the start context lists the therapist's clients (see :func:`clients_context`)."""
HOMEWORK_KEY: Final = "homework_types"
"""Where it lists the homework types of this run (built-in and the practice's own)."""

HOMEWORK: Final = tuple(Option(flow.id, flow.title[:1].upper() + flow.title[1:]) for flow in FLOWS)
"""The built-in homework types, as the guided /assign offers them."""

_WEEKDAYS_BY_CHOICE: Final[Mapping[str, tuple[int, ...]]] = {
    "daily": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class AssignmentDraft:
    """What a finished ``/assign`` asks for, before the service writes it as a schedule."""

    client_id: int
    flow_id: str
    times: tuple[str, ...]
    """Local "HH:MM", sorted and unique."""
    weekdays: tuple[int, ...]
    """0 = Monday … 6 = Sunday, sorted."""
    start: str
    """"today", "tomorrow" or an ISO date (YYYY-MM-DD), read in the client's zone."""
    rationale: str | None


def clients_context(clients: Sequence[tuple[int, str]], flows: Sequence[Flow] = FLOWS) -> dict[str, Any]:
    """The start context of ``ASSIGN``: the therapist's clients as (person id, alias), and the
    homework types to choose from (a practice's own definitions among them)."""
    return {
        CLIENTS_KEY: [[str(person_id), alias] for person_id, alias in clients],
        HOMEWORK_KEY: [[flow.id, flow.title[:1].upper() + flow.title[1:]] for flow in flows],
    }


def assignment_from(answers: Answers) -> AssignmentDraft:
    """Read the answers of a finished ``ASSIGN``. Raises ValueError if they are not those."""
    try:
        days = str(answers["days"])
        weekdays = (
            tuple(sorted(int(d) for d in answers["days_other"]))
            if days == "other"
            else _WEEKDAYS_BY_CHOICE[days]
        )
        start = str(answers["start"])
        if start == "date":
            start = date.fromisoformat(str(answers["start_date"])).isoformat()
        elif start not in ("today", "tomorrow"):
            raise ValueError(f"unknown start {start!r}")
        flow_id = str(answers["homework"])
        offered = answers.get(HOMEWORK_KEY) or [[option.id, option.label] for option in HOMEWORK]
        if flow_id not in {str(pair[0]) for pair in offered}:
            raise ValueError(f"unknown homework {flow_id!r}")
        times = answers["times"]
        if not isinstance(times, list | tuple) or not times:
            raise ValueError("no times")
        rationale = answers.get("rationale")
        return AssignmentDraft(
            client_id=int(answers["client"]),
            flow_id=flow_id,
            times=tuple(str(t) for t in times),
            weekdays=weekdays,
            start=start,
            rationale=str(rationale) if rationale else None,
        )
    except (KeyError, TypeError) as missing:
        raise ValueError(f"not the answers of a finished assignment: {missing!r}") from missing


def summarize(answers: Answers) -> str:
    return SAVING


MAX_TIMES: Final = 8
TOO_MANY_TIMES: Final = "At most 8 times a day, please."


def _times(text: str) -> list[str]:
    times = [f"{wall:%H:%M}" for wall in parse_times(text)]
    if len(times) > MAX_TIMES:
        raise ValueError(TOO_MANY_TIMES)
    return times


def _weekdays(text: str) -> list[int]:
    return sorted(parse_weekdays(text))


def _start_date(text: str) -> str:
    if not _ISO_DATE.fullmatch(text.strip()):
        raise ValueError(START_DATE_INVALID)
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValueError(START_DATE_INVALID) from None


ASSIGN: Final = Flow(
    id="assign",
    title="assign homework",
    command="",
    description="a therapist assigns homework to a client",
    steps=(
        Step("client", CLIENT_PROMPT, AnswerKind.CHOICE, options_from=CLIENTS_KEY, columns=2),
        Step("homework", HOMEWORK_PROMPT, AnswerKind.CHOICE, options_from=HOMEWORK_KEY),
        Step("times", TIMES_PROMPT, AnswerKind.TEXT, max_length=200, parse=_times),
        Step("days", DAYS_PROMPT, AnswerKind.CHOICE, options=DAYS),
        Step(
            "days_other",
            DAYS_OTHER_PROMPT,
            AnswerKind.TEXT,
            max_length=200,
            parse=_weekdays,
            when=lambda answers: answers.get("days") == "other",
        ),
        Step("start", START_PROMPT, AnswerKind.CHOICE, options=STARTS, columns=3),
        Step(
            "start_date",
            START_DATE_PROMPT,
            AnswerKind.TEXT,
            max_length=40,
            parse=_start_date,
            when=lambda answers: answers.get("start") == "date",
        ),
        Step("rationale", RATIONALE_PROMPT, AnswerKind.TEXT, optional=True, max_length=1000),
    ),
    summarize=summarize,
    records_entry=False,
    keeps_drafts=False,
)
