"""A practice on both messengers through one real `between run`: therapist Ana on Signal with
Sam and Lee on Signal and Tom on Telegram. One process carries every journey in turn (each
start costs seconds): joining, each homework type over Signal (mood check, thought record,
urge surfing, breathing with its animation, PHQ-9), a scheduled prompt snoozed and skipped,
risk language mid-flow, a photo, the daemon dropping the connection mid-flow, the digests
before a session for a client on each messenger, export and delete, a rate limit with a
captcha, a changed safety number. Then: nothing a client wrote in the process's log, and
nothing left in signal-cli's attachment folder."""

from __future__ import annotations

import asyncio
import io
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from bot.chat import texts
from bot.safety import texts as safety_texts
from flows.breathing import CALM_AFTER
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.fake_signal_cli import RATE_LIMIT_FAILURE, FakeSignalCli, FakeSignalUser
from tests.support.journeys import RISKY, answer
from tests.support.rows import change, count, rows
from tests.support.signal_answers import (
    BREATHING_BOX_MINUTE,
    answer_every_question,
    converse,
    pick_language,
)
from tests.support.signal_process import (
    FAST_TICKS,
    MANY_MESSAGES,
    WAIT,
    eventually,
    midday_zone,
    registration_code,
    start_with_signal,
)

CANARY = "CANARY-signal-heron-8123"


async def join_on_signal(ana: FakeSignalUser, daemon: FakeSignalCli, alias: str) -> FakeSignalUser:
    await ana.send(f"/invite {alias}")
    await ana.expect_text(f"Invitation for {alias}", timeout=WAIT)
    [code] = await ana.expect(timeout=WAIT)
    client = daemon.user(alias)
    await client.send(f"start {code.text}")
    await pick_language(client, timeout=WAIT)
    await client.expect_text("I agree", timeout=WAIT)
    await client.send("I agree")
    await client.expect_text("connected with Dr Ana Ruiz", timeout=WAIT)
    await ana.expect_text(f"{alias} accepted your invitation", timeout=WAIT)
    return client


async def join_on_telegram(ana: FakeSignalUser, api: FakeBotApi, user_id: int, alias: str) -> FakeUser:
    await ana.send(f"/invite {alias}")
    invitation = await ana.expect_text(f"Invitation for {alias}", timeout=WAIT)
    assert "https://t.me/" in invitation.text and "send “start " in invitation.text  # both ways in
    [code] = await ana.expect(timeout=WAIT)
    client = api.user(user_id, first_name=alias)
    await client.send(f"/start {code.text}")
    await client.expect_text("emergency", timeout=WAIT)
    await client.press(texts.BUTTON_AGREE)
    await client.expect_text("connected with Dr Ana Ruiz", timeout=WAIT)
    await ana.expect_text(f"{alias} accepted your invitation", timeout=WAIT)
    return client


async def every_homework_type(sam: FakeSignalUser, daemon: FakeSignalCli) -> None:
    """Each homework type over Signal, everything Sam types carrying the canary."""
    await sam.send("mood")
    await sam.expect_text("How is your mood", timeout=WAIT)
    await daemon.drop_connections()  # signal-cli restarts mid-flow: the answer waits on Signal's server
    await sam.send("7")
    await sam.expect_text("Which words fit", timeout=WAIT)
    await sam.send("1 4")
    await sam.wait_until(lambda: "✓ Tired" in sam.last_message().text, timeout=WAIT)
    await sam.send("done")
    await answer_every_question(sam, "Mood 7/10", words=f"a note {CANARY}", timeout=WAIT)

    await sam.send("thought")
    await answer_every_question(sam, "your thought record is saved", words=f"{CANARY} thought", timeout=WAIT)

    await converse(
        sam,
        ("urge", "(type your answer"),
        (f"the urge {CANARY}", "from 0 to 10"),
        ("7", "15 minutes"),
        ("1", "left"),
        timeout=WAIT,
    )
    await sam.send("stop")
    await answer_every_question(sam, "It's saved in your journal", words=f"noticed {CANARY}", timeout=WAIT)

    guide = await converse(sam, *BREATHING_BOX_MINUTE, ("4", "Breathe in 4 s · Hold 4 s"), timeout=WAIT)
    [animation] = guide.attachments
    assert Image.open(io.BytesIO(animation.data)).n_frames > 1
    await sam.expect_text("Get ready", timeout=WAIT)
    await converse(
        sam,
        ("stop", CALM_AFTER),
        ("6", "did anything get in the way"),
        (f"noise {CANARY}", "Calm went from 4 to 6"),
        timeout=WAIT,
    )

    await sam.send("/phq9")
    await answer_every_question(sam, "your therapist will go through it with you", timeout=WAIT)


