"""What a homework type shows in the therapist's pre-session digest, declared beside the flow.

In the spirit of Home Assistant's entity descriptions: a :class:`DigestSection` is a frozen
description holding pure functions — from the flow's stored entries to facts (``facts``), and
from facts to the words the therapist reads (``body``, ``headline``, ``flags``, ``chart``). The
digest iterates the registry and calls them; it never spells a step id itself. A section reads
answers only under the step ids it declares in ``reads`` (any other is refused), so a test can
check those against the flow's steps.

Also here: the small kit of readers and wording the sections share with the digest (dates as
the therapist reads them, quoting the client's words, numbers, durations, sparklines).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Generic, TypeVar

from bot.core import formatting
from bot.core.i18n import N_, SOURCE_LANGUAGE, Translated, _, current, ngettext, said
from flows.model import CUSTOM_PREFIX
from flows.scoring import Band

F = TypeVar("F")
S = TypeVar("S")

NONE_THIS_PERIOD: Final = N_("None in this period.")
NOT_ANSWERED: Final = "–"
UNFINISHED_MARK: Final = N_(" (unfinished)")
NOTE_LINE: Final = N_("  Note: {note}")
STOPPED_AFTER: Final = N_("stopped after {stayed} of {planned}")
STOPPED_EARLY: Final = N_("stopped after {stayed}")
SECONDS: Final = N_("{seconds} s")
# TRANSLATORS: the client's own words quoted, with the quotation marks your language uses.
QUOTED: Final = N_("“{text}”")
MINUTES: Final = N_("{minutes} min")
MINUTES_AND_SECONDS: Final = N_("{minutes} min {seconds} s")
_BARS: Final = "▁▂▃▄▅▆▇█"


def counted_entries(title: str, count: int) -> str:
    """A caption's count of a homework file's entries in a language its file gives only the
    singular title in ("Aktivitätenprotokoll: 3 Einträge")."""
    text = ngettext("{title}: {count} entry", "{title}: {count} entries", count)
    return text.format(title=title, count=count)


class UndeclaredRead(LookupError):
    """A section read an answer under a step id it does not declare in ``reads``.

    Not a KeyError, so ``answers.get`` cannot swallow it."""


class DeclaredAnswers(Mapping[str, Any]):
    """An entry's answers as a section sees them: only the step ids it declared."""

    __slots__ = ("_answers", "_reads")

    def __init__(self, answers: Mapping[str, Any], reads: frozenset[str]) -> None:
        self._answers = answers
        self._reads = reads

    def __getitem__(self, key: str) -> Any:
        if key not in self._reads:
            raise UndeclaredRead(f"the digest section does not declare that it reads {key!r}")
        return self._answers[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._answers if key in self._reads)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True, slots=True)
class SectionEntry:
    """One stored entry of the flow, as a section reads it."""

    at: datetime
    """When it happened (finished, else started), in the client's zone."""
    finished: bool
    """Done to the end; else left part-way (every answer given is kept)."""
    answers: Mapping[str, Any]
    version: str | None = None
    """The version of the homework's definition it was answered under (None: today's)."""


@dataclass(frozen=True, slots=True)
class SectionGoal:
    """One of the client's goals (Goal-Based Outcomes) as a section reads it, times in the
    client's zone: a goal lives beside the entries, in its own rows, with every rating it had."""

    number: int
    """The client's own numbering, never reused (what the therapist types: /goal Sam edit 2)."""
    text: str
    """Its words now (the client's, as the therapist wrote them down)."""
    set_at: datetime
    reworded_at: datetime | None
    retired_at: datetime | None
    ratings: tuple[tuple[datetime, int], ...]
    """Every 0–10 rating up to the end of the period, oldest first (the first is the baseline)."""

    @property
    def change(self) -> int | None:
        """The latest rating minus the first; None with fewer than two."""
        return self.ratings[-1][1] - self.ratings[0][1] if len(self.ratings) > 1 else None


@dataclass(frozen=True, slots=True)
class SectionInput:
    """Everything a section's facts are built from: the flow's own entries, oldest first."""

    entries: tuple[SectionEntry, ...]
    previous: tuple[SectionEntry, ...] = ()
    """The flow's entries in the period before, to compare with."""
    goals: tuple[SectionGoal, ...] = ()
    """The client's goals that are active or were retired in the period (by number)."""
    earlier: tuple[SectionEntry, ...] = ()
    """All the flow's entries before the period (the period before's too) that the digest was
    given, oldest first: a measure's baseline is its first score ever (the wiring passes them
    for scored flows)."""


