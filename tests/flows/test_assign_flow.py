"""The guided /assign a therapist uses in chat, driven through the pure engine."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from bot.core.i18n import reading
from bot.core.plan_text import parse_times, parse_weekdays
from flows import (
    FLOWS,
    Answer,
    Ask,
    Back,
    Finished,
    FlowState,
    Pick,
    Skip,
    Text,
    advance,
    flow_by_command,
    render_step,
    start,
)
from flows import texts as engine_texts
from flows.assign import (
    ASSIGN,
    INTERVAL_INVALID,
    SAVING,
    START_DATE_INVALID,
    AssignmentDraft,
    assign_flow,
    assignment_from,
    clients_context,
)
from flows.model import AnswerKind, Flow, Step
from tests.support.outcomes import ask, labels

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLIENTS = ((7, "Sam"), (12, "Alex K."), (3, "Jo"))
CONTEXT = clients_context(CLIENTS)


def at(step_id: str) -> FlowState:
    """The conversation after answering every step before ``step_id`` the plain way."""
    plain: dict[str, Answer] = {
        "client": Pick("12"),
        "homework": Pick("mood_check"),
        "times": Text("08:00"),
        "days": Pick("daily"),
        "start": Pick("today"),
    }
    state = start(ASSIGN, CONTEXT).state
    while state.step_id != step_id:
        state = ask(advance(ASSIGN, state, plain[state.step_id], NOW)).state
    return state


def reason_of(parser: object, text: str) -> str:
    assert callable(parser)
    with pytest.raises(ValueError) as error:
        parser(text)
    return str(error.value)


def test_the_context_lists_clients_as_id_and_alias() -> None:
    assert set(CONTEXT) == {"clients"}
    assert CONTEXT["clients"] == [["7", "Sam"], ["12", "Alex K."], ["3", "Jo"]]


def test_the_clients_are_the_buttons_of_the_first_question() -> None:
    first = start(ASSIGN, CONTEXT)
    assert first.prompt.step_id == "client"
    assert first.state.answers == CONTEXT
    assert [[c.label for c in row] for row in first.prompt.rows] == [["Sam", "Alex K."], ["Jo"]]
    assert [c.value for c in first.prompt.choices] == ["p7", "p12", "p3"]


def test_a_client_is_picked_by_button_or_by_typing_the_alias() -> None:
    first = start(ASSIGN, CONTEXT)
    picked = ask(advance(ASSIGN, first.state, Pick("12"), NOW))
    assert picked.prompt.step_id == "homework" and picked.accepted == "Alex K."
    assert picked.state.answers == {**CONTEXT, "client": "12"}
    typed = ask(advance(ASSIGN, first.state, Text("  alex k. "), NOW))
    assert typed.state == picked.state


@pytest.mark.parametrize("answer", [Pick("99"), Pick("clients"), Text("Robin"), Text("12"), Skip()])
def test_someone_not_among_the_clients_is_a_reask_that_loses_nothing(answer: Answer) -> None:
    first = start(ASSIGN, CONTEXT)
    again = ask(advance(ASSIGN, first.state, answer, NOW))
    assert again.reason is not None
    assert again.state == first.state
    assert labels(again) == ["Sam", "Alex K.", "Jo"]


def test_the_homework_buttons_are_the_homework_types() -> None:
    homework = ask(advance(ASSIGN, start(ASSIGN, CONTEXT).state, Pick("7"), NOW))
    assert labels(homework) == [
        "Mood check",
        "Thought record",
        "Urge surfing",
        "Breathing exercise",
        "Goal rating",
        "Activity log",
        "Exposure practice",
        "GAD-7",
        "PHQ-9",
    ]
    assert [c.value for c in homework.prompt.choices] == [f"p{flow.id}" for flow in FLOWS]
    typed = ask(advance(ASSIGN, homework.state, Text("thought record"), NOW))
    assert typed.state.answers["homework"] == "thought_record" and typed.prompt.step_id == "times"


@pytest.mark.parametrize("typed", ["25:00", "soon", "08:00, 8:61", "8"])
def test_times_that_are_not_times_are_reasked_with_the_parsers_reason(typed: str) -> None:
    times = at("times")
    again = ask(advance(ASSIGN, times, Text(typed), NOW))
    assert again.reason == reason_of(parse_times, typed)
    assert again.state == times and again.prompt.step_id == "times"


def test_the_times_prompt_says_whose_clock_and_how_to_write_them() -> None:
    prompt = render_step(ASSIGN, ASSIGN.steps[2], (), CONTEXT).text
    assert "client's local time" in prompt and "08:00" in prompt


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("08:00", ["08:00"]), ("20:30, 8:00", ["08:00", "20:30"]), ("8:00 20:30 08:00", ["08:00", "20:30"])],
)
def test_good_times_are_stored_sorted_as_hh_mm(typed: str, stored: list[str]) -> None:
    days = ask(advance(ASSIGN, at("times"), Text(typed), NOW))
    assert days.prompt.step_id == "days"
    assert days.state.answers["times"] == stored
    assert labels(days) == ["Every day", "Weekdays", "Weekends", "Other days…"]


@pytest.mark.parametrize(
    ("days", "start_with", "shown", "weekdays", "starts"),
    [
        ([Pick("daily")], [Pick("today")], [], (0, 1, 2, 3, 4, 5, 6), "today"),
        ([Text("weekdays")], [Pick("tomorrow")], [], (0, 1, 2, 3, 4), "tomorrow"),
        ([Pick("weekends")], [Pick("date"), Text(" 2026-03-09 ")], ["start_date"], (5, 6), "2026-03-09"),
        ([Pick("other"), Text("fri, Mon, wed")], [Pick("today")], ["days_other"], (0, 2, 4), "today"),
        (
            [Pick("other"), Text("sat-mon")],
            [Pick("date"), Text("2026-04-01")],
            ["days_other", "start_date"],
            (0, 5, 6),
            "2026-04-01",
        ),
    ],
)
def test_every_way_through_finishes_with_an_assignment(
    days: Sequence[Answer],
    start_with: Sequence[Answer],
    shown: list[str],
    weekdays: tuple[int, ...],
    starts: str,
) -> None:
    answers: list[Answer] = [Pick("3"), Pick("breathing"), Text("07:45, 21:00"), *days, *start_with]
    outcome: Ask | Finished = start(ASSIGN, CONTEXT)
    asked = []
    for answer in answers:
        outcome = ask(advance(ASSIGN, ask(outcome).state, answer, NOW))
        asked.append(outcome.prompt.step_id)
    optional = [s for s in ("days_other", "start_date") if s in asked]
    assert optional == shown
    assert asked[-1] == "rationale" and ask(outcome).prompt.optional
    finished = advance(ASSIGN, ask(outcome).state, Text("  Practise the slow exhale when calm.  "), NOW)
    assert isinstance(finished, Finished)
    assert finished.summary == SAVING and finished.finished_at == NOW
    assert finished.answers["clients"] == CONTEXT["clients"]  # the context stays with the answers
    assert assignment_from(finished.answers) == AssignmentDraft(
        client_id=3,
        flow_id="breathing",
        times=("07:45", "21:00"),
        weekdays=weekdays,
        start=starts,
        rationale="Practise the slow exhale when calm.",
    )


@pytest.mark.parametrize("typed", ["someday", "mon, fun", "x"])
def test_other_days_that_are_not_days_are_reasked_with_the_parsers_reason(typed: str) -> None:
    other = ask(advance(ASSIGN, at("days"), Pick("other"), NOW))
    assert other.prompt.step_id == "days_other"
    again = ask(advance(ASSIGN, other.state, Text(typed), NOW))
    assert again.reason == reason_of(parse_weekdays, typed)
    assert again.state == other.state


@pytest.mark.parametrize("typed", ["9 March", "2026-02-30", "20260309", "2026-3-9", "tomorrow"])
def test_a_start_date_not_written_as_a_date_is_reasked_kindly(typed: str) -> None:
    dated = ask(advance(ASSIGN, at("start"), Pick("date"), NOW))
    assert dated.prompt.step_id == "start_date"
    again = ask(advance(ASSIGN, dated.state, Text(typed), NOW))
    assert again.reason == START_DATE_INVALID and again.state == dated.state


def test_back_from_times_returns_to_homework_and_keeps_the_clients() -> None:
    times = at("times")
    homework = ask(advance(ASSIGN, times, Back(), NOW))
    assert homework.prompt.step_id == "homework"
    assert homework.state.answers["clients"] == CONTEXT["clients"]
    client = ask(advance(ASSIGN, homework.state, Back(), NOW))
    assert client.prompt.step_id == "client" and client.state.history == ()
    assert labels(client) == ["Sam", "Alex K.", "Jo"]
    assert client.state.answers["clients"] == CONTEXT["clients"]
    again = ask(advance(ASSIGN, client.state, Pick("7"), NOW))
    assert again.state.answers["client"] == "7" and again.prompt.step_id == "homework"


def test_the_rationale_may_be_skipped_and_the_rest_may_not() -> None:
    assert ask(advance(ASSIGN, at("times"), Skip(), NOW)).reason == engine_texts.NOT_SKIPPABLE
    rationale = at("rationale")
    assert labels(ask(advance(ASSIGN, rationale, Back(), NOW))) == ["Today", "Tomorrow", "Another date…"]
    finished = advance(ASSIGN, rationale, Skip(), NOW)
    assert isinstance(finished, Finished)
    assert finished.answers["rationale"] is None
    draft = assignment_from(finished.answers)
    assert draft.rationale is None and draft.client_id == 12 and draft.flow_id == "mood_check"


def test_a_rationale_longer_than_a_thousand_characters_is_reasked() -> None:
    again = ask(advance(ASSIGN, at("rationale"), Text("x" * 1001), NOW))
    assert again.reason == engine_texts.TEXT_TOO_LONG.format(limit=1000)


def test_unfinished_answers_are_not_an_assignment() -> None:
    with pytest.raises(ValueError, match="not the answers of a finished assignment"):
        assignment_from(at("start").answers)
    with pytest.raises(ValueError):
        assignment_from({**at("rationale").answers, "rationale": None, "homework": "tarot"})


def test_assign_is_a_therapist_conversation_not_homework() -> None:
    assert ASSIGN.id == "assign" and ASSIGN.command == ""
    assert not ASSIGN.records_entry and not ASSIGN.keeps_drafts
    assert ASSIGN not in FLOWS and flow_by_command("") is None
    assert [s.id for s in ASSIGN.steps] == [
        "client",
        "homework",
        "times",
        "days",
        "days_other",
        "timing",
        "interval",
        "measure_time",
        "given_ladder",
        "start",
        "start_date",
        "rationale",
    ]


def test_every_button_fits_telegram_callback_data() -> None:
    """As for the homework flows: an 8-character token, a colon and the value, at most 64 bytes."""
    context = clients_context([(9_223_372_036_854_775_807, "Longest id")])
    for step in ASSIGN.steps:
        for choice in render_step(ASSIGN, step, (), context).choices:
            assert 1 <= 9 + len(choice.value.encode()) <= 64, (step.id, choice)


def test_a_measure_is_asked_when_not_which_days() -> None:
    guided = assign_flow(FLOWS)
    assert assign_flow(FLOWS) is guided  # one flow object per set of homework types
    state = start(guided, CONTEXT).state
    state = ask(advance(guided, state, Pick("12"), NOW)).state
    timing = ask(advance(guided, state, Pick("phq9"), NOW))
    assert labels(timing) == ["Before every session", "Before every other session", "Every … days"]
    every = ask(advance(guided, timing.state, Pick("every_n_days"), NOW))
    assert every.state.step_id == "interval"
    again = ask(advance(guided, every.state, Text("3"), NOW))
    assert (again.state.step_id, again.reason) == ("interval", INTERVAL_INVALID.format(least=7))
    state = ask(advance(guided, every.state, Text("14"), NOW)).state
    assert state.step_id == "measure_time"
    assert ask(advance(guided, state, Text("08:00, 20:00"), NOW)).state.step_id == "measure_time"
    state = ask(advance(guided, state, Text("18:00"), NOW)).state
    state = ask(advance(guided, state, Pick("today"), NOW)).state
    finished = advance(guided, state, Skip(), NOW)
    assert isinstance(finished, Finished)
    draft = assignment_from(finished.answers, FLOWS)
    assert (draft.flow_id, draft.times, draft.cadence, draft.interval_days) == (
        "phq9",
        ("18:00",),
        "every_n_days",
        14,
    )


def test_the_homework_buttons_and_the_questions_read_in_the_therapists_language() -> None:
    """German titles on the buttons (a catalogue title looked up before it is capitalized, a
    homework file's from its file), and a prompt made with a number ahead of any turn."""
    with reading("de", formal=True):
        homework = ask(advance(ASSIGN, start(ASSIGN, CONTEXT).state, Pick("7"), NOW))
        assert labels(homework)[:3] == ["Stimmungscheck", "Gedankenprotokoll", "Urge-Surfing"]
        assert labels(homework)[-3:] == ["Expositionsübung", "GAD-7", "PHQ-9"]
        timing = ask(advance(ASSIGN, homework.state, Pick("phq9"), NOW))
        interval = ask(advance(ASSIGN, timing.state, Pick("every_n_days"), NOW))
    assert interval.prompt.text == "Alle wie viele Tage? Mindestens 7, zum Beispiel 14."


def test_a_list_without_a_prompt_of_its_own_is_asked_for_by_its_name_in_every_language() -> None:
    toy = Flow(
        id="toy",
        title="toy",
        command="toy",
        description="a homework that takes a list of places",
        steps=(Step("place", "Where?", AnswerKind.CHOICE, options_from="places"),),
        summarize=lambda answers: "",
    )
    form = assign_flow((toy,))
    given = next(step for step in form.steps if step.id == "given_places")
    english = render_step(form, given).text
    with reading("de", formal=True):
        german = render_step(form, given).text
    assert english.startswith("The items of the list “places” for this homework")
    assert german.startswith("Die Einträge der Liste „places“ für diese Übung")
