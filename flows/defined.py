"""What a data-defined homework says besides its questions: the recap the client reads when it is
done, its line and its whole entry in the journal (/history), and its digest section (the answers
in order, with the score and band where the definition scores it).

A definition's ``summary`` and ``journal`` are templates: ``{step_id}`` is that step's answer as
the client reads it, ``{score}`` and ``{band}`` the score where there is one. The generic strings
are here, the definition's own are in its file.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from bot.core import formatting
from bot.core.i18n import N_, Translated, _, compose, ngettext, said
from flows.generic import GenericFacts, ScoredPoint, measure_facts, measure_headline, summary_lines
from flows.model import AnswerKind, Answers, Flow, Step
from flows.readable import answer_text
from flows.scoring import Score, score
from flows.sections import DigestSection, SectionInput, SectionView, as_int, inline, mean, number

SUMMARY: Final = N_("Thank you — it's saved in your journal.")
NOT_ANSWERED: Final = "–"
UNSCORED: Final = N_("not scored ({missing} unanswered)")
SCORE_LINE: Final = "{label} {value}{band}"
SCORE_BAND: Final = " ({band})"
ENTRY_LINE: Final = "· {when}{unfinished}{score}"
ENTRY_SCORE: Final = " — {score}"
ANSWER_LINE: Final = "  {label}: {answer}"
DETAIL_LINE: Final = "{label}: {answer}"
UNFINISHED: Final = N_(" (unfinished)")
ACROSS: Final = N_("Across the period: {figures}")
FIGURE: Final = "{label} {mean} ({low}–{high})"
FIGURES_JOINED: Final = " · "
HIGHLIGHT: Final = "{which}: {name} ({rating}), {when}"
RATED_HIGHEST: Final = N_("Rated highest")
RATED_LOWEST: Final = N_("Rated lowest")
ATTRIBUTION_LINE: Final = "\n\n{attribution}"
SCORE_FIELDS: Final = ("score", "band")
PATH_ENTRY_LINE: Final = "· {when}{unfinished}: {name} — {label} {path}"
PATH_JOINED: Final = " → "
PATH_MEAN: Final = N_(
    "{label} across {count} entries, mean: {path}; mean drop from the highest to the end: {drop}"
)
PATH_FIRST_LATEST: Final = N_("{name}, first and latest: {first} ({first_when}) · {latest} ({latest_when})")


@dataclass(frozen=True, slots=True)
class Highlight:
    """What the digest reads across entries, each named by its ``name`` step's answer: the
    entries rated highest and lowest by the sum of the ``rated_by`` scales (the activity log: what
    I did, by mastery and pleasure), and a ``path`` of scales read as one course per entry and
    across the period (exposure: distress before → at the peak → at the end, one line per
    practice, the means, and the first and latest practice of each step). Declared in a
    definition's ``[digest]`` table."""

    name: str
    rated_by: tuple[str, ...] = ()
    path: tuple[str, ...] = ()
    path_label: str = ""


@dataclass(frozen=True, slots=True)
class Templates:
    summary: str | None
    journal: str | None


def template_problems(templates: Templates, flow: Flow) -> list[str]:
    """A template may name the flow's steps, and score and band where it is scored."""
    allowed = {s.id for s in flow.steps} | (set(SCORE_FIELDS) if flow.scoring is not None else set())
    problems = []
    for key, template in (("summary", templates.summary), ("journal", templates.journal)):
        if template is None:
            continue
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError as error:
            problems.append(f"{key}: {error} (write {{{{ and }}}} for a brace)")
            continue
        for _text, name, spec, conversion in parsed:
            if name is None:
                continue
            if name not in allowed or spec or conversion:
                known = ", ".join(sorted(allowed))
                problems.append(f'{key}: "{{{name}}}" names no step or score (known: {known})')
    return problems


def score_text(result: Score) -> str:
    """ "total 12 (moderate)", or why it is not scored."""
    if result.value is None:
        return _(UNSCORED).format(missing=len(result.missing))
    band = SCORE_BAND.format(band=said(result.band)) if result.band else ""
    return SCORE_LINE.format(label=said(result.label), value=result.value, band=band)