@dataclass(frozen=True, slots=True)
class SectionFlag:
    """Something the therapist should see first ("Very low mood: 1/10"), at a moment."""

    at: datetime
    text: str
    summary: str
    """How the caption counts such flags ("very low mood" → "very low mood ×2")."""


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """A 0–10 series the digest draws as its chart (the mood check's moods)."""

    points: tuple[tuple[datetime, int], ...]
    mean: float | None
    previous_mean: float | None
    low: int
    """Values at or below this are shaded as very low."""


@dataclass(frozen=True, slots=True)
class ScoreSeries:
    """A measure's scores over time (baseline onwards), drawn with its named bands shaded."""

    label: str
    points: tuple[tuple[datetime, float], ...]
    bands: tuple[Band, ...]
    low: float
    high: float
    """The lowest and highest score the measure allows (the chart's y range)."""


@dataclass(frozen=True, slots=True)
class RatedSessions(Generic[S]):
    """Sessions of an exercise rated before and after (an urge, calm), with the averages over
    the sessions rated both times."""

    sessions: tuple[S, ...]
    rated: int
    mean_before: float | None
    mean_after: float | None

    @property
    def count(self) -> int:
        return len(self.sessions)


class Dates:
    """Dates and times as the therapist reads them, in the client's zone ("Tue 3 Mar 08:05").

    The year is shown only when the period spans two calendar years.
    """

    def __init__(self, period_start: datetime, period_end: datetime) -> None:
        self.show_year = period_start.year != period_end.year

    def day(self, day: date) -> str:
        return formatting.day(day, year=self.show_year)

    def when(self, moment: datetime) -> str:
        return formatting.day_and_time(moment, year=self.show_year)

    def full(self, moment: datetime) -> str:
        """With the year always: 'Thu 12 Mar 2026, 10:00'."""
        return f"{formatting.day(moment.date(), year=True)}, {formatting.clock(moment)}"


@dataclass(frozen=True, slots=True)
class SectionView:
    """What a section's wording may know of the digest around it."""

    dates: Dates
    alias: str
    since_joining: bool
    """The period starts when the client joined (so there is no period before to compare with)."""


def _no_flags(facts: Any) -> tuple[SectionFlag, ...]:
    return ()


@dataclass(frozen=True, slots=True)
class DigestSection(Generic[F]):
    """A homework type's section of the digest: pure functions from its entries to words.

    Its words are shown in the language being read (the therapist's): ``heading``, ``empty`` and
    ``counted`` are English source texts the renderer passes through ``_``/``ngettext`` (mark
    them with ``N_``), or, for texts that are not in the catalogue (a homework file's own, per
    language), functions called as the digest is rendered; ``body``, ``headline`` and ``flags``
    word themselves, inside the same ``reading`` block."""

    heading: str | Callable[[], str]
    reads: tuple[str, ...]
    """The step ids the functions read; every one is a step of the flow (a test checks)."""
    facts: Callable[[SectionInput], F]
    count: Callable[[F], int]
    """How many entries the facts are about (none: the section shows only if assigned)."""
    body: Callable[[F, SectionView], str]
    """The lines under the heading, when ``count`` is not 0."""
    empty: str | Callable[[], str] = NONE_THIS_PERIOD
    """Under the heading when the homework is assigned and nothing was done."""
    counted: tuple[str, str] | Callable[[int], str] | None = None
    """How the caption counts entries, if it does: a singular and a plural for ``ngettext``
    ("{count} thought record", "{count} thought records"; a text without ``{count}`` is put
    after the number), or a function of the count."""
    headline: Callable[[F, SectionView], str | None] | None = None
    """A line of its own in the caption (the mood's), if any."""
    flags: Callable[[F], tuple[SectionFlag, ...]] = _no_flags
    chart: Callable[[F], ChartSeries | None] | None = None
    score_chart: Callable[[F], ScoreSeries | None] | None = None
    """A scored measure's series for its own chart (sent when it has two scores or more)."""

    def shown_heading(self) -> str:
        """The heading in the language being read."""
        return self.heading() if callable(self.heading) else _(self.heading)

    def shown_empty(self) -> str:
        """What stands under the heading when nothing was done, in the language being read."""
        return self.empty() if callable(self.empty) else _(self.empty)

    def shown_count(self, count: int) -> str | None:
        """'3 thought records' in the language being read; None when the caption does not count."""
        if self.counted is None:
            return None
        if callable(self.counted):
            return self.counted(count)
        title = self.counted[0]
        if isinstance(title, Translated) and current() != SOURCE_LANGUAGE:  # (its plural is English)
            return counted_entries(said(title), count)
        text = ngettext(*self.counted, count)
        return text.format(count=count) if "{count}" in text else f"{count} {text}"

    def read(self, entries: Iterable[SectionEntry]) -> tuple[SectionEntry, ...]:
        """The entries with their answers narrowed to what this section declares it reads."""
        reads = frozenset(self.reads)
        return tuple(
            SectionEntry(e.at, e.finished, DeclaredAnswers(e.answers, reads), e.version) for e in entries
        )


