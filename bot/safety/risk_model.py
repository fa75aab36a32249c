"""A learned risk-language scorer beside the phrase lists and the risk cues (issue #16).

Hand-written rules miss what their authors did not think of; this is a logistic regression learned
from every labelled set (``python -m benchmarks.train_risk_model`` writes ``risk_model.json.gz``
beside this module). It reads ``normalise(text)`` as the lists do (case, accents, look-alikes, leet
folded) and weighs sparse features: words, word pairs, pairs one word apart and the 3–5 letter
pieces of each word (so typos and inflections weigh like the words they come from), English and
German in one model. Pure and stdlib only; loaded once (``default_model()``); safe to share::

    model = default_model()
    model.matches("got the rope sorted for later")  # (RiskMatch("intent_or_plan",
                                                    #   "intent_or_plan.model(rope+later)"),)

The lists and cues stay the floor: ``RiskReader`` asks the model only about what they let pass.
A flag is explainable without the message: its rule names the vocabulary words that weighed most
(``explain`` gives their weights). Long messages are read in windows of ``WINDOW`` words, each
scored alone, and each sentence alone too, so one sentence of risk in a long answer is not
diluted by the rest.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final, NamedTuple

from bot.core.errors import PhraseListError
from bot.safety.risk_language import RiskMatch, normalise

MODEL_RESOURCE: Final = "risk_model.json.gz"
# Bumped whenever `position_features` changes: weights learned for other features are refused.
FEATURES_VERSION: Final = 1
# Words scored together, about a long chat line; longer messages are read in windows overlapping
# by two thirds, so a sentence of risk is scored with little of what surrounds it.
WINDOW: Final = 24
_STEP: Final = WINDOW // 3
CHAR_SIZES: Final = (3, 4, 5)  # letters in a word piece
EXPLAINED: Final = 3  # words named in a rule at most
PIECE: Final = "#"  # marks a word piece among the features ("#rop"); words never hold it
_SKIP: Final = " _ "  # joins a pair of words one apart ("rope _ ready")
_WORD_CACHE: Final = 50_000  # words whose own weight is remembered
_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")  # where a message's sentences are told apart
_RULE = re.compile(r"(?P<category>[a-z_]+)\.model\((?P<words>[^)]*)\)")


def word_pieces(word: str) -> list[str]:
    """The 3–5 letter pieces of a word, its edges marked ("<rope>": "#<ro", "#rop", …)."""
    marked = f"<{word}>"
    return [
        PIECE + marked[start : start + size] for size in CHAR_SIZES for start in range(len(marked) - size + 1)
    ]


def word_features(word: str) -> list[str]:
    """A word's own features: the word and its pieces."""
    return [word, *word_pieces(word)]


def pair_features(words: Sequence[str], position: int) -> list[str]:
    """The features that end at a word: the pair with the word before, and with the one before that."""
    pairs = []
    if position >= 1:
        pairs.append(f"{words[position - 1]} {words[position]}")
    if position >= 2:
        pairs.append(f"{words[position - 2]}{_SKIP}{words[position]}")
    return pairs


def message_features(normalised: str) -> list[str]:
    """Every feature of a normalised text, repeated as often as it occurs (training reads this)."""
    words = normalised.split()
    features: list[str] = []
    for position, word in enumerate(words):
        features += word_features(word)
        features += pair_features(words, position)
    return features


def is_word_feature(feature: str) -> bool:
    """A word or a pair of words next to each other: what an explanation may name."""
    return not feature.startswith(PIECE) and _SKIP not in feature


