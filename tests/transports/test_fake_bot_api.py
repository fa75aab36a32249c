"""The fake Bot API is only useful if the real python-telegram-bot stack accepts it.

These tests run PTB's own Bot/Application against it over HTTP and check the behaviour
the bot's tests rely on: updates, keyboards, edits, uploads, error mapping, long polling,
redelivery and rate limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, TypeAlias

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from tests.support.fake_bot_api import ApiError, FakeBotApi
from tests.support.fake_bot_api.driver import CHAT_OWNER
from tests.support.fake_bot_api.media import PNG_SIGNATURE, make_png

pytestmark = pytest.mark.asyncio

PTBApp: TypeAlias = "Application[Any, Any, Any, Any, Any, Any]"


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB 23 behaviour (durations as timedelta) so no deprecation warnings fire."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest_asyncio.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@contextlib.asynccontextmanager
async def plain_bot(api: FakeBotApi, token: str | None = None) -> AsyncIterator[Bot]:
    """A bare PTB Bot (no polling) for calling API methods directly."""
    bot = Bot(token or api.token, base_url=api.base_url, base_file_url=api.base_file_url)
    async with bot:
        yield bot


class EchoBot:
    """A throwaway PTB application: /start offers a keyboard, presses edit, text is echoed."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.updates: list[Update] = []
        self.stop_seconds: float | None = None
        self.app = (
            ApplicationBuilder()
            .token(api.token)
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .build()
        )
        self.app.add_handler(TypeHandler(Update, self._record), group=-1)
        self.app.add_handler(CommandHandler("start", self._start))
        self.app.add_handler(CallbackQueryHandler(self._pressed))
        self.app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self._echo))

    async def _record(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.updates.append(update)

    async def _start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Yes", callback_data="answer:yes"),
                    InlineKeyboardButton("Not now", callback_data="answer:no"),
                ]
            ]
        )
        suffix = f" ({' '.join(context.args)})" if context.args else ""
        await update.effective_message.reply_text(f"Welcome! Ready?{suffix}", reply_markup=keyboard)

    async def _pressed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer(f"got {query.data}")
        # PTB 22 parses an InaccessibleMessage (date 0) as a Message; check is_accessible.
        if query.message is not None and query.message.is_accessible:
            await query.edit_message_text(f"You chose {query.data}")

    async def _echo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    def seen(self, update_id: int) -> int:
        return sum(1 for update in self.updates if update.update_id == update_id)

    async def wait_seen(self, update_id: int, times: int = 1) -> Update:
        await self.api.wait_until(lambda: self.seen(update_id) >= times)
        return next(u for u in reversed(self.updates) if u.update_id == update_id)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[PTBApp]:
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        # timeout=1 keeps each long poll short; stop() cancels the pending one anyway.
        await self.app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield self.app
        finally:
            started = time.monotonic()
            await self.app.updater.stop()
            await self.app.stop()
            await self.app.shutdown()
            self.stop_seconds = time.monotonic() - started


