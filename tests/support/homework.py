"""The README's complete example of a homework definition, as the tests load it."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    """The ```toml block of the README's "Homework as data" section, exactly as written there."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Homework as data", 1)[1]
    return section.split("```toml\n", 1)[1].split("```", 1)[0]


def readme_translation_example() -> str:
    """The README's ``[translations.de]`` example for that file (its list item's indent removed)."""
    section = README.read_text(encoding="utf-8").split("## Homework as data", 1)[1]
    block = section.split("```toml\n", 2)[2].split("```", 1)[0]
    return "\n".join(line.removeprefix("  ") for line in block.splitlines())
