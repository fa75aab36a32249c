"""The generic digest section: any flow's entries with their answers in order, and for a scored
one each entry's score and band and the measure's latest, previous, baseline and change.

Pure: sections are fed ``SectionInput`` directly, and once through ``build_digest``."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.digest import ClientInput, DigestRequest, EntryInput, build_digest, render_summary, render_text
from flows.generic import GenericFacts, generic_section, item_answers, section_for
from flows.registry import FLOWS
from flows.sections import Dates, SectionEntry, SectionInput, SectionView
from tests.support.measures import CHECK_IN, GAD7, GAD7_ITEMS, PHQ9, PHQ9_ITEMS, answers_totalling

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
END = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
VIEW = SectionView(Dates(START, END), "Sam", since_joining=False)


def _entry(day: int, answers: dict[str, Any], finished: bool = True, month: int = 3) -> SectionEntry:
    return SectionEntry(datetime(2026, month, day, 9, 0, tzinfo=UTC), finished, answers)


def _body(flow: Any, given: SectionInput) -> tuple[GenericFacts, str]:
    section = generic_section(flow)
    facts = section.facts(given)
    return facts, section.body(facts, VIEW)


def test_an_unscored_flow_shows_each_entry_with_its_answers_in_step_order() -> None:
    answers = {"words": "Slept  badly\nbut ok", "helped": ["talk", "~my cat"], "energy": 3}
    _, body = _body(CHECK_IN, SectionInput((_entry(3, answers),)))
    assert body.splitlines() == [
        "1 in this period.",
        "",
        "Tue 3 Mar 09:00",
        "How much energy did you have today?: 3",
        "What helped?: Talking to someone, “my cat”",
        "Anything to add?: “Slept badly but ok”",
    ]


def test_a_scored_entry_shows_score_band_items_and_its_other_answers() -> None:
    answers = answers_totalling(8, difficulty="somewhat")
    facts, body = _body(PHQ9, SectionInput((_entry(3, answers),)))
    assert "PHQ-9: 8 (mild)\nItems in order: 3, 3, 2, 0, 0, 0, 0, 0, 0\n" in body
    assert body.endswith("How difficult have these problems made it for you to do…: Somewhat difficult")
    assert generic_section(PHQ9).count(facts) == 1


def test_a_half_done_entry_is_unscored_never_a_number_and_not_the_latest_score() -> None:
    half = {item: "3" for item in PHQ9_ITEMS[:7]}  # left with /cancel after item 7
    given = SectionInput((_entry(3, answers_totalling(12)), _entry(10, half, finished=False)))
    facts, body = _body(PHQ9, given)
    assert "Tue 10 Mar 09:00 (unfinished: stopped part-way)\nPHQ-9: unscored — 2 items unanswered\n" in body
    assert "Items in order: 3, 3, 3, 3, 3, 3, 3, –, –" in body
    assert "21" not in body  # the seven answers are never added up
    assert facts.measure is not None and facts.measure.latest is not None
    assert facts.measure.latest.value == 12
    one = SectionInput((_entry(10, {**half, "q8": "0"}),))
    assert "PHQ-9: unscored — 1 item unanswered" in _body(PHQ9, one)[1]


def test_the_baseline_is_the_first_score_ever_not_the_first_of_the_period() -> None:
    earlier = (_entry(5, answers_totalling(18), month=1), _entry(2, answers_totalling(14), month=2))
    given = SectionInput(
        (_entry(3, answers_totalling(12)), _entry(10, answers_totalling(10))), earlier=earlier
    )
    facts, body = _body(PHQ9, given)
    summary = body.split("\n\n")[0].splitlines()
    assert summary == [
        "Latest: 10 (moderate), Tue 10 Mar 2026",
        "Previous: 12 (moderate), Tue 3 Mar 2026",
        "Baseline (first score): 18 (moderately severe), Mon 5 Jan 2026",
        "Change from baseline: −8 (−44%)",
    ]
    assert facts.series is not None and [v for _, v in facts.series.points] == [18, 14, 12, 10]


@pytest.mark.parametrize(
    ("baseline", "latest", "response", "remission"),
    [
        (18, 9, True, False),  # exactly half: a response
        (18, 10, False, False),  # 44 %: not yet
        (19, 10, False, False),  # 47 %
        (19, 9, True, False),  # 53 %
        (10, 5, True, False),  # half, but 5 is not below 5
        (10, 4, True, True),  # below 5: remission
        (4, 4, False, True),  # no fall at all, and below 5
        (0, 0, False, True),  # nothing to fall from: never a response
    ],
)
def test_response_and_remission_at_their_exact_boundaries(
    baseline: int, latest: int, response: bool, remission: bool
) -> None:
    given = SectionInput(
        (_entry(10, answers_totalling(latest)),), earlier=(_entry(5, answers_totalling(baseline), month=1),)
    )
    facts, body = _body(PHQ9, given)
    assert facts.measure is not None
    assert (facts.measure.response, facts.measure.remission) == (response, remission)
    change_line = next(line for line in body.splitlines() if line.startswith("Change from baseline"))
    assert change_line.endswith(" — response, remission") == (response and remission)
    assert ("response" in change_line) == response and ("remission" in change_line) == remission


def test_a_first_score_is_the_baseline_and_marks_nothing() -> None:
    facts, body = _body(PHQ9, SectionInput((_entry(3, answers_totalling(3)),)))
    assert facts.measure is not None and not facts.measure.remission
    assert body.startswith("Latest: 3 (minimal), Tue 3 Mar 2026\nBaseline: this is the first score.\n\n")


def test_remission_is_the_definitions_threshold_gad7_declares_none() -> None:
    given = SectionInput(
        (_entry(10, answers_totalling(2, GAD7_ITEMS)),),
        earlier=(_entry(5, answers_totalling(16, GAD7_ITEMS), month=1),),
    )
    facts, _ = _body(GAD7, given)
    assert facts.measure is not None
    assert facts.measure.response and not facts.measure.remission


def test_no_score_in_the_period_says_so_and_keeps_the_last_one_as_previous() -> None:
    half = {"q1": "2"}
    given = SectionInput(
        (_entry(3, half, finished=False),), previous=(_entry(20, answers_totalling(9), month=2),)
    )
    _, body = _body(PHQ9, given)
    assert body.startswith(
        "No complete PHQ-9 in this period.\nPrevious, the baseline (first score): 9 (mild), Fri 20 Feb 2026\n"
    )


def test_the_digest_gives_a_flow_without_its_own_section_the_generic_one() -> None:
    assert PHQ9.digest is None and section_for(PHQ9) is not None
    assert all(section_for(f) is f.digest for f in FLOWS)
    at = START + timedelta(days=2)
    request = DigestRequest(
        client=ClientInput("Sam", "UTC", START - timedelta(days=90)),
        period_start=START,
        period_end=END,
        session_at=END + timedelta(hours=2),
        previous_period_start=START - timedelta(days=14),
        entries=(
            EntryInput(3, "phq9", "completed", answers_totalling(9), at, at),
            EntryInput(4, "phq9", "cancelled", {"q1": "3"}, at + timedelta(days=7)),
        ),
        earlier_entries=(EntryInput(1, "phq9", "completed", answers_totalling(19), at - timedelta(days=60)),),
    )
    digest = build_digest(request, (*FLOWS, PHQ9))
    text = render_text(digest)
    assert (
        "PHQ-9\nLatest: 9 (mild), Wed 4 Mar 2026\nPrevious, the baseline (first score): 19 (moderately"
        in text
    )
    assert "Change from baseline: −10 (−53%) — response" in text
    assert "PHQ-9: 9 (mild), baseline 19 — response" in render_summary(digest)
    (series,) = digest.score_charts
    assert [v for _, v in series.points] == [19, 9]
    lone = build_digest(dataclasses.replace(request, earlier_entries=()), (*FLOWS, PHQ9))
    assert lone.score_charts == ()  # one score: no chart


def test_item_answers_show_each_item_across_the_entries() -> None:
    entries = (
        _entry(3, answers_totalling(8, difficulty="very")),
        _entry(10, {"q1": "1", "q9": "2"}, finished=False),
    )
    text = item_answers(PHQ9, entries, "Sam", START, END)
    lines = text.splitlines()
    assert lines[0] == "PHQ-9 item by item — Sam, Mon 2 Mar 2026 – Mon 16 Mar 2026"
    assert lines[1] == "Entries: Tue 3 Mar 09:00 · Tue 10 Mar 09:00"
    assert lines[2].startswith("Answers: 0 = Not at all, 1 = Several days, 2 = More than half the days")
    assert lines[3] == "1. PHQ-9 item 1: 3 · 1"
    assert lines[11] == "9. PHQ-9 item 9: 0 · 2"
    assert lines[12].endswith(": Very difficult · –")
    assert lines[13] == "PHQ-9: 8 (mild) · unscored — 7 items unanswered"
