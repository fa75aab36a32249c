"""Journeys over Signal in-process: the real runtime, the Signal transport and the fake
signal-cli daemon, a Signal user typing numbers, words, quote-replies. The clock is the test's;
reconnecting is immediate (its sleep is injected)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from bot.chat import texts
from bot.chat.turn import CommandReceived, Event, TextReceived
from bot.cli.schedule import NewSchedule, add_schedule
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, tick
from bot.transports.plain import PlainChoices
from bot.transports.signal.inbound import Incoming, Translator
from bot.transports.signal.memory import Versions
from flows.mood_check import MOOD_PROMPT
from tests.support.clock import FakeClock
from tests.support.fake_signal_cli import RATE_LIMIT_FAILURE, FakeSignalUser
from tests.support.rows import rows
from tests.support.signal_answers import answer_every_question, pick_language
from tests.support.signal_rig import ACCOUNT, SignalRig, signal_rig
from tests.support.words import typed


@pytest_asyncio.fixture
async def signal(settings_for: Callable[..., Settings], clock: FakeClock) -> AsyncIterator[SignalRig]:
    async with signal_rig(settings_for, clock) as rig:
        yield rig


async def test_a_mood_check_by_numbers_words_and_a_quote_reply(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send("mood")  # a command without its slash
    mood = await alex.expect_text("How is your mood")
    assert MOOD_PROMPT.splitlines()[0] in mood.text and "0 to 10" in mood.text
    await alex.send("7")
    feelings = await alex.expect_text("Which words fit")
    assert "1) Calm" in feelings.text
    await alex.quote_reply(feelings.timestamp, "1 4")  # tied to the question it quotes
    await alex.wait_until(lambda: "✓ Tired" in alex.last_message().text or "✓ Tired" in feelings.text)
    await alex.send("done")  # the choice's word
    await alex.expect_text("Anything you'd like to add")
    await alex.send("went for a walk")
    await alex.expect_text("did anything get in the way")
    await alex.send("skip")  # a command without its slash
    await alex.expect_text("Mood 7/10")
    assert await rows(signal.runtime.database, "entries", "status", "answers") == [
        (
            "completed",
            {"mood": 7, "feelings": ["calm", "tired"], "note": "went for a walk", "obstacles": None},
        )
    ]
    assert alex.message(feelings.timestamp).text.endswith("✓ Calm, Tired")  # what "1 4" meant
    assert alex.message(feelings.timestamp).edits == 3  # two ticks in place, then closed
    assert await rows(signal.runtime.database, "people", "transport", "external_user_id") == [
        ("signal", alex.uuid)
    ]
    assert signal.daemon.violations == []


async def test_a_quote_of_an_answered_question_has_expired(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send("/mood")
    mood = await alex.expect_text("How is your mood")
    await alex.send("5")
    await alex.expect_text("Which words fit")
    await alex.quote_reply(mood.timestamp, "3")
    await alex.expect_text(texts.BUTTON_EXPIRED)
    assert await rows(signal.runtime.database, "conversations", "step_id") == [("feelings",)]


async def test_risk_language_mid_flow_gets_the_crisis_reply(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send("mood")
    await alex.expect_text("How is your mood")
    await alex.send("7")
    await alex.expect_text("Which words fit")
    await alex.send("honestly I want to kill myself")
    crisis = await alex.expect_text(texts.CRISIS.split(".")[0][:30])
    assert "⟨" not in crisis.text


async def test_stickers_files_groups_and_strangers_get_kind_answers(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send_sticker()
    await alex.expect_text(typed(texts.MEDIA_NOT_READ))
    await alex.send_attachment(b"\x89PNG", text=None)
    await alex.expect_text(texts.MEDIA_NOT_READ)
    group = signal.daemon.group("Family", [alex])
    await group.send(alex, "/mood")
    await group.expect_text(texts.PRIVATE_ONLY)
    stranger = signal.daemon.user("Unknown")
    await stranger.send("hello")
    await stranger.expect_text(texts.STRANGER[:20])
    assert await rows(signal.runtime.database, "entries", "status") == []


async def test_an_edited_answer_is_not_a_new_answer(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send("mood")
    await alex.expect_text("How is your mood")
    sent = await alex.send("7")
    await alex.expect_text("Which words fit")
    await alex.edit(sent, "3")
    await alex.send("done")
    await alex.expect_text("Anything you'd like to add")
    await alex.send("skip")
    await alex.expect_text("did anything get in the way")
    await alex.send("skip")
    await alex.expect_text("Mood 7/10")


async def test_the_daemon_dropping_the_connection_mid_flow_loses_nothing(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send("mood")
    await alex.expect_text("How is your mood")
    subscriptions = len(signal.daemon.calls_to("subscribeReceive"))
    await signal.daemon.refuse_connections()
    await alex.send("6")  # queued on Signal's server while nobody is subscribed
    assert signal.daemon.queued == 1
    await signal.daemon.accept_connections()
    await signal.daemon.wait_until(lambda: len(signal.daemon.calls_to("subscribeReceive")) > subscriptions)
    await alex.expect_text("Which words fit")
    assert signal.daemon.queued == 0


async def _therapist_and_client(signal: SignalRig) -> tuple[FakeSignalUser, FakeSignalUser]:
    """Ana registers as a therapist on Signal and invites Sam, who joins and agrees there."""
    code = await signal.runtime.practice.issue_registration("Dr Ana Ruiz", signal.clock())
    ana = signal.daemon.user("Ana")
    await ana.send(f"start {code}")  # no link carries a code on Signal: it is typed
    await pick_language(ana)
    await ana.expect_text("therapist")
    await ana.send("/invite Sam")
    invitation = await ana.expect_text("Invitation for Sam")
    assert "send “start " in invitation.text and ACCOUNT in invitation.text
    assert "https://signal.me/#p/" + ACCOUNT in invitation.text
    [bare_code] = await ana.expect()
    sam = signal.daemon.user("Sam")
    await sam.send(f"Start {bare_code.text}")
    await pick_language(sam)
    consent = await sam.expect_text("end-to-end encrypted between your phone and the practice's number")
    assert "not an emergency service" in consent.text and "I agree" in consent.text
    await sam.send("I agree")
    await sam.expect_text("connected with Dr Ana Ruiz")
    return ana, sam


async def test_a_therapist_registers_invites_and_a_client_joins_on_signal(signal: SignalRig) -> None:
    _, sam = await _therapist_and_client(signal)
    async with signal.runtime.database.transaction() as tx:
        person = await tx.people.find("signal", sam.uuid)
    assert person is not None


async def test_a_signal_group_linked_as_the_digest_chat_gets_the_digest_and_its_chart(
    signal: SignalRig,
) -> None:
    ana, sam = await _therapist_and_client(signal)
    for mood in ("4", "6"):
        await sam.send("mood")
        await sam.expect_text("How is your mood")
        await sam.send(mood)
        await sam.expect_text("Which words fit")
        await sam.send("/cancel")
        await sam.expect(1)
        signal.clock.advance(hours=20)
    await ana.send("/digestchat")
    await ana.expect_text("post this line there")
    [line] = await ana.expect()
    group = signal.daemon.group("Ana's digests", [ana])
    await group.send(ana, line.text.removeprefix("/"))  # "link CODE", as typed in Signal
    await signal.transport.client.handled()
    await tick(signal.runtime)  # the drainer's work: these go to other chats than the sender's
    await group.expect_text("Digests for")
    await ana.expect_text("your digests will go to “Ana's digests”")
    await ana.send("/digest Sam")
    await ana.expect_text("Preparing the digest for Sam")
    await tick(signal.runtime)
    await group.wait_until(lambda: any(m.attachments for m in group.messages()))
    texts_shown = "\n".join(m.text for m in group.messages())
    assert "Sam" in texts_shown
    images = [a for m in group.messages() for a in m.attachments if a.content_type == "image/png"]
    assert images and images[0].data.startswith(b"\x89PNG")
    assert signal.daemon.violations == []


async def test_a_thought_record_answered_by_quote_replies(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send("/thought")
    seen = await answer_every_question(alex, "your thought record is saved", quote=True)
    assert len(seen) > 8
    [(status,)] = await rows(signal.runtime.database, "entries", "status")
    assert status == "completed"
    assert signal.daemon.violations == []


async def test_export_arrives_as_files_and_delete_erases_everything(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send("mood")
    await alex.expect_text("How is your mood")
    await alex.send("/export")
    await alex.wait_until(lambda: any(m.attachments for m in alex.messages()))
    files = [a for m in alex.messages() for a in m.attachments]
    assert {f.content_type for f in files} >= {"application/json"}
    await alex.send("delete")
    confirm = await alex.expect_text("Delete everything?")
    assert "1) Yes, delete everything" in confirm.text
    await alex.send("1")
    await alex.expect_text("has been deleted")
    assert await rows(signal.runtime.database, "people", "external_user_id") == []


async def test_a_rate_limit_holds_the_reply_until_signal_allows_it_and_a_captcha_is_told_once(
    signal: SignalRig, caplog: pytest.LogCaptureFixture
) -> None:
    alex = await signal.client()
    signal.daemon.fail_next(RATE_LIMIT_FAILURE, recipient=alex, retry_after_seconds=30, token="tok")
    await alex.send("mood")
    await signal.daemon.wait_until(lambda: len(signal.daemon.calls_to("send")) == 1)
    await signal.transport.client.handled()  # the reply's handler is done with the answer
    assert signal.transport.status()["captcha"] is True
    assert alex.messages() == []
    await tick(signal.runtime)  # too early: nothing is sent, nothing is asked of the daemon
    assert len(signal.daemon.calls_to("send")) == 1
    signal.clock.advance(31)
    await tick(signal.runtime)
    await alex.expect_text("How is your mood")
    assert sum("captcha" in r.message for r in caplog.records) == 1


async def test_a_changed_safety_number_is_told_to_the_therapist_once_and_nothing_more_is_sent(
    signal: SignalRig,
) -> None:
    ana, sam = await _therapist_and_client(signal)
    sam.reinstall()
    for _ in range(2):
        await sam.send("mood")
        await signal.transport.client.handled()
        await tick(signal.runtime)
    told = await ana.expect_text("Signal safety number has changed")
    assert "Sam" in told.text
    await tick(signal.runtime)
    assert sum("safety number" in m.text for m in ana.messages()) == 1
    assert [m for m in sam.messages() if "How is your mood" in m.text] == []
    assert signal.daemon.calls_to("trust") == []
    assert signal.transport.status()["safety_numbers_changed"] == 1


async def test_urge_surfing_edits_one_message_at_most_ten_times_then_asks_anew(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send("urge")
    await alex.expect_text("(type your answer")
    await alex.send("skip")
    await alex.expect_text("(type a number from 0 to 10)")
    await alex.send("7")
    await alex.expect_text("15 minutes")
    await alex.send("1")  # 5 minutes
    for _ in range(5 * 60 // 20 + 3):
        signal.clock.advance(20)
        await tick(signal.runtime)
    after = await alex.expect_text("from 0 to 10")
    live = [m for m in alex.messages() if m.edits]
    assert live and all(m.edits <= 10 for m in live)
    assert after.edits == 0  # the question after the timer is a new message
    assert signal.daemon.violations == []
    edits = [c for c in signal.daemon.calls_to("send") if "editTimestamp" in c.params]
    assert all(c.params.get("noUrgent") is True for c in edits)


async def test_a_scheduled_prompt_snoozed_by_number_then_skipped_by_its_words(signal: SignalRig) -> None:
    alex = await signal.client()
    async with signal.runtime.database.transaction() as tx:
        person = await tx.people.find("signal", alex.uuid)
    assert person is not None
    schedule = NewSchedule(f"#{person.id}", "mood", "09:30")
    await add_schedule(signal.runtime.database, signal.runtime.settings, signal.clock, schedule)
    signal.clock.advance(minutes=31)  # 09:30 and Signal's spread of scheduled prompts (a minute)
    await tick(signal.runtime)
    await signal.runtime.courier.flush()  # the ledger's group commit (0.25 s in production)
    prompt = await alex.expect_text("mood check")
    assert "1) Start now" in prompt.text and "2) In 15 min" in prompt.text
    await alex.send("2")
    await alex.wait_until(lambda: alex.message(prompt.timestamp).edits == 1)  # it says "later"
    assert "1) Start now" not in alex.message(prompt.timestamp).text
    signal.clock.advance(minutes=16)
    await tick(signal.runtime)
    await signal.runtime.courier.flush()
    again = await alex.expect_text("Skip today")
    await alex.send("skip today")
    reason = await alex.expect_text("1) ")
    await alex.quote_reply(reason.timestamp, "1")
    await alex.wait_until(lambda: len(alex.messages()) > 2)
    statuses = [status for (status,) in await rows(signal.runtime.database, "due_prompts", "status")]
    assert sorted(statuses) == ["pending", "skipped"]  # today's skipped; tomorrow's waits
    assert again.text.endswith("✓ Skipped for today")


async def test_a_therapist_types_commands_without_the_slash_and_a_client_does_not_get_them(
    signal: SignalRig,
) -> None:
    ana, sam = await _therapist_and_client(signal)
    await ana.send("invite Bo")
    await ana.expect_text("Invitation for Bo")
    await ana.expect(1)  # the bare code
    await ana.send("digest Sam")
    await ana.expect_text("Preparing the digest for Sam")
    await sam.send("invite Bo")  # a client's words, not a therapist's command
    [reply] = await sam.expect()
    assert "Invitation" not in reply.text
    assert await rows(signal.runtime.database, "people", "alias") == [(None,), ("Sam",)]


async def test_a_text_answer_that_starts_with_a_command_word_is_the_answer(signal: SignalRig) -> None:
    alex = await signal.client()
    await alex.send("thought")
    await alex.expect_text("What happened?")
    await alex.send("mood was low when the meeting began")  # "mood" is a command word
    await alex.expect_text("What did you feel?")
    assert await rows(signal.runtime.database, "conversations", "flow_id", "step_id") == [
        ("thought_record", "emotions")
    ]
    await alex.send("cancel")  # a way out, typed alone, is still the command
    await alex.wait_until(lambda: "What did you feel?" not in alex.last_message().text)
    assert await rows(signal.runtime.database, "conversations", "flow_id") == []


async def test_therapist_words_are_commands_only_in_a_therapists_chat(
    runtime: Runtime, clock: FakeClock
) -> None:
    async def is_therapist(chat_id: str) -> bool:
        return chat_id == "ana"

    choices = PlainChoices(runtime.database, "signal", clock)
    translator = Translator(choices, Versions(runtime.database, clock), ["invite", "digest"], is_therapist)

    async def events(uuid: str, text: str) -> list[Event]:
        return await translator.events(Incoming(uuid, 1, {"message": text}, False, None, ""), {"mood"})

    assert await events("ana", "digest Sam") == [CommandReceived("digest", "Sam")]
    assert await events("ana", "/digest Sam") == [CommandReceived("digest", "Sam")]
    assert await events("sam", "digest Sam") == [TextReceived("digest Sam")]
    assert await events("sam", "mood") == [CommandReceived("mood", "")]
