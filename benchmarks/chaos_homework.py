"""What the kill-chaos clients do: one script per homework type, as a person answers it.

A script is the answers a client gives, each with how they see that it was taken (the next
question, a ✓ on a button, a timer's live message turning into the question after it), and what
their entry must hold at the end. Every homework type is here: the mood check, the thought
record, urge surfing and breathing (live timers, with a check-in pressed when one opens), the
data-defined ones (PHQ-9 with item 9 answered above 0 now and then, GAD-7, the activity log,
exposure practice) and the goal rating.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.chat.texts import BUTTON_SAFE_CONTINUE, CRISIS
from bot.safety.texts import ITEM_ALERT
from flows import breathing, urge_surfing
from flows.common import OBSTACLES_PROMPT
from flows.goal_rating import RATING_PROMPT
from flows.goal_rating import SUMMARY as GOALS_SUMMARY
from flows.model import CUSTOM_PREFIX, AnswerKind, Flow, Step
from flows.mood_check import FEELINGS_PROMPT, MOOD_PROMPT, NOTE_PROMPT
from flows.registry import flow_by_command
from flows.texts import BUTTON_DONE
from flows.thought_record import (
    BALANCED,
    BELIEF_BALANCED,
    BELIEF_BEFORE,
    EMOTIONS,
    EVIDENCE_AGAINST,
    EVIDENCE_FOR,
    HOT_THOUGHT,
    RERATE,
    SITUATION,
    SUMMARY_HEAD,
    TRAPS,
)
from tests.support.fake_bot_api import FakeUser
from tests.support.fake_bot_api.models import BotMessage
from tests.support.words import tapped

KINDS = (
    "mood_check",
    "thought_record",
    "urge_surfing",
    "breathing",
    "phq9",
    "gad7",
    "activity_log",
    "exposure",
    "goal_rating",
)
"""Every homework type, in the order a client takes them up (each client starts elsewhere)."""
GOALS = ("sleep before midnight", "walk every morning")
"""Each client's two goals (their therapist wrote them down before the run), with their id."""
THERAPIST = 19_999
"""The therapist every client is linked to: PHQ-9 item alerts go to this chat."""
CRISIS_START = CRISIS.split("{")[0][:60]
ITEM_9_ALERT = "answered PHQ-9, item 9"
assert ITEM_9_ALERT in ITEM_ALERT.format(
    urgency="", alias="", measure="PHQ-9", number=9, item="", answer="", when="", zone=""
)


@dataclass(frozen=True)
class Answer:
    """One thing the client does, how they see it was taken, and for how long that may
    rightly take (a timer running its course), in seconds of the wall clock."""

    act: Callable[[], Awaitable[object]]
    taken: Callable[[], bool]
    lasts: float = 0.0
    check_in: Callable[[], Awaitable[None]] | None = None
    """While waiting: press a timer's check-in once it opens (the live message asks)."""


MakeAnswer = Callable[[], Answer]


@dataclass
class Script:
    """A homework as one client answers it: the answers (each made when its turn comes, so it
    looks at the chat as it is then) and what the entry must hold."""

    kind: str
    answers: list[MakeAnswer]
    expected: dict[str, Any]
    item_9: bool = False
    """PHQ-9 item 9 answered above 0: the crisis reply, the therapist's alert and the flag."""
    check_ins: list[str] = field(default_factory=list)
    """Check-ins the client saw thanked: their entry must hold them."""
    check_ins_pressed: int = 0


def messages(user: FakeUser) -> list[BotMessage]:
    return user.api.all_bot_messages(user.chat_id)


def shown(user: FakeUser, fragment: str) -> Callable[[], bool]:
    """From now on, a message holds ``fragment`` (a new one, or the newest one edited: a timer's
    live message becomes the question after it)."""
    since = max(0, len(messages(user)) - 1)
    words = tapped(fragment)
    return lambda: any(words in (m.text or "") for m in messages(user)[since:])


def ticked(user: FakeUser, label: str) -> Callable[[], bool]:
    since = max(0, len(messages(user)) - 1)
    return lambda: any(f"✓ {label}" in m.labels() for m in messages(user)[since:])


def typing(user: FakeUser, words: str, then: str) -> MakeAnswer:
    return lambda: Answer(lambda: user.send(words), shown(user, then))


def pressing(user: FakeUser, label: str, then: str) -> MakeAnswer:
    return lambda: Answer(lambda: user.press(label), shown(user, then))


def toggling(user: FakeUser, label: str) -> MakeAnswer:
    return lambda: Answer(lambda: user.press(label), ticked(user, label))


def mood_check(user: FakeUser, n: int, speed: float) -> Script:
    rating, note, obstacles = n % 11, f"note {user.id}-{n}", f"obstacles {user.id}-{n}"
    answers = [
        typing(user, "/mood", MOOD_PROMPT[:30]),
        pressing(user, str(rating), FEELINGS_PROMPT[:30]),
        toggling(user, "Calm"),
        pressing(user, BUTTON_DONE, NOTE_PROMPT[:30]),
        typing(user, note, OBSTACLES_PROMPT[:30]),
        typing(user, obstacles, f"Mood {rating}/10"),
    ]
    expected = {"mood": rating, "feelings": ["calm"], "note": note, "obstacles": obstacles}
    return Script("mood_check", answers, expected)