async def test_conversation_round_trip(fake_api: FakeBotApi) -> None:
    echo = EchoBot(fake_api)
    async with echo.running() as app:
        await app.bot.set_my_commands([BotCommand("start", "Begin homework")])
        alex = fake_api.user(42, "Alex")

        await alex.send("/start week1")
        [welcome] = await alex.expect()
        assert welcome.text == "Welcome! Ready? (week1)"
        assert welcome.buttons == [[("Yes", "answer:yes"), ("Not now", "answer:no")]]
        assert welcome.message_id == 2  # ids are shared with the user's message (#1)

        query_id = await alex.press("Yes")
        answer = await alex.wait_callback_answer(query_id)
        assert answer.text == "got answer:yes" and not answer.show_alert
        await fake_api.wait_until(lambda: welcome.edits == 1)
        assert welcome.text == "You chose answer:yes"
        assert welcome.buttons == []  # editing without reply_markup drops the keyboard
        assert welcome.history == ["Welcome! Ready? (week1)"]

        await alex.send("hello there")
        reply = await alex.expect_text("echo: hello there")
        assert reply.message_id == 4
        assert [m.message_id for m in alex.messages()] == [2, 4]

        with pytest.raises(AssertionError, match=r"available: #2: \[\]|no inline keyboards"):
            await alex.press("Maybe")

        assert fake_api.commands == [{"command": "start", "description": "Begin homework"}]
        assert [c.command for c in await app.bot.get_my_commands()] == ["start"]

    start_update = echo.updates[0]
    assert start_update.message is not None and start_update.message.entities[0].type == "bot_command"
    assert start_update.message.entities[0].length == len("/start")
    query_update = next(u for u in echo.updates if u.callback_query is not None)
    assert query_update.callback_query is not None
    shown = query_update.callback_query.message
    assert isinstance(shown, Message) and shown.message_id == welcome.message_id
    assert shown.reply_markup is not None and shown.from_user is not None and shown.from_user.is_bot
    assert query_update.callback_query.chat_instance
    send = fake_api.calls_to("sendMessage")[0]
    assert send.params["chat_id"] == 42 and isinstance(send.params["reply_markup"], dict)
    assert echo.stop_seconds is not None and echo.stop_seconds < 2.0


async def test_every_user_update_kind_parses_in_ptb(fake_api: FakeBotApi) -> None:
    echo = EchoBot(fake_api)
    async with echo.running() as app:
        alex = fake_api.user(7, "Alex", language_code="de")
        sticker = await alex.send_sticker()
        photo = await alex.send_photo(caption="my worksheet")
        voice = await alex.send_voice()
        location = await alex.send_location()
        await alex.send("first draft")
        draft_id = alex.last_sent_id
        assert draft_id is not None
        edited = await alex.edit(draft_id, "second draft")
        forwarded = await alex.forward("a quote I liked")
        group = fake_api.group(-100500, "Homework group")
        in_group = await group.send(alex, "/start@between_test_bot")
        stale = await alex.press_data("answer:forged", message_id=999)

        got = {uid: await echo.wait_seen(uid) for uid in (sticker, photo, voice, location, edited)}
        sticker_msg = got[sticker].message
        assert sticker_msg is not None and sticker_msg.sticker is not None
        assert sticker_msg.sticker.emoji == "👍"
        photo_msg = got[photo].message
        assert photo_msg is not None and photo_msg.caption == "my worksheet"
        assert photo_msg.from_user is not None and photo_msg.from_user.language_code == "de"
        downloaded = await (await app.bot.get_file(photo_msg.photo[-1].file_id)).download_as_bytearray()
        assert bytes(downloaded).startswith(PNG_SIGNATURE)
        voice_msg = got[voice].message
        assert (
            voice_msg is not None
            and voice_msg.voice is not None
            and voice_msg.voice.duration == timedelta(seconds=3)
        )
        location_msg = got[location].message
        assert location_msg is not None and location_msg.location is not None
        edited_msg = got[edited].edited_message
        assert edited_msg is not None and edited_msg.text == "second draft"
        assert edited_msg.message_id == draft_id
        forwarded_msg = (await echo.wait_seen(forwarded)).message
        assert forwarded_msg is not None and forwarded_msg.forward_origin is not None
        group_update = await echo.wait_seen(in_group)
        assert group_update.effective_chat is not None and group_update.effective_chat.type == "group"
        [group_reply] = await group.expect()
        assert group_reply.text == "Welcome! Ready?" and group_reply.chat_id == -100500
        stale_query = (await echo.wait_seen(int(max(fake_api.updates)))).callback_query
        assert stale_query is not None and stale_query.message is not None
        assert not stale_query.message.is_accessible
        await alex.wait_callback_answer(stale)

        blocked = await alex.block_bot()
        member = (await echo.wait_seen(blocked)).my_chat_member
        assert member is not None and member.new_chat_member.status == "kicked"


