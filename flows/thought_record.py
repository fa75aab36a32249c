"""Thought record (CBT): situation, feelings, the hot thought, evidence, a balanced thought.

One step at a time, so that it never feels like a form. The client can go back (/back), skip
the optional step (/skip), and leave with /cancel: the draft is kept and offered next time.
Every string the client reads in it is here. Diagram: ``thought_record.mmd`` beside this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.core.gestures import PICK_ANY_CAPITAL, TAP
from flows.common import OBSTACLES
from flows.model import AnswerKind, Answers, Flow, Option, Step, item_label
from flows.sections import (
    DigestSection,
    SectionEntry,
    SectionInput,
    SectionView,
    as_int,
    as_items,
    as_mapping,
    as_text,
    block,
    or_dash,
    strip_custom,
)

INTRO: Final = (
    "Let's look at one moment together, step by step. There are no wrong answers — "
    "write as much or as little as you like. /back goes back a step, /cancel keeps a draft."
)
SITUATION: Final = "What happened? Where were you, and when? A sentence or two is plenty."
EMOTIONS: Final = (
    f"What did you feel? {PICK_ANY_CAPITAL} — or type your own words, separated by commas — then {TAP} Done."
)
EMOTION_INTENSITY: Final = "How strong was the feeling “{item}”, from 0 (not at all) to 100 (the most)?"
HOT_THOUGHT: Final = (
    "What went through your mind just then? Write the thought that upset you most — the 'hot' thought."
)
BELIEF_BEFORE: Final = "How much did you believe that thought at the time, from 0 to 100?"
TRAPS: Final = (
    f"Do any of these thinking traps fit the thought? {PICK_ANY_CAPITAL}, then {TAP} Done — or Skip."
)
EVIDENCE_FOR: Final = "What supports the thought? Stick to facts you could point to."
EVIDENCE_AGAINST: Final = "What doesn't fit with the thought? Anything that points the other way?"
BALANCED: Final = "Putting both sides together, what's a more balanced way to see it?"
BELIEF_BALANCED: Final = "How much do you believe the balanced thought, from 0 to 100?"
RERATE: Final = "Looking at it now, how strong is the feeling “{item}”, from 0 to 100?"

EMOTION_OPTIONS: Final = (
    Option("anxious", "Anxious"),
    Option("sad", "Sad"),
    Option("angry", "Angry"),
    Option("ashamed", "Ashamed"),
    Option("guilty", "Guilty"),
    Option("hurt", "Hurt"),
    Option("lonely", "Lonely"),
    Option("frustrated", "Frustrated"),
    Option("scared", "Scared"),
    Option("embarrassed", "Embarrassed"),
)
TRAP_OPTIONS: Final = (
    Option("all_or_nothing", "All-or-nothing"),
    Option("catastrophising", "Catastrophising"),
    Option("mind_reading", "Mind reading"),
    Option("fortune_telling", "Fortune telling"),
    Option("should", "Should statements"),
    Option("labelling", "Labelling"),
    Option("discounting", "Discounting the positive"),
    Option("emotional_reasoning", "Emotional reasoning"),
    Option("personalisation", "Personalisation"),
    Option("overgeneralising", "Overgeneralising"),
)

SUMMARY_HEAD: Final = "Well done — your thought record is saved."
SUMMARY_BELIEF: Final = (
    "You believed the hot thought {before} out of 100 at the time, "
    "and you believe the balanced thought {after} out of 100 now."
)
SUMMARY_FEELINGS: Final = "Feelings: {changes}."
SUMMARY_CLOSE: Final = "You can read it again any time with /history."
QUOTE_LIMIT: Final = 80

STEPS: Final = (
    Step("situation", SITUATION, AnswerKind.TEXT),
    Step("emotions", EMOTIONS, AnswerKind.MULTI_CHOICE, options=EMOTION_OPTIONS, allow_custom=True),
    Step(
        "emotion_intensity",
        EMOTION_INTENSITY,
        AnswerKind.SCALE,
        low=0,
        high=100,
        scale_step=10,
        per_item="emotions",
    ),
    Step("hot_thought", HOT_THOUGHT, AnswerKind.TEXT),
    Step("belief_before", BELIEF_BEFORE, AnswerKind.SCALE, low=0, high=100, scale_step=10),
    Step("traps", TRAPS, AnswerKind.MULTI_CHOICE, options=TRAP_OPTIONS, optional=True),
    Step("evidence_for", EVIDENCE_FOR, AnswerKind.TEXT),
    Step("evidence_against", EVIDENCE_AGAINST, AnswerKind.TEXT),
    Step("balanced_thought", BALANCED, AnswerKind.TEXT),
    Step("belief_balanced", BELIEF_BALANCED, AnswerKind.SCALE, low=0, high=100, scale_step=10),
    Step("emotion_rerate", RERATE, AnswerKind.SCALE, low=0, high=100, scale_step=10, per_item="emotions"),
    OBSTACLES,
)


def feeling_changes(answers: Answers) -> list[tuple[str, object, object]]:
    """(feeling, first rating, rating at the end) for each feeling named."""
    before = answers.get("emotion_intensity") or {}
    after = answers.get("emotion_rerate") or {}
    return [
        (item_label(THOUGHT_RECORD, "emotions", item), before.get(item), after.get(item))
        for item in answers.get("emotions") or ()
    ]


def summarize(answers: Answers) -> str:
    lines = [
        SUMMARY_HEAD,
        SUMMARY_BELIEF.format(before=answers.get("belief_before"), after=answers.get("belief_balanced")),
    ]
    changes = ", ".join(f"{name.lower()} {a} → {b}" for name, a, b in feeling_changes(answers))
    if changes:
        lines.append(SUMMARY_FEELINGS.format(changes=changes))
    lines.append(SUMMARY_CLOSE)
    return "\n".join(lines)


JOURNAL_THOUGHT: Final = "“{thought}”"
JOURNAL_BELIEVED: Final = " · believed {before}/100 then"
JOURNAL_BALANCED: Final = " · the balanced thought {after}/100"
JOURNAL_SITUATION: Final = "about “{situation}”"
JOURNAL_NOTHING_YET: Final = "nothing written yet"
DETAIL_SECTIONS: Final = (
    ("situation", "Situation"),
    ("hot_thought", "Hot thought"),
    ("evidence_for", "Evidence for"),
    ("evidence_against", "Evidence against"),
    ("balanced_thought", "Balanced thought"),
    ("obstacles", "How it went"),
)
DETAIL_BELIEF: Final = (
    "Belief: the hot thought {before} out of 100 at the time; the balanced thought {after} out of 100"
)
DETAIL_FEELINGS: Final = "Feelings: {changes}"
DETAIL_TRAPS: Final = "Thinking traps: {traps}"
NOT_ANSWERED: Final = "–"


def _quote(text: object) -> str:
    words = str(text or NOT_ANSWERED)
    return words if len(words) <= QUOTE_LIMIT else words[: QUOTE_LIMIT - 1].rstrip() + "…"


def journal_line(answers: Answers) -> str:
    """The hot thought and how much it and the balanced thought were believed (each in words,
    as far as answered); a draft without a thought names its situation, or that it is empty."""
    thought = answers.get("hot_thought")
    if not thought:
        situation = answers.get("situation")
        return JOURNAL_SITUATION.format(situation=_quote(situation)) if situation else JOURNAL_NOTHING_YET
    line = JOURNAL_THOUGHT.format(thought=_quote(thought))
    if answers.get("belief_before") is not None:
        line += JOURNAL_BELIEVED.format(before=answers["belief_before"])
    if answers.get("belief_balanced") is not None:
        line += JOURNAL_BALANCED.format(after=answers["belief_balanced"])
    return line


def journal_detail(answers: Answers) -> str:
    """The whole record, in the client's own words (long answers are kept whole)."""
    parts = [f"{title}:\n{answers[key]}" for key, title in DETAIL_SECTIONS if answers.get(key)]
    changes = ", ".join(
        f"{name.lower()} {a if a is not None else NOT_ANSWERED} → {b if b is not None else NOT_ANSWERED}"
        for name, a, b in feeling_changes(answers)
    )
    if changes:
        parts.insert(1, DETAIL_FEELINGS.format(changes=changes))
    parts.append(
        DETAIL_BELIEF.format(
            before=answers.get("belief_before", NOT_ANSWERED),
            after=answers.get("belief_balanced", NOT_ANSWERED),
        )
    )
    traps = [o.label for o in TRAP_OPTIONS if o.id in (answers.get("traps") or [])]
    if traps:
        parts.append(DETAIL_TRAPS.format(traps=", ".join(traps)))
    return "\n\n".join(parts)


