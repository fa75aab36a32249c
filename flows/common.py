"""Steps and strings shared by every homework type."""

from __future__ import annotations

from typing import Final

from flows.engine import AnswerKind, Step

OBSTACLES_PROMPT: Final = (
    "One last, optional question: how did it go — did anything get in the way? (Or tap Skip.)"
)

OBSTACLES: Final = Step("obstacles", OBSTACLES_PROMPT, AnswerKind.TEXT, optional=True, max_length=2000)
"""Asked after any homework: therapists review obstacles, not only completion."""
