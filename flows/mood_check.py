"""Mood check: how is your mood (0–10), which words fit, anything to add.

The shortest homework, and the one most clients do most often: a quick, low-effort check-in
that gives the therapist a mood trend. Every string the client reads in it is here.
Diagram: ``mood_check.mmd`` beside this file.
"""

from __future__ import annotations

from typing import Final

from flows.common import OBSTACLES
from flows.model import AnswerKind, Answers, Flow, Option, Step

INTRO: Final = "Let's take a moment to check in. A few quick questions — any answer is fine."

MOOD_PROMPT: Final = "How is your mood right now?\n0 = the lowest it gets, 10 = the best it gets."
FEELINGS_PROMPT: Final = "Which words fit how you feel? Tap any that fit, then Done."
NOTE_PROMPT: Final = "Anything you'd like to add? Write a few words, or tap Skip."

FEELINGS: Final = (
    Option("calm", "Calm"),
    Option("content", "Content"),
    Option("hopeful", "Hopeful"),
    Option("tired", "Tired"),
    Option("anxious", "Anxious"),
    Option("sad", "Sad"),
    Option("irritable", "Irritable"),
    Option("lonely", "Lonely"),
    Option("stressed", "Stressed"),
    Option("numb", "Numb"),
)

SUMMARY: Final = "Thank you for checking in. Mood {mood}/10{feelings}. It's saved in your journal."
SUMMARY_FEELINGS: Final = " — {words}"
SUMMARY_NOTE: Final = "\nYour note is saved too."


def summarize(answers: Answers) -> str:
    """A short, warm recap; never repeats the client's own note back."""
    picked = answers.get("feelings") or []
    words = [o.label.lower() for o in FEELINGS if o.id in picked]
    feelings = SUMMARY_FEELINGS.format(words=", ".join(words)) if words else ""
    text = SUMMARY.format(mood=answers.get("mood"), feelings=feelings)
    if answers.get("note"):
        text += SUMMARY_NOTE
    return text


JOURNAL_LINE: Final = "mood {mood}/10{feelings}"


def journal_line(answers: Answers) -> str:
    picked = answers.get("feelings") or []
    words = ", ".join(o.label.lower() for o in FEELINGS if o.id in picked)
    return JOURNAL_LINE.format(mood=answers.get("mood", "–"), feelings=f" · {words}" if words else "")


MOOD_CHECK: Final = Flow(
    id="mood_check",
    title="mood check",
    command="mood",
    description="a quick mood check-in",
    intro=INTRO,
    steps=(
        Step("mood", MOOD_PROMPT, AnswerKind.SCALE, low=0, high=10),
        Step("feelings", FEELINGS_PROMPT, AnswerKind.MULTI_CHOICE, options=FEELINGS, optional=True),
        Step("note", NOTE_PROMPT, AnswerKind.TEXT, optional=True, max_length=4000),
        OBSTACLES,
    ),
    summarize=summarize,
    journal_line=journal_line,
)
