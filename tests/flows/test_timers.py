"""Timed steps in the pure engine: the urge-surfing and breathing plans, ticks, check-ins, stop."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from flows import Ask, Back, Finished, Pick, Skip, Text, Tick, advance, start, timer_wake_at
from flows import texts as engine_texts
from flows.breathing import BREATHING, PATTERNS, breathing_plan
from flows.model import FlowState
from flows.timer import TimerPlan, clock_text
from flows.urge_surfing import CHECK_IN_QUESTION, CHECK_IN_THANKS, URGE_SURFING, surf_plan
from tests.support.outcomes import ask, labels

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def surfing(minutes: str = "5") -> Ask:
    """An urge-surfing conversation whose timer started at NOW."""
    state = start(URGE_SURFING).state
    state = ask(advance(URGE_SURFING, state, Text("checking my phone"), NOW)).state
    state = ask(advance(URGE_SURFING, state, Pick("8"), NOW)).state
    return ask(advance(URGE_SURFING, state, Pick(minutes), NOW))


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def gaps(plan: TimerPlan) -> list[int]:
    times = [f.at for f in plan.frames] + [plan.seconds]
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.mark.parametrize("minutes", ["5", "10", "15"])
def test_the_surf_plan_counts_down_and_checks_in_every_few_minutes(minutes: str) -> None:
    plan = surf_plan({"minutes": minutes})
    assert plan.seconds == int(minutes) * 60
    assert plan.frames[0].at == 0 and min(gaps(plan)) >= 15  # well within one edit a second
    assert f"{minutes}:00 left" in plan.frame_at(0).text
    assert f"{clock_text(plan.seconds - 60)} left" in plan.frame_at(60).text
    opened = sorted({f.check_in_since for f in plan.frames if f.check_in_since is not None})
    assert opened == [t for t in (180, 360, 540, 720) if plan.seconds - t >= 90]
    assert opened  # even the shortest ride has a check-in


def test_the_wave_line_rises_peaks_and_falls() -> None:
    plan = surf_plan({"minutes": "10"})
    guides = [plan.frame_at(s).text.split("\n\n")[-1] for s in (0, 200, 320, 420, 580)]
    assert len(set(guides)) == 5  # a different guiding line for each part of the wave
    assert "peak" in guides[2]


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
@pytest.mark.parametrize("minutes", ["1", "3", "5"])
def test_the_breathing_plan_paces_each_phase_with_its_count(pattern: str, minutes: str) -> None:
    plan = breathing_plan({"pattern": pattern, "minutes": minutes})
    _, phases = PATTERNS[pattern]
    cycle = sum(seconds for _, seconds in phases)
    assert abs(plan.seconds - int(minutes) * 60) <= cycle  # whole breaths, close to the length
    assert min(gaps(plan)) >= 3  # one edit per phase: never faster than one a second
    first_phase = plan.frame_at(3).text
    assert "Breathe in … 1 · 2 · 3 · 4" in first_phase and "round 1 of" in first_phase
    second = plan.frame_at(3 + phases[0][1]).text
    assert phases[1][0] in second and " · ".join(str(n) for n in range(1, phases[1][1] + 1)) in second


def test_ticks_move_the_live_message_on_and_the_end_moves_to_the_next_question() -> None:
    live = surfing()
    assert live.prompt.step_id == "surf" and "5:00 left" in live.prompt.text
    assert labels(live) == ["Stop"]
    assert timer_wake_at(URGE_SURFING, live.state, NOW) == at(15)
    later = ask(advance(URGE_SURFING, live.state, Tick(), at(61)))
    assert later.in_place and "4:00 left" in later.prompt.text
    assert later.state == live.state  # the clock alone changes nothing stored
    assert timer_wake_at(URGE_SURFING, later.state, at(61)) == at(75)

    done = ask(advance(URGE_SURFING, live.state, Tick(), at(300)))
    assert done.prompt.step_id == "intensity_after"
    assert done.accepted is not None and "5 minutes" in done.accepted
    assert done.state.answers["surf"] == {
        "started_at": NOW.isoformat(),
        "planned_seconds": 300,
        "seconds": 300,
        "stopped_early": False,
        "check_ins": [],
    }
    assert timer_wake_at(URGE_SURFING, done.state, at(300)) is None


def test_a_check_in_is_asked_answered_once_and_recorded() -> None:
    live = surfing()
    asking = ask(advance(URGE_SURFING, live.state, Tick(), at(181)))
    assert CHECK_IN_QUESTION in asking.prompt.text
    assert labels(asking) == ["Still riding it", "It's easing", "Stop"]
    noted = ask(advance(URGE_SURFING, asking.state, Pick("easing"), at(190)))
    assert noted.in_place and CHECK_IN_THANKS in noted.prompt.text and labels(noted) == ["Stop"]
    assert noted.state.answers["surf"]["check_ins"] == [{"at": 190, "answer": "easing"}]
    still = ask(advance(URGE_SURFING, noted.state, Tick(), at(225)))
    assert CHECK_IN_QUESTION not in still.prompt.text  # answered: not asked again
    gone = ask(advance(URGE_SURFING, live.state, Tick(), at(241)))
    assert CHECK_IN_QUESTION not in gone.prompt.text  # unanswered: it quietly goes
    finished = ask(advance(URGE_SURFING, noted.state, Tick(), at(301)))
    assert finished.state.answers["surf"]["check_ins"] == [{"at": 190, "answer": "easing"}]


@pytest.mark.parametrize("stop", [Pick("stop"), Skip()])
def test_stopping_early_is_allowed_and_recorded(stop: Pick | Skip) -> None:
    live = surfing("10")
    stopped = ask(advance(URGE_SURFING, live.state, stop, at(200)))
    assert stopped.prompt.step_id == "intensity_after"
    assert stopped.accepted is not None and "3:20" in stopped.accepted
    record = stopped.state.answers["surf"]
    assert record["stopped_early"] is True and record["seconds"] == 200 and record["planned_seconds"] == 600


def test_words_back_and_forged_buttons_while_the_timer_runs_are_answered_kindly() -> None:
    live = surfing()
    for answer in (Text("this is hard"), Back(), Pick("not-a-check-in")):
        again = ask(advance(URGE_SURFING, live.state, answer, at(30)))
        assert again.reason == engine_texts.TIMER_RUNNING
        assert again.state == live.state and again.prompt.step_id == "surf"
        assert "4:30 left" in again.prompt.text  # shown as it is now, still running


def test_there_is_no_going_back_into_a_finished_timer() -> None:
    after = ask(advance(URGE_SURFING, surfing().state, Tick(), at(300)))
    refused = ask(advance(URGE_SURFING, after.state, Back(), at(301)))
    assert refused.reason == engine_texts.TIMER_CANNOT_GO_BACK
    assert refused.state.step_id == "intensity_after"


def test_a_long_outage_ends_the_timer_at_its_length() -> None:
    done = ask(advance(URGE_SURFING, surfing().state, Tick(), at(3600)))
    assert done.state.answers["surf"]["seconds"] == 300 and not done.state.answers["surf"]["stopped_early"]


def test_a_whole_breathing_exercise() -> None:
    state = start(BREATHING).state
    state = ask(advance(BREATHING, state, Pick("478"), NOW)).state
    state = ask(advance(BREATHING, state, Pick("1"), NOW)).state
    live = ask(advance(BREATHING, state, Pick("4"), NOW))
    assert live.prompt.step_id == "breathe" and "Get ready" in live.prompt.text
    hold = ask(advance(BREATHING, live.state, Tick(), at(8)))
    assert "Hold … 1 · 2 · 3 · 4 · 5 · 6 · 7" in hold.prompt.text
    after = ask(advance(BREATHING, live.state, Tick(), at(60)))
    assert after.prompt.step_id == "calm_after"
    obstacles = ask(advance(BREATHING, after.state, Pick("7"), at(65)))
    finished = advance(BREATHING, obstacles.state, Skip(), at(70))
    assert isinstance(finished, Finished)
    assert finished.answers["calm_before"] == 4 and finished.answers["calm_after"] == 7
    assert "4 to 7" in finished.summary
    assert BREATHING.journal_line is not None
    assert BREATHING.journal_line(finished.answers) == "4-7-8 breathing 1 min · calm 4 → 7"


def test_an_urge_entry_reads_well_in_the_journal() -> None:
    stopped = ask(advance(URGE_SURFING, surfing("15").state, Pick("stop"), at(95)))
    state = ask(advance(URGE_SURFING, stopped.state, Pick("3"), at(100))).state
    state = ask(advance(URGE_SURFING, state, Pick("no"), at(101))).state
    state = ask(advance(URGE_SURFING, state, Skip(), at(102))).state
    finished = advance(URGE_SURFING, state, Skip(), at(103))
    assert isinstance(finished, Finished)
    assert URGE_SURFING.journal_line is not None
    assert (
        URGE_SURFING.journal_line(finished.answers) == "“checking my phone” 8 → 3 · 1:35 · didn't act on it"
    )
    assert "1:35" in finished.summary


def test_a_stored_state_without_a_start_time_starts_its_timer_now() -> None:
    state = FlowState("urge_surfing", "surf", {"minutes": "5"}, (), ("urge", "intensity_before", "minutes"))
    shown = ask(advance(URGE_SURFING, state, Tick(), NOW))
    assert "5:00 left" in shown.prompt.text
    assert shown.state.answers["surf"]["started_at"] == NOW.isoformat()
    assert timer_wake_at(URGE_SURFING, shown.state, NOW) == at(15)