async def test_uploads_keep_bytes_and_can_be_downloaded(fake_api: FakeBotApi) -> None:
    fake_api.user(42)
    async with plain_bot(fake_api) as bot:
        sent = await bot.send_document(
            42, document=b"line 1\nline 2\n", filename="notes.txt", caption="Notes"
        )
        assert sent.document is not None and sent.document.file_name == "notes.txt"
        document = fake_api.sent_messages(42)[-1]
        assert document.document == b"line 1\nline 2\n" and document.filename == "notes.txt"
        assert document.caption == "Notes" and document.mime_type == "text/plain"

        png = make_png(3, 2)
        photo = await bot.send_photo(42, photo=png, caption="<b>Mood</b> chart", parse_mode="HTML")
        assert photo.photo[-1].width == 3 and photo.photo[-1].height == 2
        assert photo.caption == "Mood chart" and photo.caption_entities[0].type == "bold"
        stored = fake_api.sent_messages(42)[-1]
        assert stored.photo is not None and stored.photo.startswith(PNG_SIGNATURE)
        upload = fake_api.calls_to("sendPhoto")[0].files["photo"]
        assert upload.content == png

        again = await bot.send_photo(42, photo=photo.photo[-1].file_id)  # re-send by file_id
        assert fake_api.sent_messages(42)[-1].photo == png and again.photo
        data = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
        assert bytes(data) == b"line 1\nline 2\n"

        with pytest.raises(BadRequest, match="Image_process_failed"):
            await bot.send_photo(42, photo=b"definitely not an image")
        with pytest.raises(BadRequest, match="caption is too long"):
            await bot.send_document(42, document=b"x", filename="a.txt", caption="c" * 1025)


async def test_errors_map_to_ptb_exceptions(fake_api: FakeBotApi) -> None:
    fake_api.user(42)
    fake_api.user(43)
    async with plain_bot(fake_api) as bot:
        fake_api.fail_next(
            "sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7
        )
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(42, "hi")
        assert limited.value.retry_after == timedelta(seconds=7)

        fake_api.fail_next("sendMessage", status=500, description="Internal Server Error", times=2)
        for _ in range(2):
            with pytest.raises(NetworkError) as server_error:
                await bot.send_message(42, "hi")
            assert not isinstance(server_error.value, BadRequest)
        await bot.send_message(42, "works again")

        fake_api.fail_next("sendMessage", status=400, description="Bad Request: chat not found", chat_id=43)
        await bot.send_message(42, "other chats are unaffected")
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(43, "hi")
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(999, "nobody has this id")

        fake_api.block(42)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(42, "still there?")
        with pytest.raises(Forbidden):
            await bot.send_chat_action(42, "typing")
        fake_api.unblock(42)

        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ok", callback_data="ok")]])
        sent = await bot.send_message(42, "Same", reply_markup=keyboard)
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("Same", chat_id=42, message_id=sent.message_id, reply_markup=keyboard)
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_reply_markup(chat_id=42, message_id=sent.message_id, reply_markup=keyboard)
        await bot.edit_message_text("Same", chat_id=42, message_id=sent.message_id)  # drops keyboard
        assert fake_api.sent_messages(42)[-1].buttons == []
        with pytest.raises(BadRequest, match="to edit not found"):
            await bot.edit_message_text("x", chat_id=42, message_id=12345)
        await bot.delete_message(42, sent.message_id)
        with pytest.raises(BadRequest, match="to delete not found"):
            await bot.delete_message(42, sent.message_id)

        ok_data = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="x" * 64)]])
        await bot.send_message(42, "64 bytes is fine", reply_markup=ok_data)
        for too_long in ("x" * 65, "é" * 33):  # the limit is in bytes, not characters
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data=too_long)]])
            with pytest.raises(BadRequest, match="Button_data_invalid"):
                await bot.send_message(42, "too long", reply_markup=markup)

        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(42, "x" * 4097)
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(42, "   ")
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query("12345")
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("definitelyNotAMethod")

    url = f"{fake_api.base_url}{fake_api.token}/noSuchMethod"
    async with aiohttp.ClientSession() as session, session.post(url) as response:
        assert response.status == 404
        assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    with pytest.raises(InvalidToken):
        async with plain_bot(fake_api, token="654321:WRONG"):
            pass
    assert fake_api.calls[-1].status == 401


