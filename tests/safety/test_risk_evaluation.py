"""Risk language on the independent evaluation sets (issue #16): the issue's gates on the newest
set, floors on the older ones, and every explicit phrase recognised wherever it is placed.

Each set was written by someone who had seen neither the rules (phrase lists, cues) nor the learned
model nor an earlier set, frozen with a held-back quarter (``sha256(text) mod 4 == 0``) fixed before
anyone measured, and read once by the lead at the end of a round. After that it is tuning and
training data, and its tests are floors (a change that loses any phrase fails), not gates. The gates
are the issue's, read as the bot reads a message (``default_reader()``: English and German rules,
cues and the learned model), on the newest set, ``GATE_SET``, which nothing was tuned or trained on:
its held-back quarter for recall and false positives, the whole set for the two gaps.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from benchmarks.risk_language_report import DATA, EvalPhrase, read_eval, read_eval2, read_set
from bot.safety.risk_language import RiskDetector, default_detector
from bot.safety.risk_languages import RiskReader, default_reader
from tests.support.risk_levels import assert_keeps_level

GAP_CATEGORIES = ("plan_through_means", "danger_at_home")  # riskset-2's names for the issue's gaps
# Levels reached on riskset-2, whole (its held-back quarter tuned on in the third round).
SET2_EXPLICIT_FLOOR = 223  # of 223
SET2_EVERYDAY_CEILING = 0  # of 245
# eval3, tuned on whole since round four (list and risk cues): 220/230 explicit, 0/256 everyday (round five).
EVAL3 = DATA / "eval3"
EVAL3_EXPLICIT_FLOOR = 220
EVAL3_EVERYDAY_CEILING = 0
# eval4, measured in round four, tuned on in round five: 269/281 explicit, 3/274 everyday.
EVAL4 = DATA / "eval4"
EVAL4_EXPLICIT_FLOOR = 269
EVAL4_EVERYDAY_CEILING = 3
# The gates on the newest independent set (held-back quarter; the gaps on the whole set),
# never tuned or trained on (it is not in benchmarks/train_risk_model.py's TRAINING_SETS).
GATE_SET = DATA / "eval8"
GATE_GAP_SIZES = {"intent_plan": 33, "harmed_by_others": 34}
# Measured once, then tuned and trained on: the bot's reader (rules and model) on the whole set.
BOT_FLOORS = {  # set → (explicit recognised at least, everyday flagged at most)
    "eval5": (275, 1),  # measured in round five; 275 explicit, 275 everyday
    "eval6": (218, 0),  # round six; 218, 209
    "eval7": (264, 7),  # round seven; 266, 247
    "de_blind3": (104, 0),  # 104, 130
    "de_blind4": (66, 0),  # 66, 79
    "de_blind5": (102, 1),  # 103, 89
}
HELD_BACK_RECALL = 0.98
HELD_BACK_FALSE_POSITIVES = 0.05
# The first set, tuned on whole: 178/178 explicit, 0/181 everyday.
OLD_EXPLICIT_FLOOR = 178
OLD_EVERYDAY_CEILING = 0

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
    return read_eval2()


@pytest.fixture(scope="module")
def old_phrases() -> list[EvalPhrase]:
    return read_eval()


@pytest.fixture(scope="module")
def third() -> list[EvalPhrase]:
    return read_set(EVAL3)


@pytest.fixture(scope="module")
def fourth() -> list[EvalPhrase]:
    return read_set(EVAL4)


@pytest.fixture(scope="module")
def newest() -> list[EvalPhrase]:
    """The gates' set, measured once by the lead (see GATE_SET)."""
    return read_set(GATE_SET)


@pytest.fixture(scope="module")
def reader() -> RiskReader:
    """What the bot reads a message with: every installed language's rules and the learned model."""
    return default_reader()


def select(phrases: list[EvalPhrase], name: str, held_back: bool | None = None) -> list[EvalPhrase]:
    return [p for p in phrases if p.set == name and held_back in (None, p.held_back)]


def flagged(detector: RiskDetector, phrases: list[EvalPhrase]) -> list[EvalPhrase]:
    return [p for p in phrases if detector.check(p.text) is not None]


def test_the_set_is_as_frozen(phrases: list[EvalPhrase]) -> None:
    sizes = {name: len(select(phrases, name)) for name in ("risk_explicit", "everyday", "ambiguous")}
    held_back = {name: len(select(phrases, name, held_back=True)) for name in sizes}
    assert sizes == {"risk_explicit": 223, "everyday": 245, "ambiguous": 60}
    assert held_back == {"risk_explicit": 58, "everyday": 66, "ambiguous": 17}  # a quarter of each
    explicit_tags = {p.tag for p in select(phrases, "risk_explicit")}
    assert set(GAP_CATEGORIES) <= explicit_tags and len(explicit_tags) == 8


def test_set_2_explicit_recall(detector: RiskDetector, phrases: list[EvalPhrase]) -> None:
    explicit = select(phrases, "risk_explicit")
    missed = [p.text for p in explicit if detector.check(p.text) is None]
    assert len(explicit) - len(missed) >= SET2_EXPLICIT_FLOOR, missed


def test_set_2_everyday_false_positives(detector: RiskDetector, phrases: list[EvalPhrase]) -> None:
    wrongly = [(p.tag, p.text) for p in flagged(detector, select(phrases, "everyday"))]
    assert len(wrongly) <= SET2_EVERYDAY_CEILING, wrongly


