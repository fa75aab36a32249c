"""Risk-language detector: recall and false positives on every test set, per category, and timing.

Every set is read with the shipped phrase list (``bot/safety/risk_phrases.toml``) and the risk cues
beside it (``risk_cues.toml``), as the bot reads; or with another list alone (``--phrases``).
First a table with one row per set — explicit phrases flagged (recall), everyday phrases flagged
(false positives), ambiguous ones flagged (reported, not judged) — then, for each set, the figures
per category and every miss and false positive with the rule that fired (these are test phrases,
not client text). The sets:

- **set 1**, ``tests/safety/data/eval/`` (``tag<TAB>phrase``; its ``heldback.txt`` quarter was
  measured once in the first round and tuned on since);
- **set 2**, ``tests/safety/data/eval2/`` (riskset-2: ``explicit.tsv``, ``everyday.tsv``,
  ``ambiguous.tsv`` and the writer's ``heldback.tsv`` quarter, measured once in the second round and
  tuned on since), reported whole and held back;
- **dev3**, ``tests/safety/data/dev3/``: phrases the tuner wrote while tuning (not independent);
- any folder given with ``--set`` (repeatable) in the same format as dev3: ``explicit.txt``,
  ``everyday.txt``, ``ambiguous.txt`` with ``category<TAB>phrase`` lines and a ``PROVENANCE.md``
  whose held-back rule is ``sha256(text) mod 4 == 0`` (see ``held_back_by_hash``); reported whole
  and held back, misses and false positives included — for a set measured once, at the end;
- the older regression sets ``risk_positive.txt`` / ``risk_negative.txt``.

Then the time of one check for a chat-length message (every test phrase): mean, 99th percentile and
the slowest message; the mean and worst for 4096-character messages (the longest a Telegram message
can be) of three kinds — everyday prose made of the negative test sentences, text dense with risk
words, and random characters with accents, emoji and zero-width spaces. Building the detector is
timed too, from scratch and from the on-disk cache of compiled expressions.

Then the other installed languages (German): figures on a set folder each (``--set``, German's own
set by default), build time and time per check with every language and the learned model (the whole
check the bot makes), and the model's own load time and time per check (benchmarks/risk_language_sets.py).

Usage: python -m benchmarks.risk_language_report [--phrases PATH] [--final] [--set FOLDER ...]
"""

from __future__ import annotations

import argparse
import hashlib
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
DEV3 = DATA / "dev3"
DEV3_TITLE = "dev3 (tuner's own)"
EVAL_SETS = ("risk_explicit", "everyday", "ambiguous")  # files <name>.txt in EVAL
EVAL2_FILES = {"risk_explicit": "explicit.tsv", "everyday": "everyday.tsv", "ambiguous": "ambiguous.tsv"}
HELD_BACK = "heldback.txt"
HELD_BACK2 = "heldback.tsv"
SET_FILES = {"risk_explicit": "explicit.txt", "everyday": "everyday.txt", "ambiguous": "ambiguous.txt"}
HASH_RULE = "sha256(text) mod 4 == 0"  # the held-back rule a --set folder's PROVENANCE.md states
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
    suffixes: set[str] = set()
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