# --- reading stored values defensively ---------------------------------------------------------


def as_int(value: object, low: int, high: int) -> int | None:
    """A whole number in ``low``–``high`` from a stored answer (an int, or digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 6:
        value = int(value.strip())
    if isinstance(value, int) and low <= value <= high:
        return value
    return None


def as_text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def as_items(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if isinstance(v, str) and v.strip())
    return ()


def as_mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_timer(value: object) -> tuple[int | None, bool]:
    """(seconds practised, stopped early) from a timer record."""
    timer = as_mapping(value)
    return as_int(timer.get("seconds"), 0, 24 * 3600), timer.get("stopped_early") is True


def strip_custom(item: str) -> str:
    return item[len(CUSTOM_PREFIX) :] if item.startswith(CUSTOM_PREFIX) else item


def mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def rated_sessions(
    sessions: tuple[S, ...], ratings: Callable[[S], tuple[int | None, int | None]]
) -> RatedSessions[S]:
    """The sessions, and the mean ratings before and after over those rated both times."""
    pairs = [ratings(s) for s in sessions]
    rated = [(b, a) for b, a in pairs if b is not None and a is not None]
    return RatedSessions(sessions, len(rated), mean([b for b, _ in rated]), mean([a for _, a in rated]))


# --- wording shared by the sections and the digest ---------------------------------------------


def inline(text: str) -> str:
    """The client's words in quotes, on one line (line breaks become spaces); the quotation
    marks are the language being read's („…“ in German)."""
    return _(QUOTED).format(text=" ".join(text.split()))


def block(text: str) -> str:
    """The client's words kept whole; further lines indented, so none looks like a heading."""
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return "\n  ".join(lines)


def number(value: float | None) -> str:
    """An average to one decimal, as the language being read writes it ('4.4', '4,4')."""
    return NOT_ANSWERED if value is None else formatting.decimal(value)


def or_dash(value: int | None) -> str:
    return NOT_ANSWERED if value is None else str(value)


def plural(n: int, one: str, many: str) -> str:
    """``one`` or ``many`` (English source texts) by ``n``, in the language being read."""
    return ngettext(one, many, n)


def duration(seconds: int) -> str:
    """'45 s', '3 min', '1 min 15 s' (in the language being read)."""
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return _(SECONDS).format(seconds=rest)
    if rest:
        return _(MINUTES_AND_SECONDS).format(minutes=minutes, seconds=rest)
    return _(MINUTES).format(minutes=minutes)


def practised(seconds: int, planned_minutes: int | None, stopped_early: bool) -> str:
    """How long a timed exercise ran: '10 min', or 'stopped after 4 min of 10 min'."""
    stayed = duration(seconds)
    if not stopped_early:
        return stayed
    if planned_minutes is None:
        return _(STOPPED_EARLY).format(stayed=stayed)
    return _(STOPPED_AFTER).format(stayed=stayed, planned=duration(planned_minutes * 60))


def sparkline(values: Iterable[float]) -> str:
    """One block character per value on a fixed 0–10 scale (▁ = 0 … █ = 10); NaN is a space."""
    marks = []
    for value in values:
        if math.isnan(value):
            marks.append(" ")
            continue
        level = min(max(value, 0.0), 10.0) * (len(_BARS) - 1) / 10
        marks.append(_BARS[int(level + 0.5)])
    return "".join(marks)


def compress(values: Sequence[float], width: int) -> list[float]:
    """At most ``width`` values: consecutive runs averaged, in order."""
    count = len(values)
    if count <= width:
        return list(values)
    chunks = (values[i * count // width : (i + 1) * count // width] for i in range(width))
    return [sum(chunk) / len(chunk) for chunk in chunks]