async def test_parse_modes_render_like_telegram(fake_api: FakeBotApi) -> None:
    fake_api.user(42)
    async with plain_bot(fake_api) as bot:
        html = await bot.send_message(
            42, "<b>Step 1</b> &lt;3 <a href='https://x.org'>link</a>", parse_mode="HTML"
        )
        assert html.text == "Step 1 <3 link"
        assert [(e.type, e.offset, e.length) for e in html.entities] == [("bold", 0, 6), ("text_link", 10, 4)]
        assert (
            fake_api.sent_messages(42)[-1].raw_text == "<b>Step 1</b> &lt;3 <a href='https://x.org'>link</a>"
        )
        with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
            await bot.send_message(42, "1 < 2", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Can't parse entities"):
            await bot.send_message(42, "<b>unclosed", parse_mode="HTML")

        md = await bot.send_message(42, "*Done*\\. Rate 1\\-10", parse_mode="MarkdownV2")
        assert md.text == "Done. Rate 1-10" and md.entities[0].type == "bold"
        with pytest.raises(BadRequest, match="reserved"):
            await bot.send_message(42, "Done.", parse_mode="MarkdownV2")
        emoji = await bot.send_message(42, "🙂 *ok*", parse_mode="MarkdownV2")
        assert emoji.entities[0].offset == 3  # UTF-16 offsets, like Telegram


async def test_long_poll_answers_as_soon_as_an_update_arrives(fake_api: FakeBotApi) -> None:
    alex = fake_api.user(42)
    async with plain_bot(fake_api) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=timedelta(milliseconds=200)) == ()
        assert 0.15 < time.monotonic() - started < 1.5  # empty poll honours the timeout

        poll = asyncio.create_task(bot.get_updates(timeout=10))
        await fake_api.wait_until(lambda: len(fake_api.calls_to("getUpdates")) == 2)
        started = time.monotonic()
        update_id = await alex.send("hi")
        [update] = await poll
        assert time.monotonic() - started < 1.0
        assert update.update_id == update_id and update.message is not None
        assert update.message.text == "hi" and update.message.chat.type == "private"

        again = await bot.get_updates(timeout=0)  # not confirmed yet: delivered again
        assert [u.update_id for u in again] == [update_id]
        assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
        assert fake_api.pending_update_ids() == []

        second = await alex.send("two")
        third = await alex.send("three")
        assert [u.update_id for u in await bot.get_updates(offset=second, limit=1, timeout=0)] == [second]
        assert [u.update_id for u in await bot.get_updates(offset=third, timeout=0)] == [third]

        waiting = asyncio.create_task(bot.get_updates(offset=third + 1, timeout=10))
        await fake_api.wait_until(lambda: fake_api.calls_to("getUpdates")[-1].status is None)
        # A second bot instance: PTB's getUpdates pool has a single connection per Bot.
        async with plain_bot(fake_api) as other_instance:
            await other_instance.get_updates(offset=third + 1, timeout=0)
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await waiting


