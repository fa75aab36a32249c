"""SIGKILL the real `between run` between receiving an update and committing it: the update is
still Telegram's, and the next process handles it (once). Polling (no offset past it was sent)
and webhook mode (no 200 was answered for it)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flows.common import OBSTACLES_PROMPT as OBSTACLES
from flows.mood_check import FEELINGS_PROMPT as FEELINGS
from flows.mood_check import NOTE_PROMPT as NOTE
from storage import Database
from storage.crypto import load_keyring
from tests.support.bot_process import start_bot_process
from tests.support.enrolment import enrol_at
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_bot_api.driver import FakeUser
from tests.support.rows import rows
from tests.support.webhooks import free_port, local_base, webhook_env
from tests.support.words import tapped

FEELINGS_PROMPT, NOTE_PROMPT, OBSTACLES_PROMPT = (tapped(text) for text in (FEELINGS, NOTE, OBSTACLES))
"""The mood check's texts as Telegram shows them (its gestures in Telegram's words)."""


async def mood_up_to_the_note(user: FakeUser, api: FakeBotApi) -> None:
    await user.send("/mood")
    await user.expect(2, timeout=30)
    await user.press("7")
    (feelings,) = await user.expect(1, timeout=30)
    assert feelings.text == FEELINGS_PROMPT
    await user.press("Calm")
    await api.wait_until(lambda: "✓ Calm" in user.last_message().labels(), timeout=30)
    await user.press("Done")
    (note_prompt,) = await user.expect(1, timeout=30)
    assert note_prompt.text == NOTE_PROMPT


async def finish_after_the_restart(
    user: FakeUser, process: asyncio.subprocess.Process, database_url: str, tmp_path: Path
) -> None:
    """The restarted bot asks the next question once, stores the check once, and stops cleanly."""
    # (the note's question may come again first: that send was not written down before the
    # kill either, and replies are at-least-once)
    await user.expect_text(OBSTACLES_PROMPT, timeout=30)
    await user.send("nothing")
    await user.expect_text("Mood 7/10", timeout=30)
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=30) == 0

    database = Database(database_url, keyring=load_keyring(None, tmp_path / "data" / "between.key").ring)
    try:
        ((answers,),) = await rows(database, "entries", "answers")
    finally:
        await database.close()
    assert answers == {
        "mood": 7,
        "feelings": ["calm"],
        "note": "a note the kill must not lose",
        "obstacles": "nothing",
    }
    texts = [m.text or "" for m in user.messages()]
    assert sum(t.startswith(OBSTACLES_PROMPT) for t in texts) == 1


async def test_an_update_received_but_not_committed_is_handled_after_a_sigkill(
    api: FakeBotApi, database_url: str, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    env = {"DATABASE_URL": database_url}
    processes.append(await start_bot_process(api, tmp_path, env))
    await enrol_at(database_url, [2101], datetime.now(UTC))
    user = api.user(2101)
    await mood_up_to_the_note(user, api)

    # Another writer holds the database: the bot receives the note, then waits to write it.
    holder = sqlite3.connect(database_url.split(":///", 1)[1], isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        polls = len(api.calls_to("getUpdates"))
        note = await user.send("a note the kill must not lose")
        await api.wait_until(lambda: api.calls_to("getUpdates")[polls - 1].ok, timeout=30)  # handed out
        await asyncio.sleep(0.5)  # the bot is in the handler now, its write waiting on the lock
        assert note in api.pending_update_ids()
        assert all(int(c.params.get("offset") or 0) <= note for c in api.calls_to("getUpdates"))
        processes[-1].send_signal(signal.SIGKILL)
        assert await processes[-1].wait() == -signal.SIGKILL
    finally:
        holder.close()  # rolls its transaction back

    processes.append(await start_bot_process(api, tmp_path, env))
    await finish_after_the_restart(user, processes[-1], database_url, tmp_path)


async def test_a_webhook_update_received_but_not_committed_is_handled_after_a_sigkill(
    api: FakeBotApi, database_url: str, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    port = free_port()
    env = {"DATABASE_URL": database_url, **webhook_env(port)}
    api.route_webhook(local_base(port))  # the reverse proxy in front of the bot
    processes.append(await start_bot_process(api, tmp_path, env))
    await enrol_at(database_url, [2102], datetime.now(UTC))
    user = api.user(2102)
    await mood_up_to_the_note(user, api)
    assert api.calls_to("getUpdates") == []

    holder = sqlite3.connect(database_url.split(":///", 1)[1], isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        note = await user.send("a note the kill must not lose")
        await api.wait_until(lambda: api.webhook.in_flight == note, timeout=30)  # POSTed to the bot
        await asyncio.sleep(0.5)  # the bot is in the handler now, its write waiting on the lock
        assert note in api.pending_update_ids()
        processes[-1].send_signal(signal.SIGKILL)
        assert await processes[-1].wait() == -signal.SIGKILL
    finally:
        holder.close()  # rolls its transaction back
    assert note in api.pending_update_ids()  # never answered 200

    processes.append(await start_bot_process(api, tmp_path, env))
    await finish_after_the_restart(user, processes[-1], database_url, tmp_path)
    assert [post.status for post in api.webhook.posts if post.update_id == note][-1] == 200
    assert api.webhook_url  # the stop left the webhook set
