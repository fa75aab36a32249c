"""Breathing on Signal: the paced animation keeps each pattern's own timing (read back frame by
frame with Pillow), and a Signal client breathing beside a Telegram client — one runtime, one
clock, as in ``between run`` — leaves the same rows."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageSequence

from bot.practice.admission import consent_version
from bot.transports.signal.app import SignalConfig, signal_running
from bot.transports.signal.breathing import CENTRE, PALETTE, breathing_animation
from bot.transports.signal.texts import PRIVACY_NOTE
from flows.breathing import CALM_AFTER, HOLD, IN, OUT, PATTERNS
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_signal_cli import FakeSignalCli
from tests.support.journeys import answer
from tests.support.rows import rows
from tests.support.running_bot import RunningBot
from tests.support.signal_answers import BREATHING_BOX_MINUTE, converse

ACCOUNT = "+15550100000"
CIRCLE = tuple(PALETTE[3:6])


def _radius(frame: Image.Image) -> int:
    """Half the circle's width across its centre row."""
    rgb = frame.convert("RGB")
    y = CENTRE[1]
    return sum(rgb.getpixel((x, y)) == CIRCLE for x in range(rgb.width)) // 2


def phases_shown(gif: bytes) -> list[tuple[str, int]]:
    """The phases a GIF shows, as (what the circle does, milliseconds): growing is breathing
    in, shrinking breathing out, resting a hold (the loop's last frame comes before its first)."""
    image = Image.open(io.BytesIO(gif))
    frames = [(_radius(f), int(f.info["duration"])) for f in ImageSequence.Iterator(image)]
    shown: list[tuple[str, int]] = []
    previous = frames[-1][0]
    for radius, duration in frames:
        phase = IN if radius > previous else OUT if radius < previous else HOLD
        if shown and shown[-1][0] == phase:
            shown[-1] = (phase, shown[-1][1] + duration)
        else:
            shown.append((phase, duration))
        previous = radius
    return shown


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_the_animation_breathes_each_pattern_with_its_own_timing(pattern: str) -> None:
    _, phases = PATTERNS[pattern]
    gif = breathing_animation(phases)
    assert gif.startswith(b"GIF89a")
    assert phases_shown(gif) == [(phase, seconds * 1000) for phase, seconds in phases]
    assert Image.open(io.BytesIO(gif)).info.get("loop") == 0  # it repeats


async def _no_wait(_: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
async def signal_beside(bot: RunningBot, tmp_path: Path) -> AsyncIterator[FakeSignalCli]:
    """Signal served by the Telegram bot's runtime (as ``between run`` serves both)."""
    assert bot.runtime is not None
    runtime = bot.runtime
    async with FakeSignalCli(ACCOUNT, clock=bot.clock, attachment_dir=tmp_path / "attachments") as daemon:
        config = SignalConfig(
            ACCOUNT, daemon.address, send_interval=0, send_rate=0, attachments=tmp_path / "attachments"
        )
        async with signal_running(
            config, runtime.gateway, runtime.courier, runtime.database, bot.clock, sleep=_no_wait
        ):
            yield daemon


async def _entry(bot: RunningBot, transport: str) -> tuple[Any, ...]:
    assert bot.runtime is not None
    [(person_id,)] = await rows(bot.runtime.database, "people", "id", transport=transport)
    [entry] = await rows(bot.runtime.database, "entries", "flow_id", "status", "answers", person_id=person_id)
    return tuple(entry)


async def test_breathing_on_signal_sends_the_animation_and_stores_what_telegram_stores(
    api: FakeBotApi, bot: RunningBot, signal_beside: FakeSignalCli
) -> None:
    daemon = signal_beside
    assert bot.runtime is not None
    alex = daemon.user("Alex")
    async with bot.runtime.database.transaction() as tx:
        person = await tx.people.create("signal", alex.uuid, alex.uuid, "UTC", bot.clock())
        await tx.clients.record_consent(person.id, consent_version(PRIVACY_NOTE), bot.clock())
    sam = api.user(4101)

    await sam.send("/breathe")
    await sam.expect(2)
    await answer(sam, "press:Box · 4-4-4-4", "press:1 minute", "4")
    assert "Get ready" in (sam.last_message().text or "")

    await converse(alex, *BREATHING_BOX_MINUTE)
    await alex.send("4")
    guide, live = await alex.expect(2)
    assert "Breathe in 4 s · Hold 4 s · Breathe out 4 s · Hold 4 s" in guide.text
    [animation] = guide.attachments
    assert animation.content_type == "image/gif"
    assert phases_shown(animation.data) == [(IN, 4000), (HOLD, 4000), (OUT, 4000), (HOLD, 4000)]
    assert "Get ready" in live.text

    for _ in range(70):  # the whole minute, both clients at once
        bot.clock.advance(seconds=1)
        await bot.tick()
    after = await alex.expect_text(CALM_AFTER)  # the question after a timer is a new message
    assert after.text.startswith("🫁 That's it — 3 rounds of box breathing")
    helped = ("a quiet room helped", "Calm went from 4 to 6")
    await api.wait_until(lambda: "6" in sam.last_message().labels())
    await answer(sam, "press:6", helped[0])
    assert helped[1] in (sam.last_message().text or "")
    await converse(alex, ("6", "did anything get in the way"), helped)

    on_telegram, on_signal = await _entry(bot, "telegram"), await _entry(bot, "signal")
    assert on_signal == on_telegram
    assert on_signal[1] == "completed" and on_signal[2]["breathe"]["stopped_early"] is False
    assert sum(bool(m.attachments) for m in alex.messages()) == 1  # the animation once
    assert daemon.violations == []
