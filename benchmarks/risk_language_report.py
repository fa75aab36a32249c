"""Risk-language detector: recall and false positives on every test set, per category, and timing.

Every set is read with the shipped phrase list (``bot/safety/risk_phrases.toml``, or ``--phrases``):

- the **second independent evaluation set** (issue #16, "riskset-2") in ``tests/safety/data/eval2/``:
  ``explicit.tsv``, ``everyday.tsv``, ``ambiguous.tsv`` (``category<TAB>message``), written by someone
  who had not seen the list, and ``heldback.tsv``, the quarter the writer held back before any
  tuning. Its tuning part (the other three quarters) is reported with every miss and false
  positive; its **held-back part only as counts**, unless ``--final`` is given: the held-back texts
  are printed once, for the closing measurement, never while tuning.
- the **first independent set** in ``tests/safety/data/eval/`` (``tag<TAB>phrase``; its
  ``heldback.txt`` quarter was seen and tuned against, so it is reported as one more old set).
- the older **regression sets** ``risk_positive.txt`` / ``risk_negative.txt`` (the old tuning sets).

Ambiguous phrases are reported, not judged. Every miss and false positive shown carries the rule
that fired (these are test phrases, not client text). Then the time of one check for a chat-length
message (every test phrase): mean, 99th percentile and the slowest message; the mean and worst for
4096-character messages (the longest a Telegram message can be) of three kinds — everyday prose made
of the negative test sentences, text dense with risk words, and random characters with accents,
emoji and zero-width spaces. Building the detector is timed too.

Then the other installed languages (German): figures on a set folder each (``--set``, German's own
set by default), build time and time per check with every language (benchmarks/risk_language_sets.py).

Usage: python -m benchmarks.risk_language_report [--phrases PATH] [--final] [--set FOLDER ...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.safety.risk_language import RiskDetector, RiskMatch, default_detector

DATA = Path(__file__).resolve().parent.parent / "tests" / "safety" / "data"
EVAL = DATA / "eval"
EVAL2 = DATA / "eval2"
EVAL_SETS = ("risk_explicit", "everyday", "ambiguous")  # files <name>.txt in EVAL
EVAL2_FILES = {"risk_explicit": "explicit.tsv", "everyday": "everyday.tsv", "ambiguous": "ambiguous.tsv"}
HELD_BACK = "heldback.txt"
HELD_BACK2 = "heldback.tsv"
LONGEST = 4096  # characters in a Telegram message
RISK_WORDS = (  # noqa: SIM905 - a sentence is easier to edit than a list of quoted words
    "i you the a to and of my it is was so really today work homework tired sad kill die dead cut hurt "
    "pills goodbye end life myself me want going feel like home mum dad he she touch hit sleep wake "
    "point burden better off without nobody ok lol 5 km 😂 ... !"
).split()


@dataclass(frozen=True, slots=True)
class EvalPhrase:
    """One line of the evaluation set."""

    set: str  # "risk_explicit", "everyday" or "ambiguous"
    tag: str  # its category (explicit) or kind (everyday)
    text: str
    held_back: bool


def read_phrases(path: Path) -> list[tuple[int, str]]:
    """(line number, message) for each message line: blank lines and '#' comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]


def _held_back_lines(folder: Path) -> set[str]:
    """Every line of heldback.txt, and each line without its leading tab-separated fields.

    A phrase is held back when its own line (``tag<TAB>phrase``) is among these, whatever else
    heldback.txt puts in front of it; the file is only matched against, never printed.
    """
    lines = {text for _, text in read_phrases(folder / HELD_BACK)}
    suffixes = set()
    for line in lines:
        fields = line.split("\t")
        suffixes.update("\t".join(fields[n:]) for n in range(len(fields)))
    return suffixes


def read_eval(folder: Path = EVAL) -> list[EvalPhrase]:
    """The whole evaluation set, each phrase marked held back or not."""
    held_back = _held_back_lines(folder)
    phrases = []
    for name in EVAL_SETS:
        for _, line in read_phrases(folder / f"{name}.txt"):
            tag, _, text = line.partition("\t")
            phrases.append(EvalPhrase(name, tag.strip(), text.strip(), line in held_back))
    return phrases


