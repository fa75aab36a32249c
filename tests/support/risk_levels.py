"""A risk set measured once and tuned (or trained) on since keeps its level: a floor, not a gate."""

from __future__ import annotations

from typing import Protocol

from benchmarks.risk_language_report import DATA
from benchmarks.risk_language_sets import read_set
from bot.safety.risk_language import RiskMatch


class Checks(Protocol):
    def check(self, text: str) -> RiskMatch | None: ...


def assert_keeps_level(reader: Checks, name: str, floor: int, ceiling: int) -> None:
    """At least `floor` of the set's explicit lines flagged, at most `ceiling` everyday ones."""
    phrases = read_set(DATA / name)
    explicit = [p.text for p in phrases if p.set == "risk_explicit"]
    missed = [text for text in explicit if reader.check(text) is None]
    wrongly = [p.text for p in phrases if p.set == "everyday" and reader.check(p.text) is not None]
    assert len(explicit) - len(missed) >= floor, missed
    assert len(wrongly) <= ceiling, wrongly
