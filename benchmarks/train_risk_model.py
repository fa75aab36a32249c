"""Train the learned risk-language scorer (bot/safety/risk_model.py) and write its weights file.

Every labelled set folder in ``TRAINING_SETS`` (under tests/safety/data) is read: its explicit lines
are risk (their category mapped to the detector's by ``CATEGORY_OF``), its everyday lines are not;
ambiguous lines are left out. A logistic regression (risk or not) and a softmax over the categories
(which category, on words and word pairs only) are fitted by AdaGrad with L2, in a seeded order:
the same sets and options give the same file. Tiny weights are pruned. The file records a sha256
fingerprint of the sets' files and the options; ``tests/safety/test_risk_model.py`` fails when the
sets change and nobody retrained.

Adding a set (the writers' ``train_en1`` …) is one line: its folder name in ``TRAINING_SETS``;
then ``python -m benchmarks.train_risk_model`` and commit ``bot/safety/risk_model.json.gz``.
Pure Python: about a minute on one core.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.risk_language_report import DATA, held_back_by_hash
from bot.safety.risk_language import normalise
from bot.safety.risk_model import FEATURES_VERSION, MODEL_RESOURCE, PIECE, message_features

# The first regression sets, risk_positive.txt and risk_negative.txt (a message a line, no category),
# lie in the data folder itself: this name in TRAINING_SETS stands for them.
REGRESSION = "regression"
# The labelled sets the shipped model learns from: folders under tests/safety/data, in any format
# the report reads (explicit/everyday as .txt or .tsv, set 1's risk_explicit.txt).
TRAINING_SETS: tuple[str, ...] = (
    REGRESSION,
    "eval",
    "eval2",
    "dev3",
    "eval3",
    "eval4",
    "eval5",
    "de",
    "de_blind",
    "de_blind2",
    "de_blind3",
    "eval6",
    "de_blind4",
    "eval7",
    "de_blind5",
    "train_en1",
    "train_en2",
    "train_en3",
    "train_en4",
    "train_de1",
    "train_de2",
    "plain_en",
    "plain_de",
    "gap_en1",
    "gap_en2",
    "gap_de",
)
# Written by different writers, one each: left out one at a time to measure (benchmarks/risk_model_cv.py).
INDEPENDENT_SETS: tuple[str, ...] = (
    "eval3",
    "eval4",
    "eval5",
    "de_blind",
    "de_blind2",
    "de_blind3",
    "eval6",
    "de_blind4",
    "eval7",
    "de_blind5",
    "train_en1",
    "train_en2",
    "train_en3",
    "train_en4",
    "train_de1",
    "train_de2",
)
WEIGHTS = Path(__file__).resolve().parent.parent / "bot" / "safety" / MODEL_RESOURCE
EXPLICIT_FILES = ("explicit.txt", "explicit.tsv", "risk_explicit.txt", "risk_positive.txt")
EVERYDAY_FILES = ("everyday.txt", "everyday.tsv", "risk_negative.txt")
# The sets' category names → the detector's (None: risk, but of no one category: immediate danger
# is a plan under way or someone at the door).
CATEGORY_OF: Mapping[str, str | None] = {
    "intent_plan": "intent_or_plan",
    "intent_or_plan": "intent_or_plan",
    "suicide_plan": "intent_or_plan",
    "suicidal_intent": "intent_or_plan",
    "plan_through_means": "intent_or_plan",
    "means_and_readiness": "intent_or_plan",
    "suicidal_thoughts": "suicidal_thoughts",
    "self_harm": "self_harm",
    "harmed_by_others": "harmed_by_others",
    "abuse_or_violence": "harmed_by_others",
    "danger_at_home": "harmed_by_others",
    "harm_to_others": "harm_to_others",
    "goodbye": "goodbye",
    "hopelessness": "hopelessness",
    "immediate_danger": None,
}
# The detector's categories, in its order (tests/safety/test_risk_model.py checks they are its).
CATEGORIES = tuple(dict.fromkeys(category for category in CATEGORY_OF.values() if category is not None))


@dataclass(frozen=True)
class Options:
    """How the model is trained; recorded in the weights file and its fingerprint."""

    seed: int = 20261206
    epochs: int = 12
    rate: float = 0.3  # AdaGrad's step
    l2: float = 1e-4  # per update of a feature
    risk_weight: float = 1.5  # of a risk line, against 1 for an everyday one (recall first)
    prune: float = 0.02  # weights smaller than this are left out of the file
    threshold: float = 0.85  # score from which the model flags (chosen by benchmarks/risk_model_cv.py)
    category_epochs: int = 10
    flat_scale: float = 0.2  # each feature's value (the file holds weight × this)
    piece_scale: float = 0.3  # a word piece's value against a word's (the file holds weight × this)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True, slots=True)
class Labelled:
    """One line of a set: risk or not, its detector category (None: not risk or no one category)."""

    set: str
    text: str
    risk: bool
    category: str | None
    held_back: bool


def set_files(name: str) -> list[Path]:
    """The files of a set the model learns from."""
    folder = DATA if name == REGRESSION else DATA / name
    found = [folder / name for name in (*EXPLICIT_FILES, *EVERYDAY_FILES) if (folder / name).is_file()]
    if not found:  # a set may be everyday lines only (plain chat), but not nothing
        raise SystemExit(f"{folder}: a training set needs explicit or everyday lines")
    return found


def read_labelled(name: str) -> list[Labelled]:
    """Every explicit and everyday line of a set folder (``category<TAB>text``)."""
    lines = []
    for path in set_files(name):
        risk = path.name in EXPLICIT_FILES
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            tag, tab, text = raw.partition("\t")
            tag, text = (tag, text.split("\t")[0].strip()) if tab else ("", raw.strip())
            if not text:
                continue
            tag = tag.strip()
            category = CATEGORY_OF.get(tag) if risk else None  # a name not mapped: risk of no one category
            lines.append(Labelled(name, text, risk, category, held_back_by_hash(text)))
    return lines


def unmapped_categories(names: Iterable[str]) -> set[str]:
    """The explicit lines' category names CATEGORY_OF does not know (a new writer's)."""
    found = set()
    for name in names:
        for path in set_files(name):
            if path.name in EXPLICIT_FILES:
                lines = path.read_text(encoding="utf-8").splitlines()
                found |= {
                    line.partition("\t")[0].strip()
                    for line in lines
                    if "\t" in line and not line.startswith("#")
                }
    return found - set(CATEGORY_OF)


def training_lines(names: Iterable[str], leaving_out: Iterable[Labelled] = ()) -> list[Labelled]:
    """The lines of these sets, each text once (a text labelled both ways is left out), and none
    whose normalised text is among `leaving_out`."""
    unseen = {normalise(line.text) for line in leaving_out}
    by_text: dict[str, Labelled] = {}
    conflicting: set[str] = set()
    for name in names:
        for line in read_labelled(name):
            key = normalise(line.text)
            if key in unseen:
                continue
            known = by_text.get(key)
            if known is not None and known.risk != line.risk:
                conflicting.add(key)
            by_text.setdefault(key, line)
    return [line for key, line in by_text.items() if key not in conflicting]


def fingerprint(names: Sequence[str], options: Options) -> str:
    """sha256 of each training file (by its path under the data folder) and of the options."""
    digest = hashlib.sha256()
    for name in names:
        for path in set_files(name):
            digest.update(str(path.relative_to(DATA)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps(options.as_dict(), sort_keys=True).encode())
    digest.update(str(FEATURES_VERSION).encode())
    return digest.hexdigest()


def vector(text: str, options: Options) -> dict[str, float]:
    """A line's features, each counted as the model reads them: times flat_scale, a word piece's
    times `piece_scale` too."""
    features = message_features(normalise(text))
    scale = options.flat_scale
    counted: dict[str, float] = {}
    for feature in features:
        value = scale * options.piece_scale if feature.startswith(PIECE) else scale
        counted[feature] = counted.get(feature, 0.0) + value
    return counted


def shipped_weights(weights: Mapping[str, float], options: Options) -> dict[str, float]:
    """The weights as the model reads them (each times flat_scale, a piece's times piece_scale
    too), the tiny ones pruned."""
    scale = options.flat_scale
    shipped = {f: scale * (w * options.piece_scale if f.startswith(PIECE) else w) for f, w in weights.items()}
    return {f: round(w, 4) for f, w in sorted(shipped.items()) if abs(w) >= options.prune}


@dataclass
class _AdaGrad:
    """Weights learned one line at a time, each feature's step shrinking as its gradients add up."""

    options: Options
    weights: dict[str, float] = field(default_factory=dict)
    squares: dict[str, float] = field(default_factory=dict)

    def step(self, features: Mapping[str, float], gradient: float) -> None:
        rate, l2 = self.options.rate, self.options.l2
        weights, squares = self.weights, self.squares
        for feature, value in features.items():
            weight = weights.get(feature, 0.0)
            g = gradient * value + l2 * weight
            total = squares.get(feature, 1e-8) + g * g
            squares[feature] = total
            weights[feature] = weight - rate * g / math.sqrt(total)


