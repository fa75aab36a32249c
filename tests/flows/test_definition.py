"""Homework defined as data: the file format, every problem reported with its field path, and the
flows it builds advanced by the real engine (conditions, per-item repeats, scoring, alerts)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows import Ask, Done, Finished, Pick, Skip, Text, advance, start
from flows.definition import MAX_BYTES, DefinitionError, definition_problems, parse_definition
from flows.model import AnswerKind, Flow, FlowState
from flows.scoring import score

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)

SLEEP = """
id = "sleep_check"
version = "2"
command = "sleep"
title = "sleep check"
description = "a short check-in about last night's sleep"
summary = "Thank you. {hours} hours, rested {rested}. Score {score} ({band})."
journal = "slept {hours} h · {band}"

[[steps]]
id = "hours"
text = "How many hours did you sleep?"
kind = "scale"
low = 0
high = 12
low_label = "none"
high_label = "12 or more"

[[steps]]
id = "rested"
text = "How rested do you feel?"
kind = "choice"
options = [
  { id = "no", label = "Not rested", value = 0 },
  { id = "bit", label = "A bit", value = 1 },
  { id = "yes", label = "Rested", value = 2 },
]

[[steps]]
id = "why"
text = "What kept you awake?"
kind = "multi_choice"
allow_custom = true
options = [{ id = "worry", label = "Worry" }, { id = "noise", label = "Noise" }]
when = { any_of = [{ step = "hours", at_most = 5 }, { step = "rested", equals = "no" }] }

[[steps]]
id = "how_much"
text = "How much did {item} keep you awake?"
kind = "scale"
per_item = "why"

[[steps]]
id = "note"
text = "Anything else?"
kind = "text"
optional = true
max_length = 500
when = { not = { step = "why", includes = "noise" } }