def _fill(template: str, flow: Flow, answers: Answers) -> str:
    values = {s.id: answer_text(flow, s.id, answers) or NOT_ANSWERED for s in flow.steps}
    if flow.scoring is not None:
        result = score(flow.scoring, flow, answers)
        values["score"] = NOT_ANSWERED if result.value is None else str(result.value)
        values["band"] = said(result.band) if result.band else NOT_ANSWERED
    return _(template).format(**values)


def _detail(flow: Flow, labels: Mapping[str, str], answers: Answers) -> str:
    lines = [
        DETAIL_LINE.format(label=_(labels.get(s.id, s.id)), answer=answer_text(flow, s.id, answers))
        for s in flow.steps
        if answers.get(s.id) is not None
    ]
    if flow.scoring is not None:
        lines.append(score_text(score(flow.scoring, flow, answers)))
    if flow.attribution:
        lines.append(_(flow.attribution))
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class DefinedEntry:
    at: datetime
    finished: bool
    answers: tuple[tuple[str, Callable[[], str]], ...]
    """(question's short name, answer as read, the client's words quoted), in the flow's order:
    both said when the digest is written, in the language it is read in."""
    score: Score | None
    numbers: tuple[tuple[str, int], ...] = ()
    """(question's short name, number) for each scale answered, for the figures across the period."""
    name: str | None = None
    """What the entry is called where the definition highlights entries (its ``name`` answer)."""
    rating: tuple[tuple[str, int], ...] = ()
    """Its ``rated_by`` answers (all of them, or none), where the definition highlights entries."""
    path: tuple[int, ...] = ()
    """Its ``path`` answers (all of them, or none), where the definition reads a path."""


Worded = tuple[Flow, Mapping[str, str]]
"""A version of a data-defined homework: its flow and its steps' short names."""


def _digest_answer(step: Step, text: str) -> str:
    """The client's own words in quotes; a number or an option's name as it is."""
    return inline(text) if step.kind is AnswerKind.TEXT else text


def _said_later(flow: Flow, step: Step, answers: Answers) -> Callable[[], str]:
    return lambda: _digest_answer(step, answer_text(flow, step.id, answers))


def _rating(
    flow: Flow, labels: Mapping[str, str], answers: Answers, rated_by: tuple[str, ...]
) -> tuple[tuple[str, int], ...]:
    steps = [s for s in flow.steps if s.id in rated_by]
    values = [as_int(answers.get(s.id), s.low, s.high) for s in steps]
    if not steps or any(v is None for v in values):
        return ()
    return tuple((labels.get(s.id, s.id), int(v or 0)) for s, v in zip(steps, values, strict=True))


def _path_text(values: Sequence[float]) -> str:
    """70 → 85 → 40; a mean to the nearest whole number (SUDS are read in tens)."""
    return PATH_JOINED.join(str(round(v)) for v in values)


def _highlighted(
    entry: DefinedEntry, answers: Answers, worded: Worded, highlight: Highlight | None
) -> DefinedEntry:
    if highlight is None or highlight.name not in answers:
        return entry
    flow, labels = worded
    name = answer_text(flow, highlight.name, answers)
    path = tuple(v for _, v in _rating(flow, {}, answers, highlight.path)) if highlight.path else ()
    rating = _rating(flow, labels, answers, highlight.rated_by) if highlight.rated_by else ()
    if path:  # the name and the path are on the entry's own line
        on_its_line = {labels.get(step_id, step_id) for step_id in (highlight.name, *highlight.path)}
        entry = replace(entry, answers=tuple(a for a in entry.answers if a[0] not in on_its_line))
    return replace(entry, name=name or None, rating=rating, path=path)


def _entry(at: datetime, finished: bool, answers: Answers, worded: Worded) -> DefinedEntry:
    flow, labels = worded
    return DefinedEntry(
        at,
        finished,
        tuple(
            (labels.get(s.id, s.id), _said_later(flow, s, answers))
            for s in flow.steps
            if answers.get(s.id) is not None
        ),
        score(flow.scoring, flow, answers) if flow.scoring is not None else None,
        tuple(
            (labels.get(s.id, s.id), value)
            for s in flow.steps
            if s.kind is AnswerKind.SCALE and (value := as_int(answers.get(s.id), s.low, s.high)) is not None
        ),
    )