def _sigmoid(margin: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, margin))))


def kept_feature(feature: str, features: str) -> bool:
    """Whether a feature takes part in a trial of fewer features (benchmarks/risk_model_cv.py)."""
    if features == "no-pieces":
        return not feature.startswith(PIECE)
    if features == "no-skips":
        return " _ " not in feature
    if features == "words":
        return not feature.startswith(PIECE) and " " not in feature
    return True


def fit_risk(
    lines: Sequence[Labelled], options: Options, keep: str = "all"
) -> tuple[float, dict[str, float]]:
    """(bias, weights) of the logistic regression risk / everyday (`keep`: which features, for trials)."""
    rows = [
        ({f: v for f, v in vector(line.text, options).items() if kept_feature(f, keep)}, line.risk)
        for line in lines
    ]
    learner = _AdaGrad(options)
    bias_key = "\0bias"
    order = list(range(len(rows)))
    rng = random.Random(options.seed)
    for _ in range(options.epochs):
        rng.shuffle(order)
        for index in order:
            features, risk = rows[index]
            features = {**features, bias_key: 1.0}
            weights = learner.weights
            margin = sum(weights.get(feature, 0.0) * value for feature, value in features.items())
            gradient = _sigmoid(margin) - risk
            learner.step(features, gradient * (options.risk_weight if risk else 1.0))
    weights = dict(learner.weights)
    return weights.pop(bias_key, 0.0), weights


