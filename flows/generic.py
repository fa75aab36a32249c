"""The digest section every homework type gets unless it declares its own, and a measure's
answers item by item.

A homework defined as data (a practice's check-in, PHQ-9, GAD-7) has no hand-written section:
:func:`generic_section` builds one from the flow itself. It lists the period's entries with
their answers in step order (option labels, the client's words quoted), and where the flow is
scored, each entry's score and band (a half-done one is "unscored", never a number) and the
measure's summary: the latest score, the one before it, the first one ever (the baseline) and
the change, marked "response" and "remission" by the thresholds its ``Scoring`` declares.
:func:`section_for` is what the digest uses: the flow's own section, else this one.
:func:`item_answers` is the therapist's ``/digest Sam phq9``: each item across the entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from bot.core import formatting
from bot.core.i18n import N_, Translated, _, compose, ngettext, said
from flows.model import AnswerKind, Answers, Flow, Step, answer_value, item_label, step_options
from flows.scoring import Score, Scoring, score, score_range
from flows.sections import (
    NOT_ANSWERED,
    DigestSection,
    ScoreSeries,
    SectionEntry,
    SectionInput,
    SectionView,
    as_mapping,
    as_timer,
    inline,
    practised,
)

# --- what the therapist reads ------------------------------------------------------------------

COUNT: Final = N_("{count} in this period.")
WHEN: Final = "{when}"
UNFINISHED: Final = N_("{when} (unfinished: stopped part-way)")
ANSWER: Final = "{name}: {answer}"
SCORE: Final = N_("{label}: {value} ({band})")
SCORE_NO_BAND: Final = N_("{label}: {value}")
ITEMS: Final = N_("Items in order: {values}")
DERIVED: Final = " · {label} {value}"
PER_ITEM: Final = "{item} {value}"

LATEST: Final = N_("Latest: {score}, {day}")
NO_LATEST: Final = N_("No complete {label} in this period.")
PREVIOUS: Final = N_("Previous: {score}, {day}")
BASELINE: Final = N_("Baseline (first score): {score}, {day}")
BASELINE_PREVIOUS: Final = N_("Previous, the baseline (first score): {score}, {day}")
BASELINE_IS_LATEST: Final = N_("Baseline: this is the first score.")
CHANGE: Final = N_("Change from baseline: {change}{percent}{marks}")
PERCENT: Final = " ({percent}%)"
RESPONSE: Final = N_("response")
REMISSION: Final = N_("remission")
MARKS: Final = " — {marks}"
HEADLINE: Final = N_("{label}: {score}{change}")
HEADLINE_CHANGE: Final = N_(", baseline {baseline}{marks}")

ITEMS_TITLE: Final = N_("{title} item by item — {alias}, {start} – {end}")
ITEMS_ENTRIES: Final = N_("Entries: {entries}")
ITEMS_ROW: Final = "{number}. {name}: {answers}"
ITEMS_LEGEND: Final = N_("Answers: {options}")
ITEMS_SCORE_ROW: Final = "{label}: {scores}"
ITEMS_SEPARATOR: Final = " · "
NAME_LENGTH: Final = 60
_ITEM_NUMBER: Final = re.compile(r"^\d{1,3}[.)]\s+")


# --- facts -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """One answered step, as the therapist reads it."""

    name: str
    answer: str


@dataclass(frozen=True, slots=True)
class EntryFacts:
    at: datetime
    finished: bool
    answers: tuple[AnswerLine, ...]
    """The steps that are not scored items, in step order (answered ones only)."""
    items: tuple[int | None, ...] = ()
    """The scored items' values, in the scoring's order (None: unanswered)."""
    score: Score | None = None
    """None when the flow is not scored."""


@dataclass(frozen=True, slots=True)
class ScoredPoint:
    at: datetime
    value: float
    band: str | None


@dataclass(frozen=True, slots=True)
class MeasureSummary:
    """Where a measure stands: latest (in the period), previous and first score ever."""

    label: str
    latest: ScoredPoint | None
    previous: ScoredPoint | None
    baseline: ScoredPoint | None
    change: float | None
    """Latest minus baseline, when both exist and are different entries."""
    response: bool
    remission: bool


@dataclass(frozen=True, slots=True)
class GenericFacts:
    entries: tuple[EntryFacts, ...]
    measure: MeasureSummary | None = None
    series: ScoreSeries | None = None


# --- building the facts ------------------------------------------------------------------------


def generic_section(flow: Flow) -> DigestSection[GenericFacts]:
    """A digest section for any flow, from its steps (and scoring, if it has one)."""

    def facts(given: SectionInput) -> GenericFacts:
        return generic_facts(flow, given)

    def body(found: GenericFacts, view: SectionView) -> str:
        return generic_body(flow, found, view)

    return DigestSection(
        heading=lambda: _(flow.title).upper(),
        reads=tuple(step.id for step in flow.steps),
        facts=facts,
        count=lambda found: len(found.entries),
        body=body,
        counted=(flow.title, flow.title if flow.scoring else f"{flow.title}s"),
        headline=measure_headline if flow.scoring else None,
        score_chart=(lambda found: found.series) if flow.scoring else None,
    )


def section_for(flow: Flow) -> DigestSection[Any] | None:
    """The digest section of a homework type: its own, else the generic one (none for a side
    conversation that records no entry)."""
    if flow.digest is not None:
        return flow.digest
    return generic_section(flow) if flow.records_entry else None


def generic_facts(flow: Flow, given: SectionInput) -> GenericFacts:
    entries = tuple(entry_facts(flow, e) for e in given.entries if _has_answers(e))
    scoring = flow.scoring
    if scoring is None:
        return GenericFacts(entries)
    in_period = tuple(
        ScoredPoint(e.at, float(e.score.value), e.score.band)
        for e in entries
        if e.score is not None and e.score.value is not None
    )
    return GenericFacts(entries, *measure_facts(flow, scoring, given, in_period))


VersionOf = Callable[[str | None], Flow]
"""The flow an entry was answered under, by the version it stored (None: today's)."""


def measure_facts(
    flow: Flow,
    scoring: Scoring,
    given: SectionInput,
    in_period: Sequence[ScoredPoint],
    version_of: VersionOf | None = None,
) -> tuple[MeasureSummary, ScoreSeries]:
    """A measure's figures over time: the scores before the period (read from ``given``, each
    scored under the version it was answered under) and those in it (scored by the caller, who
    has read its entries already)."""
    earlier = _points(given.earlier or given.previous, version_of or (lambda _version: flow))
    low, high = score_range(scoring, flow)
    points = tuple((p.at, p.value) for p in (*earlier, *in_period))
    series = ScoreSeries(scoring.label, points, scoring.bands, low, high)
    return measure_summary(scoring, earlier, in_period), series


def _has_answers(entry: SectionEntry) -> bool:
    return any(value is not None for value in entry.answers.values())


def _points(entries: Sequence[SectionEntry], version_of: VersionOf) -> tuple[ScoredPoint, ...]:
    """The scored entries among these, oldest first, each scored by its own version's
    definition (a half-done one has no score)."""
    found = (
        (e.at, entry_score(version_of(e.version), e.answers)) for e in sorted(entries, key=lambda e: e.at)
    )
    return tuple(ScoredPoint(at, float(s.value), s.band) for at, s in found if s and s.value is not None)


def entry_score(flow: Flow, answers: Answers) -> Score | None:
    """An entry's score under the flow it was answered under (None: that version is not scored)."""
    return score(flow.scoring, flow, answers) if flow.scoring is not None else None


def measure_summary(
    scoring: Scoring, earlier: Sequence[ScoredPoint], in_period: Sequence[ScoredPoint]
) -> MeasureSummary:
    """The latest score in the period, the one before it, the first ever, and what the change
    means: a response at a fall of at least ``response_drop`` of the baseline, remission below
    ``remission_below`` (a fall of exactly half is a response; remission needs a baseline
    before it: a first score is where treatment starts, not where it ends)."""
    points = (*earlier, *in_period)
    baseline = points[0] if points else None
    if not in_period:
        previous = earlier[-1] if earlier else None
        return MeasureSummary(scoring.label, None, previous, baseline, None, False, False)
    latest = in_period[-1]
    previous = points[-2] if len(points) > 1 else None
    if baseline is None or baseline is latest:
        return MeasureSummary(scoring.label, latest, None, baseline, None, False, False)
    change = latest.value - baseline.value
    response = (
        scoring.response_drop is not None
        and baseline.value > 0
        and -change >= scoring.response_drop * baseline.value
    )
    remission = scoring.remission_below is not None and latest.value < scoring.remission_below
    return MeasureSummary(scoring.label, latest, previous, baseline, change, response, remission)


def entry_facts(flow: Flow, entry: SectionEntry) -> EntryFacts:
    answers = entry.answers
    if flow.scoring is None:
        return EntryFacts(entry.at, entry.finished, _answer_lines(flow, answers, frozenset()))
    steps = _scored_steps(flow, flow.scoring)
    items = tuple(answer_value(step, answers.get(step.id)) if step else None for step in steps)
    return EntryFacts(
        entry.at,
        entry.finished,
        _answer_lines(flow, answers, frozenset(_item_ids(flow.scoring))),
        items,
        score(flow.scoring, flow, answers),
    )


def _item_ids(scoring: Scoring) -> tuple[str, ...]:
    return tuple(item.step_id for item in scoring.items)


def _scored_steps(flow: Flow, scoring: Scoring) -> tuple[Step | None, ...]:
    by_id = {step.id: step for step in flow.steps}
    return tuple(by_id.get(item.step_id) for item in scoring.items)


def _answer_lines(flow: Flow, answers: Answers, leave_out: frozenset[str]) -> tuple[AnswerLine, ...]:
    lines = []
    for step in flow.steps:
        if step.id in leave_out or answers.get(step.id) is None:
            continue
        text = answer_text(flow, step, answers)
        if text is not None:
            lines.append(AnswerLine(step_name(step), text))
    return tuple(lines)


def step_name(step: Step) -> str:
    """A step as a digest line names it: the first line of its question's last paragraph (a
    questionnaire's items share their stem, "Over the last 2 weeks…", and differ after it),
    without the item's own number, shortened; in each language the question has (a catalogue
    text in the language being read)."""
    if isinstance(step.prompt, Translated):
        return step.prompt.map(_short_name)
    return _short_name(_(step.prompt))


def _short_name(prompt: str) -> str:
    last = prompt.strip().split("\n\n")[-1]
    first = next((line.strip() for line in last.splitlines() if line.strip()), "…")
    first = _ITEM_NUMBER.sub("", first).replace("{item}", "…")
    if len(first) <= NAME_LENGTH:
        return first
    return first[: NAME_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def answer_text(flow: Flow, step: Step, answers: Answers) -> str | None:
    """One stored answer as the therapist reads it; None when it holds nothing readable."""
    value = answers.get(step.id)
    if step.per_item is not None:
        given = as_mapping(value)
        parts = [
            PER_ITEM.format(item=item_label(flow, step.per_item, str(k)), value=_plain_value(step, v))
            for k, v in given.items()
        ]
        return "; ".join(parts) or None
    return _plain_value(step, value, answers)


def _plain_value(step: Step, value: Any, answers: Answers | None = None) -> str | None:
    if value is None:
        return None
    if step.kind is AnswerKind.TIMER:
        seconds, stopped = as_timer(value)
        return practised(seconds, None, stopped) if seconds is not None else None
    if step.kind is AnswerKind.CHOICE and isinstance(value, str):
        option = next((o for o in step_options(step, answers or {}) if o.id == value), None)
        return _(option.label) if option else _chosen(step, value)
    if step.kind is AnswerKind.MULTI_CHOICE and isinstance(value, list | tuple):
        labels = [_chosen(step, str(item)) for item in value]
        return compose(_listed, *labels) if labels else None
    if step.kind is AnswerKind.TEXT and isinstance(value, str):
        return inline(value) if value.strip() else None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    return str(value)


def _listed(*labels: str) -> str:
    return ", ".join(labels)


def _chosen(step: Step, item: str) -> str:
    option = step.option(item)
    if option is not None:
        return _(option.label)
    return inline(item.removeprefix("~"))  # the client's own words


# --- wording -----------------------------------------------------------------------------------


def number(value: float) -> str:
    """A score as written: whole numbers without a point, others to one decimal."""
    return str(int(value)) if float(value).is_integer() else formatting.decimal(value)


def score_text(value: float, band: str | None) -> str:
    return f"{number(value)} ({said(band)})" if band else number(value)


def _unscored(label: str, count: int) -> str:
    return ngettext(
        "{label}: unscored — {count} item unanswered", "{label}: unscored — {count} items unanswered", count
    ).format(label=label, count=count)


def entry_score_line(found: Score) -> str:
    """'PHQ-9: 8 (mild)', or 'PHQ-9: unscored — 2 items unanswered' (never a number then)."""
    if found.value is None:
        return _unscored(said(found.label), len(found.missing))
    template = SCORE if found.band else SCORE_NO_BAND
    line = _(template).format(label=said(found.label), value=number(found.value), band=said(found.band or ""))
    return line + "".join(
        DERIVED.format(label=said(d.label), value=number(d.value))
        for d in found.derived
        if d.value is not None
    )


def _entry_text(entry: EntryFacts, view: SectionView) -> str:
    head = (WHEN if entry.finished else _(UNFINISHED)).format(when=view.dates.when(entry.at))
    lines = [head]
    if entry.score is not None:
        lines.append(entry_score_line(entry.score))
        values = ", ".join(NOT_ANSWERED if v is None else str(v) for v in entry.items)
        lines.append(_(ITEMS).format(values=values))
    lines += [ANSWER.format(name=said(a.name), answer=said(a.answer)) for a in entry.answers]
    return "\n".join(lines)


def summary_lines(measure: MeasureSummary) -> list[str]:
    """The measure's summary: latest, previous, baseline and the change."""
    lines = []
    if measure.latest is None:
        lines.append(_(NO_LATEST).format(label=said(measure.label)))
    else:
        lines.append(_(LATEST).format(score=_point_score(measure.latest), day=_day(measure.latest.at)))
    baseline = measure.baseline
    if measure.previous is not None and measure.previous is not baseline:
        lines.append(_(PREVIOUS).format(score=_point_score(measure.previous), day=_day(measure.previous.at)))
    if baseline is not None and baseline is measure.latest:
        lines.append(_(BASELINE_IS_LATEST))
    elif baseline is not None:
        template = BASELINE_PREVIOUS if baseline is measure.previous else BASELINE
        lines.append(_(template).format(score=_point_score(baseline), day=_day(baseline.at)))
    if measure.change is not None and baseline is not None:
        change = _signed(measure.change)
        percent = (
            PERCENT.format(percent=_signed(100 * measure.change / baseline.value, 0))
            if baseline.value
            else ""
        )
        lines.append(_(CHANGE).format(change=change, percent=percent, marks=_marks(measure)))
    return lines


def _signed(value: float, decimals: int | None = None) -> str:
    """'+3', '−8', '±0' (a true minus sign); rounded to ``decimals`` if given."""
    shown = number(abs(value)) if decimals is None else formatting.decimal(abs(value), decimals)
    if shown.strip("0.,") == "":
        return f"±{shown}"
    return f"{'+' if value > 0 else '−'}{shown}"


def _marks(measure: MeasureSummary) -> str:
    marks = [_(m) for m, on in ((RESPONSE, measure.response), (REMISSION, measure.remission)) if on]
    return MARKS.format(marks=", ".join(marks)) if marks else ""


def _point_score(point: ScoredPoint) -> str:
    return score_text(point.value, point.band)


def _day(moment: datetime) -> str:
    return formatting.day(moment.date(), year=True)


def generic_body(flow: Flow, found: GenericFacts, view: SectionView) -> str:
    parts = []
    if found.measure is not None:
        parts.append("\n".join(summary_lines(found.measure)))
    parts.append(_(COUNT).format(count=len(found.entries)))
    parts += [_entry_text(e, view) for e in found.entries]
    return "\n\n".join(parts)


def measure_headline(found: GenericFacts, view: SectionView) -> str | None:
    """The caption's line: 'PHQ-9: 8 (mild), baseline 18 — response'."""
    measure = found.measure
    if measure is None or measure.latest is None:
        return None
    change = ""
    if measure.baseline is not None and measure.baseline is not measure.latest:
        change = _(HEADLINE_CHANGE).format(baseline=number(measure.baseline.value), marks=_marks(measure))
    return _(HEADLINE).format(label=said(measure.label), score=_point_score(measure.latest), change=change)


# --- item by item, on demand -------------------------------------------------------------------


def item_answers(
    flow: Flow,
    entries: Sequence[SectionEntry],
    alias: str,
    start: datetime,
    end: datetime,
    version_of: VersionOf | None = None,
) -> str:
    """Each step of the flow across the entries, one line per step (``/digest Sam phq9``):
    scored items by their values, other steps by their answers as read; then the scores, each
    entry's under the version it was answered under."""
    dates = [formatting.day_and_time(e.at) for e in entries]
    lines = [
        _(ITEMS_TITLE).format(
            title=_(flow.title),
            alias=alias,
            start=formatting.day(start.date(), year=True),
            end=formatting.day(end.date(), year=True),
        ),
        _(ITEMS_ENTRIES).format(entries=ITEMS_SEPARATOR.join(dates)),
    ]
    scored = frozenset(_item_ids(flow.scoring)) if flow.scoring else frozenset()
    lines += _legend(flow, scored)
    for position, step in enumerate(flow.steps, start=1):
        shown = [_item_cell(flow, step, e.answers, step.id in scored) for e in entries]
        lines.append(
            ITEMS_ROW.format(number=position, name=said(step_name(step)), answers=ITEMS_SEPARATOR.join(shown))
        )
    if flow.scoring is not None:
        answered_under = version_of or (lambda _version: flow)
        scores = [_score_cell(entry_score(answered_under(e.version), e.answers)) for e in entries]
        lines.append(
            ITEMS_SCORE_ROW.format(label=said(flow.scoring.label), scores=ITEMS_SEPARATOR.join(scores))
        )
    return "\n".join(lines)


def _item_cell(flow: Flow, step: Step, answers: Mapping[str, Any], scored: bool) -> str:
    if scored:
        value = answer_value(step, answers.get(step.id))
        return NOT_ANSWERED if value is None else str(value)
    return said(answer_text(flow, step, answers) or NOT_ANSWERED)


def _legend(flow: Flow, scored: frozenset[str]) -> list[str]:
    """What the scored items' numbers mean, when they share one set of answer options."""
    steps = [s for s in flow.steps if s.id in scored]
    options = {tuple((o.value, o.label) for o in s.options if o.value is not None) for s in steps}
    if len(options) != 1 or not (shared := options.pop()):
        return []
    shown = ", ".join(f"{value} = {_(label)}" for value, label in shared)
    return [_(ITEMS_LEGEND).format(options=shown)]


def _score_cell(found: Score | None) -> str:
    if found is None:
        return NOT_ANSWERED
    if found.value is None:
        return _unscored("", len(found.missing)).removeprefix(": ")
    return score_text(found.value, found.band)
