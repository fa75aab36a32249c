"""Count phrases per file, category and held-back quarter (sha256(text) mod 4 == 0 is held back).

Stdlib only, so anyone can check the split without the project installed.
Usage: python split.py [folder ...]   (default: this script's folder)
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from pathlib import Path

FILES = ("explicit.txt", "everyday.txt", "ambiguous.txt")


def quarter(phrase: str) -> int:
    """The fixed rule: quarter 0 is held back."""
    return int(hashlib.sha256(phrase.encode("utf-8")).hexdigest(), 16) % 4


def rows(path: Path) -> list[tuple[str, str]]:
    """(category, phrase) for every non-comment, non-blank line."""
    found: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, _, phrase = line.partition("\t")
        found.append((category, phrase))
    return found


def report(folder: Path) -> None:
    """Print counts per file, per category, per quarter."""
    print(f"== {folder}")
    for name in FILES:
        path = folder / name
        if not path.exists():
            continue
        found = rows(path)
        per_quarter = Counter(quarter(phrase) for _, phrase in found)
        print(f"{name}: {len(found)} lines, quarters {dict(sorted(per_quarter.items()))}")
        by_category: dict[str, Counter[int]] = {}
        for category, phrase in found:
            by_category.setdefault(category, Counter())[quarter(phrase)] += 1
        for category, counts in sorted(by_category.items()):
            cells = " ".join(f"q{q}={counts[q]}" for q in range(4))
            print(f"  {category:24} {sum(counts.values()):4}  {cells}")


def main(argv: list[str]) -> None:
    folders = [Path(arg) for arg in argv] or [Path(__file__).resolve().parent]
    for folder in folders:
        report(folder)


if __name__ == "__main__":
    main(sys.argv[1:])
