"""Leave one writer out: how the learned risk model does on a set none of its training came from.

For each independent set S (``INDEPENDENT_SETS``, each by a different writer): train on every
other training set (lines whose normalised text is in S left out too), then score S, whole and its
held-back quarter (``sha256(text) mod 4 == 0``). Two figures per threshold:

- **model alone**: explicit lines flagged (recall), everyday lines flagged (false positives);
- **combined**: the detector as it was when S was still unseen (its per-line verdicts, kept by the
  lead in ``--verdicts``: set → text → flagged) OR the model — what the bot would have done; the
  row marked ``list`` is that detector alone.

One line per set and threshold. Only counts are printed, never the sets' texts.

Usage: python -m benchmarks.risk_model_cv [--verdicts FILE] [--thresholds 0.5 0.6 ...]
       [--epochs N] [--l2 X] [--risk-weight X] [--features all|no-pieces|no-skips]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.train_risk_model import (
    INDEPENDENT_SETS,
    TRAINING_SETS,
    Labelled,
    Options,
    read_labelled,
    train,
    training_lines,
)
from bot.safety.risk_model import RiskModel, model_file

HARMED = "harmed_by_others"
# Per independent set, per line (sha256 of its text, first 16 hex digits): did the detector flag
# it when the set was still unseen? eval3 and de_blind: the list of round three (commit 1839c68);
# eval4, de_blind2: round four (6b24440); eval5, de_blind3: round five (bd667b5); the training
# writers' sets train_*, and eval6 and de_blind4: the lists and cues of round five without the
# model (59de95c); eval7 and de_blind5: the rules of round seven (b11169e).
VERDICTS = Path(__file__).resolve().parent / "data" / "risk_blind_verdicts.json"
THRESHOLDS = (0.7, 0.8, 0.85, 0.9)  # the shipped one is Options.threshold
Verdicts = Mapping[str, Mapping[str, bool]]


def left_out_model(held_out: str, options: Options, features: str) -> tuple[RiskModel, list[Labelled]]:
    """The risk model trained on every training set but `held_out`, and `held_out`'s lines."""
    unseen = read_labelled(held_out)
    names = [name for name in TRAINING_SETS if name != held_out]
    lines = training_lines(names, leaving_out=unseen)
    return RiskModel(model_file(train(names, options, lines, _feature_filter(features)))), unseen


def _feature_filter(features: str) -> str:
    if features not in ("all", "no-pieces", "no-skips", "words"):
        raise SystemExit(f"--features: {features!r} is not all, no-pieces, no-skips or words")
    return features


def _share(flags: Sequence[bool]) -> str:
    return f"{sum(flags)}/{len(flags)} = {sum(flags) / len(flags):6.1%}" if flags else "-"


def verdict_key(text: str) -> str:
    """How a line is named in the verdicts file: its text's sha256, first 16 hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def rows(
    name: str, scores: Sequence[tuple[Labelled, float]], thresholds: Sequence[float], verdicts: Verdicts
) -> list[str]:
    """One line per threshold: model alone, then combined with the blind-time detector."""
    blind = verdicts.get(name)
    lines = []
    for threshold in thresholds:
        cells = []
        for combined in (False, True):
            if combined and blind is None:
                cells += ["(no verdicts)"] * 4
                continue
            for risk in (True, False):
                for part in (False, True):
                    flags = [
                        score >= threshold
                        or (combined and blind is not None and blind.get(verdict_key(line.text), False))
                        for line, score in scores
                        if line.risk == risk and (line.held_back or not part)
                    ]
                    cells.append(_share(flags))
        lines.append(f"{name:10} {threshold:4.2f} " + " ".join(f"{cell:>20}" for cell in cells))
    return lines


def blind_alone(name: str, scores: Sequence[tuple[Labelled, float]], blind: Mapping[str, bool]) -> str:
    """The blind-time detector's own figures, for the combined ones to be read against."""
    cells = [
        _share(
            [
                blind.get(verdict_key(line.text), False)
                for line, _ in scores
                if line.risk == risk and (line.held_back or not part)
            ]
        )
        for risk in (True, False)
        for part in (False, True)
    ]
    return (
        f"{name:10} {'list':4} "
        + " ".join(f"{'':>20}" for _ in cells)
        + " "
        + " ".join(f"{c:>20}" for c in cells)
    )


def categories_right(name: str, model: RiskModel, unseen: Sequence[Labelled]) -> str:
    """How often the model names a risk line's own category (harm by others apart: it picks the
    abuse and violence resources)."""
    labelled = [line for line in unseen if line.risk and line.category is not None]
    right = [model.category(line.text) == line.category for line in labelled]
    harmed = [model.category(line.text) == HARMED for line in labelled if line.category == HARMED]
    return f"{name:10} category right: {_share(right)}; harmed_by_others named as such: {_share(harmed)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=Path, default=VERDICTS)
    parser.add_argument("--thresholds", type=float, nargs="+", default=list(THRESHOLDS))
    parser.add_argument("--epochs", type=int, default=Options.epochs)
    parser.add_argument("--l2", type=float, default=Options.l2)
    parser.add_argument("--risk-weight", type=float, default=Options.risk_weight)
    parser.add_argument("--features", default="all")
    parser.add_argument("--sets", nargs="+", default=list(INDEPENDENT_SETS))
    args = parser.parse_args()
    options = replace(Options(), epochs=args.epochs, l2=args.l2, risk_weight=args.risk_weight)
    verdicts: Verdicts = json.loads(args.verdicts.read_text("utf-8")) if args.verdicts.is_file() else {}
    print(f"options: {options.as_dict()}, features: {args.features}")
    print(f"blind-time verdicts: {', '.join(verdicts) or 'none'} ({args.verdicts})")
    head = [
        f"{who} {what} {part}"
        for who in ("model", "comb.")
        for what in ("recall", "FP")
        for part in ("whole", "held")
    ]
    print(f"{'set':10} {'thr':4} " + " ".join(f"{cell:>20}" for cell in head))
    for name in args.sets:
        start = time.perf_counter()
        model, unseen = left_out_model(name, options, args.features)
        scores = [(line, model.score(line.text)) for line in unseen]
        for line in rows(name, scores, args.thresholds, verdicts):
            print(line)
        if name in verdicts:
            print(blind_alone(name, scores, verdicts[name]))
        print(categories_right(name, model, unseen))
        print(f"{'':10} (trained and scored in {time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
