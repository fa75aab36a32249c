"""Count a blind phrase set per file, category and quarter, without showing any line.

The quarter rule is fixed in PROVENANCE.md before anyone measures: the phrase is the
text after the first tab, quarter = sha256(phrase as UTF-8) as an integer, modulo 4;
quarter 0 is held back until a final measurement.

Usage: python split.py [FOLDER ...]   (default: the folder holding this script)
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from pathlib import Path

HELD_BACK = 0


def quarter(phrase: str) -> int:
    """The quarter a phrase belongs to; 0 is held back."""
    return int(hashlib.sha256(phrase.encode("utf-8")).hexdigest(), 16) % 4


def rows(path: Path) -> list[tuple[str, str]]:
    """(category, phrase) for every non-comment, non-blank line of one file."""
    found: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, _, phrase = line.partition("\t")
        found.append((category, phrase))
    return found


def report(folder: Path) -> None:
    """Print counts per file, per category and per quarter for one folder."""
    for path in sorted(folder.glob("*.txt")):
        found = rows(path)
        by_quarter = Counter(quarter(phrase) for _, phrase in found)
        print(f"{folder.name}/{path.name}: {len(found)} lines, " + _quarters(by_quarter))
        categories = Counter(category for category, _ in found)
        for category in sorted(categories):
            in_category = Counter(quarter(p) for c, p in found if c == category)
            print(f"  {category:<20} {categories[category]:>4}  " + _quarters(in_category))


def _quarters(counts: Counter[int]) -> str:
    return " ".join(f"q{q}={counts[q]}" + (" (held back)" if q == HELD_BACK else "") for q in range(4))


def main(argv: list[str]) -> None:
    folders = [Path(arg) for arg in argv] or [Path(__file__).resolve().parent]
    for folder in folders:
        report(folder)


if __name__ == "__main__":
    main(sys.argv[1:])
