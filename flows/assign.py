"""Assign homework: the guided ``/assign`` a therapist uses in chat.

Whom for, which homework, at what local times, on which days, from when, and (optionally) why.
A measure that asks about weeks (``Flow.min_interval_days``, PHQ-9) is never asked which days:
it is asked before every session, before every other session (the day before, at the time
given) or every so many days (at least its ``min_interval_days``).
The therapist's clients are not known to the flow: the service passes them in when it starts
(``start(ASSIGN, clients_context(clients))``) and reads the finished answers with
:func:`assignment_from`, then writes the schedule and sends the real confirmation. Not homework
itself: it records no journal entry and keeps no drafts. Every string the therapist reads in it
is here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Final

from bot.core.i18n import N_, SOURCE_LANGUAGE, Translated, _, in_catalogue, installed
from bot.core.plan_text import parse_times, parse_weekdays
from flows.model import AnswerKind, Answers, Flow, Option, Step
from flows.registry import FLOWS

CLIENT_PROMPT: Final = N_("Who is this homework for?")
HOMEWORK_PROMPT: Final = N_("Which homework?")
TIMES_PROMPT: Final = N_("At what times, in the client's local time? For example 08:00 or 08:00, 20:30.")
DAYS_PROMPT: Final = N_("On which days?")
DAYS_OTHER_PROMPT: Final = N_("Which days? For example mon, wed, fri or tue-thu.")
TIMING_PROMPT: Final = N_(
    "This one asks about the last weeks, so it isn't asked daily. When should it come? "
    "Before a session, it's asked the day before, so the answer is in your digest."
)
INTERVAL_PROMPT: Final = N_("Every how many days? At least {least}, for example 14.")
INTERVAL_INVALID: Final = N_("Please write a whole number of days, at least {least} (at most 365).")
MEASURE_TIME_PROMPT: Final = N_(
    "At what time, in the client's local time? For example 18:00 (before a session: on the day before)."
)
START_PROMPT: Final = N_("From when?")
START_DATE_PROMPT: Final = N_("From which date? Please write it like 2026-03-09.")
START_DATE_INVALID: Final = N_("Please write the date like 2026-03-09.")
GIVEN_PROMPTS: Final = {
    "ladder": N_(
        "The steps of your client's ladder for this homework, easiest first: one per line, or "
        "separated by semicolons. They'll pick the step they practised from these (or name "
        "another). Or skip, and they name the step each time."
    ),
}
"""What the guided /assign asks for a list a homework takes, by the list's name."""
GIVEN_PROMPT: Final = N_(
    "The items of the list “{name}” for this homework: one per line, or separated by semicolons. "
    "Your client picks from these (or names another). Or skip, and they name one each time."
)
"""The same for a list without a prompt of its own (a practice's homework file names it)."""
GIVEN_INVALID: Final = N_(
    "Please write between 1 and {most} steps, each up to {length} characters, one per line."
)
GIVEN_MAX_ITEMS: Final = 12
GIVEN_MAX_LENGTH: Final = 60
RATIONALE_PROMPT: Final = N_("Why this homework, in a sentence or two? Your client will read this with it.")
SAVING: Final = N_("Saving the assignment…")

DAYS: Final = (
    Option("daily", N_("Every day")),
    Option("weekdays", N_("Weekdays")),
    Option("weekends", N_("Weekends")),
    Option("other", N_("Other days…")),
)
BEFORE_SESSION: Final = "before_session"
BEFORE_OTHER_SESSION: Final = "before_other_session"
EVERY_N_DAYS: Final = "every_n_days"
WEEKLY: Final = "weekly"
"""The cadences an assignment can have (the values of ``bot.core.statuses.Cadence``)."""
TIMINGS: Final = (
    Option(BEFORE_SESSION, N_("Before every session")),
    Option(BEFORE_OTHER_SESSION, N_("Before every other session")),
    Option(EVERY_N_DAYS, N_("Every … days")),
)
STARTS: Final = (
    Option("today", N_("Today")),
    Option("tomorrow", N_("Tomorrow")),
    Option("date", N_("Another date…")),
)

GIVEN_KEY: Final = "given_"
"""The step of the guided /assign that takes a given list is this and the list's name."""
CLIENTS_KEY: Final = "clients"
"""Where the start context lists the therapist's clients (see :func:`clients_context`)."""