async def risk_mid_flow_and_a_photo(sam: FakeSignalUser, ana: FakeSignalUser) -> None:
    await sam.send("mood")
    await sam.expect_text("How is your mood", timeout=WAIT)
    await sam.send(f"{RISKY} {CANARY}")
    await sam.expect_text(texts.CRISIS[:30], timeout=WAIT)
    alert = await ana.expect_text("⚑ Risk language — Sam", timeout=WAIT)
    assert safety_texts.RISK_ALERT.split("{alias}")[0] in alert.text
    await sam.send("/cancel")
    await sam.expect(timeout=WAIT)
    await sam.send_attachment(b"\x89PNG photo of a page", text=f"my diary {CANARY}")
    await sam.expect_text(texts.MEDIA_NOT_READ, timeout=WAIT)
    await sam.send("help")  # one envelope at a time: once this is answered, the photo is done with
    await sam.expect_text(texts.HELP_HEADER, timeout=WAIT)


async def scheduled_prompt_snoozed_then_skipped(
    ana: FakeSignalUser, sam: FakeSignalUser, database: Database, zone: ZoneInfo
) -> None:
    soon = (datetime.now(UTC) + timedelta(minutes=3)).astimezone(zone)
    await ana.send(f'/assign Sam mood {soon:%H:%M} daily "to notice the dips"')
    await ana.expect_text("Assigned to Sam: mood check", timeout=WAIT)
    await sam.expect_text("from 0 to 10", timeout=WAIT)  # how confident they are
    await sam.send("8")
    await eventually(lambda: _has_rows(database, "due_prompts"))
    today = min(await rows(database, "due_prompts", "local_day", "id"))[1]
    await change(database, "due_prompts", {"id": today}, due_at=datetime.now(UTC))  # 3 minutes on
    prompt = await sam.expect_text("1) Start now", timeout=WAIT)
    assert "2) In 15 min" in prompt.text
    await sam.send("2")
    await sam.wait_until(lambda: "1) Start now" not in sam.message(prompt.timestamp).text, timeout=WAIT)
    await change(database, "due_prompts", {"id": today}, due_at=datetime.now(UTC))  # 15 minutes on
    await sam.expect_text("Skip today", timeout=WAIT)
    await sam.send("skip today")
    reason = await sam.expect_text("1) ", timeout=WAIT)
    await sam.quote_reply(reason.timestamp, "1")
    await eventually(lambda: _has_rows(database, "due_prompts", id=today, status="skipped"))


async def _has_rows(database: Database, table: str, **equal: object) -> bool:
    return await count(database, table, **equal) > 0


async def digests_before_sessions(ana: FakeSignalUser, tom: FakeUser, zone: ZoneInfo) -> None:
    """Tom does a mood check on Telegram; both clients' sessions are within the hour, so each
    digest comes right away, on Signal, with its chart."""
    await tom.send("/mood")
    await tom.expect_text("How is your mood", timeout=WAIT)
    await answer(tom, "press:5", "toggle:Calm", "press:Done", "press:Skip")
    await tom.press("Skip")
    await tom.expect_text("Mood 5/10", timeout=WAIT)
    session = (datetime.now(UTC) + timedelta(hours=1)).astimezone(zone)
    for alias in ("Sam", "Tom"):
        await ana.send(f"/session {alias} {session:%Y-%m-%d %H:%M}")
        await ana.expect_text(f"with {alias}", timeout=WAIT)
    shown = {}
    for _ in range(2):  # in either order
        digest = await ana.expect_text("Pre-session digest: ", timeout=WAIT)
        alias = digest.text.split("Pre-session digest: ", 1)[1].split()[0]
        shown[alias] = digest.text
    assert set(shown) == {"Sam", "Tom"}
    assert shown["Sam"].startswith("⚠ HIGH-RISK FLAG — Sam: risk language in mood check")  # first
    assert "highest 7" in shown["Sam"] and "BREATHING" in shown["Sam"] and "PHQ-9" in shown["Sam"]
    assert "1 check-in · lowest 5 · average 5.0 · highest 5" in shown["Tom"]
    await ana.wait_until(
        lambda: sum(a.content_type == "image/png" for m in ana.messages() for a in m.attachments) >= 2,
        timeout=WAIT,
    )


