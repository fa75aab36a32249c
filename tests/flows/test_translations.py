"""A homework file's own translations (``[translations.<language>]``): read per language, checked
with field paths like the rest of the file, and the file's own language where a language or a
field is missing — said once per file and language in the log, never with a client's words."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.core import i18n
from bot.core.i18n import _, reading
from flows import Done, Pick, Text
from flows.definition import definition_problems, parse_definition
from flows.model import Flow
from flows.prompt import render_step
from flows.registry import BUILT_IN
from tests.flows.test_definition import SLEEP, answer

GERMAN = """
[translations.de]
title = "Schlafcheck"
description = "ein kurzer Check-in zur letzten Nacht"
summary = "Danke. {hours} Stunden, erholt: {rested}. Wert {score} ({band})."
journal = "{hours} h geschlafen · {band}"

[translations.de.steps.hours]
text = "Wie viele Stunden hast du geschlafen?"
low_label = "keine"
high_label = "12 oder mehr"

[translations.de.steps.rested]
label = "erholt"
text = "Wie erholt fühlst du dich?"
options = { no = "Nicht erholt", bit = "Ein bisschen", yes = "Erholt" }

[translations.de.steps.why]
text = "Was hat dich wach gehalten?"
options = { worry = "Sorgen", noise = "Lärm" }

[translations.de.steps.how_much]
text = "Wie sehr hat dich {item} wach gehalten?"

[translations.de.steps.note]
text = "Sonst noch etwas?"

[translations.de.scoring]
label = "Schlafwert"
bands = { poor = "schlecht", good = "gut" }
"""
CLIENT_WORDS = "Nachbars Hund bellte"
LOGGER = "bot.core.i18n"


@pytest.fixture(autouse=True)
def fresh_log() -> None:
    """Each test sees the first fallback of a file and language (once per process otherwise)."""
    i18n._fallbacks_told.clear()


def sleep(extra: str = GERMAN, origin: str = "sleep.toml") -> Flow:
    return parse_definition((SLEEP + extra).encode(), origin).flow


def answered(flow: Flow) -> dict[str, object]:
    """4 hours, not rested, kept awake by noise (7), and a note in the client's own words."""
    found = answer(flow, Text("4"), Pick("no"), Text("noise"), Done(), Text("7"), Text(CLIENT_WORDS))
    assert isinstance(found, dict), found
    return found


def test_each_language_reads_its_own_words_and_english_stays_as_written(
    caplog: pytest.LogCaptureFixture,
) -> None:
    flow = sleep()
    with reading("de"):
        hours = render_step(flow, flow.steps[0])
        rested = render_step(flow, flow.steps[1])
        assert (_(flow.title), _(flow.description)) == (
            "Schlafcheck",
            "ein kurzer Check-in zur letzten Nacht",
        )
    assert hours.text == "Wie viele Stunden hast du geschlafen?\n0 = keine, 12 = 12 oder mehr"
    assert [c.label for c in rested.choices] == ["Nicht erholt", "Ein bisschen", "Erholt"]
    with reading("en"):
        assert (
            render_step(flow, flow.steps[0]).text
            == "How many hours did you sleep?\n0 = none, 12 = 12 or more"
        )
        assert _(flow.title) == "sleep check"
    assert caplog.records == []  # every text has German: nothing to say


def test_summary_journal_score_and_per_item_words_follow_the_reader() -> None:
    flow = sleep()
    answers = answered(flow)
    with reading("de"):
        assert flow.summarize(answers) == "Danke. 4 Stunden, erholt: Nicht erholt. Wert 10 (gut)."
        assert flow.journal_line is not None and flow.journal_line(answers) == "4 h geschlafen · gut"
        detail = flow.journal_detail(answers) if flow.journal_detail else ""
        per_item = render_step(flow, flow.steps[3], answers={"why": ["noise"]})
    assert "erholt: Nicht erholt" in detail and "Schlafwert 10 (gut)" in detail
    assert per_item.text.startswith("Wie sehr hat dich lärm wach gehalten?")
    with reading("en"):
        assert flow.summarize(answers) == "Thank you. 4 hours, rested Not rested. Score 10 (good)."