def _capitalized(title: str) -> str:
    """A homework's title as a button names it, in each language a homework file or the
    catalogue gives it (a catalogue title is looked up before it is capitalized)."""
    if not isinstance(title, Translated):
        title = in_every_language(title)
    return title.map(lambda said: said[:1].upper() + said[1:])


def in_every_language(message: str, **values: object) -> Translated:
    """A catalogue text (its values filled in) as each installed language says it: for words
    made once, ahead of any turn, that ``_`` then reads in the reader's language."""
    return Translated(
        message.format(**values),
        {
            language: in_catalogue(language, message).format(**values)
            for language in installed()
            if language != SOURCE_LANGUAGE
        },
    )


HOMEWORK: Final = tuple(Option(flow.id, _capitalized(flow.title)) for flow in FLOWS)
"""The registry's homework types as the guided /assign offers them."""

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
    cadence: str = WEEKLY
    interval_days: int | None = None
    given: Mapping[str, tuple[str, ...]] | None = None
    """Lists given with it, by name (an exposure ladder's steps, easiest first)."""


def given_items(text: str) -> list[str]:
    """A list given with an assignment, as typed: one item per line or between semicolons.
    Raises ValueError with a kind reason when there are none, too many or too long ones."""
    items = [item.strip() for line in text.splitlines() for item in line.split(";")]
    items = [item for item in items if item]
    if not 1 <= len(items) <= GIVEN_MAX_ITEMS or any(len(item) > GIVEN_MAX_LENGTH for item in items):
        raise ValueError(_(GIVEN_INVALID).format(most=GIVEN_MAX_ITEMS, length=GIVEN_MAX_LENGTH))
    return items


def given_context(given: Mapping[str, Sequence[str]] | None) -> dict[str, Any]:
    """What a homework starts with from its assignment: each given list as the ``[id, label]``
    options of the steps that take their options from it (ids "1", "2" … in the given order)."""
    return {
        name: [[str(number), str(item)] for number, item in enumerate(items, start=1)]
        for name, items in (given or {}).items()
        if items
    }


def _given(answers: Answers) -> dict[str, tuple[str, ...]] | None:
    given = {
        key.removeprefix(GIVEN_KEY): tuple(str(item) for item in value)
        for key, value in answers.items()
        if key.startswith(GIVEN_KEY) and isinstance(value, list) and value
    }
    return given or None


def clients_context(clients: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """The start context of ``ASSIGN``: the therapist's clients as (person id, alias)."""
    return {CLIENTS_KEY: [[str(person_id), alias] for person_id, alias in clients]}


def assignment_from(answers: Answers, flows: Sequence[Flow] = FLOWS) -> AssignmentDraft:
    """Read the answers of a finished ``ASSIGN``. Raises ValueError if they are not those."""
    try:
        cadence = str(answers.get("timing") or WEEKLY)
        if cadence == WEEKLY:
            days = str(answers["days"])
            weekdays = (
                tuple(sorted(int(d) for d in answers["days_other"]))
                if days == "other"
                else _WEEKDAYS_BY_CHOICE[days]
            )
        else:
            weekdays = tuple(range(7))
        start = str(answers["start"])
        if start == "date":
            start = date.fromisoformat(str(answers["start_date"])).isoformat()
        elif start not in ("today", "tomorrow"):
            raise ValueError(f"unknown start {start!r}")
        flow_id = str(answers["homework"])
        if flow_id not in {flow.id for flow in flows}:
            raise ValueError(f"unknown homework {flow_id!r}")
        times = answers.get("times") or answers["measure_time"]
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
            cadence=cadence,
            interval_days=int(answers["interval"]) if cadence == EVERY_N_DAYS else None,
            given=_given(answers),
        )
    except (KeyError, TypeError) as missing:
        raise ValueError(f"not the answers of a finished assignment: {missing!r}") from missing


def summarize(answers: Answers) -> str:
    return _(SAVING)


MAX_TIMES: Final = 8
TOO_MANY_TIMES: Final = N_("At most 8 times a day, please.")


def _times(text: str) -> list[str]:
    times = [f"{wall:%H:%M}" for wall in parse_times(text)]
    if len(times) > MAX_TIMES:
        raise ValueError(_(TOO_MANY_TIMES))
    return times