# --- the therapist's digest ---------------------------------------------------------------------

HEADING: Final = "THOUGHT RECORDS"
COUNT: Final = "{count} in this period, each in full."
WHEN: Final = "{when}"
UNFINISHED: Final = "{when} (unfinished: stopped part-way)"
FIELDS: Final = {
    "situation": "Situation",
    "feelings": "Feelings (before → after)",
    "hot_thought": "Hot thought",
    "traps": "Thinking traps",
    "evidence_for": "Evidence for",
    "evidence_against": "Evidence against",
    "balanced_thought": "Balanced thought",
    "belief": "Belief",
    "obstacles": "How it went",
}
BELIEF: Final = "{before} in the hot thought → {after} in the balanced thought"
_TRAP_LABELS: Final = {o.id: o.label for o in TRAP_OPTIONS}


@dataclass(frozen=True, slots=True)
class EmotionChange:
    label: str
    before: int | None
    after: int | None


@dataclass(frozen=True, slots=True)
class ThoughtRecordFacts:
    """One thought record as the digest shows it, in full."""

    at: datetime
    finished: bool
    situation: str | None
    emotions: tuple[EmotionChange, ...]
    hot_thought: str | None
    belief_before: int | None
    traps: tuple[str, ...]  # labels
    evidence_for: str | None
    evidence_against: str | None
    balanced_thought: str | None
    belief_balanced: int | None
    obstacles: str | None


