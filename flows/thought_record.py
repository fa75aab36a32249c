"""Thought record (CBT): situation, feelings, the hot thought, evidence, a balanced thought.

One step at a time, so that it never feels like a form. The client can go back (/back), skip
the optional step (/skip), and leave with /cancel: the draft is kept and offered next time.
Every string the client reads in it is here. Diagram: ``thought_record.mmd`` beside this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.core.i18n import N_, _, ngettext
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

INTRO: Final = N_(
    "Let's look at one moment together, step by step. There are no wrong answers — "
    "write as much or as little as you like. /back goes back a step, /cancel keeps a draft."
)
SITUATION: Final = N_("What happened? Where were you, and when? A sentence or two is plenty.")
EMOTIONS: Final = N_(
    "What did you feel? ⟨Pick_any⟩ — or type your own words, separated by commas — then ⟨tap⟩ Done."
)
EMOTION_INTENSITY: Final = N_("How strong was the feeling “{item}”, from 0 (not at all) to 100 (the most)?")
HOT_THOUGHT: Final = N_(
    "What went through your mind just then? Write the thought that upset you most — the 'hot' thought."
)
BELIEF_BEFORE: Final = N_("How much did you believe that thought at the time, from 0 to 100?")
TRAPS: Final = N_("Do any of these thinking traps fit the thought? ⟨Pick_any⟩, then ⟨tap⟩ Done — or Skip.")
EVIDENCE_FOR: Final = N_("What supports the thought? Stick to facts you could point to.")
EVIDENCE_AGAINST: Final = N_("What doesn't fit with the thought? Anything that points the other way?")
BALANCED: Final = N_("Putting both sides together, what's a more balanced way to see it?")
BELIEF_BALANCED: Final = N_("How much do you believe the balanced thought, from 0 to 100?")
RERATE: Final = N_("Looking at it now, how strong is the feeling “{item}”, from 0 to 100?")

EMOTION_OPTIONS: Final = (
    Option("anxious", N_("Anxious")),
    Option("sad", N_("Sad")),
    Option("angry", N_("Angry")),
    Option("ashamed", N_("Ashamed")),
    Option("guilty", N_("Guilty")),
    Option("hurt", N_("Hurt")),
    Option("lonely", N_("Lonely")),
    Option("frustrated", N_("Frustrated")),
    Option("scared", N_("Scared")),
    Option("embarrassed", N_("Embarrassed")),
)
TRAP_OPTIONS: Final = (
    Option("all_or_nothing", N_("All-or-nothing")),
    Option("catastrophising", N_("Catastrophising")),
    Option("mind_reading", N_("Mind reading")),
    Option("fortune_telling", N_("Fortune telling")),
    Option("should", N_("Should statements")),
    Option("labelling", N_("Labelling")),
    Option("discounting", N_("Discounting the positive")),
    Option("emotional_reasoning", N_("Emotional reasoning")),
    Option("personalisation", N_("Personalisation")),
    Option("overgeneralising", N_("Overgeneralising")),
)

SUMMARY_HEAD: Final = N_("Well done — your thought record is saved.")
SUMMARY_BELIEF: Final = N_(
    "You believed the hot thought {before} out of 100 at the time, "
    "and you believe the balanced thought {after} out of 100 now."
)
SUMMARY_FEELINGS: Final = N_("Feelings: {changes}.")
SUMMARY_CLOSE: Final = N_("You can read it again any time with /history.")
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
        _(SUMMARY_HEAD),
        _(SUMMARY_BELIEF).format(before=answers.get("belief_before"), after=answers.get("belief_balanced")),
    ]
    changes = ", ".join(f"{name.lower()} {a} → {b}" for name, a, b in feeling_changes(answers))
    if changes:
        lines.append(_(SUMMARY_FEELINGS).format(changes=changes))
    lines.append(_(SUMMARY_CLOSE))
    return "\n".join(lines)


JOURNAL_THOUGHT: Final = N_("“{thought}”")
JOURNAL_BELIEVED: Final = N_("“{thought}” · believed {before}/100 then")
JOURNAL_BALANCED: Final = N_("“{thought}” · the balanced thought {after}/100")
JOURNAL_BOTH: Final = N_("“{thought}” · believed {before}/100 then · the balanced thought {after}/100")
JOURNAL_SITUATION: Final = N_("about “{situation}”")
JOURNAL_NOTHING_YET: Final = N_("nothing written yet")
DETAIL_SECTIONS: Final = (
    ("situation", N_("Situation")),
    ("hot_thought", N_("Hot thought")),
    ("evidence_for", N_("Evidence for")),
    ("evidence_against", N_("Evidence against")),
    ("balanced_thought", N_("Balanced thought")),
    ("obstacles", N_("How it went")),
)
DETAIL_BELIEF: Final = N_(
    "Belief: the hot thought {before} out of 100 at the time; the balanced thought {after} out of 100"
)
DETAIL_FEELINGS: Final = N_("Feelings: {changes}")
DETAIL_TRAPS: Final = N_("Thinking traps: {traps}")
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
        return (
            _(JOURNAL_SITUATION).format(situation=_quote(situation)) if situation else _(JOURNAL_NOTHING_YET)
        )
    before, after = answers.get("belief_before"), answers.get("belief_balanced")
    line = {
        (False, False): JOURNAL_THOUGHT,
        (True, False): JOURNAL_BELIEVED,
        (False, True): JOURNAL_BALANCED,
        (True, True): JOURNAL_BOTH,
    }[(before is not None, after is not None)]
    return _(line).format(thought=_quote(thought), before=before, after=after)


def journal_detail(answers: Answers) -> str:
    """The whole record, in the client's own words (long answers are kept whole)."""
    parts = [f"{_(title)}:\n{answers[key]}" for key, title in DETAIL_SECTIONS if answers.get(key)]
    changes = ", ".join(
        f"{name.lower()} {a if a is not None else NOT_ANSWERED} → {b if b is not None else NOT_ANSWERED}"
        for name, a, b in feeling_changes(answers)
    )
    if changes:
        parts.insert(1, _(DETAIL_FEELINGS).format(changes=changes))
    parts.append(
        _(DETAIL_BELIEF).format(
            before=answers.get("belief_before", NOT_ANSWERED),
            after=answers.get("belief_balanced", NOT_ANSWERED),
        )
    )
    traps = [_(o.label) for o in TRAP_OPTIONS if o.id in (answers.get("traps") or [])]
    if traps:
        parts.append(_(DETAIL_TRAPS).format(traps=", ".join(traps)))
    return "\n\n".join(parts)


