"""The learned risk model (bot/safety/risk_model.py): flags risk said in words no rule was written
for, leaves everyday chat alone, explains itself in its own vocabulary, is asked only about what the
lists and cues let pass, and ships weights learned from the sets as they are now.

The sentences here were written for these tests, not taken from the sets the model learns from.
"""

from __future__ import annotations

import gzip
import json

import pytest

from benchmarks.risk_model_identity import PlainScorer, differences, every_line
from benchmarks.train_risk_model import TRAINING_SETS, WEIGHTS, Options, fingerprint
from bot.core.errors import PhraseListError
from bot.safety.risk_language import RiskDetector, RiskMatch, default_detector
from bot.safety.risk_languages import RiskReader, default_reader, language_lists
from bot.safety.risk_model import (
    MODEL_RESOURCE,
    WINDOW,
    RiskModel,
    default_model,
    is_word_feature,
    read_model,
    said_once,
)

RISK = [
    ("sorted out who gets the dog, the pills are counted out for tonight", "intent_or_plan"),
    (
        "my boyfriend locks the door and takes my phone when he's angry, i'm scared of what he'll do next",
        "harmed_by_others",
    ),
    ("ich hab die ganze packung tabletten gesammelt und heute nacht nehm ich sie alle", "intent_or_plan"),
    (
        "mein vater schlägt mich wenn er getrunken hat und ich hab angst nach hause zu gehen",
        "harmed_by_others",
    ),
    ("there's no point to any of it anymore, i just want everything to stop for good", None),
]
# A goodbye the lists and cues let pass (when written).
UNLISTED = "meine sachen sind verschenkt und den brief an mama hab ich schon geschrieben"
EVERYDAY = [
    "finished the worksheet on the bus, the breathing one helped a bit",
    "my sister's wedding is on saturday and i still haven't found shoes",
    "slept badly again, the neighbours had a party until 2",
    "wir haben heute pizza gemacht und den film zu ende geschaut",
    "ich muss morgen früh zum zahnarzt, hoffentlich tut es nicht weh",
    "the new manager wants the report by friday, typical",
]


@pytest.fixture(scope="module")
def model() -> RiskModel:
    return default_model()


@pytest.mark.parametrize(("text", "category"), RISK)
def test_risk_in_fresh_words_is_flagged(model: RiskModel, text: str, category: str | None) -> None:
    found = model.matches(text)
    assert found, f"score {model.score(text):.2f}"
    if category is not None:
        assert found[0].category == category


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_chat_is_left_alone(model: RiskModel, text: str) -> None:
    assert model.matches(text) == (), f"score {model.score(text):.2f}"


def test_empty_and_wordless_messages_are_left_alone(model: RiskModel) -> None:
    for text in ("", "   ", "😂😂😂", "!!!"):
        assert model.matches(text) == ()


def test_one_risky_sentence_in_a_long_answer_is_not_diluted(model: RiskModel) -> None:
    filler = ". ".join(EVERYDAY[:3]) + ". "
    risky = RISK[0][0]
    long_answer = filler * 6 + risky + ". " + filler * 6
    assert len(long_answer.split()) > 4 * WINDOW
    assert model.matches(long_answer)
    assert not model.matches(filler * 12)


def test_a_sentence_said_again_and_again_weighs_as_said_once(model: RiskModel) -> None:
    """A thought record's situation typed as one sentence a hundred times is not a flag because
    its weights add up: each sentence counts once (a real case from the thought-record test)."""
    once = "At work. It kept going round in my head."
    again = "At work. " + "It kept going round in my head. " * 100
    assert said_once(again) == once
    assert model.score(again) == model.score(once) < model.threshold
    risky = "At work. It kept going round in my head. I am going to kill myself tonight."
    assert model.score(risky + " It kept going round in my head." * 5) == model.score(risky)
    assert said_once("Fine. fine. FINE. ok") == "Fine. ok"


def test_an_explanation_names_only_words_of_the_vocabulary(model: RiskModel) -> None:
    vocabulary = model.vocabulary()
    for text, _ in RISK:
        (match,) = model.matches(text)
        assert match.rule.startswith(f"{match.category}.model(")
        named = match.rule[len(f"{match.category}.model(") : -1].split("+")
        assert named and all(name.replace("_", " ") in vocabulary for name in named)
        assert all(is_word_feature(name.replace("_", " ")) for name in named)
        assert all(name in model.explain(match.rule) for name in (n.replace("_", " ") for n in named))


