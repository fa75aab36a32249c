"""The export's words in the person's language (issue #15): a measure's homework, score label
and band read as they do for them; the JSON's keys stay the same words in every language."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.chat.privacy import measures_json
from bot.core.i18n import reading
from flows.fhir import ScoredEntry
from flows.registry import flow_by_id


def test_a_measure_in_the_export_reads_in_german_with_the_same_keys() -> None:
    phq9 = flow_by_id("phq9")
    assert phq9 is not None
    answers = {f"item{number}": "several_days" for number in range(1, 10)}
    entry = ScoredEntry(1, phq9, answers, datetime(2026, 3, 2, 9, 0, tzinfo=UTC), "1")
    (english,) = measures_json([entry], "UTC")
    with reading("de"):
        (german,) = measures_json([entry], "UTC")
    assert (english["score_label"], english["band"]) == ("PHQ-9 total", "mild")
    assert (german["score_label"], german["band"]) == ("PHQ-9 Summenwert", "leicht")
    assert german.keys() == english.keys() and german["score"] == english["score"] == 9
