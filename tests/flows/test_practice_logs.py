"""The behavioural-activation activity log and the exposure practice, defined as data: what the
client is asked, in what order, and what their journal and digest read."""

from __future__ import annotations

from datetime import UTC, datetime

from flows import Ask, Back, Done, Finished, Pick, Skip, Text, Toggle, advance, start
from flows.assign import given_context
from flows.model import Flow, FlowState
from flows.registry import flow_by_command
from flows.sections import Dates, SectionEntry, SectionInput, SectionView

NOW = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)


def finished(flow: Flow, *answers: object, context: dict[str, object] | None = None) -> dict[str, object]:
    state: FlowState = start(flow, context).state
    for given in answers:
        outcome = advance(flow, state, given, NOW)  # type: ignore[arg-type]
        if isinstance(outcome, Finished):
            return dict(outcome.answers)
        assert isinstance(outcome, Ask) and outcome.reason is None, (state.step_id, outcome.reason)
        state = outcome.state
    raise AssertionError(f"not finished at {state.step_id}")


def digest_body(flow: Flow, answers: dict[str, object]) -> str:
    section = flow.digest
    assert section is not None
    facts = section.facts(SectionInput(section.read([SectionEntry(NOW, True, answers)])))
    return section.body(facts, SectionView(Dates(NOW, NOW), "Sam", since_joining=True))


def test_the_activity_log() -> None:
    flow = flow_by_command("activity")
    assert flow is not None and flow.id == "activity_log"
    answers = finished(
        flow, Text("Walked to the park"), Pick("today"), Text("6"), Text("8"), Text("3"), Text("6")
    )
    assert answers == {
        "activity": "Walked to the park",
        "when": "today",
        "mastery": 6,
        "pleasure": 8,
        "mood_before": 3,
        "mood_after": 6,
    }
    assert flow.journal_line is not None
    assert flow.journal_line(answers) == "Walked to the park · mastery 6/10 · pleasure 8/10"
    skipped = finished(flow, Text("Called Mum"), Pick("now"), Text("4"), Text("5"), Skip())
    assert skipped["mood_before"] is None and "mood_after" not in skipped  # no mood before: not asked after
    body = digest_body(flow, answers)
    assert "  activity: “Walked to the park”\n  when: Earlier today\n  mastery: 6\n  pleasure: 8" in body
    assert "  mood before: 3\n  mood after: 6" in body


def test_the_exposure_practice() -> None:
    flow = flow_by_command("exposure")
    assert flow is not None and flow.keeps_drafts
    suds = flow.steps[1]
    assert (suds.low, suds.high, suds.scale_step) == (0, 100, 10)
    answers = finished(
        flow,
        Text("Took the bus two stops"),
        Text("70"),
        Text("85"),
        Text("40"),
        Text("25"),
        Toggle("distraction"),
        Text("held the rail"),
        Done(),
        Text("It peaked and then came down on its own."),
    )
    assert answers["safety_behaviours"] == ["distraction", "~held the rail"]
    assert (answers["suds_before"], answers["suds_peak"], answers["suds_end"], answers["minutes"]) == (
        70,
        85,
        40,
        25,
    )
    assert flow.journal_line is not None
    assert flow.journal_line(answers) == "Took the bus two stops · distress 70 → 85 → 40"
    assert flow.summarize(answers) == "Thank you — it's in your journal. Distress 70 → 85 → 40."
    body = digest_body(flow, answers)
    assert "· Fri 20 Mar 18:00: “Took the bus two stops” — distress 70 → 85 → 40\n  minutes: 25\n" in body, (
        body
    )
    assert "  safety behaviours: Distraction, held the rail" in body


LADDER = ["Photo of a dog", "A dog on a lead", "Stroke a dog"]


def test_without_a_ladder_the_client_names_the_step() -> None:
    flow = flow_by_command("exposure")
    assert flow is not None and flow.given_lists == ("ladder",)
    first = start(flow, given_context(None))
    assert (
        first.prompt.text == "Which step of your ladder did you practise?\nPlease describe it in a few words."
    )
    assert first.prompt.choices == ()
    empty = advance(flow, first.state, Text("   "), NOW)
    assert isinstance(empty, Ask) and empty.reason is not None and empty.state == first.state
    named = advance(flow, first.state, Text("Took the bus"), NOW)
    assert isinstance(named, Ask) and named.state.answers["ladder_step"] == "~Took the bus"
    assert named.accepted == "Took the bus"


