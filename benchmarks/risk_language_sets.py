"""Risk language in every installed language: figures on a set folder, check time, build time.

A set folder holds ``explicit.txt``, ``everyday.txt`` and ``ambiguous.txt`` (any may be missing),
each of ``category<TAB>phrase`` lines (``#`` comments and blank lines skipped). A phrase is **held
back** when ``sha256(phrase) mod 4 == 0`` (its UTF-8 text after the tab, stripped): held-back
figures are printed as counts, their texts only with ``--final``. Every phrase is read as a client's
message is, by ``default_reader()``: English and every other installed language.

Run through the report: ``python -m benchmarks.risk_language_report [--set FOLDER ...] [--final]``
(the German set ``tests/safety/data/de`` when no ``--set`` is given).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from benchmarks.risk_language_report import (
    DATA,
    SET_FILES,
    EvalPhrase,
    held_back_by_hash,
    per_message,
    prose,
    random_characters,
    read_phrases,
)
from bot.safety.risk_languages import RiskReader, default_reader, installed_languages, language_lists

GERMAN = DATA / "de"


def read_set(folder: Path) -> list[EvalPhrase]:
    """Every phrase of a set folder, marked held back or not (any file may be missing, and no
    provenance is asked for: training sets have none; ``risk_language_report.read_set`` asks)."""
    phrases = []
    for name, file in SET_FILES.items():
        path = folder / file
        if not path.exists():
            continue
        for _, line in read_phrases(path):
            tag, _, text = line.partition("\t")
            phrases.append(EvalPhrase(name, tag.strip(), text.strip(), held_back_by_hash(text.strip())))
    return phrases


def _tally(reader: RiskReader, phrases: Sequence[EvalPhrase]) -> dict[str, tuple[int, int]]:
    flagged: Counter[str] = Counter()
    total: Counter[str] = Counter(phrase.tag for phrase in phrases)
    for phrase in phrases:
        flagged[phrase.tag] += reader.check(phrase.text) is not None
    counts = {tag: (flagged[tag], total[tag]) for tag in sorted(total)}
    return counts | {"all": (sum(flagged.values()), sum(total.values()))}


def _line(tag: str, counts: tuple[int, int]) -> str:
    flagged, total = counts
    share = f" = {flagged / total:.3f}" if total else ""
    return f"  {tag:22} {flagged}/{total}{share}"


def print_set(reader: RiskReader, folder: Path, *, final: bool) -> None:
    """Recall and false positives per category, for the tuning part and the held-back part."""
    phrases = read_set(folder)
    for hidden, label in ((False, "tuning part"), (True, "held-back part")):
        part = [phrase for phrase in phrases if phrase.held_back == hidden]
        print(f"\n== {folder.name} ({', '.join(reader.languages)}), {label} ==")
        for name, title in (
            ("risk_explicit", "explicit phrases flagged (recall), per category:"),
            ("everyday", "everyday phrases flagged (false positives), per kind:"),
            ("ambiguous", "ambiguous phrases flagged (reported, not judged):"),
        ):
            print(title)
            for tag, counts in _tally(reader, [p for p in part if p.set == name]).items():
                print(_line(tag, counts))
        if hidden and not final:
            print("(held-back texts not shown: --final shows them, for the closing measurement)")
            continue
        _print_wrong(reader, part, label)


def _print_wrong(reader: RiskReader, phrases: Sequence[EvalPhrase], label: str) -> None:
    for name, should_flag, title in (
        ("risk_explicit", True, "missed"),
        ("everyday", False, "false positives"),
        ("ambiguous", False, "ambiguous and flagged"),
    ):
        found = [(p, reader.check(p.text)) for p in phrases if p.set == name]
        wrong = [(p, match) for p, match in found if (match is not None) != should_flag]
        if wrong:
            print(f"{title} ({label}, tag, rule: text):")
            for phrase, match in wrong:
                print(f"  {phrase.tag:20} {match.rule if match else '-':28} {phrase.text}")


def print_build_time() -> None:
    """Each installed list's build time (English first, then the others), each cached per process."""
    total = 0.0
    for code in installed_languages():
        if code == "en":  # the report has built it already: time a cold build of the others only
            continue
        language_lists.cache_clear()
        start = time.perf_counter()
        language_lists(code)
        built = time.perf_counter() - start
        total += built
        print(f"phrase list {code!r}: built in {built:.2f} s (its lookalikes included)")
    print(f"every other language together: {total:.2f} s on top of the English list")


def print_reader_timing(reader: RiskReader, chat: Sequence[str], everyday: Sequence[str]) -> None:
    """Time per check with every language and the learned model: chat-length (each message's median
    of 9) and 4096 chars."""
    medians = [statistics.median(times) for times in per_message(reader.check, chat, rounds=9)]
    slowest = max(range(len(chat)), key=medians.__getitem__)
    print(f"\ntime per check, every installed language ({', '.join(reader.languages)}) and the model:")
    print(
        f"  chat-length messages ({len(chat)}, {statistics.fmean(map(len, chat)):.0f} chars on average), "
        f"each its median of 9: mean {statistics.fmean(medians) * 1e6:.1f} µs, "
        f"p99 {statistics.quantiles(medians, n=100)[98] * 1e6:.1f} µs"
    )
    print(f"  slowest of them: {medians[slowest] * 1e6:.1f} µs: {chat[slowest]}")
    for label, messages in (
        ("4096 chars of German everyday prose (50)", prose(everyday, 50, seed=4)),
        ("4096 random characters (30)", random_characters(30, seed=5)),
    ):
        times = [t for message in per_message(reader.check, messages, rounds=3) for t in message]
        print(f"  {label:44} mean {statistics.fmean(times) * 1e6:8.1f} µs / worst {max(times) * 1e6:8.1f} µs")


def print_model_timing(chat: Sequence[str]) -> None:
    """The learned model's weights file, its load time and its own share of a check."""
    from bot.safety.risk_model import MODEL_RESOURCE, RiskModel, default_model, read_model

    data = resources.files("bot.safety").joinpath(MODEL_RESOURCE).read_bytes()
    start = time.perf_counter()
    model = RiskModel(read_model(data))
    loaded = time.perf_counter() - start
    print(f"\nlearned model {MODEL_RESOURCE}: {len(data) / 1e6:.2f} MB, loaded in {loaded * 1e3:.0f} ms")
    model = default_model()
    medians = [statistics.median(times) for times in per_message(model.matches, chat, rounds=9)]
    p99 = statistics.quantiles(medians, n=100)[98]
    print(
        f"  the model alone, chat-length messages, each its median of 9: mean "
        f"{statistics.fmean(medians) * 1e6:.1f} µs, p99 {p99 * 1e6:.1f} µs"
    )


def report(folders: Sequence[Path], english_chat: Sequence[str], *, final: bool) -> None:
    """Everything above, for the report's main()."""
    print_build_time()
    reader = default_reader()
    chat = list(english_chat)
    everyday: list[str] = []
    for folder in folders or (GERMAN,):
        print_set(reader, folder, final=final)
        phrases = read_set(folder)
        chat += [p.text for p in phrases if final or not p.held_back]
        everyday += [p.text for p in phrases if p.set == "everyday"]
    print_reader_timing(reader, chat, everyday or list(english_chat))
    print_model_timing(chat)
