"""Why skip today? One optional question after a client skips a scheduled homework.

Therapists review obstacles, not only completion, so a reason is worth asking for — once,
optionally, and without a hint of blame. Not homework itself: it records no journal entry.
Every string the client reads in it is here.
"""

from __future__ import annotations

from typing import Final

from bot.core.i18n import N_, _
from flows.model import AnswerKind, Answers, Flow, Option, Step

REASON_PROMPT: Final = N_(
    "Skipped for today — that's completely okay. There's no failing here, only trying.\n\n"
    "If you like, what got in the way? It helps you and your therapist plan what fits."
)
OTHER_PROMPT: Final = N_("In a few words, what was it? (Or ⟨tap⟩ Skip.)")

REASONS: Final = (
    Option("no_time", N_("No time")),
    Option("forgot", N_("Forgot")),
    Option("too_hard", N_("Too hard")),
    Option("not_useful", N_("Didn't seem useful")),
    Option("not_today", N_("Not today")),
    Option("other", N_("Something else")),
)

THANKS: Final = N_("Thank you for telling me. See you next time — whenever you're ready.")
NO_REASON: Final = N_("That's fine. See you next time — whenever you're ready.")


def summarize(answers: Answers) -> str:
    return _(THANKS) if answers.get("reason") else _(NO_REASON)


SKIP_REASON: Final = Flow(
    id="skip_reason",
    title=N_("question about skipping"),
    command="",
    description=N_("why a scheduled homework was skipped"),
    steps=(
        Step("reason", REASON_PROMPT, AnswerKind.CHOICE, options=REASONS, optional=True),
        Step(
            "other",
            OTHER_PROMPT,
            AnswerKind.TEXT,
            optional=True,
            max_length=1000,
            when=lambda answers: answers.get("reason") == "other",
        ),
    ),
    summarize=summarize,
    records_entry=False,
)