def _record(entry: SectionEntry) -> ThoughtRecordFacts | None:
    answers = entry.answers
    before = as_mapping(answers.get("emotion_intensity"))
    after = as_mapping(answers.get("emotion_rerate"))
    emotions = tuple(
        EmotionChange(
            item_label(THOUGHT_RECORD, "emotions", item),
            as_int(before.get(item), 0, 100),
            as_int(after.get(item), 0, 100),
        )
        for item in as_items(answers.get("emotions"))
    )
    record = ThoughtRecordFacts(
        at=entry.at,
        finished=entry.finished,
        situation=as_text(answers.get("situation")),
        emotions=emotions,
        hot_thought=as_text(answers.get("hot_thought")),
        belief_before=as_int(answers.get("belief_before"), 0, 100),
        traps=tuple(_TRAP_LABELS.get(t, strip_custom(t)) for t in as_items(answers.get("traps"))),
        evidence_for=as_text(answers.get("evidence_for")),
        evidence_against=as_text(answers.get("evidence_against")),
        balanced_thought=as_text(answers.get("balanced_thought")),
        belief_balanced=as_int(answers.get("belief_balanced"), 0, 100),
        obstacles=as_text(answers.get(OBSTACLES.id)),
    )
    empty = not (record.situation or record.hot_thought or record.emotions)
    return None if empty else record


def records(given: SectionInput) -> tuple[ThoughtRecordFacts, ...]:
    """Every thought record with anything in it (one left at once is left out)."""
    return tuple(record for e in given.entries if (record := _record(e)) is not None)


def _record_text(record: ThoughtRecordFacts, view: SectionView) -> str:
    head = (WHEN if record.finished else UNFINISHED).format(when=view.dates.when(record.at))
    feelings = "; ".join(
        f"{e.label.lower()} {or_dash(e.before)} → {or_dash(e.after)}" for e in record.emotions
    )
    belief = None
    if record.belief_before is not None or record.belief_balanced is not None:
        belief = BELIEF.format(before=or_dash(record.belief_before), after=or_dash(record.belief_balanced))
    fields = {
        "situation": record.situation,
        "feelings": feelings or None,
        "hot_thought": record.hot_thought,
        "traps": ", ".join(record.traps) or None,
        "evidence_for": record.evidence_for,
        "evidence_against": record.evidence_against,
        "balanced_thought": record.balanced_thought,
        "belief": belief,
        "obstacles": record.obstacles,
    }
    return "\n".join([head, *(f"{FIELDS[key]}: {block(value)}" for key, value in fields.items() if value)])


def records_body(found: tuple[ThoughtRecordFacts, ...], view: SectionView) -> str:
    return "\n\n".join([COUNT.format(count=len(found)), *(_record_text(r, view) for r in found)])


DIGEST: Final = DigestSection(
    heading=HEADING,
    reads=tuple(step.id for step in STEPS),  # the whole record
    facts=records,
    count=len,
    body=records_body,
    counted=("thought record", "thought records"),
)


THOUGHT_RECORD: Final = Flow(
    id="thought_record",
    title="thought record",
    command="thought",
    description="a thought record, one step at a time",
    intro=INTRO,
    steps=STEPS,
    summarize=summarize,
    keeps_drafts=True,
    journal_line=journal_line,
    journal_detail=journal_detail,
    digest=DIGEST,
)
