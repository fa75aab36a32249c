"""Count the lines of this set per file, category and quarter by the held-back rule.

The rule is sha256(text) mod 4 == 0: for each non-comment, non-blank line the
phrase is the text after the first tab; quarter 0 is held back until a final
measurement. Stdlib only, so anyone can check the split without the project.
Usage: python split.py [folder]  (default: the folder holding this script).
"""

import hashlib
import sys
from collections import Counter
from pathlib import Path

FILES = ("explicit.txt", "everyday.txt", "ambiguous.txt")


def quarter(phrase: str) -> int:
    """The quarter of one phrase; 0 means held back."""
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
    """Print counts per file, per category and per quarter."""
    for name in FILES:
        path = folder / name
        if not path.exists():
            continue
        found = rows(path)
        quarters = Counter(quarter(phrase) for _, phrase in found)
        print(f"{name}: {len(found)} lines, quarters {dict(sorted(quarters.items()))}")
        by_category: dict[str, Counter[int]] = {}
        for category, phrase in found:
            by_category.setdefault(category, Counter())[quarter(phrase)] += 1
        for category, counts in sorted(by_category.items()):
            total = sum(counts.values())
            print(f"  {category}: {total}  quarters {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    report(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
