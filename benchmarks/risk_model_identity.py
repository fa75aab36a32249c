"""The learned risk model's quick scoring against the plain one it replaced: the same, to the bit.

``RiskModel`` weighs a message's words once and finds pairs in tables (issue #16: a check under
1 ms). ``PlainScorer`` below is the round-six scorer as it was written, every window's features
listed and looked up one by one; this compares the two on every line of every set under
tests/safety/data (score, flag, rule and category) and prints what differs::

    python -m benchmarks.risk_model_identity   # exit status 1 when any line differs

tests/safety/test_risk_model.py runs the same comparison on a sample.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from bot.safety.risk_language import RiskMatch, normalise
from bot.safety.risk_model import (
    EXPLAINED,
    ModelFile,
    RiskModel,
    default_model,
    is_word_feature,
    message_features,
    pair_features,
    said_once,
    windows,
    word_features,
)

DATA = Path(__file__).resolve().parent.parent / "tests" / "safety" / "data"
TOLERANCE = 1e-12  # on a score; flags, rules and categories must be equal
_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")


class PlainScorer:
    """Round six's scorer: each window's and each sentence's features listed and summed in order."""

    def __init__(self, learned: ModelFile) -> None:
        self.learned = learned

    def score(self, text: str) -> float:
        return _sigmoid(self._riskiest(text)[0])

    def matches(self, text: str) -> tuple[RiskMatch, ...]:
        margin, words = self._riskiest(text)
        if _sigmoid(margin) < self.learned.threshold:
            return ()
        features = message_features(" ".join(words))
        category = self._category(features)
        named = "+".join(name.replace(" ", "_") for name in self._heaviest_words(features))
        return (RiskMatch(category, f"{category}.model({named})"),)

    def category(self, text: str) -> str:
        return self._category(message_features(" ".join(self._riskiest(text)[1])))

    def _riskiest(self, text: str) -> tuple[float, Sequence[str]]:
        words = normalise(text).split()
        margin, start, end = self._best_window(words)
        best: tuple[float, Sequence[str]] = (margin, words[start:end])
        sentences = _SENTENCE_END.split(text.strip())
        for sentence in sentences if len(sentences) > 1 else ():
            words = normalise(sentence).split()
            margin, start, end = self._best_window(words)
            if margin > best[0]:
                best = (margin, words[start:end])
        return best

    def _best_window(self, words: Sequence[str]) -> tuple[float, int, int]:
        weights = self.learned.weights
        sums = [0.0]
        for position, word in enumerate(words):
            own = word_features(word)
            pairs = pair_features(words, position)
            sums.append(
                sums[-1]
                + sum(weights.get(feature, 0.0) for feature in own)
                + sum(weights.get(pair, 0.0) for pair in pairs)
            )
        best: tuple[float, int, int] | None = None
        for start, end in windows(len(words)):
            margin = self.learned.bias + (sums[end] - sums[start])
            if best is None or margin > best[0]:
                best = (margin, start, end)
        return best if best is not None else (-math.inf, 0, 0)

    def _category(self, features: Sequence[str]) -> str:
        learned = self.learned
        totals = list(learned.category_bias)
        for feature in features:
            for index, weight in learned.category_weights.get(feature, {}).items():
                totals[int(index)] += weight
        return learned.categories[max(range(len(totals)), key=totals.__getitem__)]

    def _heaviest_words(self, features: Sequence[str]) -> list[str]:
        weighed: dict[str, float] = {}
        for feature in features:
            weight = self.learned.weights.get(feature, 0.0)
            if weight > 0 and is_word_feature(feature):
                weighed[feature] = weighed.get(feature, 0.0) + weight
        return sorted(weighed, key=lambda feature: (-weighed[feature], feature))[:EXPLAINED]


def _sigmoid(margin: float) -> float:
    return 0.0 if margin < -30 else 1 / (1 + math.exp(-margin))


def every_line(folder: Path = DATA) -> Iterator[str]:
    """Every line of every text file under the folder, comments and blank lines too."""
    for path in sorted(folder.rglob("*.txt")):
        yield from path.read_text(encoding="utf-8").splitlines()


def differences(model: RiskModel, plain: PlainScorer, lines: Sequence[str]) -> Iterator[str]:
    """What differs between the two scorers, line by line (nothing, when they agree)."""
    for number, line in enumerate(lines):
        once = said_once(line)  # the plain scorer weighs what the model weighs: each sentence once
        quick, slow = model.score(line), plain.score(once)
        if quick != slow and not abs(quick - slow) <= TOLERANCE:
            yield f"line {number}: score {quick!r} ≠ {slow!r}"
        if model.matches(line) != plain.matches(once):
            yield f"line {number}: flag {model.matches(line)} ≠ {plain.matches(once)}"
        if model.category(line) != plain.category(once):
            yield f"line {number}: category {model.category(line)} ≠ {plain.category(once)}"


def main() -> None:
    model = default_model()
    plain = PlainScorer(model.learned)
    lines = list(every_line())
    found = list(differences(model, plain, lines))
    exact = sum(model.score(line) == plain.score(line) for line in lines)
    print(f"{len(lines)} lines under {DATA}")
    print(f"scores equal to the bit: {exact}/{len(lines)}; lines differing: {len(found)}")
    for difference in found[:20]:
        print(" ", difference)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