def _across(entries: tuple[DefinedEntry, ...]) -> list[str]:
    """Each scale's average and range over the period's entries (when there are two or more)."""
    by_label: dict[str, list[int]] = {}
    for entry in entries:
        for label, value in entry.numbers:
            by_label.setdefault(label, []).append(value)
    figures = [
        FIGURE.format(label=_(label), mean=number(mean(values)), low=min(values), high=max(values))
        for label, values in by_label.items()
    ]
    return [_(ACROSS).format(figures=FIGURES_JOINED.join(figures))] if figures and len(entries) > 1 else []


def _facts(
    today: Worded, earlier: Mapping[str, Worded], highlight: Highlight | None, given: SectionInput
) -> tuple[DefinedEntry, ...]:
    """Each entry read under the version it was answered under."""
    read = []
    for e in given.entries:
        worded = earlier.get(e.version or "", today)
        read.append(_highlighted(_entry(e.at, e.finished, e.answers, worded), e.answers, worded, highlight))
    return tuple(read)


def _highlights(entries: tuple[DefinedEntry, ...], view: SectionView) -> list[str]:
    """The entries rated highest and lowest (when two or more were rated)."""
    rated = [e for e in entries if e.rating and e.name]
    if len(rated) < 2:
        return []
    best = max(rated, key=lambda e: sum(v for _, v in e.rating))
    worst = min(rated, key=lambda e: sum(v for _, v in e.rating))
    return [
        HIGHLIGHT.format(
            which=_(which),
            name=inline(e.name or ""),
            rating=FIGURES_JOINED.join(f"{_(label)} {value}" for label, value in e.rating),
            when=view.dates.when(e.at),
        )
        for which, e in ((RATED_HIGHEST, best), (RATED_LOWEST, worst))
    ]


def _count_line(count: int, days: int) -> str:
    """ "3 entries on 2 days" (the days' plural by their own count)."""
    if days == 1:
        line = ngettext("{count} entry on {days} day", "{count} entries on {days} day", count)
    else:
        line = ngettext("{count} entry on {days} days", "{count} entries on {days} days", count)
    return line.format(count=count, days=days)


def _body(entries: tuple[DefinedEntry, ...], view: SectionView, highlight: Highlight | None = None) -> str:
    days = len({entry.at.date() for entry in entries})
    count = len(entries)
    lines = [
        _count_line(count, days),
        *_across(entries),
        *_highlights(entries, view),
        *(_paths(entries, view, highlight.path_label) if highlight is not None and highlight.path else ()),
    ]
    for entry in entries:
        scored = ENTRY_SCORE.format(score=score_text(entry.score)) if entry.score is not None else ""
        unfinished = "" if entry.finished else _(UNFINISHED)
        if entry.path and highlight is not None:
            line = PATH_ENTRY_LINE.format(
                when=view.dates.when(entry.at),
                unfinished=unfinished,
                name=inline(entry.name or ""),
                label=_(highlight.path_label),
                path=_path_text(entry.path),
            )
        else:
            line = ENTRY_LINE.format(when=view.dates.when(entry.at), unfinished=unfinished, score=scored)
        lines.append(line)
        lines += [ANSWER_LINE.format(label=_(label), answer=later()) for label, later in entry.answers]
    return "\n".join(lines)


def _paths(entries: tuple[DefinedEntry, ...], view: SectionView, label: str) -> list[str]:
    """A path across the period: its mean over the entries that have it whole, the mean drop from
    each one's highest to its end, and the first and latest entry of each name given twice or more."""
    walked = [e for e in entries if e.path]
    if len(walked) < 2:
        return []
    means = [sum(e.path[i] for e in walked) / len(walked) for i in range(len(walked[0].path))]
    drop = sum(max(e.path) - e.path[-1] for e in walked) / len(walked)
    lines = [
        _(PATH_MEAN).format(
            label=formatting.sentence(_(label)), count=len(walked), path=_path_text(means), drop=round(drop)
        )
    ]
    by_name: dict[str, list[DefinedEntry]] = {}
    for entry in walked:
        by_name.setdefault(entry.name or "", []).append(entry)
    for name, same in by_name.items():
        if name and len(same) > 1:
            first, latest = same[0], same[-1]
            lines.append(
                _(PATH_FIRST_LATEST).format(
                    name=inline(name),
                    first=_path_text(first.path),
                    first_when=view.dates.when(first.at),
                    latest=_path_text(latest.path),
                    latest_when=view.dates.when(latest.at),
                )
            )
    return lines