# --- the therapist's digest ---------------------------------------------------------------------

HEADING: Final = N_("THOUGHT RECORDS")
UNFINISHED: Final = N_("{when} (unfinished: stopped part-way)")
FIELDS: Final = {
    "situation": N_("Situation"),
    "feelings": N_("Feelings (before → after)"),
    "hot_thought": N_("Hot thought"),
    "traps": N_("Thinking traps"),
    "evidence_for": N_("Evidence for"),
    "evidence_against": N_("Evidence against"),
    "balanced_thought": N_("Balanced thought"),
    "belief": N_("Belief"),
    "obstacles": N_("How it went"),
}
FIELD: Final = N_("{field}: {value}")
BELIEF: Final = N_("{before} in the hot thought → {after} in the balanced thought")
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
        traps=tuple(
            _(_TRAP_LABELS[t]) if t in _TRAP_LABELS else strip_custom(t)
            for t in as_items(answers.get("traps"))
        ),
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
    when = view.dates.when(record.at)
    head = when if record.finished else _(UNFINISHED).format(when=when)
    feelings = "; ".join(
        f"{_in_a_sentence(e.label)} {or_dash(e.before)} → {or_dash(e.after)}" for e in record.emotions
    )
    belief = None
    if record.belief_before is not None or record.belief_balanced is not None:
        belief = _(BELIEF).format(before=or_dash(record.belief_before), after=or_dash(record.belief_balanced))
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
    lines = [
        _(FIELD).format(field=_(FIELDS[key]), value=block(value)) for key, value in fields.items() if value
    ]
    return "\n".join([head, *lines])


def _in_a_sentence(label: str) -> str:
    """A listed feeling's label in lower case; anything else (the client's own word) as written."""
    return label.lower() if label in {_(o.label) for o in EMOTION_OPTIONS} else label


def records_body(found: tuple[ThoughtRecordFacts, ...], view: SectionView) -> str:
    count = ngettext("{count} in this period, in full.", "{count} in this period, each in full.", len(found))
    return "\n\n".join([count.format(count=len(found)), *(_record_text(r, view) for r in found)])


def counted(count: int) -> str:
    """'3 thought records', as the digest's caption counts them."""
    return ngettext("{count} thought record", "{count} thought records", count).format(count=count)


DIGEST: Final = DigestSection(
    heading=HEADING,
    reads=tuple(step.id for step in STEPS),  # the whole record
    facts=records,
    count=len,
    body=records_body,
    counted=counted,
)


THOUGHT_RECORD: Final = Flow(
    id="thought_record",
    title=N_("thought record"),
    command="thought",
    description=N_("a thought record, one step at a time"),
    intro=INTRO,
    steps=STEPS,
    summarize=summarize,
    keeps_drafts=True,
    journal_line=journal_line,
    journal_detail=journal_detail,
    digest=DIGEST,
)