async def test_redelivered_update_reaches_the_bot_twice(fake_api: FakeBotApi) -> None:
    echo = EchoBot(fake_api)
    async with echo.running():
        alex = fake_api.user(42)
        update_id = await alex.send("once")
        await echo.wait_seen(update_id)
        await alex.expect_text("echo: once")
        # PTB confirms through the offset of its next poll; the queue then drains.
        await fake_api.wait_until(lambda: fake_api.pending_update_ids() == [])

        await fake_api.redeliver(update_id)
        await echo.wait_seen(update_id, times=2)
        [duplicate] = await alex.expect()
        assert duplicate.text == "echo: once"
        follow_up = await alex.send("next")
        await alex.expect_text("echo: next")
        assert echo.seen(follow_up) == 1 and echo.seen(update_id) == 2
    offsets = [c.params.get("offset") for c in fake_api.calls_to("getUpdates")]
    assert update_id + 1 in offsets


async def test_rate_limits_use_a_sliding_window_on_the_injected_clock() -> None:
    now = [1000.0]
    async with FakeBotApi(
        enforce_rate_limits=True, global_per_second=3, per_chat_per_second=1.0, clock=lambda: now[0]
    ) as api:
        for user_id in (1, 2, 3, 4):
            api.user(user_id)
        async with plain_bot(api) as bot:
            await bot.send_message(1, "first")
            with pytest.raises(RetryAfter) as limited:
                await bot.send_message(1, "second, same second")
            assert limited.value.retry_after == timedelta(seconds=1)
            now[0] += 0.5
            with pytest.raises(RetryAfter):
                await bot.send_message(1, "still inside the window")
            now[0] += 0.6
            await bot.send_message(1, "window slid past the first send")

            await bot.send_message(2, "b")
            await bot.send_message(3, "c")
            with pytest.raises(RetryAfter):
                await bot.send_message(4, "fourth in one second: global limit")
            await bot.send_chat_action(4, "typing")  # chat actions are not limited
            now[0] += 1.01
            await bot.send_message(4, "d")
    assert api.too_many_requests == 3
    assert [m.text for m in api.sent_messages(1)] == ["first", "window slid past the first send"]


async def test_waits_fail_with_a_helpful_message(fake_api: FakeBotApi) -> None:
    alex = fake_api.user(42)
    with pytest.raises(AssertionError, match=r"timed out after 0\.05s waiting for never"):
        await fake_api.wait_until(lambda: False, timeout=0.05, message="never")
    fake_api.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    async with plain_bot(fake_api) as bot:
        with pytest.raises(Forbidden):
            await bot.send_message(42, "lost")
        await bot.send_message(42, "kept")
    with pytest.raises(AssertionError) as waited:
        await alex.expect(2, timeout=0.05)
    report = str(waited.value)
    assert "2 new bot message(s) in chat 42" in report and "'kept'" in report
    assert "sendMessage" in report and "403" in report  # the failed send is listed
    [kept] = await alex.expect()
    assert kept.text == "kept"
    assert ApiError(429, "x", retry_after=3).payload()["parameters"] == {"retry_after": 3}


