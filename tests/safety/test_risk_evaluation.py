"""Risk language on the independent evaluation set (issue #16): gates on the tuning part, the
held-back quarter and the two gap categories, and every explicit phrase recognised wherever it
is placed (inside a long thought-record answer, after /note).

The set in ``tests/safety/data/eval/`` is frozen: it was written by someone who had not seen the
phrase list, and its held-back quarter was chosen by position before any tuning. The phrase list
is tuned on the rest only; the held-back gates are the issue's, measured once.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from benchmarks.risk_language_report import EvalPhrase, read_eval
from bot.safety.risk_language import RiskDetector, default_detector

GAP_CATEGORIES = ("means_and_readiness", "danger_at_home")
# Levels reached on the tuning part: a change that loses any of them fails here.
TUNING_EXPLICIT_FLOOR = 134  # of 134
TUNING_EVERYDAY_CEILING = 0  # of 136
# The gates on the held-back quarter.
HELD_BACK_RECALL = 0.98
HELD_BACK_FALSE_POSITIVES = 0.05

THOUGHT_RECORD_BEFORE = (
    "Situation: Tuesday evening, at my desk after dinner, trying to finish the worksheet for "
    "Thursday while my flatmate watched TV in the next room. I had put it off all week. "
    "Emotions: anxious 80, low 70, tired 60. Body: tight chest, hands a bit shaky, tea gone cold. "
    "Automatic thought, as it came, word for word: "
)
THOUGHT_RECORD_AFTER = (
    " Evidence for: I have felt this way before and it lasted. Evidence against: my therapist "
    "said these weeks are hard and I did two worksheets already this month. Balanced thought: "
    "I can write it down and bring it on Thursday. Re-rated: anxious 60, low 60."
)


def gate_not_met(measured: str) -> pytest.MarkDecorator:
    """An issue #16 gate the list falls short of, measured once at the end and not tuned against.

    Strict: once the list meets the gate, the test passes, the mark fails the run and goes.
    """
    return pytest.mark.xfail(
        strict=True,
        reason=f"issue #16 gate not met; measured once: {measured}; misses in benchmarks/README.md",
    )


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return default_detector()


@pytest.fixture(scope="module")
def phrases() -> list[EvalPhrase]:
    return read_eval()


def select(phrases: list[EvalPhrase], name: str, held_back: bool | None = None) -> list[EvalPhrase]:
    return [p for p in phrases if p.set == name and held_back in (None, p.held_back)]


def flagged(detector: RiskDetector, phrases: list[EvalPhrase]) -> list[EvalPhrase]:
    return [p for p in phrases if detector.check(p.text) is not None]


def test_the_set_is_as_frozen(phrases: list[EvalPhrase]) -> None:
    sizes = {name: len(select(phrases, name)) for name in ("risk_explicit", "everyday", "ambiguous")}
    held_back = {name: len(select(phrases, name, held_back=True)) for name in sizes}
    assert sizes == {"risk_explicit": 178, "everyday": 181, "ambiguous": 65}
    assert held_back == {"risk_explicit": 44, "everyday": 45, "ambiguous": 16}  # a quarter of each
    explicit_tags = {p.tag for p in select(phrases, "risk_explicit")}
    assert set(GAP_CATEGORIES) <= explicit_tags and len(explicit_tags) == 8


def test_tuning_part_explicit_recall(detector: RiskDetector, phrases: list[EvalPhrase]) -> None:
    explicit = select(phrases, "risk_explicit", held_back=False)
    missed = [p.text for p in explicit if detector.check(p.text) is None]
    assert len(explicit) - len(missed) >= TUNING_EXPLICIT_FLOOR, missed


def test_tuning_part_everyday_false_positives(detector: RiskDetector, phrases: list[EvalPhrase]) -> None:
    wrongly = [p.text for p in flagged(detector, select(phrases, "everyday", held_back=False))]
    assert len(wrongly) <= TUNING_EVERYDAY_CEILING, wrongly


@gate_not_met("means and readiness 26/32 (held back 2/8), danger at home 28/32 (held back 4/8)")
def test_whole_set_gap_categories_are_all_recognised(
    detector: RiskDetector, phrases: list[EvalPhrase]
) -> None:
    gap = [p for p in select(phrases, "risk_explicit") if p.tag in GAP_CATEGORIES]
    assert len(gap) >= 40
    missed = [(p.tag, p.text) for p in gap if detector.check(p.text) is None]
    assert missed == []


@gate_not_met("recall 30/44 = 0.682, gate 0.98 (26/44 before the change)")
def test_held_back_explicit_recall(detector: RiskDetector, phrases: list[EvalPhrase]) -> None:
    explicit = select(phrases, "risk_explicit", held_back=True)
    missed = [(p.tag, p.text) for p in explicit if detector.check(p.text) is None]
    recall = 1 - len(missed) / len(explicit)
    assert recall >= HELD_BACK_RECALL, f"recall {recall:.3f}; missed: {missed}"


@gate_not_met("false positives 3/45 = 0.067, gate 0.05 (4/45 before the change)")
def test_held_back_everyday_false_positives(detector: RiskDetector, phrases: list[EvalPhrase]) -> None:
    everyday = select(phrases, "everyday", held_back=True)
    wrongly = [(p.tag, p.text) for p in flagged(detector, everyday)]
    rate = len(wrongly) / len(everyday)
    assert rate <= HELD_BACK_FALSE_POSITIVES, f"false-positive rate {rate:.3f}; flagged: {wrongly}"


# --- placement: the same words, wherever they are written -------------------------------------------

PLACEMENTS: dict[str, Callable[[str], str]] = {
    "thought record answer": lambda text: THOUGHT_RECORD_BEFORE + text + THOUGHT_RECORD_AFTER,
    "note": lambda text: f"/note {text}",
    "note, long": lambda text: f"/note {THOUGHT_RECORD_BEFORE}{text}{THOUGHT_RECORD_AFTER}",
}


def test_the_wrapping_alone_is_not_risk_language(detector: RiskDetector) -> None:
    for wrap in PLACEMENTS.values():
        assert detector.check(wrap("")) is None
    assert len(PLACEMENTS["thought record answer"]("")) > 500  # a long answer, as thought records go


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_every_recognised_explicit_phrase_is_recognised_wherever_it_is_placed(
    detector: RiskDetector, phrases: list[EvalPhrase], placement: str
) -> None:
    """Placement loses nothing: recall itself is gated above, so a miss there is not counted twice."""
    wrap = PLACEMENTS[placement]
    recognised = flagged(detector, select(phrases, "risk_explicit"))
    assert len(recognised) >= TUNING_EXPLICIT_FLOOR
    lost = [p.text for p in recognised if detector.check(wrap(p.text)) is None]
    assert lost == []