[scoring]
label = "sleep score"
items = ["hours", { step = "rested", weight = 3, reverse = true }]
bands = [
  { low = 0, high = 8, name = "poor" },
  { low = 9, high = 18, name = "good" },
]
"""


def sleep() -> Flow:
    return parse_definition(SLEEP.encode()).flow


def answer(flow: Flow, *answers: object) -> FlowState | dict[str, object]:
    state = start(flow).state
    for given in answers:
        outcome = advance(flow, state, given, NOW)  # type: ignore[arg-type]
        if isinstance(outcome, Finished):
            return dict(outcome.answers)
        assert isinstance(outcome, Ask) and outcome.reason is None, outcome
        state = outcome.state
    return state


def problems(text: str) -> list[str]:
    return definition_problems(text.encode())


def test_a_definition_builds_the_flow_the_engine_advances() -> None:
    flow = sleep()
    assert (flow.id, flow.version, flow.command, flow.title) == ("sleep_check", "2", "sleep", "sleep check")
    assert [s.kind for s in flow.steps] == [
        AnswerKind.SCALE,
        AnswerKind.CHOICE,
        AnswerKind.MULTI_CHOICE,
        AnswerKind.SCALE,
        AnswerKind.TEXT,
    ]
    assert flow.steps[0].prompt.endswith("0 = none, 12 = 12 or more")
    assert flow.steps[2].allow_custom and flow.steps[3].per_item == "why" and flow.steps[4].optional


def test_conditions_and_per_item_repeats_run_in_the_engine() -> None:
    flow = sleep()
    rested = answer(flow, Text("8"), Pick("yes"), Skip())  # no condition holds: why is not asked
    assert isinstance(rested, dict) and "why" not in rested and rested["note"] is None
    short = answer(flow, Text("4"), Pick("yes"), Text("worry, the cat"), Done())
    assert isinstance(short, FlowState) and short.step_id == "how_much"
    finished = answer(flow, Text("4"), Pick("yes"), Text("worry, noise"), Done(), Text("7"), Text("3"))
    assert isinstance(finished, dict)
    assert finished["why"] == ["worry", "noise"] and finished["how_much"] == {"worry": 7, "noise": 3}
    assert "note" not in finished  # not = { includes = "noise" }


def test_scoring_weights_reverse_items_bands_and_the_templates() -> None:
    flow = sleep()
    answers = {"hours": 7, "rested": "no"}  # 7 + 3 × (2 − 0)
    result = score(flow.scoring, flow, answers)  # type: ignore[arg-type]
    assert (result.value, result.band) == (13, "good")
    assert flow.summarize(answers) == "Thank you. 7 hours, rested Not rested. Score 13 (good)."
    assert (
        flow.journal_line is not None
        and flow.journal_line({"hours": 3, "rested": "yes"}) == "slept 3 h · poor"
    )
    unscored = score(flow.scoring, flow, {"hours": 7})  # type: ignore[arg-type]
    assert unscored.value is None and unscored.missing == ("rested",)
    assert flow.journal_line({"hours": 7}) == "slept 7 h · –"  # never silently zero


def test_a_mean_score_and_derived_figures() -> None:
    text = SLEEP.replace('label = "sleep score"', 'label = "sleep score"\nmethod = "mean"').replace(
        '{ low = 0, high = 8, name = "poor" },\n  { low = 9, high = 18, name = "good" },',
        '{ low = 0, high = 3, name = "poor" },\n  { low = 3.5, high = 9, name = "good" },',
    )
    text += '\n[[scoring.derived]]\nlabel = "hours only"\nitems = ["hours"]\n'
    flow = parse_definition(text.encode()).flow
    result = score(flow.scoring, flow, {"hours": 6, "rested": "bit"})  # type: ignore[arg-type]
    assert result.value == 4.5 and result.band == "good" and result.derived[0].value == 6


def test_an_item_alert_is_data() -> None:
    text = SLEEP.replace('high_label = "12 or more"', 'high_label = "12 or more"\nalert = { at_least = 11 }')
    hours = parse_definition(text.encode()).flow.steps[0]
    assert hours.alert is not None and hours.alert.fires(hours, 11) and not hours.alert.fires(hours, 10)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('kind = "text"', 'kind = "essay"'),
            'steps[4].kind: unknown kind "essay" (known: scale, choice, multi_choice, text)',
        ),
        (('id = "rested"', 'id = "hours"'), 'steps[1].id: "hours" is already the id of an earlier step'),
        (
            (
                'when = { not = { step = "why", includes = "noise" } }',
                'when = { step = "note", answered = true }',
            ),
            'steps[4].when.step: "note" is this or a later step (a condition reads earlier answers)',
        ),
        (
            ('{ step = "rested", equals = "no" }', '{ step = "rested", equals = "nope" }'),
            "steps[2].when.any_of[1].equals: 'nope' is not an option id of \"rested\" (no, bit, yes)",
        ),
        (
            ("max_length = 500", 'max_length = 500\ncolour = "blue"'),
            "steps[4].colour: unknown key (known: id, text, kind, label, optional, when, per_item, "
            "max_length)",
        ),
        (("max_length = 500", "max_length = 500\nlow = 1"), "steps[4].low: not a key of a text step"),
        (
            ('title = "sleep check"', 'title = "sleep check"\ncolour = 1'),
            "colour: unknown key (known: id, version, command, title, description, intro, summary, journal, "
            "attribution, min_interval_days, keeps_drafts, steps, scoring, digest, language, translations)",
        ),
        (
            ('{ low = 9, high = 18, name = "good" }', '{ low = 10, high = 18, name = "good" }'),
            "scoring: bands 'poor' and 'good' leave a gap",
        ),
        (
            ('{ low = 9, high = 18, name = "good" }', '{ low = 8, high = 18, name = "good" }'),
            "scoring: bands 'poor' and 'good' overlap",
        ),
        (
            ('{ low = 9, high = 18, name = "good" }', '{ low = 9, high = 17, name = "good" }'),
            "scoring: the bands do not cover the whole score range 0–18",
        ),
        (
            ('items = ["hours",', 'items = ["note",'),
            "scoring: scored item 'note' is not a scale or a choice with values",
        ),
        (
            ('per_item = "why"', 'per_item = "rested"'),
            'steps[3].per_item: "rested" is not an earlier multi-choice step',
        ),
        (
            ("Score {score}", "Score {scores}"),
            'summary: "{scores}" names no step or score '
            "(known: band, hours, how_much, note, rested, score, why)",
        ),
        (
            ('command = "sleep"', 'command = "Sleep Now"'),
            'command: "Sleep Now" should match [a-z][a-z0-9_]{0,31}',
        ),
        (
            ("low = 0\nhigh = 12", "low = 5\nhigh = 2"),
            "steps[0].high: a scale runs from low up to a higher high (5–2)",
        ),
        (
            ("How much did {item} keep you awake?", "How much did {item} keep {who} awake?"),
            "steps[3].text: only {item} may stand in braces in a per-item step (write {{ or }} for a brace)",
        ),
    ],
)
def test_each_problem_is_one_line_with_its_field_path(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in SLEEP
    assert expected in problems(SLEEP.replace(old, new, 1))


def test_every_problem_is_reported_not_only_the_first() -> None:
    broken = SLEEP.replace('kind = "text"', 'kind = "essay"').replace('id = "rested"', 'id = "hours"')
    broken = broken.replace("{ low = 9, high = 18", "{ low = 10, high = 18")
    found = problems(broken)
    assert len(found) >= 3, found
    assert all(": " in line and "\n" not in line for line in found)


def test_files_that_are_not_definitions_are_refused_unread() -> None:
    assert definition_problems(b"\xff\xfeid = 1") == ["file: not UTF-8 text (byte 0 cannot be read)"]
    huge = definition_problems(b"#" * (MAX_BYTES + 1))
    assert huge == [f"file: {MAX_BYTES + 1} bytes, over the limit of {MAX_BYTES}"]
    (syntax,) = definition_problems(b"id = ")
    assert syntax.startswith("file: not valid TOML: ")
    assert "steps: at least one step, each a [[steps]] table" in definition_problems(
        b'id = "x"\ncommand = "x"\ntitle = "x"\ndescription = "x"'
    )
    with pytest.raises(DefinitionError) as refused:
        parse_definition(b'id = "x"')
    assert len(refused.value.problems) >= 3


EXPOSURE_FILE = (Path(__file__).resolve().parents[2] / "flows" / "definitions" / "exposure.toml").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('options_from = "ladder"', 'options_from = "ladder"\noptions = [{ id = "a", label = "A" }]'),
            "steps[0].options_from: options come with the assignment or are listed here, not both",
        ),
        (
            ('own_words = "Another step"', ""),
            "steps[0].own_words: a choice whose options come with the assignment needs own_words",
        ),
        (
            ('options_from = "ladder"', 'options_from = "My Ladder"'),
            'steps[0].options_from: "My Ladder" should',
        ),
        (
            ('path = ["suds_before",', 'path = ["learned",'),
            "digest.path: a list of scale steps of this homework",
        ),
        (('path_label = "distress"', ""), "digest.path_label: missing"),
        (
            ("max_length = 2000", 'max_length = 2000\nown_words = "Other"'),
            "steps[6].own_words: not a key of a text step",
        ),
    ],
)
def test_a_list_given_with_the_assignment_and_a_path_are_checked(
    change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in EXPOSURE_FILE
    found = problems(EXPOSURE_FILE.replace(old, new, 1))
    assert any(line.startswith(expected) for line in found), found


def test_the_exposure_file_takes_its_ladder_from_the_assignment() -> None:
    definition = parse_definition(EXPOSURE_FILE.encode("utf-8"))
    step = definition.flow.steps[0]
    assert (step.kind, step.options_from, step.own_words, step.options) == (
        AnswerKind.CHOICE,
        "ladder",
        "Another step",
        (),
    )
    assert definition.flow.given_lists == ("ladder",) and definition.flow.version == "2"
    assert definition.highlight is not None and definition.highlight.path == (
        "suds_before",
        "suds_peak",
        "suds_end",
    )