def held_back_by_hash(text: str) -> bool:
    """A set folder's held-back rule: sha256 of the phrase (UTF-8) as a big-endian number, mod 4, is 0."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big") % 4 == 0


def read_set(folder: Path) -> list[EvalPhrase]:
    """A set folder (explicit.txt, everyday.txt, ambiguous.txt of category<TAB>phrase, PROVENANCE.md).

    The held-back quarter is the one PROVENANCE.md names, by HASH_RULE; a folder whose provenance
    states no such rule is refused rather than reported with a held-back part it never had.
    """
    provenance = folder / "PROVENANCE.md"
    if not provenance.is_file() or HASH_RULE not in provenance.read_text(encoding="utf-8"):
        raise SystemExit(f"{folder}: PROVENANCE.md must state the held-back rule {HASH_RULE!r}")
    phrases = []
    for name, file in SET_FILES.items():
        for n, line in read_phrases(folder / file):
            tag, tab, text = line.partition("\t")
            if not tab or not text.strip():
                raise SystemExit(f"{folder / file}:{n}: expected category<TAB>phrase")
            phrases.append(EvalPhrase(name, tag.strip(), text.strip(), held_back_by_hash(text.strip())))
    return phrases


@dataclass(frozen=True, slots=True)
class Tally:
    """How many phrases of one tag were flagged."""

    flagged: int
    total: int

    def __str__(self) -> str:
        return f"{self.flagged}/{self.total} = {self.flagged / self.total:.1%}" if self.total else "0/0"


def tally(detector: RiskDetector, phrases: Iterable[EvalPhrase]) -> dict[str, Tally]:
    """Flagged/total per tag, and for all of them under "all"."""
    flagged: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for phrase in phrases:
        total[phrase.tag] += 1
        flagged[phrase.tag] += detector.check(phrase.text) is not None
    tallies = {tag: Tally(flagged[tag], total[tag]) for tag in sorted(total)}
    return tallies | {"all": Tally(sum(flagged.values()), sum(total.values()))}


def wrong(
    detector: RiskDetector, phrases: Iterable[EvalPhrase], *, should_flag: bool
) -> list[tuple[EvalPhrase, RiskMatch | None]]:
    """Explicit phrases not flagged (should_flag), or everyday phrases flagged (not should_flag)."""
    checked = [(phrase, detector.check(phrase.text)) for phrase in phrases]
    return [(phrase, match) for phrase, match in checked if (match is not None) != should_flag]


def print_summary(detector: RiskDetector, rows: Sequence[tuple[str, Sequence[EvalPhrase]]]) -> None:
    """One line per set or part: explicit flagged (recall), everyday flagged (false positives), ambiguous."""
    print(f"\n{'set':28} {'explicit flagged':>22} {'everyday flagged':>22} {'ambiguous flagged':>22}")
    for title, phrases in rows:
        cells = [tally(detector, [p for p in phrases if p.set == name])["all"] for name in SET_FILES]
        print(f"{title:28} " + " ".join(f"{cell!s:>22}" for cell in cells))


def print_set(detector: RiskDetector, title: str, phrases: Sequence[EvalPhrase]) -> None:
    """Per category and kind, then every miss, false positive and flagged ambiguous phrase."""
    explicit = [p for p in phrases if p.set == "risk_explicit"]
    everyday = [p for p in phrases if p.set == "everyday"]
    ambiguous = [p for p in phrases if p.set == "ambiguous"]
    print(f"\n== {title} ==")
    for label, part_phrases in (("explicit flagged (recall)", explicit), ("everyday flagged", everyday)):
        print(f"{label}, per category (whole / held back):")
        whole = tally(detector, part_phrases)
        held = tally(detector, [p for p in part_phrases if p.held_back])
        for tag, count in whole.items():
            print(f"  {tag:22} {count!s:18} {held.get(tag, Tally(0, 0))}")
    print(f"ambiguous flagged (reported, not judged): {tally(detector, ambiguous)['all']}")
    print_wrong(detector, explicit, everyday, ambiguous, title)


def print_wrong(
    detector: RiskDetector,
    explicit: Sequence[EvalPhrase],
    everyday: Sequence[EvalPhrase],
    ambiguous: Sequence[EvalPhrase],
    label: str,
) -> None:
    """Misses and false positives with the rule that fired; [h] marks a held-back phrase."""
    for title, items in (
        ("missed", wrong(detector, explicit, should_flag=True)),
        ("false positives", wrong(detector, everyday, should_flag=False)),
    ):
        if items:
            print(f"{title} ({label}, tag, rule: text):")
            for phrase, match in items:
                mark = "[h]" if phrase.held_back else "   "
                print(f"  {mark} {phrase.tag:20} {match.rule if match else '-':24} {phrase.text}")
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
        "--set", type=Path, action="append", default=[], dest="sets", metavar="FOLDER",
        help="one more set folder (explicit.txt, everyday.txt, ambiguous.txt, PROVENANCE.md); repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--final", action="store_true", help="also print the held-back texts missed or wrongly flagged"
    )
    args = parser.parse_args()

    start = time.perf_counter()
    detector = RiskDetector.from_file(args.phrases) if args.phrases else default_detector()
    built = time.perf_counter() - start
    name = args.phrases or "bot/safety/risk_phrases.toml with bot/safety/risk_cues.toml"
    print(f"phrase list: {name} ({len(detector.categories)} categories, built in {built:.2f} s)")

    sets = {"set 1": read_eval(), "set 2": read_eval2(), DEV3_TITLE: read_set(DEV3)}
    sets |= {folder.name: read_set(folder) for folder in args.sets}
    rows: list[tuple[str, Sequence[EvalPhrase]]] = []
    for title, phrases in sets.items():
        rows.append((f"{title}, whole", phrases))
        if title not in ("set 1", DEV3_TITLE):  # set 1's quarter: measured in the first round only
            rows.append((f"{title}, held back", [p for p in phrases if p.held_back]))
    print_summary(detector, rows)
    for title, phrases in sets.items():
        print_set(detector, title, phrases)
    positive, negative = DATA / "risk_positive.txt", DATA / "risk_negative.txt"
    print_regression(detector, positive, negative)
    negatives = [text for _, text in read_phrases(negative)]
    every = [p.text for phrases in sets.values() for p in phrases]
    chat = every + [text for _, text in read_phrases(positive)] + negatives
    print_timing(detector, chat, negatives)

    from benchmarks import risk_language_sets  # it builds on this module

    risk_language_sets.report(args.sets, chat, final=args.final)


if __name__ == "__main__":
    main()
