"""Timed steps: a live message worked out in advance, so what it shows is a function of the clock.

A running timer is stored in the answers under its step id (``started_at`` and the check-ins);
a finished one as a record of how long it ran and whether it was stopped early.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.i18n import _
from flows.answers import Choice, Pick, Rows, encode_answer
from flows.model import STOP, AnswerKind, Answers, Flow, FlowState, Step


@dataclass(frozen=True, slots=True)
class TimerFrame:
    """What the live message of a timed step shows from ``at`` seconds after it started."""

    at: int
    text: str
    check_in_since: int | None = None
    """Set while a check-in question is open: the second it opened (one answer per check-in)."""


@dataclass(frozen=True, slots=True)
class TimerPlan:
    """A timed step, worked out in advance: frames in order (the first at 0) and the words
    around them. Pure data, so the live message at any moment is a function of the clock.
    Its words are in the language being read (a plan is worked out where it is shown), but for
    ``stop_label``, the catalogue's English, translated on its button (typed, it is read in any
    language)."""

    seconds: int
    frames: tuple[TimerFrame, ...]
    check_in_question: str
    check_in_thanks: str
    done_text: str
    stopped_text: str
    """Formatted with ``{elapsed}`` (m:ss)."""
    stop_label: str

    def frame_at(self, elapsed: float) -> TimerFrame:
        shown = self.frames[0]
        for frame in self.frames:
            if frame.at > elapsed:
                break
            shown = frame
        return shown

    def next_change(self, elapsed: float) -> float:
        """Seconds from the start to the next frame, or to the end."""
        return next((f.at for f in self.frames if f.at > elapsed), self.seconds)


def clock_text(seconds: float) -> str:
    """m:ss, as a countdown shows it."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def plan_of(step: Step, answers: Answers) -> TimerPlan:
    """The plan of a timed step (a Step refuses the timer kind without one)."""
    assert step.timer is not None
    return step.timer(answers)


def running_record(step: Step, answers: Answers | None) -> Mapping[str, Any]:
    running = (answers or {}).get(step.id)
    return running if isinstance(running, Mapping) else {}


def fresh_record(now: datetime) -> dict[str, Any]:
    """A timer's clock starting at ``now``."""
    return {"started_at": now.isoformat(), "check_ins": []}


def elapsed_seconds(running: Mapping[str, Any], now: datetime | None, plan: TimerPlan) -> float:
    """Seconds since the timer started, within 0 … its length (0 before it started)."""
    started = running.get("started_at")
    if now is None or not isinstance(started, str):
        return 0.0
    try:
        since = (now - datetime.fromisoformat(started)).total_seconds()
    except (ValueError, TypeError):
        return 0.0
    return min(max(0.0, since), float(plan.seconds))


def check_in_answered(frame: TimerFrame, running: Mapping[str, Any]) -> bool:
    """Whether the check-in open at this frame has its answer (one answer per check-in)."""
    return frame.check_in_since is not None and any(
        isinstance(c, Mapping) and int(c.get("at", -1)) >= frame.check_in_since
        for c in running.get("check_ins") or ()
    )


def render_timer(step: Step, answers: Answers | None, now: datetime | None) -> tuple[str, Rows]:
    """The live message at ``now``: the frame, an open check-in's question, and Stop."""
    plan = plan_of(step, answers or {})
    running = running_record(step, answers)
    frame = plan.frame_at(elapsed_seconds(running, now, plan))
    stop = (Choice(_(plan.stop_label), encode_answer(Pick(STOP))),)
    if frame.check_in_since is None:
        return frame.text, (stop,)
    if check_in_answered(frame, running):
        return f"{frame.text}\n\n{plan.check_in_thanks}", (stop,)
    check_in = tuple(Choice(_(o.label), encode_answer(Pick(o.id))) for o in step.options)
    return f"{frame.text}\n\n{plan.check_in_question}", (check_in, stop)


def ending(plan: TimerPlan, record: Mapping[str, Any]) -> str:
    """The words a finished timer's live message ends with."""
    if record.get("stopped_early"):
        return plan.stopped_text.format(elapsed=clock_text(float(record.get("seconds") or 0)))
    return plan.done_text


def timer_ending(flow: Flow, step_id: str, answers: Answers) -> str | None:
    """How a finished timed step ended, in the words its live message ended with; None if
    ``step_id`` is not a finished timed step."""
    step = flow.step(step_id)
    record = answers.get(step_id)
    if step is None or step.timer is None or not isinstance(record, Mapping) or "stopped_early" not in record:
        return None
    return ending(step.timer(answers), record)


def timer_wake_at(flow: Flow, state: FlowState, now: datetime) -> datetime | None:
    """When the live message of a timed step changes next (or the timer ends); None if the
    conversation is not at a timed step."""
    step = flow.step(state.step_id)
    if step is None or step.kind is not AnswerKind.TIMER:
        return None
    plan = plan_of(step, state.answers)
    elapsed = elapsed_seconds(running_record(step, state.answers), now, plan)
    return now + timedelta(seconds=plan.next_change(elapsed) - elapsed)
