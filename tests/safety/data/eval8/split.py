"""Count phrases per file, category and quarter by the held-back rule.

The rule is fixed in PROVENANCE.md: quarter = sha256(phrase) mod 4, and
quarter 0 is held back. Usage: python split.py [FOLDER ...] (default: here).
"""

import hashlib
import sys
from collections import Counter
from pathlib import Path


def quarter(phrase: str) -> int:
    """Return the quarter of a phrase; 0 means held back."""
    return int(hashlib.sha256(phrase.encode("utf-8")).hexdigest(), 16) % 4


def rows(path: Path) -> list[tuple[str, str]]:
    """Read (category, phrase) pairs, skipping comments and blank lines."""
    pairs: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, _, phrase = line.partition("\t")
        pairs.append((category, phrase))
    return pairs


def report(folder: Path) -> None:
    """Print counts for every .txt file in one folder."""
    for path in sorted(folder.glob("*.txt")):
        pairs = rows(path)
        quarters = Counter(quarter(p) for _, p in pairs)
        print(f"{folder.name}/{path.name}: {len(pairs)} lines")
        print("  quarters: " + " ".join(f"q{q}={quarters[q]}" for q in range(4)))
        by_category: dict[str, Counter[int]] = {}
        for category, phrase in pairs:
            by_category.setdefault(category, Counter())[quarter(phrase)] += 1
        for category, counts in sorted(by_category.items()):
            cells = " ".join(f"q{q}={counts[q]}" for q in range(4))
            print(f"  {category:<20} {sum(counts.values()):>4}  {cells}")


def main(argv: list[str]) -> None:
    """Report each folder given, or this script's own folder."""
    folders = [Path(a) for a in argv] or [Path(__file__).resolve().parent]
    for folder in folders:
        report(folder)


if __name__ == "__main__":
    main(sys.argv[1:])