def read_eval2(folder: Path = EVAL2) -> list[EvalPhrase]:
    """The second evaluation set; a phrase is held back when its text is, exactly, in heldback.tsv.

    heldback.tsv is only matched against, never printed here.
    """
    held_back = {
        line.split("\t")[1] for _, line in read_phrases(folder / HELD_BACK2) if line.count("\t") == 2
    }
    phrases = []
    for name, file in EVAL2_FILES.items():
        for _, line in read_phrases(folder / file):
            tag, _, text = line.partition("\t")
            phrases.append(EvalPhrase(name, tag.strip(), text.strip(), text.strip() in held_back))
    return phrases


@dataclass(frozen=True, slots=True)
class Tally:
    """How many phrases of one tag were flagged."""

    flagged: int
    total: int

    def __str__(self) -> str:
        return f"{self.flagged}/{self.total} = {self.flagged / self.total:.3f}" if self.total else "0/0"


def tally(detector: RiskDetector, phrases: Iterable[EvalPhrase]) -> dict[str, Tally]:
    """Flagged/total per tag, and for all of them under "all"."""
    flagged: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for phrase in phrases:
        total[phrase.tag] += 1
        flagged[phrase.tag] += detector.check(phrase.text) is not None
    tallies = {tag: Tally(flagged[tag], total[tag]) for tag in sorted(total)}
    return tallies | {"all": Tally(sum(flagged.values()), sum(total.values()))}


def part(phrases: Sequence[EvalPhrase], name: str, *, held_back: bool) -> list[EvalPhrase]:
    return [p for p in phrases if p.set == name and p.held_back == held_back]


def wrong(
    detector: RiskDetector, phrases: Iterable[EvalPhrase], *, should_flag: bool
) -> list[tuple[EvalPhrase, RiskMatch | None]]:
    """Explicit phrases not flagged (should_flag), or everyday phrases flagged (not should_flag)."""
    checked = [(phrase, detector.check(phrase.text)) for phrase in phrases]
    return [(phrase, match) for phrase, match in checked if (match is not None) != should_flag]


def print_eval(
    detector: RiskDetector, phrases: Sequence[EvalPhrase], title: str, *, held_back_texts: bool
) -> None:
    """Per-category figures for the tuning part and the held-back part; texts only where allowed."""
    for held_back, label in ((False, "tuning part"), (True, "held-back part")):
        explicit = part(phrases, "risk_explicit", held_back=held_back)
        everyday = part(phrases, "everyday", held_back=held_back)
        ambiguous = part(phrases, "ambiguous", held_back=held_back)
        print(f"\n== {title}, {label} ==")
        print("explicit risk phrases flagged (recall), per category:")
        for tag, count in tally(detector, explicit).items():
            print(f"  {tag:22} {count}")
        print("everyday phrases flagged (false positives), per kind:")
        for tag, count in tally(detector, everyday).items():
            print(f"  {tag:22} {count}")
        print(f"ambiguous phrases flagged (reported, not judged): {tally(detector, ambiguous)['all']}")
        if held_back and not held_back_texts:
            print("(held-back texts not shown: --final shows them, once, for the closing measurement)")
            continue
        print_wrong(detector, explicit, everyday, ambiguous, label)


def print_wrong(
    detector: RiskDetector,
    explicit: Sequence[EvalPhrase],
    everyday: Sequence[EvalPhrase],
    ambiguous: Sequence[EvalPhrase],
    label: str,
) -> None:
    for title, items in (
        ("missed", wrong(detector, explicit, should_flag=True)),
        ("false positives", wrong(detector, everyday, should_flag=False)),
    ):
        if items:
            print(f"{title} ({label}, tag, rule: text):")
            for phrase, match in items:
                print(f"  {phrase.tag:20} {match.rule if match else '-':24} {phrase.text}")
    flagged = [(p, m) for p in ambiguous if (m := detector.check(p.text)) is not None]
    if flagged:
        print(f"ambiguous and flagged ({label}, rule: text):")
        for phrase, match in flagged:
            print(f"  {match.rule:24} {phrase.text}")