def thought_record(user: FakeUser, n: int, speed: float) -> Script:
    words = {k: f"{k} {user.id}-{n}" for k in ("situation", "hot", "for", "against", "balanced", "obstacles")}
    before, intensity, after, rerate = 90, 70, 60, 40
    answers = [
        typing(user, "/thought", SITUATION[:30]),
        typing(user, words["situation"], EMOTIONS[:30]),
        toggling(user, "Anxious"),
        pressing(user, BUTTON_DONE, "the feeling “anxious”"),
        typing(user, str(intensity), HOT_THOUGHT[:30]),
        typing(user, words["hot"], BELIEF_BEFORE[:30]),
        typing(user, str(before), TRAPS[:30]),
        pressing(user, "Skip", EVIDENCE_FOR[:30]),
        typing(user, words["for"], EVIDENCE_AGAINST[:30]),
        typing(user, words["against"], BALANCED[:30]),
        typing(user, words["balanced"], BELIEF_BALANCED[:30]),
        typing(user, str(after), RERATE.format(item="anxious")[:30]),
        typing(user, str(rerate), OBSTACLES_PROMPT[:30]),
        typing(user, words["obstacles"], SUMMARY_HEAD[:30]),
    ]
    expected = {
        "situation": words["situation"],
        "emotions": ["anxious"],
        "emotion_intensity": {"anxious": intensity},
        "hot_thought": words["hot"],
        "belief_before": before,
        "evidence_for": words["for"],
        "evidence_against": words["against"],
        "balanced_thought": words["balanced"],
        "belief_balanced": after,
        "emotion_rerate": {"anxious": rerate},
        "obstacles": words["obstacles"],
    }
    return Script("thought_record", answers, expected)


def _check_in(
    user: FakeUser, script: Script, label: str, option: str, thanks: str
) -> Callable[[], Awaitable[None]]:
    """Press the timer's check-in the first time one is open; note it once the live message
    thanks them for it (an edit after the press)."""
    pressed: list[int] = []

    async def check_in() -> None:
        if pressed:
            edits = user.api.calls_to("editMessageText")[pressed[1] :]
            if not script.check_ins and any(
                str(c.params.get("chat_id")) == str(user.chat_id) and thanks in str(c.params.get("text"))
                for c in edits
            ):
                script.check_ins.append(option)
            return
        live = messages(user)[-1] if messages(user) else None
        if live is not None and label in live.labels():
            pressed.extend((live.message_id, len(user.api.calls_to("editMessageText"))))
            script.check_ins_pressed += 1
            await user.press(label, message_id=live.message_id)

    return check_in


def _timer(
    user: FakeUser, script: Script, then: str, seconds: float, speed: float, check_in: bool
) -> MakeAnswer:
    """Wait out a live timer (started by the answer before): taken once it turns into ``then``."""

    async def nothing() -> None:
        return None

    press = None
    if check_in:
        riding = urge_surfing.CHECK_INS[0]
        press = _check_in(user, script, riding.label, riding.id, urge_surfing.CHECK_IN_THANKS)
    return lambda: Answer(nothing, shown(user, then), lasts=seconds / speed, check_in=press)


def urge_surfing_script(user: FakeUser, n: int, speed: float) -> Script:
    urge, note, obstacles = f"urge {user.id}-{n}", f"noticed {user.id}-{n}", f"obstacles {user.id}-{n}"
    script = Script("urge_surfing", [], {})
    script.answers = [
        typing(user, "/urge", urge_surfing.URGE_PROMPT[:30]),
        typing(user, urge, urge_surfing.INTENSITY_BEFORE[:30]),
        typing(user, "7", urge_surfing.LENGTH_PROMPT[:30]),
        pressing(user, "5 minutes", "🌊"),
        _timer(user, script, urge_surfing.INTENSITY_AFTER[:30], 300, speed, check_in=True),
        typing(user, "3", urge_surfing.ACTED_PROMPT[:30]),
        pressing(user, "No", urge_surfing.NOTE_PROMPT[:30]),
        typing(user, note, OBSTACLES_PROMPT[:30]),
        typing(user, obstacles, urge_surfing.SUMMARY.split("{")[0]),
    ]
    script.expected = {
        "urge": urge,
        "intensity_before": 7,
        "minutes": "5",
        "surf": {"stopped_early": False, "planned_seconds": 300},
        "intensity_after": 3,
        "acted": "no",
        "note": note,
        "obstacles": obstacles,
    }
    return script


