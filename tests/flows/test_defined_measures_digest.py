"""The built-in PHQ-9 and GAD-7 in the digest: their data-defined section leads with the
measure's figures over time (latest, previous, baseline, change, response or remission), gives
the caption its line and the digest its score chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.model import Flow
from flows.registry import BUILT_IN
from flows.sections import Dates, SectionEntry, SectionInput, SectionView

FIRST = datetime(2026, 2, 2, 19, 0, tzinfo=UTC)
LEVEL = ("not_at_all", "several_days", "more_than_half", "nearly_every_day")


def measure(flow_id: str) -> Flow:
    flow = BUILT_IN.by_id(flow_id)
    assert flow is not None and flow.scoring is not None and flow.digest is not None
    return flow


def entry(flow: Flow, week: int, levels: list[int]) -> SectionEntry:
    items = [item.step_id for item in flow.scoring.items] if flow.scoring else []
    answers = {step_id: LEVEL[level] for step_id, level in zip(items, levels, strict=True)}
    return SectionEntry(FIRST + timedelta(weeks=week), True, answers)


def test_a_gad7_series_reads_latest_baseline_change_and_response() -> None:
    gad7 = measure("gad7")
    section = gad7.digest
    assert section is not None
    earlier = section.read([entry(gad7, 0, [2, 2, 2, 2, 2, 2, 2])])  # 14: moderate, the baseline
    period = section.read([entry(gad7, 2, [2, 1, 1, 1, 1, 1, 1]), entry(gad7, 4, [1, 1, 1, 1, 1, 1, 0])])
    facts = section.facts(SectionInput(period, earlier=earlier))
    view = SectionView(Dates(FIRST + timedelta(weeks=5), FIRST), "Sam", since_joining=False)
    body = section.body(facts, view)
    assert "6 (mild)" in body and "8 (mild)" in body and "14 (moderate)" in body, body
    assert "−8" in body and "response" in body, body
    assert section.headline is not None
    assert (section.headline(facts, view) or "").startswith("GAD-7")
    assert section.score_chart is not None
    series = section.score_chart(facts)
    assert series is not None and [value for _, value in series.points] == [14, 8, 6]


def test_an_unfinished_phq9_is_never_a_score_and_a_lone_one_has_no_chart() -> None:
    phq9 = measure("phq9")
    section = phq9.digest
    assert section is not None
    half = entry(phq9, 0, [1] * 9)
    half = SectionEntry(half.at, False, dict(list(half.answers.items())[:4]))
    facts = section.facts(SectionInput(section.read([half])))
    body = section.body(facts, SectionView(Dates(FIRST, FIRST), "Sam", since_joining=True))
    assert "unscored" in body or "PHQ-9:" not in body, body
    assert section.score_chart is not None
    series = section.score_chart(facts)
    assert series is None or len(series.points) < 2


def test_a_phq9_under_5_after_a_halving_reads_response_and_remission() -> None:
    phq9 = measure("phq9")
    section = phq9.digest
    assert section is not None
    earlier = section.read([entry(phq9, 0, [1, 1, 1, 1, 1, 1, 1, 1, 0])])  # 8: the baseline
    period = section.read([entry(phq9, 2, [1, 1, 1, 1, 0, 0, 0, 0, 0])])  # 4
    body = section.body(
        section.facts(SectionInput(period, earlier=earlier)),
        SectionView(Dates(FIRST + timedelta(weeks=3), FIRST), "Sam", since_joining=False),
    )
    assert "response" in body and "remission" in body, body
