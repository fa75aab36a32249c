"""A PHQ-9-shaped questionnaire declared in Python, until the PHQ-9 definition file lands: nine
items answered with the 0–3 frequency options, the ninth with an item alert at "Several days" and
above, the difficulty question after them (not scored), never more often than every 7 days.

``with_measure`` makes it a homework type of the real bot for one test (``/assign`` guided and one
line, the client's command, the scheduler), without touching ``flows/registry.py``.
"""

from __future__ import annotations

from typing import Final

import pytest

from flows import FLOWS, AnswerKind, Flow, Option, Step
from flows.model import ItemAlert
from flows.scoring import Band, ScoredItem, Scoring

FREQUENCY: Final = (
    Option("not_at_all", "Not at all", 0),
    Option("several_days", "Several days", 1),
    Option("more_than_half", "More than half the days", 2),
    Option("nearly_every_day", "Nearly every day", 3),
)
ITEM_9: Final = "Thoughts that you would be better off dead, or of hurting yourself in some way"
ITEMS: Final = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
    "fidgety or restless that you have been moving around a lot more than usual",
    ITEM_9,
)
DIFFICULTY: Final = (
    "If you checked off any problems, how difficult have these problems made it for you to do your "
    "work, take care of things at home, or get along with other people?"
)


def _item(number: int, wording: str) -> Step:
    alert = ItemAlert(1) if number == 9 else None
    return Step(f"item{number}", wording, AnswerKind.CHOICE, options=FREQUENCY, columns=1, alert=alert)


PHQ9_SHAPED: Final = Flow(
    id="phq9",
    title="PHQ-9",
    command="phq9",
    description="nine questions about the last two weeks",
    intro="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    steps=(
        *(_item(n, wording) for n, wording in enumerate(ITEMS, start=1)),
        Step(
            "difficulty",
            DIFFICULTY,
            AnswerKind.CHOICE,
            columns=1,
            options=(
                Option("not", "Not difficult at all"),
                Option("somewhat", "Somewhat difficult"),
                Option("very", "Very difficult"),
                Option("extremely", "Extremely difficult"),
            ),
        ),
    ),
    summarize=lambda answers: "Thank you — that's all nine, and your therapist will see it before you meet.",
    keeps_drafts=True,
    scoring=Scoring(
        "PHQ-9",
        tuple(ScoredItem(f"item{n}") for n in range(1, 10)),
        bands=(
            Band(0, 4, "minimal"),
            Band(5, 9, "mild"),
            Band(10, 14, "moderate"),
            Band(15, 19, "moderately severe"),
            Band(20, 27, "severe"),
        ),
    ),
    min_interval_days=7,
)


def with_measure(monkeypatch: pytest.MonkeyPatch, flow: Flow = PHQ9_SHAPED) -> tuple[Flow, ...]:
    """The bot's homework types plus ``flow``, where the runtime wires them (call before the bot
    starts)."""
    flows = (*FLOWS, flow)
    monkeypatch.setattr("bot.runtime.services.FLOWS", flows)
    monkeypatch.setattr("bot.runtime.wiring.FLOWS", flows)
    return flows