def breathing_script(user: FakeUser, n: int, speed: float) -> Script:
    obstacles = f"obstacles {user.id}-{n}"
    script = Script("breathing", [], {})
    script.answers = [
        typing(user, "/breathe", breathing.PATTERN_PROMPT[:30]),
        pressing(user, "Calm · 4-6", breathing.LENGTH_PROMPT[:12]),
        pressing(user, "1 minute", breathing.CALM_BEFORE[:30]),
        typing(user, "4", "🫁"),
        _timer(user, script, breathing.CALM_AFTER[:30], 60, speed, check_in=False),
        typing(user, "8", OBSTACLES_PROMPT[:30]),
        typing(user, obstacles, breathing.SUMMARY.split("{")[0]),
    ]
    script.expected = {
        "pattern": "calm",
        "minutes": "1",
        "calm_before": 4,
        "breathe": {"stopped_early": False},
        "calm_after": 8,
        "obstacles": obstacles,
    }
    return script


def goal_rating(user: FakeUser, n: int, speed: float) -> Script:
    first, second = n % 11, (n + 5) % 11
    answers = [
        typing(user, "/goals", RATING_PROMPT.format(item=GOALS[0])[:30]),
        typing(user, str(first), RATING_PROMPT.format(item=GOALS[1])[:30]),
        typing(user, str(second), GOALS_SUMMARY[:30]),
    ]
    return Script("goal_rating", answers, {"rating": {"1": first, "2": second}})


def _asked(step: Step) -> str:
    """What tells that ``step`` is being asked: its question's last line (the PHQ-9's items
    share their first)."""
    return tapped(step.prompt).strip().splitlines()[-1][:40]


def defined(command: str) -> Callable[[FakeUser, int, float], Script]:
    """A homework defined as data, answered step by step from its definition: choices pressed,
    scales and words typed, one option ticked on a multiple choice; PHQ-9's item 9 above 0
    every third time (the crisis reply, then "I'm safe — carry on with the questions")."""
    flow = flow_by_command(command)
    assert flow is not None, command

    def script(user: FakeUser, n: int, speed: float) -> Script:
        made = Script(flow.id, [], {})
        plan = _plan(flow, user, n)
        made.expected = {step.id: value for step, _, value, _ in plan}
        made.item_9 = any(
            step.alert is not None and value != step.options[0].id for step, _, value, _ in plan
        )
        questions = [_asked(step) for step, _, _, _ in plan] + [tapped(flow.summarize(made.expected))[:30]]
        made.answers.append(typing(user, f"/{command}", questions[0]))
        for (step, words, _, press), then in zip(plan, questions[1:], strict=True):
            if step.kind is AnswerKind.MULTI_CHOICE:
                made.answers += [toggling(user, words), pressing(user, BUTTON_DONE, then)]
            elif step.alert is not None and made.item_9:
                made.answers += [
                    pressing(user, words, CRISIS_START),
                    pressing(user, BUTTON_SAFE_CONTINUE, then),
                ]
            else:
                made.answers.append((pressing if press else typing)(user, words, then))
        return made

    return script


def _plan(flow: Flow, user: FakeUser, n: int) -> list[tuple[Step, str, object, bool]]:
    """The steps asked, each with how the client answers it, the value stored and whether it
    is pressed (else typed); a step whose condition does not hold is not asked."""
    given: dict[str, object] = {}
    plan = []
    for step in flow.steps:
        if step.when is not None and not step.when(given):
            continue
        answer = _given(step, user, n)
        if step.alert is not None and n % 3 == 0:  # PHQ-9 item 9: "Several days"
            answer = (step.options[1].label, step.options[1].id, True)
        given[step.id] = answer[1]
        plan.append((step, *answer))
    return plan


def _given(step: Step, user: FakeUser, n: int) -> tuple[str, object, bool]:
    """(how the client answers, the value stored, pressed rather than typed)."""
    pick = (user.id + n + len(step.id)) % max(1, len(step.options))
    if step.kind is AnswerKind.CHOICE and not step.options:  # a list the assignment gives: none here
        words = f"{step.id} {user.id}-{n}"
        return words, f"{CUSTOM_PREFIX}{words}", False
    if step.kind is AnswerKind.CHOICE:
        return step.options[pick].label, step.options[pick].id, True
    if step.kind is AnswerKind.MULTI_CHOICE:
        return step.options[pick].label, [step.options[pick].id], True
    if step.kind is AnswerKind.SCALE:
        value = step.low + ((user.id + n) * step.scale_step) % (step.high - step.low + 1)
        value -= (value - step.low) % step.scale_step
        return str(value), value, False
    words = f"{step.id} {user.id}-{n}"
    return words, words, False


SCRIPTS: dict[str, Callable[[FakeUser, int, float], Script]] = {
    "mood_check": mood_check,
    "thought_record": thought_record,
    "urge_surfing": urge_surfing_script,
    "breathing": breathing_script,
    "phq9": defined("phq9"),
    "gad7": defined("gad7"),
    "activity_log": defined("activity"),
    "exposure": defined("exposure"),
    "goal_rating": goal_rating,
}