def test_a_missing_language_reads_the_files_own_words_said_once_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    flow = sleep(extra="", origin="practice/sleep.toml")
    answers = answered(flow)
    caplog.set_level(logging.INFO, logger=LOGGER)
    with reading("de"):
        for _turn in range(3):  # three messages, every text of the flow
            assert render_step(flow, flow.steps[0]).text.startswith("How many hours did you sleep?")
            assert flow.summarize(answers).startswith("Thank you.")
            _(flow.title), _(flow.description)
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert lines == ["practice/sleep.toml has no de text for some of what it says: shown in en"]
    assert CLIENT_WORDS not in caplog.text and "Nachbar" not in caplog.text


def test_a_missing_field_reads_the_files_own_words_said_once(caplog: pytest.LogCaptureFixture) -> None:
    partly = GERMAN.replace('text = "Sonst noch etwas?"\n', "").replace("[translations.de.steps.note]\n", "")
    flow = sleep(extra=partly, origin="sleep.toml")
    caplog.set_level(logging.INFO, logger=LOGGER)
    with reading("de"):
        assert render_step(flow, flow.steps[0]).text.startswith("Wie viele Stunden")
        assert caplog.records == []  # a field it has: no line
        assert render_step(flow, flow.steps[4]).text == "Anything else?"
        assert render_step(flow, flow.steps[4]).text == "Anything else?"
    assert [r.getMessage() for r in caplog.records] == [
        "sleep.toml has no de text for some of what it says: shown in en"
    ]


def test_a_file_written_in_german_reads_german_to_english_readers_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    german_file = """
id = "schlaf"
version = "1"
command = "schlaf"
title = "Schlafcheck"
description = "ein kurzer Check-in"
language = "de"

[[steps]]
id = "stunden"
text = "Wie viele Stunden hast du geschlafen?"
kind = "scale"
low = 0
high = 12
"""
    flow = parse_definition(german_file.encode(), "schlaf.toml").flow
    caplog.set_level(logging.INFO, logger=LOGGER)
    with reading("de"):
        assert render_step(flow, flow.steps[0]).text == "Wie viele Stunden hast du geschlafen?"
    assert caplog.records == []
    with reading("en"):
        assert render_step(flow, flow.steps[0]).text == "Wie viele Stunden hast du geschlafen?"
    assert [r.getMessage() for r in caplog.records] == [
        "schlaf.toml has no en text for some of what it says: shown in de"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("[translations.de.steps.note]", "[translations.de.steps.nap]"),
            'translations.de.steps.nap: "nap" is not a step of this homework',
        ),
        (
            ('options = { worry = "Sorgen"', 'options = { worries = "Sorgen"'),
            'translations.de.steps.why.options.worries: "worries" is not an option of this step',
        ),
        (
            ("bands = { poor =", "bands = { bad ="),
            'translations.de.scoring.bands.bad: "bad" is not a band of this homework (known: good, poor)',
        ),
        (
            ("{hours} h geschlafen", "{stunden} h geschlafen"),
            "translations.de.journal: its placeholders differ from the file's own ({band}, {hours})",
        ),
        (
            ("Wie sehr hat dich {item} wach", "Wie sehr hat dich das wach"),
            "translations.de.steps.how_much.text: its placeholders differ from the file's own ({item})",
        ),
        (
            ('title = "Schlafcheck"', 'title = "Schlafcheck"\nfarbe = "blau"'),
            "translations.de.farbe: unknown key (known: title, description, intro, summary, journal, "
            "attribution, steps, scoring, digest)",
        ),
        (
            ('text = "Sonst noch etwas?"', 'text = "Sonst noch etwas?"\nlow_label = "nichts"'),
            "translations.de.steps.note.low_label: the file has no such text to translate",
        ),
        (("[translations.de]", "[translations.Deutsch]"), "translations.Deutsch: a language other than"),
        (
            ("[translations.de]", "[translations.en]"),
            "translations.en: a language other than the file's own (en)",
        ),
    ],
)
def test_each_translation_problem_is_one_line_with_its_field_path(
    change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in GERMAN
    found = definition_problems((SLEEP + GERMAN.replace(old, new)).encode())
    assert any(p.startswith(expected) for p in found), found


def test_a_practice_file_with_a_broken_translation_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "sleep.toml").write_text(SLEEP + GERMAN.replace("{hours} h", "{stunden} h"), encoding="utf-8")
    catalogue = BUILT_IN.with_practice(tmp_path)
    assert all(f.id != "sleep_check" for f in catalogue.flows)
    assert catalogue.refused == (
        f"{tmp_path / 'sleep.toml'} refused: translations.de.journal: its placeholders differ from the "
        "file's own ({band}, {hours})",
    )