async def export_and_delete(lee: FakeSignalUser, database: Database) -> None:
    await lee.send("export")
    await lee.wait_until(lambda: any(m.attachments for m in lee.messages()), timeout=WAIT)
    assert "application/json" in {a.content_type for m in lee.messages() for a in m.attachments}
    await lee.send("delete")
    await lee.expect_text("1) Yes, delete everything", timeout=WAIT)
    await lee.send("1")
    await lee.expect_text("has been deleted", timeout=WAIT)
    assert await count(database, "people", external_user_id=lee.uuid) == 0


async def rate_limit_then_a_changed_safety_number(
    sam: FakeSignalUser, ana: FakeSignalUser, daemon: FakeSignalCli
) -> None:
    daemon.fail_next(RATE_LIMIT_FAILURE, recipient=sam, retry_after_seconds=1, token="captcha-token")
    await sam.send("help")
    await sam.expect_text(texts.HELP_HEADER, timeout=WAIT)  # held a second, then sent once more
    tries = [c for c in daemon.calls_to("send") if texts.HELP_HEADER in str(c.params.get("message"))]
    assert [c.params["recipient"] for c in tries[-2:]] == [[sam.uuid]] * 2 and tries[-2].error is not None
    assert sum(texts.HELP_HEADER in m.text for m in sam.messages()) == 2  # this one and the photo's
    sam.reinstall()
    await sam.send("mood")
    told = await ana.expect_text("Sam's Signal safety number has changed", timeout=WAIT)
    assert told.text.startswith("Sam's")
    assert daemon.calls_to("trust") == []


async def test_a_practice_on_signal_and_telegram_through_one_between_run(
    api: FakeBotApi,
    database: Database,
    database_url: str,
    tmp_path: Path,
    processes: list[asyncio.subprocess.Process],
) -> None:
    zone_name = midday_zone(datetime.now(UTC))
    attachments = tmp_path / "xdg" / "signal-cli" / "attachments"
    async with FakeSignalCli(attachment_dir=attachments) as daemon:
        env = {"DEFAULT_TIMEZONE": zone_name, "XDG_DATA_HOME": str(tmp_path / "xdg")}
        env |= FAST_TICKS | MANY_MESSAGES
        process = await start_with_signal(api, daemon, database_url, tmp_path, **env)
        processes.append(process)
        ana = daemon.user("Ana")
        await ana.send(f"start {await registration_code(database_url, 'Dr Ana Ruiz')}")
        await pick_language(ana, timeout=WAIT)
        await ana.expect_text("therapist", timeout=WAIT)
        sam = await join_on_signal(ana, daemon, "Sam")
        tom = await join_on_telegram(ana, api, 3101, "Tom")
        lee = await join_on_signal(ana, daemon, "Lee")

        await every_homework_type(sam, daemon)
        await risk_mid_flow_and_a_photo(sam, ana)
        await scheduled_prompt_snoozed_then_skipped(ana, sam, database, ZoneInfo(zone_name))
        await digests_before_sessions(ana, tom, ZoneInfo(zone_name))
        await export_and_delete(lee, database)
        await rate_limit_then_a_changed_safety_number(sam, ana, daemon)
        assert daemon.violations == []

        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=WAIT) == 0
        assert process.stdout is not None
        output = (await process.stdout.read()).decode()
    [(sam_id,)] = await rows(database, "people", "id", external_user_id=sam.uuid)
    entries = await rows(database, "entries", "flow_id", person_id=sam_id, status="completed")
    completed = {flow_id for (flow_id,) in entries}
    assert completed >= {"mood_check", "thought_record", "urge_surfing", "breathing", "phq9"}
    assert CANARY not in output and "diary" not in output
    assert output.count("captcha") == 1
    assert not attachments.exists() or list(attachments.iterdir()) == []
