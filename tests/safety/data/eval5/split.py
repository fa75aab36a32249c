"""Count a blind phrase set per file, category and quarter, by the held-back rule.

The rule, fixed before any measurement: quarter = sha256(text) mod 4, where text is
the message after the first tab; quarter 0 is held back. Only counts are printed,
never a message, so running this shows nothing of the held-back lines.

Usage: python split.py [FOLDER ...]   (default: this script's own folder)
"""

import hashlib
import sys
from collections import Counter
from pathlib import Path

FILES = ("explicit.txt", "everyday.txt", "ambiguous.txt")


def quarter(text: str) -> int:
    """The quarter of one message; 0 means held back."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 4


def rows(path: Path) -> list[tuple[str, str]]:
    """(category, text) for each line that is neither blank nor a # comment."""
    found: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, text = line.split("\t", 1)
        found.append((category, text))
    return found


def report(folder: Path) -> None:
    """Print the counts of every set file in one folder."""
    print(f"== {folder.name}")
    for name in FILES:
        path = folder / name
        if not path.exists():
            continue
        found = rows(path)
        per_category: Counter[str] = Counter(category for category, _ in found)
        per_quarter: Counter[int] = Counter(quarter(text) for _, text in found)
        both: Counter[tuple[str, int]] = Counter((c, quarter(t)) for c, t in found)
        quarters = " ".join(f"q{q}={per_quarter[q]}" for q in range(4))
        print(f"{name}: {len(found)} lines; {quarters} (q0 held back)")
        for category in sorted(per_category):
            split = " ".join(f"q{q}={both[(category, q)]}" for q in range(4))
            print(f"  {category:<18} {per_category[category]:>4}  {split}")


def main(argv: list[str]) -> None:
    folders = [Path(arg) for arg in argv] or [Path(__file__).resolve().parent]
    for folder in folders:
        report(folder)


if __name__ == "__main__":
    main(sys.argv[1:])
