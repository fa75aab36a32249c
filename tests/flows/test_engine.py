"""The pure flow engine, driven with the real mood check and small flows of its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows import (
    FLOWS,
    AnswerKind,
    Back,
    Done,
    Finished,
    Flow,
    FlowState,
    Option,
    Pick,
    Skip,
    Step,
    Text,
    Toggle,
    advance,
    decode_answer,
    encode_answer,
    start,
    step_options,
)
from flows import texts as engine_texts
from flows.mood_check import MOOD_CHECK
from tests.support.outcomes import ask, labels

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_mood_check_happy_path_collects_every_answer() -> None:
    first = start(MOOD_CHECK)
    assert first.prompt.step_id == "mood"
    assert labels(first) == [str(n) for n in range(11)]

    feelings = ask(advance(MOOD_CHECK, first.state, Pick("7"), NOW))
    assert feelings.prompt.step_id == "feelings" and feelings.accepted == "7"
    toggled = ask(advance(MOOD_CHECK, feelings.state, Toggle("calm"), NOW))
    assert toggled.in_place and "✓ Calm" in labels(toggled)
    toggled = ask(advance(MOOD_CHECK, toggled.state, Toggle("tired"), NOW))
    note = ask(advance(MOOD_CHECK, toggled.state, Done(), NOW))
    assert note.prompt.step_id == "note" and note.accepted == "Calm, Tired"
    assert note.prompt.kind is AnswerKind.TEXT
    assert labels(note) == ["Skip"]

    obstacles = ask(advance(MOOD_CHECK, note.state, Text("  slept badly  "), NOW))
    assert obstacles.prompt.step_id == "obstacles" and obstacles.prompt.optional
    finished = advance(MOOD_CHECK, obstacles.state, Text("a noisy office"), NOW)
    assert isinstance(finished, Finished)
    assert dict(finished.answers) == {
        "mood": 7,
        "feelings": ["calm", "tired"],
        "note": "slept badly",
        "obstacles": "a noisy office",
    }
    assert "7/10" in finished.summary and "calm, tired" in finished.summary
    assert "slept badly" not in finished.summary  # we never echo their note back


def test_toggle_twice_unselects_and_order_follows_the_list() -> None:
    state = ask(advance(MOOD_CHECK, start(MOOD_CHECK).state, Pick("3"), NOW)).state
    for option in ("sad", "calm", "sad", "numb"):
        state = ask(advance(MOOD_CHECK, state, Toggle(option), NOW)).state
    assert state.selection == ("calm", "numb")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("11", engine_texts.SCALE_OUT_OF_RANGE.format(low=0, high=10)),
        ("-1", engine_texts.SCALE_OUT_OF_RANGE.format(low=0, high=10)),
        ("seven", engine_texts.SCALE_NOT_A_NUMBER.format(low=0, high=10)),
        ("7.5", engine_texts.SCALE_NOT_A_NUMBER.format(low=0, high=10)),
        ("", engine_texts.SCALE_NOT_A_NUMBER.format(low=0, high=10)),
    ],
)
def test_bad_scale_answers_are_reasked_kindly_and_change_nothing(typed: str, reason: str) -> None:
    first = start(MOOD_CHECK)
    again = ask(advance(MOOD_CHECK, first.state, Text(typed), NOW))
    assert again.reason == reason
    assert again.state == first.state
    assert labels(again) == labels(first)


@pytest.mark.parametrize("typed", ["7", " 7 ", "7/10"])
def test_typed_numbers_work_like_buttons(typed: str) -> None:
    outcome = ask(advance(MOOD_CHECK, start(MOOD_CHECK).state, Text(typed), NOW))
    assert outcome.state.answers == {"mood": 7}


def test_forged_values_on_buttons_are_reasked() -> None:
    first = start(MOOD_CHECK)
    assert ask(advance(MOOD_CHECK, first.state, Pick("99"), NOW)).reason is not None
    assert ask(advance(MOOD_CHECK, first.state, Toggle("calm"), NOW)).reason is not None
    feelings = ask(advance(MOOD_CHECK, first.state, Pick("5"), NOW))
    forged = ask(advance(MOOD_CHECK, feelings.state, Toggle("not-an-option"), NOW))
    assert forged.reason == engine_texts.USE_LATEST_BUTTONS and forged.state == feelings.state


def test_text_on_multi_choice_reshows_the_buttons() -> None:
    feelings = ask(advance(MOOD_CHECK, start(MOOD_CHECK).state, Pick("5"), NOW))
    again = ask(advance(MOOD_CHECK, feelings.state, Text("kind of meh"), NOW))
    assert again.reason == engine_texts.MULTI_CHOICE_HINT
    assert labels(again) == labels(feelings)


def test_optional_steps_skip_to_none_and_required_ones_refuse() -> None:
    first = start(MOOD_CHECK)
    refused = ask(advance(MOOD_CHECK, first.state, Skip(), NOW))
    assert refused.reason == engine_texts.NOT_SKIPPABLE
    state = ask(advance(MOOD_CHECK, first.state, Pick("4"), NOW)).state
    state = ask(advance(MOOD_CHECK, state, Done(), NOW)).state  # nothing picked: optional, skipped
    assert state.answers == {"mood": 4, "feelings": None}
    state = ask(advance(MOOD_CHECK, state, Skip(), NOW)).state
    finished = advance(MOOD_CHECK, state, Skip(), NOW)
    assert isinstance(finished, Finished)
    assert dict(finished.answers) == {"mood": 4, "feelings": None, "note": None, "obstacles": None}


def test_back_returns_to_the_previous_question_with_its_picks() -> None:
    first = start(MOOD_CHECK)
    assert ask(advance(MOOD_CHECK, first.state, Back(), NOW)).reason == engine_texts.NOTHING_TO_GO_BACK_TO
    state = ask(advance(MOOD_CHECK, first.state, Pick("6"), NOW)).state
    state = ask(advance(MOOD_CHECK, state, Toggle("hopeful"), NOW)).state
    state = ask(advance(MOOD_CHECK, state, Done(), NOW)).state
    assert state.step_id == "note"
    back = ask(advance(MOOD_CHECK, state, Back(), NOW))
    assert back.state.step_id == "feelings" and back.state.selection == ("hopeful",)
    assert "✓ Hopeful" in labels(back)
    back = ask(advance(MOOD_CHECK, back.state, Back(), NOW))
    assert back.state.step_id == "mood" and back.state.history == ()


def test_text_limits() -> None:
    flow = Flow(
        id="demo",
        title="demo",
        command="demo",
        description="demo",
        steps=(Step("words", "Say something", AnswerKind.TEXT, max_length=10),),
        summarize=lambda answers: "ok",
    )
    first = start(flow)
    assert ask(advance(flow, first.state, Text("   "), NOW)).reason == engine_texts.TEXT_EMPTY
    too_long = ask(advance(flow, first.state, Text("x" * 11), NOW))
    assert too_long.reason == engine_texts.TEXT_TOO_LONG.format(limit=10)
    assert ask(advance(flow, first.state, Pick("1"), NOW)).reason == engine_texts.TEXT_EXPECTED
    assert isinstance(advance(flow, first.state, Text("x" * 10), NOW), Finished)


def test_single_choice_accepts_buttons_and_typed_labels() -> None:
    flow = Flow(
        id="demo",
        title="demo",
        command="demo",
        description="demo",
        steps=(
            Step("pick", "Which?", AnswerKind.CHOICE, options=(Option("a", "Apple"), Option("b", "Pear"))),
            Step("end", "Bye?", AnswerKind.TEXT),
        ),
        summarize=lambda answers: "ok",
    )
    first = start(flow)
    assert ask(advance(flow, first.state, Pick("b"), NOW)).state.answers == {"pick": "b"}
    assert ask(advance(flow, first.state, Text(" apple "), NOW)).state.answers == {"pick": "a"}
    assert ask(advance(flow, first.state, Text("banana"), NOW)).reason == engine_texts.CHOICE_NOT_MATCHED


def test_state_survives_json_round_trip() -> None:
    state = FlowState("mood_check", "feelings", {"mood": 3}, ("sad",), ("mood",))
    assert FlowState.from_json(state.to_json()) == state


def test_a_stored_step_that_no_longer_exists_restarts_gently() -> None:
    stale = FlowState("mood_check", "retired_step", {"mood": 3})
    outcome = ask(advance(MOOD_CHECK, stale, Text("hi"), NOW))
    assert outcome.prompt.step_id == "mood"


@pytest.mark.parametrize("answer", [Pick("10"), Toggle("calm"), Done(), Skip(), Back()])
def test_answer_encoding_round_trips(answer: Pick | Toggle | Done | Skip | Back) -> None:
    assert decode_answer(encode_answer(answer)) == answer


@pytest.mark.parametrize("garbage", ["", "x", "p", "t", "zz", "💥"])
def test_malformed_button_values_decode_to_none(garbage: str) -> None:
    assert decode_answer(garbage) is None


def test_every_button_of_every_flow_fits_telegram_callback_data() -> None:
    """callback_data is 1–64 bytes; ours is an 8-character token, a colon and the value."""
    token_and_separator = 9
    for flow in FLOWS:
        for step in flow.steps:
            ask_state = FlowState(flow.id, step.id, selection=tuple(o.id for o in step.options))
            from flows import render_step

            prompt = render_step(flow, step, ask_state.selection)
            for choice in prompt.choices:
                assert 1 <= token_and_separator + len(choice.value.encode()) <= 64, (flow.id, step.id)


def test_flow_definitions_are_sound() -> None:
    commands = [f.command for f in FLOWS]
    assert len(commands) == len(set(commands))
    with pytest.raises(ValueError, match="unique step ids"):
        Flow("x", "x", "x", "x", (Step("a", "?", AnswerKind.TEXT), Step("a", "?", AnswerKind.TEXT)), str)


# --- options listed in the answers, and text that means a value ------------------------------

WHO = Step("who", "Who?", AnswerKind.CHOICE, options_from="people", optional=True)
PEOPLE = {"people": [["a", "Ann"], ["b", "Bo"]]}


def _people_flow(*more: Step) -> Flow:
    return Flow("demo", "demo", "demo", "demo", (WHO, *more), summarize=lambda answers: "ok")


def test_step_options_are_fixed_or_listed_in_the_answers_ignoring_malformed_entries() -> None:
    fixed = MOOD_CHECK.steps[1]
    assert step_options(fixed, {"people": [["x", "X"]]}) is fixed.options
    listed = [
        ["a", "Ann"],
        ["b"],
        "c",
        [1, "One"],
        ["", "Nobody"],
        ["d", ""],
        ["e", "Eve", "!"],
        None,
        ("f", "Fay"),
    ]
    assert step_options(WHO, {"people": listed}) == (Option("a", "Ann"), Option("f", "Fay"))
    assert step_options(WHO, {}) == ()
    assert step_options(WHO, {"people": "a,Ann"}) == ()


def test_options_from_the_context_are_buttons_picks_and_typed_labels() -> None:
    flow = _people_flow(Step("end", "Bye?", AnswerKind.TEXT))
    first = start(flow, PEOPLE)
    assert first.state.answers == PEOPLE
    assert labels(first) == ["Ann", "Bo", "Skip"]
    picked = ask(advance(flow, first.state, Pick("b"), NOW))
    assert picked.state.answers == {**PEOPLE, "who": "b"} and picked.accepted == "Bo"
    assert ask(advance(flow, first.state, Text(" ANN "), NOW)).state.answers["who"] == "a"
    forged = ask(advance(flow, first.state, Pick("z"), NOW))
    assert forged.reason == engine_texts.CHOICE_NOT_MATCHED and forged.state == first.state
    back = ask(advance(flow, picked.state, Back(), NOW))
    assert back.state.step_id == "who" and back.state.answers["people"] == PEOPLE["people"]
    assert labels(back) == ["Ann", "Bo", "Skip"]


def test_an_empty_options_list_shows_no_option_buttons() -> None:
    flow = _people_flow()
    first = start(flow, {"people": []})
    assert labels(first) == ["Skip"]
    assert labels(start(flow)) == ["Skip"]
    assert ask(advance(flow, first.state, Pick("a"), NOW)).reason == engine_texts.CHOICE_NOT_MATCHED


def test_a_stale_step_restarts_with_the_options_the_flow_reads() -> None:
    flow = _people_flow()
    stale = FlowState("demo", "retired_step", {**PEOPLE, "retired_step": "x"})
    outcome = ask(advance(flow, stale, Text("hi"), NOW))
    assert outcome.prompt.step_id == "who" and outcome.state.answers == PEOPLE
    assert labels(outcome) == ["Ann", "Bo", "Skip"]


def _even(text: str) -> int:
    if not text.isdigit() or int(text) % 2:
        raise ValueError("An even number, please.")
    return int(text)


def test_parse_turns_text_into_a_value_or_a_reask_with_its_reason() -> None:
    calls: list[str] = []

    def counted(text: str) -> int:
        calls.append(text)
        return _even(text)

    flow = Flow(
        "demo",
        "demo",
        "demo",
        "demo",
        (Step("n", "Even?", AnswerKind.TEXT, max_length=4, parse=counted),),
        summarize=lambda answers: "ok",
    )
    first = start(flow)
    odd = ask(advance(flow, first.state, Text(" 7 "), NOW))
    assert odd.reason == "An even number, please." and odd.state == first.state and calls == ["7"]
    assert ask(advance(flow, first.state, Text("  "), NOW)).reason == engine_texts.TEXT_EMPTY
    too_long = ask(advance(flow, first.state, Text("12345"), NOW))
    assert too_long.reason == engine_texts.TEXT_TOO_LONG.format(limit=4)
    assert calls == ["7"]  # the usual checks come first
    finished = advance(flow, first.state, Text(" 42 "), NOW)
    assert isinstance(finished, Finished) and dict(finished.answers) == {"n": 42}


def test_an_optional_step_with_parse_still_takes_skip() -> None:
    flow = Flow(
        "demo",
        "demo",
        "demo",
        "demo",
        (Step("n", "Even?", AnswerKind.TEXT, optional=True, parse=_even),),
        summarize=lambda answers: "ok",
    )
    finished = advance(flow, start(flow).state, Skip(), NOW)
    assert isinstance(finished, Finished) and dict(finished.answers) == {"n": None}


def test_options_from_and_parse_belong_to_their_kinds_of_step() -> None:
    with pytest.raises(ValueError, match="options_from"):
        Step("a", "?", AnswerKind.TEXT, options_from="people")
    with pytest.raises(ValueError, match="options_from"):
        Step("a", "?", AnswerKind.CHOICE, options=(Option("x", "X"),), options_from="people")
    with pytest.raises(ValueError, match="parse"):
        Step("a", "?", AnswerKind.CHOICE, parse=int)
