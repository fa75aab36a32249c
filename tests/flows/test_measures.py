"""PHQ-9 and GAD-7 as published: every item's words pinned here (a change must be deliberate),
the options valued 0–3, the difficulty question unscored, and the scores and bands at every
boundary through the built flows and the real engine.

Checked against the forms as published on phqscreeners.com (the versions carrying the line
"No permission required to reproduce, translate, display or distribute", without the PRIME-MD
trademark)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows import Ask, Finished, Pick, advance, start
from flows.model import AnswerKind, Flow
from flows.registry import flow_by_command, flow_by_id
from flows.scoring import score

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an "
    "educational grant from Pfizer Inc. No permission required to reproduce, translate, display or "
    "distribute."
)
PHQ9_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
    "fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
OPTIONS = [
    ("not_at_all", "Not at all", 0),
    ("several_days", "Several days", 1),
    ("more_than_half", "More than half the days", 2),
    ("nearly_every_day", "Nearly every day", 3),
]
OPTION_IDS = [option_id for option_id, _, _ in OPTIONS]
DIFFICULTY = (
    "If you checked off any problems, how difficult have these problems made it for you to do your "
    "work, take care of things at home, or get along with other people?"
)
DIFFICULTY_OPTIONS = ["Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"]
PHQ9_BANDS = [
    (0, 4, "minimal"),
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 19, "moderately severe"),
    (20, 27, "severe"),
]
GAD7_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")]
MEASURES = [
    ("phq9", PHQ9_STEM, PHQ9_ITEMS, PHQ9_BANDS, "44261-6"),
    ("gad7", GAD7_STEM, GAD7_ITEMS, GAD7_BANDS, "70274-6"),
]


def measure(flow_id: str) -> Flow:
    flow = flow_by_id(flow_id)
    assert flow is not None and flow_by_command(flow_id) is flow
    return flow


@pytest.mark.parametrize(("flow_id", "stem", "items", "bands", "loinc"), MEASURES)
def test_the_wording_is_the_published_wording(
    flow_id: str, stem: str, items: tuple[str, ...], bands: list[tuple[int, int, str]], loinc: str
) -> None:
    flow = measure(flow_id)
    assert [s.id for s in flow.steps] == [f"item{n}" for n in range(1, len(items) + 1)] + ["difficulty"]
    for number, (step, item) in enumerate(zip(flow.steps, items, strict=False), 1):
        assert step.prompt == f"{stem}\n\n{number}. {item}"
        assert step.kind is AnswerKind.CHOICE and not step.optional
        assert [(o.id, o.label, o.value) for o in step.options] == OPTIONS
    difficulty = flow.steps[-1]
    assert difficulty.prompt == DIFFICULTY
    assert [o.label for o in difficulty.options] == DIFFICULTY_OPTIONS
    assert all(o.value is None for o in difficulty.options)  # not scored
    assert flow.attribution == ATTRIBUTION and flow.intro is not None and flow.intro.endswith(ATTRIBUTION)
    assert flow.min_interval_days == 7 and flow.keeps_drafts
    assert flow.scoring is not None and flow.scoring.loinc == loinc
    assert [i.step_id for i in flow.scoring.items] == [f"item{n}" for n in range(1, len(items) + 1)]
    assert [(b.low, b.high, b.name) for b in flow.scoring.bands] == bands
    everything = " ".join([s.prompt for s in flow.steps] + [flow.intro, flow.description, flow.title])
    assert "PRIME" not in everything.upper()


def test_only_phq9_item_9_brings_the_safety_response() -> None:
    phq9, gad7 = measure("phq9"), measure("gad7")
    assert [s.id for s in phq9.steps if s.alert is not None] == ["item9"]
    item9 = phq9.steps[8]
    assert item9.alert is not None
    assert [item9.alert.fires(item9, o.id) for o in item9.options] == [False, True, True, True]
    assert not any(s.alert for s in gad7.steps)


def answered(flow: Flow, values: list[int]) -> dict[str, object]:
    """The flow answered through the engine, one press per item (then the difficulty, if asked)."""
    state = start(flow).state
    for option_id in [*(OPTION_IDS[value] for value in values), "somewhat"]:
        outcome = advance(flow, state, Pick(option_id), NOW)
        if isinstance(outcome, Finished):
            return dict(outcome.answers)
        assert isinstance(outcome, Ask) and outcome.reason is None
        state = outcome.state
    raise AssertionError(f"not finished at {state.step_id}")


def spread(total: int, items: int) -> list[int]:
    """Item values 0–3 adding up to ``total``, highest first."""
    return [min(3, max(0, total - 3 * n)) for n in range(items)]


@pytest.mark.parametrize(("flow_id", "stem", "items", "bands", "loinc"), MEASURES)
def test_scores_and_bands_at_every_boundary(
    flow_id: str, stem: str, items: tuple[str, ...], bands: list[tuple[int, int, str]], loinc: str
) -> None:
    flow = measure(flow_id)
    assert flow.scoring is not None
    for low, high, name in bands:
        for total in (low, high):
            answers = answered(flow, spread(total, len(items)))
            result = score(flow.scoring, flow, answers)
            assert (result.value, result.band) == (total, name), (flow_id, total)
            assert ("difficulty" in answers) == (total > 0)  # asked only if any problem was checked


@pytest.mark.parametrize("flow_id", ["phq9", "gad7"])
def test_an_unanswered_item_leaves_it_unscored_never_zero(flow_id: str) -> None:
    flow = measure(flow_id)
    assert flow.scoring is not None
    half = {f"item{n}": "not_at_all" for n in range(1, 4)}
    result = score(flow.scoring, flow, half)
    assert result.value is None and result.band is None and "item4" in result.missing
    assert flow.journal_line is not None and flow.journal_line(half).startswith("score – of")


def test_words_or_a_number_out_of_range_at_an_item_are_asked_again_and_lose_nothing() -> None:
    from flows import Text
    from flows.texts import CHOICE_NOT_MATCHED

    phq9 = measure("phq9")
    at_item2 = advance(phq9, start(phq9).state, Pick("more_than_half"), NOW)
    assert isinstance(at_item2, Ask) and at_item2.state.answers == {"item1": "more_than_half"}
    for wrong in (Text("quite often"), Text("7"), Text("-1"), Text("2.5"), Text(" "), Pick("4"), Pick("3")):
        again = advance(phq9, at_item2.state, wrong, NOW)
        assert isinstance(again, Ask) and again.reason == CHOICE_NOT_MATCHED, wrong
        assert again.state == at_item2.state  # the answer before is kept, nothing stored from this
    typed = advance(phq9, at_item2.state, Text("nearly every day"), NOW)  # an option's words work
    assert isinstance(typed, Ask) and typed.state.answers["item2"] == "nearly_every_day"


def test_back_across_a_scored_item_scores_the_answer_given_again() -> None:
    from flows import Back

    phq9 = measure("phq9")
    assert phq9.scoring is not None
    state = start(phq9).state
    for option in ("nearly_every_day", "nearly_every_day", "several_days"):
        moved = advance(phq9, state, Pick(option), NOW)
        assert isinstance(moved, Ask)
        state = moved.state
    for _ in range(2):  # back over item 3 to item 2
        went_back = advance(phq9, state, Back(), NOW)
        assert isinstance(went_back, Ask)
        state = went_back.state
    assert state.step_id == "item2" and "item3" not in state.answers
    for option in ["not_at_all"] * 8 + ["somewhat"]:
        outcome = advance(phq9, state, Pick(option), NOW)
        if isinstance(outcome, Finished):
            break
        assert isinstance(outcome, Ask)
        state = outcome.state
    assert isinstance(outcome, Finished)
    assert outcome.answers["item2"] == "not_at_all"  # the answer given again replaces the first
    assert score(phq9.scoring, phq9, outcome.answers).value == 3  # item 1 only: 3 + 0 × 8
