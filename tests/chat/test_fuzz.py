"""Random updates, thrown at the conversation service: huge and odd text, random button data,
stickers and captions, edits, commands mid-flow, from a client, a therapist and a stranger, with
the clock jumping and timers and schedules ticking in between.

Whatever arrives: no exception escapes, the database stays consistent (integrity, foreign keys,
every open conversation at a step its flow has, every queued message readable), and afterwards
the bot still answers normally.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.turn import (
    ButtonPressed,
    CommandReceived,
    EditedText,
    Event,
    Sender,
    TextReceived,
    UnsupportedReceived,
)
from bot.core.messages import Outgoing
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime, tick
from flows import FLOWS
from tests.support.clock import FakeClock
from tests.support.enrolment import enrol
from tests.support.rows import rows

CLIENT = Sender("telegram", "7", "7")
THERAPIST = Sender("telegram", "9", "9")
STRANGER = Sender("telegram", "11", "11")

# Telegram sends valid UTF-16: no lone surrogates; everything else is fair game
ODD_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
HUGE_TEXT = st.builds(
    lambda piece, n: piece * n,
    st.sampled_from(["x", "ä", "😀", "\u202e", "\n", "0"]),
    st.integers(1000, 20000),
)
WORDS = st.sampled_from(
    [
        "7",
        "70",
        "-1",
        "11",
        "99999999999",
        "Done",
        "Skip",
        "calm",
        "08:00",
        "Sam",
        "yes",
        "",
        " ",
        "/",
        "I want to die",
    ]
)
TEXTS = st.one_of(ODD_TEXT, HUGE_TEXT, WORDS)
COMMANDS = st.sampled_from(
    [f.command for f in FLOWS]
    + ["start", "help", "cancel", "skip", "back", "history", "schedule", "timezone", "note", "export"]
    + ["invite", "clients", "assign", "assignments", "unassign", "session", "sessions", "cancelsession"]
    + ["digest", "digestchat", "settings", "link", "delete", "nonsense", "START", "mood@otherbot"]
)
PREFIXES = st.sampled_from(["", "!", "d:", "j:", "j:again", "cf:", "rk:", "rf:", "tz:", "h:", "del:", "x:"])
DATA = st.builds(lambda prefix, rest: (prefix + rest)[:64], PREFIXES, st.text(max_size=70))


def events() -> st.SearchStrategy[tuple[Sender, Event, int]]:
    event = st.one_of(
        st.builds(TextReceived, TEXTS),
        st.builds(CommandReceived, COMMANDS, st.one_of(TEXTS, st.just(""))),
        st.builds(ButtonPressed, DATA, st.one_of(st.none(), st.integers(1, 10**12).map(str))),
        st.builds(
            UnsupportedReceived, st.sampled_from(["sticker", "photo", "voice"]), st.one_of(st.none(), TEXTS)
        ),
        st.builds(EditedText, TEXTS),
    )
    sender = st.sampled_from([CLIENT, CLIENT, CLIENT, THERAPIST, STRANGER])
    return st.tuples(sender, event, st.integers(0, 4000))  # seconds the clock moves first


def sound_file(database_url: str) -> None:
    """SQLite's own checks of the file: raw on purpose (they are about the file, not the rows)."""
    with sqlite3.connect(database_url.split(":///", 1)[1]) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []


async def open_at_known_steps(runtime: Runtime) -> None:
    flows = {f.id: {s.id for s in f.steps} for f in FLOWS}
    for flow_id, step_id in await rows(runtime.database, "conversations", "flow_id", "step_id"):
        if flow_id in flows:
            assert step_id in flows[flow_id], (flow_id, step_id)


async def readable_outbox(runtime: Runtime) -> None:
    async with runtime.database.transaction() as tx:
        for chat in (CLIENT, THERAPIST, STRANGER):
            for message in await tx.outbox.pending_for_chat(chat.transport, chat.chat_id):
                Outgoing.from_json(message.payload)


def test_random_updates_never_break_the_bot(
    settings_for: Callable[..., Settings], database_url: str, tmp_path: object
) -> None:
    loop = asyncio.new_event_loop()
    clock = FakeClock()
    opened = open_runtime(settings_for(messages_per_minute=10_000), clock)
    runtime = loop.run_until_complete(opened.__aenter__())
    loop.run_until_complete(enrol(runtime.database, 7, clock()))
    code = loop.run_until_complete(runtime.practice.issue_registration("Dr Fuzz", clock()))
    loop.run_until_complete(runtime.conversations.handle(THERAPIST, CommandReceived("start", code)))
    update_ids = iter(range(1, 10**9))

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(events(), min_size=1, max_size=12))
    def run(batch: list[tuple[Sender, Event, int]]) -> None:
        async def go() -> None:
            for sender, event, seconds in batch:
                clock.advance(seconds=seconds)
                await runtime.conversations.handle(sender, event, next(update_ids))
                if seconds > 2000:
                    await tick(runtime)
            await readable_outbox(runtime)
            await open_at_known_steps(runtime)

        loop.run_until_complete(go())
        sound_file(database_url)

    try:
        run()
        # and afterwards the client is answered as usual
        clock.advance(timedelta(minutes=2).total_seconds())
        handled = loop.run_until_complete(
            runtime.conversations.handle(CLIENT, CommandReceived("cancel"), None)
        )
        assert handled.replies
    finally:
        loop.run_until_complete(opened.__aexit__(None, None, None))
        loop.close()