def fit_categories(lines: Sequence[Labelled], options: Options) -> tuple[list[float], dict[str, list[float]]]:
    """(bias per category, weights per word feature and category): a softmax over CATEGORIES."""
    rows = []
    for line in lines:
        if line.risk and line.category is not None:
            features = {f: v for f, v in vector(line.text, options).items() if not f.startswith(PIECE)}
            rows.append((features | {"\0bias": 1.0}, CATEGORIES.index(line.category)))
    learners = [_AdaGrad(options) for _ in CATEGORIES]
    order = list(range(len(rows)))
    rng = random.Random(options.seed + 1)
    for _ in range(options.category_epochs):
        rng.shuffle(order)
        for index in order:
            features, target = rows[index]
            margins = [
                sum(learner.weights.get(f, 0.0) * v for f, v in features.items()) for learner in learners
            ]
            top = max(margins)
            exps = [math.exp(m - top) for m in margins]
            total = sum(exps)
            for k, learner in enumerate(learners):
                learner.step(features, exps[k] / total - (k == target))
    bias = [learner.weights.pop("\0bias", 0.0) for learner in learners]
    every = sorted({f for learner in learners for f in learner.weights})
    return bias, {f: [learner.weights.get(f, 0.0) for learner in learners] for f in every}


def train(
    names: Sequence[str], options: Options, lines: Sequence[Labelled], keep: str = "all"
) -> dict[str, object]:
    """The weights file's contents, learned from these lines (of the sets named; `keep`: which
    features, for trials)."""
    bias, weights = fit_risk(lines, options, keep)
    category_bias, category_weights = fit_categories(lines, options)
    kept = shipped_weights(weights, options)
    kept_categories = {}
    scale = options.flat_scale
    for feature, row in category_weights.items():
        sparse = {str(k): round(w * scale, 3) for k, w in enumerate(row) if abs(w * scale) >= options.prune}
        if sparse:
            kept_categories[feature] = sparse
    return {
        "about": "bot/safety/risk_model.py's weights; written by python -m benchmarks.train_risk_model",
        "features_version": FEATURES_VERSION,
        "fingerprint": fingerprint(names, options),
        "sets": list(names),
        "lines": len(lines),
        "options": options.as_dict(),
        "threshold": options.threshold,
        "bias": round(bias, 4),
        "weights": kept,
        "categories": list(CATEGORIES),
        "category_bias": [round(b, 4) for b in category_bias],
        "category_weights": kept_categories,
    }


def write(contents: Mapping[str, object], path: Path = WEIGHTS) -> None:
    """gzip of compact JSON, with a fixed timestamp so the same weights give the same bytes."""
    data = json.dumps(contents, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def main() -> None:
    start = time.perf_counter()
    options = Options()
    lines = training_lines(TRAINING_SETS)
    contents = train(TRAINING_SETS, options, lines)
    write(contents)
    risk = sum(line.risk for line in lines)
    unmapped = sorted(unmapped_categories(TRAINING_SETS))
    if unmapped:
        print(f"categories not in CATEGORY_OF (learned as risk, not for a category): {', '.join(unmapped)}")
    print(
        f"trained on {len(lines)} lines ({risk} risk, {len(lines) - risk} everyday) "
        f"of {len(TRAINING_SETS)} sets "
        f"in {time.perf_counter() - start:.1f} s: {len(contents['weights'])} weights "  # type: ignore[arg-type]
        f"({len(contents['category_weights'])} for categories), "  # type: ignore[arg-type]
        f"{WEIGHTS.stat().st_size / 1e6:.2f} MB → {WEIGHTS}"
    )


if __name__ == "__main__":
    main()
