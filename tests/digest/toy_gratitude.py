"""A toy homework type, written as the README's "Add a homework type" recipe says: one module
with its steps, its summary and its digest section. ``test_sections.py`` adds it to the registry
with one line and reads it in the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from flows.common import OBSTACLES
from flows.model import AnswerKind, Answers, Flow, Step
from flows.sections import DigestSection, SectionInput, SectionView, as_text, inline, plural

THING_PROMPT: Final = "What is one thing you're grateful for today?"
SUMMARY: Final = "Thank you — it's saved in your journal."
HEADING: Final = "GRATITUDE"
LINE: Final = "· {when}: {thing}"


@dataclass(frozen=True, slots=True)
class Thanks:
    lines: tuple[tuple[datetime, str], ...]  # (when, what), oldest first


def thanks(given: SectionInput) -> Thanks:
    return Thanks(tuple((e.at, thing) for e in given.entries if (thing := as_text(e.answers.get("thing")))))


def body(found: Thanks, view: SectionView) -> str:
    count = f"{len(found.lines)} {plural(len(found.lines), 'thing', 'things')}"
    lines = [LINE.format(when=view.dates.when(at), thing=inline(thing)) for at, thing in found.lines]
    return "\n".join([count, *lines])


def summarize(answers: Answers) -> str:
    return SUMMARY


GRATITUDE: Final = Flow(
    id="gratitude",
    title="gratitude note",
    command="thanks",
    description="one thing you're grateful for",
    steps=(Step("thing", THING_PROMPT, AnswerKind.TEXT, max_length=500), OBSTACLES),
    summarize=summarize,
    digest=DigestSection(
        heading=HEADING,
        reads=("thing",),
        facts=thanks,
        count=lambda found: len(found.lines),
        body=body,
        counted=("gratitude note", "gratitude notes"),
    ),
)