@pytest.mark.parametrize("category", GAP_CATEGORIES)
def test_whole_set_gap_categories_are_all_recognised(
    detector: RiskDetector, phrases: list[EvalPhrase], category: str
) -> None:
    gap = [p for p in select(phrases, "risk_explicit") if p.tag == category]
    assert len(gap) == 36
    assert [p.text for p in gap if detector.check(p.text) is None] == []


@gate_not_met(
    "eval8's held-back quarter 50/56 = 89.3% (whole 242/256 = 94.5%), round eight; eval7's, the set "
    "before, 72/73 = 98.6% in round seven, eval6's 58/59 = 98.3% in round six"
)
def test_held_back_explicit_recall(reader: RiskReader, newest: list[EvalPhrase]) -> None:
    explicit = select(newest, "risk_explicit", held_back=True)
    missed = [(p.tag, p.text) for p in explicit if reader.check(p.text) is None]
    recall = 1 - len(missed) / len(explicit)
    assert recall >= HELD_BACK_RECALL, f"recall {recall:.3f}; missed: {missed}"


# Met: eval8's held-back quarter 0/68 (whole 11/260 = 4.2%); eval7's 2/52, eval6's 3/37.
def test_held_back_everyday_false_positives(reader: RiskReader, newest: list[EvalPhrase]) -> None:
    everyday = select(newest, "everyday", held_back=True)
    wrongly = [(p.tag, p.text) for p in everyday if reader.check(p.text) is not None]
    rate = len(wrongly) / len(everyday)
    assert rate <= HELD_BACK_FALSE_POSITIVES, f"false-positive rate {rate:.3f}; flagged: {wrongly}"


@pytest.mark.parametrize(
    "category",
    [
        pytest.param("intent_plan", marks=gate_not_met("eval8 whole 32/33, round eight; eval7 30/34")),
        pytest.param("harmed_by_others", marks=gate_not_met("eval8 whole 33/34, round eight; eval7 33/34")),
    ],
)
def test_the_newest_sets_gap_categories_are_all_recognised(
    reader: RiskReader, newest: list[EvalPhrase], category: str
) -> None:
    gap = [p for p in select(newest, "risk_explicit") if p.tag == category]
    assert len(gap) == GATE_GAP_SIZES[category]
    assert [p.text for p in gap if reader.check(p.text) is None] == []


@pytest.mark.parametrize("name", sorted(BOT_FLOORS))
def test_sets_measured_once_keep_their_levels(reader: RiskReader, name: str) -> None:
    """eval5, eval6, eval7 and their German pairs, read by the bot: tuned and trained on since."""
    assert_keeps_level(reader, name, *BOT_FLOORS[name])


def test_the_fourth_set_explicit_recall(detector: RiskDetector, fourth: list[EvalPhrase]) -> None:
    explicit = select(fourth, "risk_explicit")
    missed = [(p.tag, p.text) for p in explicit if detector.check(p.text) is None]
    assert len(explicit) - len(missed) >= EVAL4_EXPLICIT_FLOOR, missed


def test_the_fourth_set_everyday_false_positives(detector: RiskDetector, fourth: list[EvalPhrase]) -> None:
    wrongly = [(p.tag, p.text) for p in flagged(detector, select(fourth, "everyday"))]
    assert len(wrongly) <= EVAL4_EVERYDAY_CEILING, wrongly


def test_the_third_set_explicit_recall(detector: RiskDetector, third: list[EvalPhrase]) -> None:
    explicit = select(third, "risk_explicit")
    missed = [(p.tag, p.text) for p in explicit if detector.check(p.text) is None]
    assert len(explicit) - len(missed) >= EVAL3_EXPLICIT_FLOOR, missed


def test_the_third_set_everyday_false_positives(detector: RiskDetector, third: list[EvalPhrase]) -> None:
    wrongly = [(p.tag, p.text) for p in flagged(detector, select(third, "everyday"))]
    assert len(wrongly) <= EVAL3_EVERYDAY_CEILING, wrongly


# --- the first set: tuned on whole (its held-back quarter too, once measured), so floors ----------


def test_the_first_set_is_as_frozen(old_phrases: list[EvalPhrase]) -> None:
    sizes = {name: len(select(old_phrases, name)) for name in ("risk_explicit", "everyday", "ambiguous")}
    assert sizes == {"risk_explicit": 178, "everyday": 181, "ambiguous": 65}
    assert len([p for p in old_phrases if p.held_back]) == 44 + 45 + 16


def test_the_first_set_explicit_recall(detector: RiskDetector, old_phrases: list[EvalPhrase]) -> None:
    explicit = select(old_phrases, "risk_explicit")
    missed = [(p.tag, p.text) for p in explicit if detector.check(p.text) is None]
    assert len(explicit) - len(missed) >= OLD_EXPLICIT_FLOOR, missed


def test_the_first_set_everyday_false_positives(
    detector: RiskDetector, old_phrases: list[EvalPhrase]
) -> None:
    wrongly = [(p.tag, p.text) for p in flagged(detector, select(old_phrases, "everyday"))]
    assert len(wrongly) <= OLD_EVERYDAY_CEILING, wrongly


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
    detector: RiskDetector, phrases: list[EvalPhrase], old_phrases: list[EvalPhrase], placement: str
) -> None:
    """Placement loses nothing: recall itself is gated above, so a miss there is not counted twice."""
    wrap = PLACEMENTS[placement]
    recognised = flagged(detector, select(phrases, "risk_explicit") + select(old_phrases, "risk_explicit"))
    assert len(recognised) >= SET2_EXPLICIT_FLOOR + OLD_EXPLICIT_FLOOR
    lost = [p.text for p in recognised if detector.check(wrap(p.text)) is None]
    assert lost == []
