"""The README documents the format with a complete example: it loads, and means what it says."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.i18n import _, reading
from flows import Ask, Done, Finished, Pick, Skip, Text, Toggle, advance, start
from flows.definition import parse_definition
from flows.model import AnswerKind, FlowState
from flows.prompt import render_step
from flows.scoring import score
from tests.support.homework import readme_example, readme_translation_example

NOW = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)


def test_the_readme_example_loads_and_runs() -> None:
    flow = parse_definition(readme_example().encode("utf-8")).flow
    assert (flow.id, flow.command, flow.version) == ("sleep_check", "sleep", "1")
    assert {s.kind for s in flow.steps} == set(AnswerKind) - {AnswerKind.TIMER}  # every kind a file has
    state: FlowState = start(flow).state
    for given in (
        Text("4"),
        Pick("no"),
        Toggle("worry"),
        Text("the dog"),
        Done(),
        Text("8"),
        Text("6"),
        Skip(),
    ):
        outcome = advance(flow, state, given, NOW)
        if isinstance(outcome, Finished):
            break
        assert isinstance(outcome, Ask) and outcome.reason is None, outcome
        state = outcome.state
    assert isinstance(outcome, Finished)
    answers = outcome.answers
    assert answers["kept_awake"] == ["worry", "~the dog"]
    assert answers["how_much"] == {"worry": 8, "~the dog": 6}
    assert flow.scoring is not None and score(flow.scoring, flow, answers).band == "poor"
    assert outcome.summary == "Thank you, it's saved. Your sleep score: 4 (poor)."
    assert flow.journal_line is not None and flow.journal_line(answers) == "slept 4 h · Not rested"


def test_the_readme_translation_example_loads_with_it_and_says_it_in_german() -> None:
    flow = parse_definition((readme_example() + readme_translation_example()).encode("utf-8")).flow
    with reading("de"):
        assert _(flow.title) == "Schlafcheck"
        hours = render_step(flow, flow.steps[0])
    assert (
        hours.text
        == "Wie viele Stunden hast du letzte Nacht ungefähr geschlafen?\n0 = keine, 12 = 12 oder mehr"
    )