def test_with_a_ladder_the_client_picks_its_step_or_names_another() -> None:
    flow = flow_by_command("exposure")
    assert flow is not None
    first = start(flow, given_context({"ladder": LADDER}))
    assert first.prompt.text == "Which step of your ladder did you practise?"
    assert [c.label for c in first.prompt.choices] == [*LADDER, "Another step"]
    picked = advance(flow, first.state, Pick("2"), NOW)
    assert isinstance(picked, Ask) and picked.accepted == "A dog on a lead"
    answers = finished(
        flow,
        *(Pick("2"), Text("60"), Text("80"), Text("30"), Text("20"), Skip(), Skip()),
        context=given_context({"ladder": LADDER}),
    )
    assert answers["ladder_step"] == "2" and answers["ladder"] == [
        ["1", LADDER[0]],
        ["2", LADDER[1]],
        ["3", LADDER[2]],
    ]
    assert flow.journal_line is not None
    assert flow.journal_line(answers) == "A dog on a lead · distress 60 → 80 → 30"
    another = advance(flow, first.state, Pick("~"), NOW)  # "Another step": asked to name it
    assert isinstance(another, Ask) and another.reason == "Please describe it in a few words."
    assert another.state == first.state
    named = advance(flow, another.state, Text("Walk past a dog"), NOW)
    assert isinstance(named, Ask) and named.state.answers["ladder_step"] == "~Walk past a dog"
    typed = advance(flow, first.state, Text("stroke a dog"), NOW)  # a step's name typed is that step
    assert isinstance(typed, Ask) and typed.state.answers["ladder_step"] == "3"
    too_long = advance(flow, first.state, Text("x" * 201), NOW)
    assert isinstance(too_long, Ask) and too_long.reason is not None and too_long.state == first.state
    back = advance(flow, picked.state, Back(), NOW)  # back to the ladder: its steps offered again
    assert isinstance(back, Ask) and [c.label for c in back.prompt.choices] == [*LADDER, "Another step"]


def test_the_exposure_digest_reads_each_practice_and_the_period() -> None:
    flow = flow_by_command("exposure")
    assert flow is not None and flow.digest is not None
    ladder = given_context({"ladder": LADDER})
    practices = [
        (20, {**ladder, "ladder_step": "2", "suds_before": 70, "suds_peak": 90, "suds_end": 50}),
        (
            21,
            {**ladder, "ladder_step": "~Walk past a dog", "suds_before": 40, "suds_peak": 50, "suds_end": 20},
        ),
        (23, {**ladder, "ladder_step": "2", "suds_before": 50, "suds_peak": 60, "suds_end": 20}),
    ]
    entries = [SectionEntry(NOW.replace(day=day), True, answers) for day, answers in practices]
    facts = flow.digest.facts(SectionInput(flow.digest.read(entries)))
    body = flow.digest.body(facts, SectionView(Dates(NOW, NOW), "Sam", since_joining=True))
    lines = body.splitlines()
    assert lines[0] == "3 entries on 3 days"
    assert lines[2:4] == [
        "Distress across 3 entries, mean: 53 → 67 → 30; mean drop from the highest to the end: 37",
        "“A dog on a lead”, first and latest: 70 → 90 → 50 (Fri 20 Mar 18:00) · "
        "50 → 60 → 20 (Mon 23 Mar 18:00)",
    ]
    assert lines[4:] == [
        "· Fri 20 Mar 18:00: “A dog on a lead” — distress 70 → 90 → 50",
        "· Sat 21 Mar 18:00: “Walk past a dog” — distress 40 → 50 → 20",
        "· Mon 23 Mar 18:00: “A dog on a lead” — distress 50 → 60 → 20",
    ]


def test_the_digest_shows_each_scale_across_the_period_and_the_days() -> None:
    flow = flow_by_command("exposure")
    assert flow is not None and flow.digest is not None
    first = {"ladder_step": "Bus", "suds_before": 70, "suds_peak": 90, "suds_end": 40, "minutes": 20}
    second = {"ladder_step": "Bus again", "suds_before": 50, "suds_peak": 60, "suds_end": 20, "minutes": 30}
    entries = [SectionEntry(NOW, True, first), SectionEntry(NOW.replace(day=22), True, second)]
    facts = flow.digest.facts(SectionInput(flow.digest.read(entries)))
    body = flow.digest.body(facts, SectionView(Dates(NOW, NOW), "Sam", since_joining=True))
    lines = body.splitlines()
    assert lines[0] == "2 entries on 2 days"
    assert lines[1] == (
        "Across the period: distress before 60.0 (50–70) · distress at the peak 75.0 (60–90) · "
        "distress at the end 30.0 (20–40) · minutes 25.0 (20–30)"
    )


def test_the_activity_log_digest_names_the_best_and_worst_rated_activities() -> None:
    flow = flow_by_command("activity")
    assert flow is not None and flow.digest is not None
    logged = [
        ("Walked to the park", 6, 8, 20),
        ("Paid the bills", 7, 1, 21),
        ("Watched TV", 1, 3, 21),
        ("Called Mum", 4, 9, 23),
    ]
    entries = [
        SectionEntry(
            NOW.replace(day=day), True, {"activity": what, "when": "now", "mastery": m, "pleasure": p}
        )
        for what, m, p, day in logged
    ]
    facts = flow.digest.facts(SectionInput(flow.digest.read(entries)))
    body = flow.digest.body(facts, SectionView(Dates(NOW, NOW), "Sam", since_joining=True))
    lines = body.splitlines()
    assert lines[:4] == [
        "4 entries on 3 days",
        "Across the period: mastery 4.5 (1–7) · pleasure 5.2 (1–9)",
        "Rated highest: “Walked to the park” (mastery 6 · pleasure 8), Fri 20 Mar 18:00",
        "Rated lowest: “Watched TV” (mastery 1 · pleasure 3), Sat 21 Mar 18:00",
    ]


def test_a_digest_table_names_its_steps() -> None:
    from flows.definition import definition_problems
    from tests.support.homework import readme_example

    text = readme_example() + '\n[digest]\nname = "what"\nrated_by = ["hours", "rested"]\n'
    assert definition_problems(text.encode()) == [
        'digest.name: "what" is not a step of this homework',
        "digest.rated_by: a list of scale steps of this homework (hours)",
    ]