def _weekdays(text: str) -> list[int]:
    return sorted(parse_weekdays(text))


def _start_date(text: str) -> str:
    if not _ISO_DATE.fullmatch(text.strip()):
        raise ValueError(_(START_DATE_INVALID))
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValueError(_(START_DATE_INVALID)) from None


def _interval(least: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        words = text.split()
        if not words or not words[0].isdigit() or not least <= int(words[0]) <= 365:
            raise ValueError(_(INTERVAL_INVALID).format(least=least))
        return int(words[0])

    return parse


@cache
def assign_flow(flows: tuple[Flow, ...]) -> Flow:
    """The guided /assign over these homework types (one flow object per tuple of them)."""
    measures = frozenset(f.id for f in flows if f.min_interval_days > 0)
    least = max((f.min_interval_days for f in flows), default=1)

    def measure(answers: Answers) -> bool:
        return answers.get("homework") in measures

    return Flow(
        id="assign",
        title=N_("homework assignment"),
        command="",
        description="a therapist assigns homework to a client",
        steps=(
            Step("client", CLIENT_PROMPT, AnswerKind.CHOICE, options_from=CLIENTS_KEY, columns=2),
            Step("homework", HOMEWORK_PROMPT, AnswerKind.CHOICE, options=_homework_options(flows)),
            Step(
                "times",
                TIMES_PROMPT,
                AnswerKind.TEXT,
                max_length=200,
                parse=_times,
                when=lambda answers: not measure(answers),
            ),
            Step(
                "days",
                DAYS_PROMPT,
                AnswerKind.CHOICE,
                options=DAYS,
                when=lambda answers: not measure(answers),
            ),
            Step(
                "days_other",
                DAYS_OTHER_PROMPT,
                AnswerKind.TEXT,
                max_length=200,
                parse=_weekdays,
                when=lambda answers: not measure(answers) and answers.get("days") == "other",
            ),
            *_measure_steps(measure, least),
            *_given_steps(flows),
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


def _measure_steps(measure: Callable[[Answers], bool], least: int) -> tuple[Step, ...]:
    """A measure's timing: before every (other) session or every N days, and one time of day."""
    return (
        Step("timing", TIMING_PROMPT, AnswerKind.CHOICE, options=TIMINGS, columns=1, when=measure),
        Step(
            "interval",
            in_every_language(INTERVAL_PROMPT, least=least),
            AnswerKind.TEXT,
            max_length=40,
            parse=_interval(least),
            when=lambda answers: measure(answers) and answers.get("timing") == EVERY_N_DAYS,
        ),
        Step(
            "measure_time",
            MEASURE_TIME_PROMPT,
            AnswerKind.TEXT,
            max_length=200,
            parse=_one_time,
            when=measure,
        ),
    )


def _given_steps(flows: Sequence[Flow]) -> tuple[Step, ...]:
    """One step per list a homework takes from its assignment (its ladder), asked only for it."""
    steps = []
    for name in dict.fromkeys(name for flow in flows for name in flow.given_lists):
        taking = frozenset(flow.id for flow in flows if name in flow.given_lists)
        steps.append(
            Step(
                GIVEN_KEY + name,
                _given_prompt(name),
                AnswerKind.TEXT,
                optional=True,
                max_length=GIVEN_MAX_ITEMS * (GIVEN_MAX_LENGTH + 2),
                parse=given_items,
                when=_homework_in(taking),
            )
        )
    return tuple(steps)


def _given_prompt(name: str) -> str:
    known = GIVEN_PROMPTS.get(name)
    return known if known else in_every_language(GIVEN_PROMPT, name=name)


def _homework_in(taking: frozenset[str]) -> Callable[[Answers], bool]:
    return lambda answers: answers.get("homework") in taking


def _homework_options(flows: Sequence[Flow]) -> tuple[Option, ...]:
    return tuple(Option(flow.id, _capitalized(flow.title)) for flow in flows)


ONE_TIME: Final = N_("One time, please, for example 18:00.")


def _one_time(text: str) -> list[str]:
    times = _times(text)
    if len(times) != 1:
        raise ValueError(_(ONE_TIME))
    return times


ASSIGN: Final = assign_flow(FLOWS)
"""The guided /assign over the registry's homework types."""