def test_the_quick_scorer_scores_as_the_plain_one_to_the_bit(model: RiskModel) -> None:
    """A sample of python -m benchmarks.risk_model_identity (which reads every line of every set)."""
    lines = list(every_line())
    filler = ". ".join(EVERYDAY[:3]) + ". "
    sample = [
        *lines[::50],
        *sorted(lines, key=len)[-30:],  # long answers: many windows and sentences
        *(text for text, _ in RISK),
        filler * 4 + RISK[0][0] + ". " + filler * 4,
        "the rope is ready a. b c d. i. j k after tonight",  # letters spelled out across a sentence end
        "",
        "!!!",
    ]
    plain = PlainScorer(model.learned)
    assert sum(bool(plain.matches(text)) for text in sample) >= 20
    assert sum(len(text.split()) > 2 * WINDOW for text in sample) >= 20
    assert list(differences(model, plain, sample)) == []
    assert [model.score(text) for text in sample] == [plain.score(said_once(text)) for text in sample]


class CountedModel:
    """The shipped model, counting how often the reader asks it."""

    def __init__(self) -> None:
        self.asked = 0

    def matches(self, text: str) -> tuple[RiskMatch, ...]:
        self.asked += 1
        return default_model().matches(text)

    def explain(self, rule: str) -> str:
        return default_model().explain(rule)


def lists_and(model: CountedModel | None) -> RiskReader:
    """A reader of the shipped English and German lists (and their cues), with this model or none."""
    german, lookalikes = language_lists("de")
    assert lookalikes is not None
    return RiskReader({"en": default_detector(), "de": german}, {"de": lookalikes}, model)


def test_the_reader_asks_the_model_only_about_what_the_lists_let_pass() -> None:
    model = CountedModel()
    reader = lists_and(model)
    listed = reader.check("i want to kill myself")
    assert listed is not None and ".model(" not in listed.rule
    assert model.asked == 0
    assert lists_and(None).check(UNLISTED) is None, "the lists learned this sentence: take one they let pass"
    found = reader.check(UNLISTED)
    assert found is not None and ".model(" in found.rule
    assert model.asked == 1
    assert "learned model" in reader.pattern(found.rule)
    assert found in reader.matches(UNLISTED)
    assert reader.check(EVERYDAY[0]) is None


class CountedDetector(RiskDetector):
    """A small German list, counting how often the reader asks it."""

    asked = 0

    def check(self, text: str) -> RiskMatch | None:
        self.asked += 1
        return super().check(text)


def test_the_reader_stops_at_the_most_urgent_category_of_all() -> None:
    german = CountedDetector.from_toml(
        '[categories.intent_or_plan]\npatterns = ["heute nacht"]\n'
        '[categories.suicidal_thoughts]\npatterns = ["ich will sterben"]\n'
    )
    reader = RiskReader({"en": default_detector(), "de": german})
    most_urgent = reader.categories[0]
    first = reader.check("i will end my life tonight, ich will sterben")
    assert first is not None and first.category == most_urgent and not first.rule.startswith("de:")
    assert german.asked == 0
    later = reader.check("i want to die heute nacht")  # German finds a more urgent category
    assert later is not None and later.category == most_urgent and later.rule.startswith("de:")
    assert german.asked == 1


def test_the_model_only_adds_flags_and_leaves_a_narrowed_reading_alone() -> None:
    reader = default_reader()
    lists = lists_and(None)
    texts = [text for text, _ in RISK] + EVERYDAY + [UNLISTED, "i want to die", "ich will sterben"]
    for text in texts:
        assert lists.check(text) is None or reader.check(text) == lists.check(text)
        assert reader.check(text, languages=("en",)) == lists.check(text, languages=("en",))
    assert reader.check(UNLISTED, languages=("en", "de")) is not None


def test_the_bot_reads_with_the_model() -> None:
    found = default_reader().check(UNLISTED)
    assert found is not None and ".model(" in found.rule


def test_the_shipped_weights_were_learned_from_the_training_sets_as_they_are() -> None:
    """Fails when a training set (or the options) changed and nobody ran
    python -m benchmarks.train_risk_model."""
    shipped = json.loads(gzip.decompress(WEIGHTS.read_bytes()))
    assert shipped["sets"] == list(TRAINING_SETS), "retrain: python -m benchmarks.train_risk_model"
    options = Options(**shipped["options"])
    assert shipped["fingerprint"] == fingerprint(TRAINING_SETS, options), (
        "a training set changed since the weights were learned: python -m benchmarks.train_risk_model"
    )
    assert WEIGHTS.name == MODEL_RESOURCE
    assert WEIGHTS.stat().st_size <= 3_000_000


def test_the_model_names_the_detectors_own_categories(model: RiskModel) -> None:
    assert model.learned.categories == default_detector().categories


def test_a_file_that_is_not_a_weights_file_is_refused() -> None:
    with pytest.raises(PhraseListError):
        read_model(b"not gzip")
    with pytest.raises(PhraseListError):
        read_model(gzip.compress(json.dumps({"features_version": -1}).encode()))


def test_a_match_is_a_risk_match(model: RiskModel) -> None:
    (match,) = model.matches(RISK[1][0])
    assert isinstance(match, RiskMatch)
