"""Small helpers for engine tests: the outcome is a question, and what its buttons say."""

from __future__ import annotations

from flows import Ask, Finished


def ask(outcome: Ask | Finished) -> Ask:
    assert isinstance(outcome, Ask), outcome
    return outcome


def labels(outcome: Ask) -> list[str]:
    return [c.label for c in outcome.prompt.choices]
