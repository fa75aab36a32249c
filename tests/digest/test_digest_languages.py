"""The digest in the therapist's language, the client's own words as they wrote them (issue #15).

A German therapist reads the fortnight (every coded homework type, skips with reasons, goals,
risk language and an open high-risk flag) with no English sentence of the catalogue left once
the client's words are taken out; an English therapist reads a German client's words untouched
in an English digest; the charts' words are German for a German therapist, worded before they
are handed to the drawing (a process of its own), and a PNG comes out.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.i18n import reading
from bot.digest import (
    AssignmentInput,
    ClientInput,
    Digest,
    DigestRequest,
    EntryInput,
    GoalInput,
    NoteInput,
    PromptInput,
    RiskFlagInput,
    build_digest,
    render_summary,
    render_text,
)
from bot.digest.chart import ChartFacts, charts_png, draw_mood_chart, draw_score_chart
from bot.digest.delivery import compose
from flows.model import AnswerKind
from flows.registry import FLOWS
from tests.support.digests import fortnight
from tests.support.english_left import english_left
from tests.support.measures import scored_digest

PNG = b"\x89PNG\r\n\x1a\n"


def with_high_risk(request: DigestRequest) -> DigestRequest:
    """The fortnight with an open high-risk flag (risk language in the hot thought)."""
    at = request.period_end - timedelta(days=3)
    flag = RiskFlagInput(at, "risk_language", "thought_record.hot_thought")
    return dataclasses.replace(request, risk_flags=(flag,))


def own_words(request: DigestRequest) -> set[str]:
    """Everything the client (or their therapist, for them) wrote in their own words: text
    answers, words of their own among the options, notes, skip notes, goals, the reasons given
    with a plan — each line of it, and all of it on one line. (Never an option's id: taking out
    "no" would take it out of "not" too, and hide English.)"""
    texts: list[str] = [n.text for n in request.notes]
    texts += [p.skip_note for p in request.prompts if p.skip_note]
    texts += [g.text for g in request.goals]
    texts += [a.rationale for a in request.assignments if a.rationale]
    for entry in (*request.entries, *request.previous_entries):
        texts += list(_written(entry.flow_id, entry.answers))
    found = {" ".join(text.split()) for text in texts}
    found |= {line.strip() for text in texts for line in text.splitlines() if line.strip()}
    return found


def _written(flow_id: str, answers: Mapping[str, Any]) -> Iterator[str]:
    flow = next(f for f in FLOWS if f.id == flow_id)
    for step in flow.steps:
        value = answers.get(step.id)
        if step.kind is AnswerKind.TEXT and isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (item.removeprefix("~") for item in value if isinstance(item, str) and item[:1] == "~")


def without(words: set[str], text: str) -> str:
    for said in sorted(words, key=len, reverse=True):  # the longest first: a line before its part
        text = text.replace(said, " ")
    return text


def everything_read(digest: Digest) -> list[str]:
    """The text, the caption-sized summary, and the messages with the charts' captions."""
    messages = compose(digest, PNG, [("PHQ-9", PNG)] if digest.score_charts else [])
    return [render_text(digest), render_summary(digest), *(m.text or "" for m in messages)]


def test_a_german_therapist_reads_no_english_sentence_beyond_the_clients_words() -> None:
    request = with_high_risk(fortnight())
    with reading("de"):
        digest = build_digest(request)
        read = everything_read(digest)
    words = own_words(request)
    assert english_left(without(words, text) for text in read) == set()
    text = read[0]
    assert text.startswith(
        "⚠ HOCHRISIKO-MARKIERUNG – Alex: Risikosprache in Gedankenprotokoll (heißer Gedanke)"
    )
    assert "Übersicht vor der Sitzung: Alex" in text
    assert "Sitzung Do., 2. Apr. 2026, 10:00" in text
    assert "· Sa., 21. März — 08:00 ausgelassen (Keine Zeit); 20:30 erledigt um 20:35" in text
    assert "Am häufigsten gewählt: müde ×6, ruhig ×4" in text  # listed feelings, in German
    assert "Durchschnitt 4,4" in text  # a German decimal comma
    assert "Gefühle (vorher → nachher): dread 70 → 40; traurig 50 → –" in text  # their own word kept
    assert "Denkfallen: Gedankenlesen, Katastrophisieren" in text
    assert "dem Drang nachgegeben: teilweise" in text
    assert "Box-Atmung, nach 1 Min. 15 Sek. von 3 Min. beendet" in text
    # their words exactly as written, in German quotation marks
    assert "· Mo., 23. März, 20:35 · 1/10: „Couldn't stop crying after the call with Dad.“" in text
    assert "Heißer Gedanke: They all think I'm useless and I'm going to be let go." in text
    assert "#1 „Sleep through the night most nights“ · festgelegt am Do., 12. Feb." in text
    assert "ausgelassen (Etwas anderes: „At my sister's, no signal“)" in text
    assert "„Text my ex“ · Stärke 7 → 6" in text


