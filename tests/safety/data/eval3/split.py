"""Counts of each phrase file per category and per quarter under the held-back rule in PROVENANCE.md.

Rule, fixed before any measurement: a phrase (the text after the first tab of a line that is neither
blank nor a `#` comment) belongs to quarter int(sha256(phrase as UTF-8).hexdigest(), 16) % 4; quarter
0 is held back. Usage: python split.py [folder ...] (default: this script's folder).
"""

import hashlib
import sys
from collections import Counter
from pathlib import Path

HELD_BACK_QUARTER = 0


def quarter(phrase: str) -> int:
    """The quarter a phrase falls in, from its text alone, so relabelling never moves it."""
    return int(hashlib.sha256(phrase.encode("utf-8")).hexdigest(), 16) % 4


def rows(path: Path) -> list[tuple[str, str]]:
    """(category, phrase) for each non-comment line of a phrase file."""
    found: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, _, phrase = line.partition("\t")
        found.append((category, phrase))
    return found


def report(folder: Path) -> None:
    """Print, for each .txt file in the folder, totals per quarter and per category."""
    for path in sorted(folder.glob("*.txt")):
        found = rows(path)
        quarters = Counter(quarter(phrase) for _, phrase in found)
        held = quarters[HELD_BACK_QUARTER]
        spread = " ".join(f"q{q}={quarters[q]}" for q in range(4))
        print(f"{folder.name}/{path.name}: {len(found)} lines, {spread}, held back {held}")
        categories = sorted({category for category, _ in found})
        for category in categories:
            in_category = [phrase for cat, phrase in found if cat == category]
            held_here = sum(1 for phrase in in_category if quarter(phrase) == HELD_BACK_QUARTER)
            print(f"    {category}: {len(in_category)} (held back {held_here})")


def main(argv: list[str]) -> None:
    folders = [Path(arg) for arg in argv] or [Path(__file__).resolve().parent]
    for folder in folders:
        report(folder)


if __name__ == "__main__":
    main(sys.argv[1:])