async def test_channel_posts_parse_in_ptb_and_the_bot_can_post_there(fake_api: FakeBotApi) -> None:
    channel = fake_api.channel(-1001234567890, "Digests")
    assert fake_api.channel(-1001234567890) is channel and channel.bot_is_member
    async with plain_bot(fake_api) as bot:
        posted = await channel.post("/link@between_test_bot 4711")
        [update] = await bot.get_updates(timeout=0)
        post = update.channel_post
        assert update.update_id == posted and post is not None and update.effective_message is post
        assert post.chat.type == "channel" and post.chat.title == "Digests"
        assert post.sender_chat is not None and post.sender_chat.id == channel.chat_id
        assert post.from_user is None and update.effective_user is None
        assert post.text == "/link@between_test_bot 4711" and post.message_id == channel.last_post_id
        assert [(e.type, e.offset, e.length) for e in post.entities] == [("bot_command", 0, 22)]
        raw = fake_api.updates[posted]["channel_post"]
        assert "from" not in raw and raw["sender_chat"] == raw["chat"]
        assert raw["chat"] == {"id": -1001234567890, "type": "channel", "title": "Digests"}

        edited_id = await channel.edit_post(post.message_id, "/link 4712")
        [edited] = await bot.get_updates(offset=posted + 1, timeout=0)
        assert edited.update_id == edited_id and edited.edited_channel_post is not None
        assert edited.edited_channel_post.text == "/link 4712" and edited.edited_channel_post.edit_date
        assert edited.edited_channel_post.message_id == post.message_id
        with pytest.raises(AssertionError, match="no post 99"):
            await channel.edit_post(99, "nope")

        sent = await bot.send_message(channel.chat_id, "<b>Linked</b>", parse_mode="HTML")
        assert sent.sender_chat is not None and sent.sender_chat.id == channel.chat_id
        assert sent.from_user is None and sent.chat.type == "channel" and sent.text == "Linked"
        pdf = b"%PDF-1.4\n% digest\n"
        document = await bot.send_document(channel.chat_id, document=pdf, filename="digest.pdf")
        assert document.document is not None and document.document.file_name == "digest.pdf"
        png = make_png(4, 3)
        photo = await bot.send_photo(channel.chat_id, photo=png, caption="Mood chart")
        assert photo.photo[-1].width == 4 and photo.sender_chat is not None

        text_msg, doc_msg, photo_msg = await channel.expect(3)
        assert text_msg.text == "Linked" and text_msg.message_id == post.message_id + 1
        assert doc_msg.kind == "document" and doc_msg.document == pdf and doc_msg.content == pdf
        assert doc_msg.filename == "digest.pdf" and doc_msg.mime_type == "application/pdf"
        assert photo_msg.photo == png and photo_msg.caption == "Mood chart"
        assert photo_msg.kind == "photo" and channel.last_message() is photo_msg
        assert all(m.chat_id == channel.chat_id for m in channel.messages())
        await bot.edit_message_text("Linked again", chat_id=channel.chat_id, message_id=sent.message_id)
        assert text_msg.text == "Linked again"

        chat = await bot.get_chat(channel.chat_id)
        assert chat.type == "channel" and chat.title == "Digests"
        me = await bot.get_chat_member(channel.chat_id, fake_api.bot_id)
        assert isinstance(me, ChatMemberAdministrator) and me.can_post_messages

        group = fake_api.group(-100600, "Practice team", supergroup=True)
        await bot.send_document(group.chat_id, document=b"a,b\n1,2\n", filename="moods.csv")
        [csv] = await group.expect()
        assert csv.content == b"a,b\n1,2\n" and csv.filename == "moods.csv" and csv.mime_type == "text/csv"
        group_chat = await bot.get_chat(group.chat_id)
        assert group_chat.type == "supergroup" and group_chat.title == "Practice team"
        with pytest.raises(ValueError, match="already exists as a channel"):
            fake_api.group(channel.chat_id)


async def test_the_application_answers_channel_posts(fake_api: FakeBotApi) -> None:
    echo = EchoBot(fake_api)
    async with echo.running():
        channel = fake_api.channel(-1009876543210, "Notes")
        posted = await channel.post("hello channel")
        reply = await channel.expect_text("echo: hello channel")
        update = await echo.wait_seen(posted)
        assert update.channel_post is not None and update.effective_chat is not None
        assert update.effective_chat.type == "channel"
        assert reply.reply_to_message_id == channel.last_post_id


