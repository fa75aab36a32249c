"""Steps and strings shared by every homework type."""

from __future__ import annotations

from typing import Final

from bot.core.i18n import N_, _
from flows.model import AnswerKind, Answers, Option, Step
from flows.timer import clock_text

OBSTACLES_PROMPT: Final = N_(
    "One last, optional question: how did it go — did anything get in the way? (Or ⟨tap⟩ Skip.)"
)

OBSTACLES: Final = Step("obstacles", OBSTACLES_PROMPT, AnswerKind.TEXT, optional=True, max_length=2000)
"""Asked after any homework: therapists review obstacles, not only completion."""


def timed_length(answers: Answers, timer_step: str) -> str:
    """How long a timed exercise ran, for the journal: "10 min", or "3:20" if stopped early."""
    record = answers.get(timer_step)
    if isinstance(record, dict) and record.get("stopped_early"):
        return clock_text(float(str(record.get("seconds") or 0)))
    return _("{minutes} min").format(minutes=answers.get("minutes", "–"))


def chosen_minutes(answers: Answers, lengths: tuple[Option, ...]) -> int:
    """The length picked at the "minutes" step (option ids are minutes), else the first one."""
    picked = str(answers.get("minutes"))
    return int(picked) if any(o.id == picked for o in lengths) else int(lengths[0].id)
