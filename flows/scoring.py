"""How a finished entry is scored: items with weights, reverse-scored items, a sum or a mean, and
named bands (PHQ-9's 0–4 "minimal" … 20–27 "severe").

Pure data and one pure function, so a data-defined homework file can declare its scoring and
the digest, the journal and the export all read the same figures. An item left unanswered leaves
the score **unscored** (``Score.value is None``, with the missing items named), never silently
zero: a half-done PHQ-9 is never shown as a score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from flows.model import AnswerKind, Step, answer_value

if TYPE_CHECKING:
    from flows.model import Flow


class Method(StrEnum):
    SUM = "sum"
    MEAN = "mean"


@dataclass(frozen=True, slots=True)
class ScoredItem:
    """One step that counts: its answer's value times ``weight``; a ``reverse`` item counts
    from the other end of its own range (on 0–3, 3 counts 0)."""

    step_id: str
    weight: int | float = 1
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class Band:
    """A named range of scores, both ends included ("5–9 mild")."""

    low: int | float
    high: int | float
    name: str

    @property
    def with_range(self) -> str:
        """ "mild 5–9": the name and both ends, as a chart's label and caption read it."""
        return f"{self.name} {_figure(self.low)}–{_figure(self.high)}"


def _figure(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True, slots=True)
class Scoring:
    """A score over some of a flow's steps, with its bands and any figures derived from it
    (subscales are scorings of their own over fewer items)."""

    label: str
    items: tuple[ScoredItem, ...]
    method: Method = Method.SUM
    bands: tuple[Band, ...] = ()
    derived: tuple[Scoring, ...] = ()
    loinc: str | None = None
    """The LOINC code of the total (PHQ-9 44261-6, GAD-7 70274-6), for the FHIR export."""
    response_drop: float | None = None
    """A fall of at least this share of the baseline score counts as a response (0.5 for PHQ-9
    and GAD-7: a ≥ 50% drop). None: the digest marks no response (where higher is not worse)."""
    remission_below: int | float | None = None
    """A score below this counts as remission (PHQ-9: 5). None: the digest marks no remission."""


@dataclass(frozen=True, slots=True)
class Score:
    """One entry's figure. ``value`` is None when any scored item is unanswered."""

    label: str
    value: int | float | None
    band: str | None
    missing: tuple[str, ...] = ()
    derived: tuple[Score, ...] = field(default=())

    @property
    def scored(self) -> bool:
        return self.value is not None


def item_range(step: Step) -> tuple[int, int] | None:
    """The lowest and highest value a step's answer can count for (None: it cannot be scored)."""
    if step.kind is AnswerKind.SCALE:
        return step.low, step.high
    values = [o.value for o in step.options if o.value is not None]
    if step.kind is AnswerKind.CHOICE and values:
        return min(values), max(values)
    return None


def score_range(scoring: Scoring, flow: Flow) -> tuple[float, float]:
    """The lowest and highest score the items allow."""
    lows: list[float] = []
    highs: list[float] = []
    for item in scoring.items:
        step = flow.step(item.step_id)
        bounds = item_range(step) if step is not None else None
        if bounds is None:
            raise ValueError(f"scored item {item.step_id!r} is not a scorable step of {flow.id!r}")
        ends = (bounds[0] * item.weight, bounds[1] * item.weight)
        lows.append(min(ends))
        highs.append(max(ends))
    if scoring.method is Method.MEAN:
        return sum(lows) / len(lows), sum(highs) / len(highs)
    return sum(lows), sum(highs)


def scoring_problems(scoring: Scoring, flow: Flow) -> list[str]:
    """Why this scoring cannot stand on this flow (empty when it can): unknown or unscorable
    items, bands that overlap, leave a gap, or do not cover the score's whole range."""
    problems = [
        f"scored item {item.step_id!r} is not a scale or a choice with values"
        for item in scoring.items
        if (step := flow.step(item.step_id)) is None or item_range(step) is None
    ]
    if not scoring.items:
        problems.append("a scoring needs at least one item")
    if problems or not scoring.bands:
        return problems + _derived_problems(scoring, flow)
    low, high = score_range(scoring, flow)
    whole = scoring.method is Method.SUM and all(isinstance(i.weight, int) for i in scoring.items)
    bands = sorted(scoring.bands, key=lambda b: b.low)
    for band in bands:
        if band.low > band.high:
            problems.append(f"band {band.name!r} runs from {band.low} down to {band.high}")
    for before, after in pairwise(bands):
        if after.low <= before.high:
            problems.append(f"bands {before.name!r} and {after.name!r} overlap")
        elif whole and after.low != before.high + 1:
            problems.append(f"bands {before.name!r} and {after.name!r} leave a gap")
    if bands[0].low > low or bands[-1].high < high:
        problems.append(f"the bands do not cover the whole score range {low:g}–{high:g}")
    return problems + _derived_problems(scoring, flow)


def _derived_problems(scoring: Scoring, flow: Flow) -> list[str]:
    return [
        f"{derived.label}: {problem}"
        for derived in scoring.derived
        for problem in scoring_problems(derived, flow)
    ]


def score(scoring: Scoring, flow: Flow, answers: Mapping[str, Any]) -> Score:
    """The score of one entry's answers (unscored, naming the missing items, if any is missing)."""
    values: list[float] = []
    missing: list[str] = []
    for item in scoring.items:
        step = flow.step(item.step_id)
        value = answer_value(step, answers.get(item.step_id)) if step is not None else None
        bounds = item_range(step) if step is not None else None
        if value is None or bounds is None:
            missing.append(item.step_id)
            continue
        counted = bounds[0] + bounds[1] - value if item.reverse else value
        values.append(counted * item.weight)
    derived = tuple(score(d, flow, answers) for d in scoring.derived)
    if missing:
        return Score(scoring.label, None, None, tuple(missing), derived)
    total = sum(values) / len(values) if scoring.method is Method.MEAN else sum(values)
    if isinstance(total, float) and total.is_integer() and scoring.method is Method.SUM:
        total = int(total)
    return Score(scoring.label, total, band_of(scoring, total), (), derived)


def band_of(scoring: Scoring, value: float) -> str | None:
    """The band a score falls in: the last band starting at or below it (a mean between two
    bands belongs to the lower one), if the score is within the bands at all."""
    bands = sorted(scoring.bands, key=lambda b: b.low)
    if not bands or value < bands[0].low or value > bands[-1].high:
        return None
    return [b for b in bands if b.low <= value][-1].name