async def test_a_bot_outside_a_chat_is_forbidden_and_hears_nothing(fake_api: FakeBotApi) -> None:
    alex = fake_api.user(42)
    channel = fake_api.channel(-1001111, "Digests")
    group = fake_api.group(-2222, "Team")
    outside = fake_api.channel(-1003333, "Elsewhere", bot_is_member=False)
    never_joined = fake_api.group(-1004444, "Big team", bot_is_member=False, supergroup=True)
    async with plain_bot(fake_api) as bot:
        with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
            await bot.send_message(outside.chat_id, "hi")
        with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
            await bot.send_photo(outside.chat_id, photo=make_png())
        with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
            await bot.send_document(never_joined.chat_id, document=b"x", filename="x.txt")
        with pytest.raises(Forbidden, match="not a member"):
            await bot.get_chat(outside.chat_id)
        unseen = [await outside.post("/link 1"), await never_joined.send(alex, "/start")]
        assert await bot.get_updates(timeout=0) == ()
        assert fake_api.withheld == set(unseen) and outside.messages() == []
        with pytest.raises(ValueError, match="withheld"):
            await fake_api.redeliver(unseen[0])

        sent = await bot.send_message(channel.chat_id, "digest")
        left = await channel.remove_bot()
        assert not channel.bot_is_member and fake_api.bot_status(channel.chat_id) == "left"
        [update] = await bot.get_updates(timeout=0)
        member = update.my_chat_member
        assert update.update_id == left and member is not None and member.chat.type == "channel"
        assert member.old_chat_member.status == "administrator" and member.new_chat_member.status == "left"
        assert member.from_user.id == CHAT_OWNER["id"]
        with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
            await bot.edit_message_text("edited", chat_id=channel.chat_id, message_id=sent.message_id)
        with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
            await bot.send_document(channel.chat_id, document=b"x", filename="x.txt")
        with pytest.raises(Forbidden):
            await bot.delete_message(channel.chat_id, sent.message_id)
        withheld = await channel.post("/link 2")
        assert await bot.get_updates(offset=left + 1, timeout=0) == ()
        assert withheld in fake_api.withheld and [m.text for m in channel.messages()] == ["digest"]
        with pytest.raises(AssertionError, match="not a member"):
            await channel.remove_bot()

        joined = await channel.add_bot()
        [update] = await bot.get_updates(offset=left + 1, timeout=0)
        assert update.update_id == joined and update.my_chat_member is not None
        assert update.my_chat_member.new_chat_member.status == "administrator"
        await bot.send_message(channel.chat_id, "back")
        assert [m.text for m in channel.messages()] == ["digest", "back"]

        said = await group.send(alex, "hi all")
        kicked = await group.remove_bot(by=alex)
        updates = await bot.get_updates(offset=joined + 1, timeout=0)
        assert [u.update_id for u in updates] == [said, kicked]
        group_member = updates[1].my_chat_member
        assert group_member is not None and group_member.from_user.id == alex.id
        assert group_member.old_chat_member.status == "member"
        assert group_member.new_chat_member.status == "kicked"
        with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
            await bot.send_message(group.chat_id, "anyone?")
        with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
            await bot.send_photo(group.chat_id, photo=make_png())
        assert await group.send(alex, "/start") in fake_api.withheld

        fake_api.set_bot_status(group.chat_id, "member")  # quietly, no update
        await bot.send_message(group.chat_id, "hello again")
        assert [m.text for m in group.messages()] == ["hello again"]
        with pytest.raises(ValueError, match="block"):
            fake_api.set_bot_status(alex.id, "left")
    statuses = [c.status for c in fake_api.calls if c.method.lower() != "getupdates"]
    assert statuses.count(403) == 9


async def test_a_chat_may_have_a_short_burst_then_one_a_second() -> None:
    """Telegram tolerates a short burst to one chat (as the production pacer sends), then ~1/s."""
    now = [1000.0]
    async with FakeBotApi(
        enforce_rate_limits=True, per_chat_per_second=1.0, per_chat_burst=3, clock=lambda: now[0]
    ) as api:
        api.user(1)
        async with plain_bot(api) as bot:
            for n in range(3):
                await bot.send_message(1, f"burst {n}")
            with pytest.raises(RetryAfter):
                await bot.send_message(1, "a fourth at once")
            now[0] += 0.97  # a little early, as the network may bring it: tolerated
            await bot.send_message(1, "one a second")
            now[0] += 0.5
            with pytest.raises(RetryAfter):
                await bot.send_message(1, "half a second later")
    assert api.too_many_requests == 2
