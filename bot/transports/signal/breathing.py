"""Breathing on Signal: a paced animation, since edits cannot pace a breath.

Telegram's breathing message changes with every phase (every 4–8 s); Signal allows ten edits
of a message, so there it moves on once a minute and cannot say when to breathe in. Instead,
before the live message, the client gets one looping GIF drawn from the pattern they chose: a
circle that grows for as long as the pattern breathes in, rests while it holds and shrinks
while it breathes out (each phase's word and count drawn under it), with the phases in words.
The flow is unchanged: the live message still counts the minutes down, Stop still stops it,
and the same check-in follows.

The guide is in the language the live message was written in (``Outgoing.language``): its
words, and the phases' words drawn into the GIF.

The GIF is sent once per exercise (remembered in memory: after a restart, a live message shown
again may bring it again). Pillow is imported only when one is drawn.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.i18n import _, reading
from bot.core.messages import Attachment, Outgoing
from bot.transports.signal import texts
from bot.transports.signal.messenger import TRANSPORT
from flows.breathing import BREATHING, IN, OUT, pattern_of, rounds_for
from flows.model import AnswerKind
from storage import Database

if TYPE_CHECKING:
    from PIL import Image

FRAMES_PER_SECOND = 5
"""Smooth enough for a breath; a 4-7-8 cycle is then under a hundred small frames."""
FRAME_MS = 1000 // FRAMES_PER_SECOND
SIZE = (240, 280)
CENTRE = (120, 120)
SMALLEST, LARGEST = 30, 100
"""The circle's radius at the bottom and the top of a breath, in pixels."""
PALETTE = (247, 244, 238, 92, 140, 196, 60, 60, 60)
"""Background, circle, words: three colours, so every frame is drawn exactly as meant."""
BACKGROUND, CIRCLE, WORDS = 0, 1, 2
FILENAME = "breathing.gif"


def radius_at(phase: str, progress: float, resting: int) -> int:
    """The circle's radius ``progress`` (0…1) through a phase, from where the last one left it."""
    if phase == IN:
        return round(SMALLEST + (LARGEST - SMALLEST) * progress)
    if phase == OUT:
        return round(LARGEST - (LARGEST - SMALLEST) * progress)
    return resting


def _frame(radius: int, words: str, count: int) -> Image.Image:
    from PIL import Image, ImageDraw

    image = Image.new("P", SIZE, BACKGROUND)
    image.putpalette(PALETTE)
    draw = ImageDraw.Draw(image)
    x, y = CENTRE
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=CIRCLE)
    draw.text((x, 250), f"{words} · {count}", fill=WORDS, anchor="mm", font_size=20)
    return image


@lru_cache(maxsize=8)
def breathing_animation(phases: tuple[tuple[str, int], ...], language: str | None = None) -> bytes:
    """One cycle of the pattern as a looping GIF: each phase lasts exactly its seconds, its
    words in ``language``. Drawn once per pattern and language (a few tenths of a second), then
    kept."""
    frames: list[Image.Image] = []
    resting = SMALLEST
    for phase, seconds in phases:
        steps = seconds * FRAMES_PER_SECOND
        with reading(language):
            words = _(phase)
        for step in range(steps):
            radius = radius_at(phase, (step + 1) / steps, resting)
            frames.append(_frame(radius, words, step // FRAMES_PER_SECOND + 1))
        resting = radius_at(phase, 1.0, resting)
    out = io.BytesIO()
    first, *rest = frames
    first.save(out, "GIF", save_all=True, append_images=rest, duration=FRAME_MS, loop=0, disposal=1)
    return out.getvalue()


def phases_text(phases: Sequence[tuple[str, int]]) -> str:
    """The phases in words ("Breathe in 4 s · Hold 4 s"), in the language being read."""
    return texts.BREATHING_PHASES_SEPARATOR.join(
        _(texts.BREATHING_PHASE).format(phase=_(phase), seconds=seconds) for phase, seconds in phases
    )


class BreathingGuide:
    """What the sink sends before a breathing exercise's live message: the animation."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._given: set[tuple[str, datetime]] = set()

    async def __call__(self, chat_id: str, message: Outgoing) -> Outgoing | None:
        """The animation and the phases in words, when ``message`` is the live message of a
        breathing exercise not yet given one; else None."""
        expected = message.expected
        if expected is None or expected.kind != AnswerKind.TIMER.value or message.prompt_token is None:
            return None
        async with self._database.transaction() as tx:
            _person, conversation = await tx.people.find_with_conversation(TRANSPORT, chat_id)
        if conversation is None or conversation.flow_id != BREATHING.id:
            return None
        exercise = (chat_id, conversation.started_at)
        if exercise in self._given:
            return None
        self._given.add(exercise)
        answers = conversation.answers
        _name, phases = pattern_of(answers)
        rounds = rounds_for(answers)
        with reading(message.language) as language:
            text = texts.breathing_guide(rounds).format(phases=phases_text(phases), rounds=rounds)
            animation = breathing_animation(phases, language)
            return Outgoing(text=text, attachment=Attachment("photo", FILENAME, animation))