def test_the_built_in_files_say_everything_in_german() -> None:
    """No German reader of a built-in homework meets the file's English (nothing left out)."""
    for installed in BUILT_IN.installed:
        flow = installed.flow
        texts = [flow.title, flow.description, flow.intro or "", *(s.prompt for s in flow.steps)]
        texts += [o.label for s in flow.steps for o in s.options]
        texts += [installed.definition.labels[s.id] for s in flow.steps]
        for text in texts:
            assert isinstance(text, i18n.Translated) and "de" in text.translations, (flow.id, text)
            assert not text.partial, (flow.id, text)


def test_a_data_defined_digest_section_is_written_in_the_language_read_when_it_is_rendered() -> None:
    """Facts gathered in English, the section rendered inside a German reading: the therapist
    reads its heading, step names, bands, figures and answers in German; their words as written."""
    from datetime import UTC, datetime, timedelta

    from flows.sections import Dates, SectionEntry, SectionInput, SectionView

    first = datetime(2026, 2, 2, 19, 0, tzinfo=UTC)
    phq9, activity = BUILT_IN.by_id("phq9"), BUILT_IN.by_id("activity_log")
    assert (
        phq9 is not None and phq9.digest is not None and activity is not None and activity.digest is not None
    )
    items = {f"item{n}": "more_than_half" for n in range(1, 10)} | {
        "item9": "not_at_all",
        "difficulty": "very",
    }
    logs = [
        {"activity": CLIENT_WORDS, "when": "now", "mastery": 7, "pleasure": 8},
        {"activity": "Kuchen gebacken", "when": "yesterday", "mastery": 3, "pleasure": 2},
    ]
    view = SectionView(Dates(first + timedelta(days=30), first), "Sam", since_joining=False)
    with reading("en"):
        measured = phq9.digest.facts(SectionInput(phq9.digest.read([SectionEntry(first, True, items)])))
        logged = activity.digest.facts(
            SectionInput(
                activity.digest.read(
                    [SectionEntry(first + timedelta(days=d), True, a) for d, a in enumerate(logs)]
                )
            )
        )
    with reading("de"):
        body = phq9.digest.body(measured, view)
        headline = phq9.digest.headline(measured, view) if phq9.digest.headline else ""
        log_body = activity.digest.body(logged, view)
        heading = _(phq9.digest.heading), _(activity.digest.heading)
    assert heading == ("PHQ-9", "AKTIVITÄTENPROTOKOLL")
    assert "Zuletzt: 16 (ausgeprägt)" in body and "Ausgangswert: Dies ist der erste Wert." in body, body
    assert "Erschwernis im Alltag: Relativ stark erschwert" in body and "Latest" not in body, body
    assert headline == "PHQ-9 Summenwert: 16 (ausgeprägt)"
    assert log_body.startswith(
        "2 Einträge an 2 Tagen\nIm Zeitraum: Erfolgsgefühl 5,0 (3–7) · Freude 5,0 (2–8)"
    ), log_body
    assert f"Am höchsten bewertet: „{CLIENT_WORDS}“ (Erfolgsgefühl 7 · Freude 8)" in log_body, log_body
    assert "  wann: Gestern" in log_body and "entries" not in log_body, log_body