def digest_section(
    flow: Flow,
    labels: Mapping[str, str],
    earlier: Mapping[str, Worded] | None = None,
    highlight: Highlight | None = None,
) -> DigestSection[Any]:
    """The generic digest section: each entry's answers in order, its score and band if scored;
    an entry answered under an ``earlier`` version (by version) reads as it was answered."""
    versions = dict(earlier or {})
    flows = [f for f, _ in (*versions.values(), (flow, labels))]
    steps = [s.id for f in flows for s in f.steps] + [name for f in flows for name in f.given_lists]
    if flow.scoring is not None:
        return _measure_section(flow, tuple(dict.fromkeys(steps)), labels, versions, highlight)
    return DigestSection(
        heading=_heading(flow.title),
        reads=tuple(dict.fromkeys(steps)),
        facts=lambda given: _facts((flow, labels), versions, highlight, given),
        count=len,
        body=lambda found, view: _body(found, view, highlight),
        counted=_counted(flow.title),
    )


Measured = tuple[tuple[DefinedEntry, ...], GenericFacts]
"""A scored homework's facts: its entries as answered (each scored under its own version), and
the measure's figures over time (no entries of their own)."""


def _measure_section(
    flow: Flow,
    reads: tuple[str, ...],
    labels: Mapping[str, str],
    versions: Mapping[str, Worded],
    highlight: Highlight | None,
) -> DigestSection[Measured]:
    """A scored homework (PHQ-9, GAD-7, a practice's measure): the measure's latest, previous
    and baseline scores and the change first (``flows.generic``), its caption line and score
    chart, then the entries as they were answered."""

    def facts(given: SectionInput) -> Measured:
        entries = _facts((flow, labels), versions, highlight, given)
        in_period = [
            ScoredPoint(e.at, float(e.score.value), e.score.band)
            for e in entries
            if e.score is not None and e.score.value is not None
        ]
        assert flow.scoring is not None

        def version_of(version: str | None) -> Flow:
            return versions.get(version or "", (flow, labels))[0]

        return entries, GenericFacts((), *measure_facts(flow, flow.scoring, given, in_period, version_of))

    def body(found: Measured, view: SectionView) -> str:
        measure = found[1].measure
        summary = "\n".join(summary_lines(measure)) + "\n\n" if measure is not None else ""
        return summary + _body(found[0], view, highlight)

    return DigestSection(
        heading=_heading(flow.title),
        reads=reads,
        facts=facts,
        count=lambda found: len(found[0]),
        body=body,
        counted=(flow.title, flow.title),
        headline=lambda found, view: measure_headline(found[1], view),
        score_chart=lambda found: found[1].series,
    )


def _with_attribution(intro: str, attribution: str) -> str:
    return intro + ATTRIBUTION_LINE.format(attribution=attribution)


def _heading(title: str) -> str:
    """The section's heading: the title in capitals, in each language the title has."""
    return title.map(str.upper) if isinstance(title, Translated) else title.upper()


def _counted(title: str) -> tuple[str, str]:
    """How the caption counts entries: the title, and (in English) with an s."""
    if isinstance(title, Translated):
        return title, Translated(
            title + "s", title.translations, language=title.language, origin=title.origin
        )
    return title, title + "s"


def worded(
    flow: Flow, templates: Templates, labels: Mapping[str, str], highlight: Highlight | None = None
) -> Flow:
    """The flow with its recap, journal line, whole entry and digest section."""
    summary, journal = templates.summary, templates.journal
    intro = flow.intro
    if flow.attribution:
        intro = compose(_with_attribution, intro, flow.attribution) if intro else flow.attribution
    return replace(
        flow,
        intro=intro,
        summarize=lambda answers: _fill(summary, flow, answers) if summary else _(SUMMARY),
        journal_line=(lambda answers: _fill(journal, flow, answers)) if journal else None,
        journal_detail=lambda answers: _detail(flow, labels, answers),
        digest=digest_section(flow, labels, highlight=highlight),
    )
