"""Risk-language detector: recall on the positive test set, false positives on the negative one, timing.

Reads ``tests/safety/data/risk_positive.txt`` (messages that must be flagged) and
``tests/safety/data/risk_negative.txt`` (messages that should not be), checks each with the shipped phrase
list (``bot/safety/risk_phrases.toml``, or ``--phrases``) and prints recall, the false-positive rate, every
miss and false positive with its line number (these are test phrases, not client text), and the
mean and worst time of one check: for the test messages themselves, and for 4096-character messages
(the longest a Telegram message can be) of three kinds — everyday prose made of the negative test
sentences, text dense with risk words, and random characters with accents, emoji and zero-width
spaces. Building the detector is timed too.

Usage: python -m benchmarks.risk_language_report [--phrases PATH] [--positive PATH] [--negative PATH]
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.safety.risk_language import RiskDetector, default_detector

DATA = Path(__file__).resolve().parent.parent / "tests" / "safety" / "data"
LONGEST = 4096  # characters in a Telegram message
RISK_WORDS = (  # noqa: SIM905 - a sentence is easier to edit than a list of quoted words
    "i you the a to and of my it is was so really today work homework tired sad kill die dead cut hurt "
    "pills goodbye end life myself me want going feel like home mum dad he she touch hit sleep wake "
    "point burden better off without nobody ok lol 5 km 😂 ... !"
).split()


def read_phrases(path: Path) -> list[tuple[int, str]]:
    """(line number, message) for each message line: blank lines and '#' comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]


def prose(sentences: Sequence[str], count: int, seed: int) -> list[str]:
    """Messages of LONGEST characters made of the given sentences in random order."""
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        text = ""
        while len(text) < LONGEST:
            text += rng.choice(sentences) + ". "
        messages.append(text[:LONGEST])
    return messages


def dense_risk_words(count: int, seed: int) -> list[str]:
    """Messages of LONGEST characters of risk and everyday words in random order (a worst case)."""
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        words: list[str] = []
        while sum(map(len, words)) + len(words) < LONGEST:
            if rng.random() < 0.9:
                words.append(rng.choice(RISK_WORDS))
            else:
                words.append("".join(rng.choices(string.ascii_letters, k=6)))
        messages.append(" ".join(words)[:LONGEST])
    return messages


def random_characters(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.printable + "äöüßé’😂\u200b\u0301"
    return ["".join(rng.choices(alphabet, k=LONGEST)) for _ in range(count)]


def timing(check: Callable[[str], object], messages: Sequence[str], rounds: int) -> tuple[float, float]:
    """Mean and worst seconds per check over `rounds` passes through `messages`."""
    times = []
    for _ in range(rounds):
        for message in messages:
            start = time.perf_counter()
            check(message)
            times.append(time.perf_counter() - start)
    return statistics.fmean(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=Path, help="a phrase list other than the shipped one")
    parser.add_argument("--positive", type=Path, default=DATA / "risk_positive.txt")
    parser.add_argument("--negative", type=Path, default=DATA / "risk_negative.txt")
    args = parser.parse_args()

    start = time.perf_counter()
    detector = RiskDetector.from_file(args.phrases) if args.phrases else default_detector()
    built = time.perf_counter() - start

    positives = read_phrases(args.positive)
    negatives = read_phrases(args.negative)
    misses = [(n, text) for n, text in positives if detector.check(text) is None]
    flagged = [(n, text, detector.check(text)) for n, text in negatives]
    false_positives = [(n, text, match) for n, text, match in flagged if match is not None]
    categories = Counter(match.category for _, text in positives if (match := detector.check(text)))

    caught = len(positives) - len(misses)
    name = args.phrases or "bot/safety/risk_phrases.toml"
    print(f"phrase list: {name} ({len(detector.categories)} categories, built in {built:.2f} s)")
    print(f"recall on positives:  {caught}/{len(positives)} = {caught / len(positives):.3f}")
    print(
        f"false positives:      {len(false_positives)}/{len(negatives)} = "
        f"{len(false_positives) / len(negatives):.3f}"
    )
    print("positives by first category: " + ", ".join(f"{c} {n}" for c, n in categories.most_common()))
    if misses:
        print(f"\nmissed ({args.positive.name}, line: text):")
        for n, text in misses:
            print(f"  {n:4}: {text}")
    if false_positives:
        print(f"\nfalse positives ({args.negative.name}, line: rule, pattern: text):")
        for n, text, match in false_positives:
            assert match is not None
            print(f"  {n:4}: {match.rule} {detector.pattern(match.rule)[:60]!r}: {text}")

    short = [text for _, text in positives + negatives]
    print("\ntime per check, mean / worst:")
    for label, messages, rounds in (
        (f"test messages ({len(short)}, {statistics.fmean(map(len, short)):.0f} chars on average)", short, 9),
        (f"{LONGEST} chars of everyday prose (100)", prose([t for _, t in negatives], 100, seed=1), 5),
        (f"{LONGEST} chars dense with risk words (100)", dense_risk_words(100, seed=2), 5),
        (f"{LONGEST} random characters (50)", random_characters(50, seed=3), 5),
    ):
        mean, worst = timing(detector.check, messages, rounds)
        print(f"  {label:52} {mean * 1e6:8.1f} µs / {worst * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
