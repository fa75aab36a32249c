"""Each homework type declares its digest section beside it; the digest reads the registry.

Nothing here names a step id: what a section reads is taken from its declaration."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.digest import (
    AssignmentInput,
    DigestRequest,
    EntryInput,
    PromptInput,
    build_digest,
    render_summary,
    render_text,
)
from bot.digest.build import PROMPT_OUTCOMES, OccurrenceStatus
from bot.digest.inputs import ENTRY_CANCELLED, ENTRY_COMPLETED
from flows import Ask, Finished, Skip, Text, advance, start
from flows.generic import section_for
from flows.registry import BUILT_IN, FLOWS
from flows.sections import DeclaredAnswers, UndeclaredRead
from storage import EntryStatus, PromptStatus
from tests.digest.toy_gratitude import GRATITUDE
from tests.support.digests import fortnight

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _stored_names(statuses: type) -> set[str]:
    return {value for name, value in vars(statuses).items() if name.isupper() and isinstance(value, str)}


def test_every_step_a_digest_section_reads_is_a_step_of_its_flow() -> None:
    declared = [flow for flow in (*FLOWS, GRATITUDE) if flow.digest is not None]
    assert {f.id for f in declared} >= {f.id for f in FLOWS if f.records_entry}
    for flow in declared:
        assert flow.digest is not None
        steps = {step.id for step in flow.steps} | set(flow.given_lists)  # and the lists steps pick from
        assert flow.digest.reads and set(flow.digest.reads) <= steps, flow.id


def test_a_section_reads_only_what_it_declares() -> None:
    answers = DeclaredAnswers({"a": 1, "b": 2}, frozenset({"a"}))
    assert answers.get("a") == 1 and dict(answers) == {"a": 1}
    with pytest.raises(UndeclaredRead):
        answers.get("b")  # not swallowed as a missing key


def with_every_data_defined_type(request: DigestRequest) -> DigestRequest:
    """The fortnight with one entry of each data-defined type (PHQ-9, GAD-7 …) on its last day,
    every question answered with its first option (the fortnight itself feeds the snapshots)."""
    at = request.period_end - timedelta(days=1)
    added = [
        EntryInput(
            1000 + n,
            flow.id,
            ENTRY_COMPLETED,
            {s.id: s.options[0].id if s.options else s.low for s in flow.steps},
            at,
            at,
        )
        for n, installed in enumerate(BUILT_IN.installed)
        for flow in (installed.flow,)
    ]
    return dataclasses.replace(request, entries=(*request.entries, *added))


def test_every_section_builds_from_a_realistic_fortnight_within_what_it_declares() -> None:
    digest = build_digest(with_every_data_defined_type(fortnight()))  # an undeclared read would raise here
    assert [s.flow_id for s in digest.sections] == [f.id for f in FLOWS if section_for(f) is not None]
    assert all(s.count for s in digest.sections)


def test_the_digest_reads_prompt_and_entry_statuses_by_their_stored_names() -> None:
    assert set(PROMPT_OUTCOMES) == _stored_names(PromptStatus)  # "completed" is not one
    assert {ENTRY_COMPLETED, ENTRY_CANCELLED} <= _stored_names(EntryStatus)


def test_a_prompt_status_the_store_never_writes_is_not_read_as_done() -> None:
    request = fortnight()
    at = request.period_start + timedelta(hours=1)
    odd = PromptInput("mood_check", at, "completed", None, None, at.date())
    digest = build_digest(dataclasses.replace(request, prompts=(odd,), assignments=(), entries=()))
    (mood,) = digest.homework
    assert [o.status for d in mood.days for o in d.occurrences] == [OccurrenceStatus.OPEN]


def test_a_new_homework_type_is_one_module_and_one_registry_line_and_shows_in_the_digest() -> None:
    """The README's recipe ("Add a homework type"), followed: ``toy_gratitude`` is the module."""
    flows = (*FLOWS, GRATITUDE)  # the one registry line
    request = fortnight()
    at = request.period_start + timedelta(days=1)
    entries = (
        EntryInput(9001, GRATITUDE.id, ENTRY_COMPLETED, _done(Text("Sunny  walk\nwith Sam"), Skip()), at, at),
        EntryInput(9002, GRATITUDE.id, ENTRY_COMPLETED, _done(Text("Tea"), Text("Busy day")), at, at),
    )
    plan = AssignmentInput(GRATITUDE.id, ("21:00",), tuple(range(7)), None, 3, request.period_start)
    digest = build_digest(
        dataclasses.replace(
            request, entries=(*request.entries, *entries), assignments=(*request.assignments, plan)
        ),
        flows,
    )
    text = render_text(digest)
    assert "GRATITUDE\n2 things\n· Fri 20 Mar 10:00: “Sunny walk with Sam”\n· Fri 20 Mar 10:00: “Tea”" in text
    assert "Gratitude note · 21:00 every day" in text  # its plan, under its own title
    assert "(gratitude note): “Busy day”" in text  # its obstacles, with everyone else's
    assert "2 gratitude notes" in render_summary(digest)
    assert "gratitude note 3/10" in render_summary(digest)  # low confidence, by its title

    without = render_text(build_digest(request))  # not in the registry: not in the digest
    assert "GRATITUDE" not in without and without == render_text(build_digest(request, FLOWS))


def _done(*answers: Text | Skip) -> Mapping[str, Any]:
    """The toy type's answers, as the engine collects them."""
    outcome: Ask | Finished = start(GRATITUDE)
    for answer in answers:
        assert isinstance(outcome, Ask)
        outcome = advance(GRATITUDE, outcome.state, answer, NOW)
    assert isinstance(outcome, Finished) and outcome.summary == "Thank you — it's saved in your journal."
    return outcome.answers


def test_the_readme_recipe_names_the_test_that_follows_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    recipe = readme.split("## Add a homework type", 1)[1].split("\n## ", 1)[0]
    for path in ("tests/digest/toy_gratitude.py", "tests/digest/test_sections.py", "flows/sections.py"):
        assert path in recipe and (ROOT / path).exists(), path


def test_an_assigned_homework_with_nothing_done_shows_its_heading_and_says_so() -> None:
    request = fortnight()
    plan = AssignmentInput(GRATITUDE.id, ("21:00",), (0,), None, None, request.period_start)
    text = render_text(build_digest(dataclasses.replace(request, assignments=(plan,)), (*FLOWS, GRATITUDE)))
    assert "GRATITUDE\nNone in this period." in text