def print_regression(detector: RiskDetector, positive: Path, negative: Path) -> None:
    positives = read_phrases(positive)
    negatives = read_phrases(negative)
    misses = [(n, text) for n, text in positives if detector.check(text) is None]
    flagged = [(n, text, detector.check(text)) for n, text in negatives]
    false_positives = [(n, text, match) for n, text, match in flagged if match is not None]
    categories = Counter(match.category for _, text in positives if (match := detector.check(text)))

    caught = len(positives) - len(misses)
    print(f"\n== regression sets ({positive.name}, {negative.name}) ==")
    print(f"recall on positives:  {caught}/{len(positives)} = {caught / len(positives):.3f}")
    print(
        f"false positives:      {len(false_positives)}/{len(negatives)} = "
        f"{len(false_positives) / len(negatives):.3f}"
    )
    print("positives by first category: " + ", ".join(f"{c} {n}" for c, n in categories.most_common()))
    if misses:
        print(f"missed ({positive.name}, line: text):")
        for n, text in misses:
            print(f"  {n:4}: {text}")
    if false_positives:
        print(f"false positives ({negative.name}, line: rule, pattern: text):")
        for n, text, match in false_positives:
            assert match is not None
            print(f"  {n:4}: {match.rule} {detector.pattern(match.rule)[:60]!r}: {text}")


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


def per_message(check: Callable[[str], object], messages: Sequence[str], rounds: int) -> list[list[float]]:
    """Seconds per check, for each message, over `rounds` passes through all of them."""
    times: list[list[float]] = [[] for _ in messages]
    for _ in range(rounds):
        for n, message in enumerate(messages):
            start = time.perf_counter()
            check(message)
            times[n].append(time.perf_counter() - start)
    return times


def timing(check: Callable[[str], object], messages: Sequence[str], rounds: int) -> tuple[float, float]:
    """Mean and worst seconds per check over `rounds` passes through `messages`."""
    times = [t for message_times in per_message(check, messages, rounds) for t in message_times]
    return statistics.fmean(times), max(times)


def print_timing(detector: RiskDetector, chat: Sequence[str], negatives: Sequence[str]) -> None:
    """Chat-length figures from each message's median of 9 checks (a loaded machine's pauses aside)."""
    times = per_message(detector.check, chat, rounds=9)
    medians = [statistics.median(message_times) for message_times in times]
    slowest = max(range(len(chat)), key=medians.__getitem__)
    print("\ntime per check:")
    print(
        f"  chat-length messages ({len(chat)}, {statistics.fmean(map(len, chat)):.0f} chars on average), "
        f"each its median of 9: mean {statistics.fmean(medians) * 1e6:.1f} µs, "
        f"p99 {statistics.quantiles(medians, n=100)[98] * 1e6:.1f} µs"
    )
    print(f"  slowest of them: {medians[slowest] * 1e6:.1f} µs: {chat[slowest]}")
    print("  4096-character messages, mean / worst:")
    for label, messages, rounds in (
        (f"{LONGEST} chars of everyday prose (100)", prose(negatives, 100, seed=1), 5),
        (f"{LONGEST} chars dense with risk words (100)", dense_risk_words(100, seed=2), 5),
        (f"{LONGEST} random characters (50)", random_characters(50, seed=3), 5),
    ):
        mean, worst = timing(detector.check, messages, rounds)
        print(f"    {label:48} {mean * 1e6:8.1f} µs / {worst * 1e6:8.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=Path, help="a phrase list other than the shipped one")
    parser.add_argument(
        "--final", action="store_true", help="also print the held-back texts missed or wrongly flagged"
    )
    parser.add_argument(
        "--set", type=Path, action="append", default=[], help="a set folder read in every language"
    )
    args = parser.parse_args()

    start = time.perf_counter()
    detector = RiskDetector.from_file(args.phrases) if args.phrases else default_detector()
    built = time.perf_counter() - start
    name = args.phrases or "bot/safety/risk_phrases.toml"
    print(f"phrase list: {name} ({len(detector.categories)} categories, built in {built:.2f} s)")

    new = read_eval2()
    old = read_eval()
    print_eval(detector, new, "new evaluation set (eval2, riskset-2)", held_back_texts=args.final)
    print_eval(detector, old, "old evaluation set (eval, held-back part tuned on)", held_back_texts=True)
    positive, negative = DATA / "risk_positive.txt", DATA / "risk_negative.txt"
    print_regression(detector, positive, negative)
    negatives = [text for _, text in read_phrases(negative)]
    shown = [p for p in new if args.final or not p.held_back]  # the slowest is printed
    chat = [p.text for p in (*shown, *old)] + [text for _, text in read_phrases(positive)] + negatives
    print_timing(detector, chat, negatives)

    from benchmarks import risk_language_sets  # it builds on this module

    risk_language_sets.report(args.set, chat, final=args.final)


if __name__ == "__main__":
    main()