def test_the_check_can_fail_on_the_same_digest_in_english() -> None:
    request = with_high_risk(fortnight())
    with reading("en"):
        read = everything_read(build_digest(request))
    left = english_left(without(own_words(request), text) for text in read)
    assert {"Pre-session digest", "No goals written down yet"} & left or len(left) > 20


def german_client() -> DigestRequest:
    """A client writing in German: a mood note and a word of their own, a thought record, an
    urge, a skip in their words, a goal."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    at = start + timedelta(days=2)
    entries = [
        EntryInput(
            1,
            "mood_check",
            "completed",
            {"mood": 2, "feelings": ["sad", "~Enttäuscht"], "note": "Ich war müde nach der Arbeit"},
            at,
            at,
        ),
        EntryInput(
            2,
            "thought_record",
            "completed",
            {
                "situation": "Streit mit meiner Schwester am Telefon",
                "emotions": ["angry", "~Ärger"],
                "emotion_intensity": {"angry": 70, "~Ärger": 60},
                "hot_thought": "Ich mache immer alles falsch",
                "traps": ["labelling"],
                "balanced_thought": "Manchmal klappt es, manchmal nicht",
            },
            at + timedelta(hours=2),
            at + timedelta(hours=2),
        ),
        EntryInput(
            3,
            "urge_surfing",
            "completed",
            {"urge": "Handy checken", "intensity_before": 8, "intensity_after": 3, "acted": "no"},
            at + timedelta(hours=3),
            at + timedelta(hours=3),
        ),
    ]
    return DigestRequest(
        client=ClientInput("Jonas", "Europe/Berlin", start - timedelta(days=30)),
        period_start=start,
        period_end=start + timedelta(days=7),
        session_at=start + timedelta(days=7, hours=1),
        previous_period_start=start - timedelta(days=7),
        entries=entries,
        prompts=[
            PromptInput(
                "mood_check",
                at + timedelta(days=1),
                "skipped",
                "other",
                "Besuch war da",
                (at + timedelta(days=1)).date(),
            )
        ],
        assignments=[
            AssignmentInput(
                "mood_check",
                ("09:00",),
                (0, 2, 4),
                "Stimmung über den Tag beobachten",
                3,
                start - timedelta(days=1),
            )
        ],
        notes=[NoteInput("Über den Streit reden", at)],
        goals=[
            GoalInput(1, "Wieder ins Fitnessstudio gehen", start - timedelta(days=20), ratings=((at, 4),))
        ],
    )


def test_an_english_therapist_reads_a_german_clients_words_untouched() -> None:
    request = german_client()
    with reading("en"):
        digest = build_digest(request)
        text, summary = render_text(digest), render_summary(digest)
    assert text.startswith("Pre-session digest: Jonas\nSession Mon 9 Mar 2026, 11:00")
    assert not {"Übersicht", "STIMMUNG", "Gedankenprotokoll", "erledigt"} & set((text + summary).split())
    for words in (
        "“Ich war müde nach der Arbeit”",
        "Words chosen most: Enttäuscht ×1, sad ×1",  # a listed feeling in English, theirs as written
        "Situation: Streit mit meiner Schwester am Telefon",
        "Feelings (before → after): angry 70 → –; Ärger 60 → –",
        "Hot thought: Ich mache immer alles falsch",
        "Thinking traps: Labelling",
        "“Handy checken” · intensity 8 → 3 · acted on it: no",
        "skipped (Something else: “Besuch war da”)",
        "Why this homework: “Stimmung über den Tag beobachten”",
        "· Wed 4 Mar 10:00: “Über den Streit reden”",
        "#1 “Wieder ins Fitnessstudio gehen”",
        "⚑ Very low mood: 2/10",
    ):
        assert words in text, words
    assert "2 urges surfed" not in summary and "1 urge surfed" in summary  # (plural forms)


def test_a_german_therapist_reads_the_german_clients_digest_in_german_their_words_the_same() -> None:
    request = german_client()
    with reading("de"):
        text = render_text(build_digest(request))
    assert "Am häufigsten gewählt: Enttäuscht ×1, traurig ×1" in text
    assert "Gefühle (vorher → nachher): wütend 70 → –; Ärger 60 → –" in text
    assert "Heißer Gedanke: Ich mache immer alles falsch" in text
    assert "„Handy checken“ · Stärke 8 → 3 · dem Drang nachgegeben: nein" in text
    assert "Denkfallen: Etikettieren" in text


def test_the_charts_words_are_the_therapists_and_travel_with_the_facts() -> None:
    with reading("de"):
        facts = ChartFacts.of(build_digest(fortnight()))
    words = facts.words
    assert words is not None
    assert words.title == "Stimmung – Alex, 19. März 2026 – 2. Apr. 2026"
    assert (words.x_label, words.y_label) == ("Ortszeit (Europe/Berlin)", "Stimmung (0–10)")
    assert (words.low_band, words.previous_mean) == (
        "sehr gedrückt (0–2)",
        "Zeitraum davor: Durchschnitt 5,2",
    )
    assert words.this_mean == "dieser Zeitraum: Durchschnitt 4,4" and words.daily_mean == "Tagesdurchschnitt"
    assert [label for _, label in words.ticks][:2] == ["20. März", "22. März"]
    # drawn outside any reading block (as in the chart process): the figure says the words given
    moved = pickle.loads(pickle.dumps(facts))  # (what the process pool hands over)
    figure = draw_mood_chart(moved)
    assert figure is not None
    (axes,) = figure.axes
    assert figure.texts[0].get_text() == words.title
    assert axes.get_xlabel() == "Ortszeit (Europe/Berlin)" and axes.get_ylabel() == "Stimmung (0–10)"
    assert [t.get_text() for t in axes.get_xticklabels()][:2] == ["20. März", "22. März"]
    legend = axes.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "sehr gedrückt (0–2)",
        "Zeitraum davor: Durchschnitt 5,2",
        "dieser Zeitraum: Durchschnitt 4,4",
    ]
    mood, scores = charts_png(moved)
    assert mood is not None and mood.startswith(PNG) and scores == []
    with reading("en"):
        english = ChartFacts.of(build_digest(fortnight())).words
    assert english is not None and english.title == "Mood — Alex, 19 Mar 2026 – 2 Apr 2026"
    assert english.previous_mean == "previous period: average 5.2"


def test_a_measures_chart_is_worded_in_german_too() -> None:
    with reading("de"):
        digest = scored_digest(("phq9", 15, 34), ("phq9", 9, 2))
        facts = ChartFacts.of(digest)
        (caption,) = [m.text for m in compose(digest, None, [("PHQ-9", PNG)]) if m.attachment]
    (series,) = facts.score_charts
    (words,) = facts.score_words
    assert words.title == f"{series.label} – Sam, 10. Feb. 2026 – 16. März 2026"
    assert words.x_label == "Ortszeit (Europe/Berlin)"
    assert caption is not None and caption.startswith(
        f"{series.label} im Verlauf, seit dem ersten Wert – Sam"
    )
    assert "\nBereiche: " in caption
    figure = draw_score_chart(facts, series, words)
    assert figure.texts[0].get_text() == words.title
    _mood, scores = charts_png(facts)
    assert [label for label, _ in scores] == [series.label] and scores[0][1].startswith(PNG)


def test_rendering_in_one_language_leaves_the_next_digest_in_its_own() -> None:
    """The language is the reading block's, never the process's: an English digest after a German
    one is English."""
    request = german_client()
    with reading("de"):
        german = render_text(build_digest(request))
    english = render_text(build_digest(request))
    assert german.startswith("Übersicht vor der Sitzung") and english.startswith("Pre-session digest")


def test_a_homework_files_entries_are_counted_in_german_without_the_english_plural() -> None:
    """A homework file gives its title, not its plural: a German caption counts its entries
    without the English "+s" ("3 Expositionsübungs")."""
    exposure = next(f for f in FLOWS if f.id == "exposure")
    assert exposure.digest is not None
    assert exposure.digest.shown_count(3) == "3 exposure practices"
    with reading("de", formal=True):
        assert exposure.digest.shown_count(3) == "Expositionsübung: 3 Einträge"
        assert exposure.digest.shown_count(1) == "Expositionsübung: 1 Eintrag"