def windows(count: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each window of words scored alone: one for a short message."""
    if count == 0:
        return
    if count <= WINDOW:
        yield 0, count
        return
    for start in range(0, count - _STEP, _STEP):
        yield start, min(start + WINDOW, count)


@dataclass(frozen=True, slots=True)
class ModelFile:
    """What the weights file holds: weights, threshold and where they came from."""

    threshold: float
    bias: float
    weights: Mapping[str, float]
    categories: tuple[str, ...]
    category_bias: tuple[float, ...]
    category_weights: Mapping[str, Mapping[str, float]]  # feature → {category index: weight}
    fingerprint: str  # sha256 of the training sets and options
    options: Mapping[str, object]


class RiskModel:
    """Scores a message's risk language with learned weights. Safe to share across tasks.

    Speed (issue #16: a check under 1 ms): each word's own weight and its category weights are
    looked up once and kept, and a message's words are weighed once for its windows and its
    sentences alike; the sums come out the same, to the bit, as adding each window's features one
    by one (``benchmarks/risk_model_identity.py``). Pairs are looked up by name: tables of pairs by
    word cost 40–80 ms and 6 MB at load and were no quicker.
    """

    def __init__(self, learned: ModelFile) -> None:
        self.learned = learned
        self._weights = learned.weights
        self._word_sums: dict[str, float] = {}  # word → its own features' weight
        self._word_rows: dict[str, tuple[Mapping[str, float], ...]] = {}  # word → its category weights
        self._index = {str(index): index for index in range(len(learned.categories))}

    @property
    def threshold(self) -> float:
        return self.learned.threshold

    def score(self, text: str) -> float:
        """The probability that the message needs the crisis response (its riskiest part's)."""
        return _sigmoid(self._riskiest(text)[0])

    def matches(self, text: str) -> tuple[RiskMatch, ...]:
        """The category the model finds, when its score reaches the threshold; rule
        "<category>.model(<words>)" names the vocabulary words that weighed most."""
        margin, words = self._riskiest(text)
        if _sigmoid(margin) < self.learned.threshold:
            return ()
        category = self._category(words)
        named = "+".join(name.replace(" ", "_") for name in self._heaviest_words(words))
        return (RiskMatch(category, f"{category}.model({named})"),)

    def category(self, text: str) -> str:
        """The category the model gives the riskiest part of a message, flagged or not (for measures)."""
        return self._category(self._riskiest(text)[1])

    def explain(self, rule: str) -> str:
        """What a "<category>.model(...)" rule found: the words and their learned weights."""
        found = _RULE.fullmatch(rule)
        if found is None:
            raise KeyError(rule)
        names = [name.replace("_", " ") for name in found["words"].split("+") if name]
        weighed = ", ".join(f"{name} {self._weights.get(name, 0.0):+.2f}" for name in names)
        return (
            f"learned model, {found['category']}: score reached {self.learned.threshold:.2f} "
            f"(heaviest words: {weighed or 'word pieces only'})"
        )

    def vocabulary(self) -> frozenset[str]:
        """Every feature with a weight (what an explanation may name is among these)."""
        return frozenset(self._weights)

    def _riskiest(self, text: str) -> tuple[float, Sequence[str]]:
        """(margin, words) of the riskiest part: a window of the whole message, or one sentence of
        it alone (everyday words around a sentence would otherwise weigh it down). A sentence whose
        words are the message's own, where the message has them, is weighed from the message's."""
        sentences = sentences_once(text)
        words = normalise(" ".join(sentences)).split()
        weighed = self._weighed(words)
        margin, start, end = self._best_window(weighed, 0, len(words))
        best: tuple[float, Sequence[str]] = (margin, words[start:end])
        at = 0  # where the next sentence's words begin among the message's
        for sentence in sentences if len(sentences) > 1 else ():
            said = normalise(sentence).split()
            part = words
            if words[at : at + len(said)] == said:
                margin, start, end = self._best_window(weighed, at, at + len(said))
                at += len(said)
            else:  # normalised otherwise alone (a word spelled out across the sentence end)
                part = said
                margin, start, end = self._best_window(self._weighed(said), 0, len(said))
            if margin > best[0]:
                best = (margin, part[start:end])
        return best

    def _weighed(self, words: Sequence[str]) -> _Weighed:
        """Each word's own weight, and the weights of its pair with the word
        before and with the one before that (0.0 for none: no feature starts with a space)."""
        known, weights = self._word_sums, self._weights
        before = ("", *words)  # the word before each ("" for none), and the one before that
        return _Weighed(
            [known[word] if word in known else self._word_sum(word) for word in words],
            [weights.get(f"{first} {word}", 0.0) for first, word in zip(before, words, strict=False)],
            [
                weights.get(f"{first}{_SKIP}{word}", 0.0)
                for first, word in zip(("", *before), words, strict=False)
            ],
        )

    def _best_window(self, weighed: _Weighed, first: int, last: int) -> tuple[float, int, int]:
        """(margin, start, end) of the window with the highest margin among the words from `first`
        to `last` (read alone: no pair reaches back before `first`)."""
        sums = [0.0]  # of the weights of every feature ending before each word
        own, pairs, skips = weighed
        for position in range(first, last):
            # In the order the features are listed (message_features): the same sum to the bit.
            if position - first >= 2:
                sums.append(sums[-1] + own[position] + (0 + pairs[position] + skips[position]))
            elif position - first == 1:
                sums.append(sums[-1] + own[position] + (0 + pairs[position]))
            else:
                sums.append(sums[-1] + own[position] + 0)
        best: tuple[float, int, int] | None = None
        bias = self.learned.bias
        for start, end in windows(last - first):
            margin = bias + (sums[end] - sums[start])
            if best is None or margin > best[0]:
                best = (margin, first + start, first + end)
        return best if best is not None else (-math.inf, first, first)  # no words: nothing to weigh

    def _word_sum(self, word: str) -> float:
        found = self._word_sums.get(word)
        if found is None:
            found = sum(self._weights.get(feature, 0.0) for feature in word_features(word))
            if len(self._word_sums) >= _WORD_CACHE:
                self._word_sums.clear()
            self._word_sums[word] = found
        return found

    def _category(self, words: Sequence[str]) -> str:
        """The category whose weights, over every feature of these words, sum highest."""
        learned = self.learned
        by_category, index = learned.category_weights, self._index
        totals = list(learned.category_bias)
        for position, word in enumerate(words):
            rows = [*self._own_rows(word)]
            rows += [by_category.get(pair, _NOTHING) for pair in pair_features(words, position)]
            for row in rows:  # in the order of message_features: the same sums to the bit
                for category, weight in row.items():
                    totals[index[category]] += weight
        return learned.categories[max(range(len(totals)), key=totals.__getitem__)]

    def _own_rows(self, word: str) -> tuple[Mapping[str, float], ...]:
        """The category weights of a word's own features that have any, in their order."""
        found = self._word_rows.get(word)
        if found is None:
            by_category = self.learned.category_weights
            found = tuple(by_category[feature] for feature in word_features(word) if feature in by_category)
            if len(self._word_rows) >= _WORD_CACHE // 10:
                self._word_rows.clear()
            self._word_rows[word] = found
        return found

    def _heaviest_words(self, words: Sequence[str]) -> list[str]:
        """The words and pairs of neighbours (never pieces) that weigh most for risk."""
        weighed: dict[str, float] = {}
        for position, word in enumerate(words):
            for feature in (word, *pair_features(words, position)[:1]):
                weight = self._weights.get(feature, 0.0)
                if weight > 0:
                    weighed[feature] = weighed.get(feature, 0.0) + weight
        return sorted(weighed, key=lambda feature: (-weighed[feature], feature))[:EXPLAINED]


class _Weighed(NamedTuple):
    """A message's words weighed once, by position (see RiskModel._weighed)."""

    own: list[float]
    pairs: list[float]  # the pair with the word before (none for the first word: 0.0)
    skips: list[float]  # the pair with the word two before


_NOTHING: Final[Mapping[str, float]] = {}


def sentences_once(text: str) -> list[str]:
    """A message's sentences, each once (where it is first said, case aside). The model learned
    from messages that say a thing once; a sentence pasted again or typed over and over ("It kept
    going round in my head." a hundred times, in a long thought record) would add its weights up
    to a flag."""
    seen: set[str] = set()
    kept = []
    for sentence in _SENTENCE_END.split(text.strip()):
        key = sentence.lower()
        if key not in seen:
            seen.add(key)
            kept.append(sentence)
    return kept


def said_once(text: str) -> str:
    """The message as the model reads it: each of its sentences once."""
    return " ".join(sentences_once(text))


def _sigmoid(margin: float) -> float:
    if margin < -30:
        return 0.0
    return 1 / (1 + math.exp(-margin))


def read_model(data: bytes) -> ModelFile:
    """The weights file's contents (gzip of JSON, as the trainer writes it)."""
    try:
        raw = json.loads(gzip.decompress(data))
    except (OSError, EOFError, ValueError) as error:
        raise PhraseListError(f"{MODEL_RESOURCE} is not a weights file: {error!r}") from None
    return model_file(raw)


def model_file(raw: Mapping[str, Any]) -> ModelFile:
    """The weights file's contents, read from JSON already (or straight from the trainer)."""
    try:
        if raw["features_version"] != FEATURES_VERSION:
            raise PhraseListError(
                f"{MODEL_RESOURCE} was learned for features version {raw['features_version']}, "
                f"this code reads version {FEATURES_VERSION}: retrain (python -m benchmarks.train_risk_model)"
            )
        if raw.get("by_count"):  # a scaling tried in round six and dropped; this code sums plainly
            raise PhraseListError(f"{MODEL_RESOURCE} scales by feature count, which this code does not read")
        return ModelFile(  # JSON's own dicts and floats, as they are: loading stays quick
            threshold=float(raw["threshold"]),
            bias=float(raw["bias"]),
            weights=raw["weights"],
            categories=tuple(raw["categories"]),
            category_bias=tuple(map(float, raw["category_bias"])),
            category_weights=raw["category_weights"],
            fingerprint=str(raw["fingerprint"]),
            options=dict(raw["options"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise PhraseListError(f"{MODEL_RESOURCE} is not a weights file: {error!r}") from None


@cache
def default_model() -> RiskModel:
    """The model shipped beside this module, loaded once per process."""
    return RiskModel(read_model(resources.files("bot.safety").joinpath(MODEL_RESOURCE).read_bytes()))
