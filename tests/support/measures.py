"""PHQ-9- and GAD-7-shaped flows built in Python from the seam's objects (the data-defined files
are built into exactly these), and their answers, for the digest, chart and export tests.

Item wording is a stand-in: these test the digest and the export, not the published forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from bot.digest import ClientInput, Digest, DigestRequest, EntryInput, build_digest
from flows.model import AnswerKind, Flow, Option, Step
from flows.registry import FLOWS
from flows.scoring import Band, ScoredItem, Scoring

FREQUENCY: Final = (
    Option("0", "Not at all", 0),
    Option("1", "Several days", 1),
    Option("2", "More than half the days", 2),
    Option("3", "Nearly every day", 3),
)
DIFFICULTY: Final = (
    Option("not", "Not difficult at all"),
    Option("somewhat", "Somewhat difficult"),
    Option("very", "Very difficult"),
    Option("extremely", "Extremely difficult"),
)
PHQ9_ITEMS: Final = tuple(f"q{n}" for n in range(1, 10))
GAD7_ITEMS: Final = tuple(f"g{n}" for n in range(1, 8))

PHQ9_ITEM_9: Final = "PHQ-9 (9 better off dead or self-harm)"
"""PHQ-9's item 9 as a therapist reads it where it is flagged (its label in the homework file)."""


def _items(ids: tuple[str, ...], stem: str) -> tuple[Step, ...]:
    return tuple(Step(i, f"{stem} item {i[1:]}", AnswerKind.CHOICE, options=FREQUENCY) for i in ids)


PHQ9: Final = Flow(
    id="phq9",
    title="PHQ-9",
    command="phq9",
    description="the PHQ-9 questionnaire",
    steps=(
        *_items(PHQ9_ITEMS, "PHQ-9"),
        Step(
            "difficulty",
            "How difficult have these problems made it for you to do your work, take care of things "
            "at home, or get along with other people?",
            AnswerKind.CHOICE,
            options=DIFFICULTY,
            optional=True,
        ),
    ),
    summarize=lambda answers: "Thank you.",
    scoring=Scoring(
        label="PHQ-9",
        items=tuple(ScoredItem(i) for i in PHQ9_ITEMS),
        bands=(
            Band(0, 4, "minimal"),
            Band(5, 9, "mild"),
            Band(10, 14, "moderate"),
            Band(15, 19, "moderately severe"),
            Band(20, 27, "severe"),
        ),
        loinc="44261-6",
        response_drop=0.5,
        remission_below=5,
    ),
    min_interval_days=7,
    version="1",
)

GAD7: Final = Flow(
    id="gad7",
    title="GAD-7",
    command="gad7",
    description="the GAD-7 questionnaire",
    steps=_items(GAD7_ITEMS, "GAD-7"),
    summarize=lambda answers: "Thank you.",
    scoring=Scoring(
        label="GAD-7",
        items=tuple(ScoredItem(i) for i in GAD7_ITEMS),
        bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"), Band(15, 21, "severe")),
        loinc="70274-6",
        response_drop=0.5,
    ),
    min_interval_days=7,
)

CHECK_IN: Final = Flow(
    id="practice_check_in",
    title="evening check-in",
    command="evening",
    description="a practice's own check-in",
    steps=(
        Step("energy", "How much energy did you have today?", AnswerKind.SCALE, low=0, high=10),
        Step(
            "helped",
            "What helped?",
            AnswerKind.MULTI_CHOICE,
            options=(Option("walk", "A walk"), Option("talk", "Talking to someone")),
            allow_custom=True,
        ),
        Step("words", "Anything to add?", AnswerKind.TEXT, optional=True),
    ),
    summarize=lambda answers: "Thanks.",
)


def answers_totalling(total: int, items: tuple[str, ...] = PHQ9_ITEMS, **extra: Any) -> dict[str, Any]:
    """Item answers (option ids) adding up to ``total``, the heaviest first."""
    answers: dict[str, Any] = {}
    left = total
    for item in items:
        value = min(3, left)
        answers[item] = str(value)
        left -= value
    if left:
        raise ValueError(f"{total} is more than {len(items)} items can add up to")
    return {**answers, **extra}


PERIOD_START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PERIOD_END = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


def scored_digest(*scores: tuple[str, int, int]) -> Digest:
    """A digest of Sam's with measures (``(flow id, total, days)``) answered ``days`` before the
    period's end (built in the language being read)."""
    entries = []
    for number, (flow_id, total, days) in enumerate(scores, start=1):
        items = GAD7_ITEMS if flow_id == "gad7" else answers_totalling(0).keys()
        at = PERIOD_END - timedelta(days=days)
        entries.append(
            EntryInput(number, flow_id, "completed", answers_totalling(total, tuple(items)), at, at)
        )
    request = DigestRequest(
        client=ClientInput("Sam", "Europe/Berlin", PERIOD_START - timedelta(days=200)),
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        session_at=PERIOD_END + timedelta(hours=2),
        entries=[e for e in entries if e.started_at >= PERIOD_START],
        earlier_entries=[e for e in entries if e.started_at < PERIOD_START],
    )
    return build_digest(request, (*FLOWS, PHQ9, GAD7))
