"""An edit of a scored file's bands and scoring never changes an old entry's figures: entries kept
from before the period (the baseline, the chart) and those in it, and the item-by-item table, are
each scored with the definition of the version they were answered under."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.catalogue import Catalogue, Installed
from flows.definition import Definition, parse_definition
from flows.generic import item_answers
from flows.registry import BUILT_IN
from flows.scoring import score
from flows.sections import Dates, SectionEntry, SectionInput, SectionView
from tests.support.homework import readme_example

FIRST = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)
V1_ANSWERS = {"hours": 4, "rested": "yes", "note": None}
"""4 hours, rested: under version 1 4 + 3 × 2 = 10 (fair); under version 2 4 (low)."""
V2_ANSWERS = {"hours": 9, "rested": "no", "note": None}


def version_2() -> Definition:
    text = (
        readme_example()
        .replace('version = "1"', 'version = "2"')
        .replace('items = ["hours", { step = "rested", weight = 3 }]', 'items = ["hours"]')
        .replace(
            '  { low = 0, high = 6, name = "poor" },\n  { low = 7, high = 12, name = "fair" },\n'
            '  { low = 13, high = 18, name = "good" },',
            '  { low = 0, high = 5, name = "low" },\n  { low = 6, high = 12, name = "high" },',
        )
    )
    assert text.count('version = "2"') == 1 and '"low"' in text
    return parse_definition(text.encode("utf-8"))


def catalogue() -> tuple[Definition, Catalogue]:
    """Today's version 2 installed, version 1 kept for the entries answered under it."""
    v1 = parse_definition(readme_example().encode("utf-8"))
    v2 = version_2()
    installed = (*BUILT_IN.installed, Installed(v2, "sleep.toml"))
    today = Catalogue(BUILT_IN.coded, BUILT_IN.side_flows, installed)
    return v1, today.with_past({("sleep_check", "1"): v1})


def test_the_two_versions_score_the_same_answers_differently() -> None:
    v1, today = catalogue()
    v2 = today.by_id("sleep_check")
    assert v2 is not None and v2.scoring is not None and v1.flow.scoring is not None
    assert score(v1.flow.scoring, v1.flow, V1_ANSWERS).value == 10
    assert score(v2.scoring, v2, V1_ANSWERS).value == 4  # what the leftover showed


def test_the_baseline_and_the_chart_keep_the_old_versions_scores() -> None:
    _v1, today = catalogue()
    flow = today.by_id("sleep_check")
    assert flow is not None and flow.digest is not None and flow.digest.score_chart is not None
    section = flow.digest
    earlier = section.read(
        [
            SectionEntry(FIRST, True, V1_ANSWERS, "1"),
            SectionEntry(FIRST + timedelta(days=7), True, {**V1_ANSWERS, "rested": "bit"}, "1"),
        ]
    )
    period = section.read([SectionEntry(FIRST + timedelta(days=14), True, V2_ANSWERS, "2")])
    facts = section.facts(SectionInput(period, earlier=earlier))
    series = section.score_chart(facts)
    assert series is not None and [value for _, value in series.points] == [10, 7, 9]
    body = section.body(facts, SectionView(Dates(FIRST + timedelta(days=15), FIRST), "Sam", False))
    assert "Latest: 9 (high)" in body, body
    assert "Previous: 7 (fair)" in body and "Baseline (first score): 10 (fair)" in body, body
    assert "Change from baseline: −1 (−10%)" in body, body


def test_item_by_item_scores_each_entry_under_its_own_version() -> None:
    _v1, today = catalogue()
    flow = today.by_id("sleep_check")
    assert flow is not None
    entries = [
        SectionEntry(FIRST, True, V1_ANSWERS, "1"),
        SectionEntry(FIRST + timedelta(days=7), True, V2_ANSWERS, "2"),
    ]
    table = item_answers(
        flow,
        entries,
        "Sam",
        FIRST,
        FIRST + timedelta(days=8),
        lambda version: today.flow_for("sleep_check", version) or flow,
    )
    assert table.splitlines()[-1] == "sleep score: 10 (fair) · 9 (high)", table
