"""Webhook mode: the real Application receiving updates the fake Bot API POSTs to it, and the
receiver's own rules (the secret before the body, 200 only after commit, one person at a time,
health, stopping).

The SIGKILL of the real process between receiving and committing an update is in
tests/runtime/test_kill_before_commit.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from telegram import Bot, Update

from bot.runtime.settings import Settings
from bot.transports.telegram import webhook
from bot.transports.telegram.app import ALLOWED_UPDATES
from bot.transports.telegram.polling import Outcome
from bot.transports.telegram.webhook import SECRET_HEADER, State, WebhookConfig, WebhookReceiver
from storage import Database, StorageError
from tests.support.clock import FakeClock
from tests.support.fake_bot_api import FakeBotApi
from tests.support.rows import rows
from tests.support.running_bot import RunningBot, serving
from tests.support.webhooks import SECRET, URL, free_port, local_base
from tests.transports.test_telegram_polling import (
    NOTE_PROMPT,
    OBSTACLES_PROMPT,
    mood_up_to_the_note,
    outbox_raises_once,
)

PATH = "/telegram/updates"
WORDS = "words nobody may log"


def update_json(update_id: int, user_id: int = 5, text: str = WORDS) -> dict[str, Any]:
    person = {"id": user_id, "is_bot": False, "first_name": "P"}
    message = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": user_id, "type": "private"},
        "from": person,
        "text": text,
    }
    return {"update_id": update_id, "message": message}


async def post(port: int, body: bytes | dict[str, Any], secret: str | None = SECRET, path: str = PATH) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{local_base(port)}{path}", data=data, headers=headers) as response,
    ):
        return response.status


async def health(port: int) -> int:
    async with aiohttp.ClientSession() as session, session.get(f"{local_base(port)}/healthz") as response:
        return response.status


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
async def webhook_bot(
    api: FakeBotApi, settings_for: Callable[..., Settings], clock: FakeClock, database_url: str, port: int
) -> AsyncIterator[RunningBot]:
    """The real bot receiving its updates by webhook on ``port``; the fake delivers there."""
    settings = settings_for(
        api,
        telegram_webhook_url=URL,
        telegram_webhook_secret=SECRET,
        telegram_webhook_listen=f"127.0.0.1:{port}",
    )
    async with serving(RunningBot(settings, clock), api, database_url) as running:
        api.route_webhook(local_base(port))
        yield running


async def test_a_mood_check_end_to_end_over_the_webhook(
    api: FakeBotApi, webhook_bot: RunningBot, database: Database
) -> None:
    [registered] = api.calls_to("setWebhook")
    assert registered.params["url"] == URL
    assert registered.params["secret_token"] == SECRET
    assert registered.params["max_connections"] == 1
    assert registered.params["allowed_updates"] == ALLOWED_UPDATES
    user = api.user(5101)
    await mood_up_to_the_note(user, api)
    await user.send("a walk helped")
    (obstacles,) = await user.expect(1)
    assert obstacles.text == OBSTACLES_PROMPT
    await user.send("nothing")
    await user.expect_text("Mood 7/10")
    ((answers,),) = await rows(database, "entries", "answers")
    assert answers == {"mood": 7, "feelings": ["calm"], "note": "a walk helped", "obstacles": "nothing"}
    await api.wait_until(lambda: not api.pending_update_ids())  # the last 200 follows its replies
    assert {post.status for post in api.webhook.posts} == {200}
    assert len(api.webhook.posts) == len(api.updates)
    assert api.pending_update_ids() == []
    assert api.calls_to("getUpdates") == [] and api.calls_to("deleteWebhook") == []

    await webhook_bot.stop()
    assert api.webhook_url == URL  # kept: Telegram holds the updates for the next start


async def test_a_failed_handler_answers_500_and_the_update_sent_again_is_handled_once(
    api: FakeBotApi,
    webhook_bot: RunningBot,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = api.user(5201)
    await mood_up_to_the_note(user, api)
    outbox_raises_once(monkeypatch, StorageError("database error: OperationalError"))
    with caplog.at_level(logging.WARNING):
        note = await user.send("a short note")
        (obstacles,) = await user.expect(1)
    assert obstacles.text == OBSTACLES_PROMPT
    await api.wait_until(lambda: not api.pending_update_ids())  # its 200 follows its replies
    assert [post.status for post in api.webhook.posts if post.update_id == note] == [500, 200]
    assert f"update {note} failed (try 1 of 3)" in caplog.text
    await user.send("nothing")
    await user.expect_text("Mood 7/10")
    ((answers,),) = await rows(database, "entries", "answers")
    assert answers["note"] == "a short note"
    assert sum((m.text or "").startswith(NOTE_PROMPT) for m in user.messages()) == 1
    assert sum((m.text or "").startswith(OBSTACLES_PROMPT) for m in user.messages()) == 1


async def test_the_secret_missing_wrong_and_right(
    webhook_bot: RunningBot, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=webhook.__name__):
        assert await post(port, update_json(900_001), secret=None) == 401
        assert await post(port, update_json(900_002), secret=SECRET[:-1] + "x") == 403
        assert await post(port, update_json(900_003), secret=SECRET + "x") == 403
        assert await post(port, update_json(900_004), secret="") == 403
    refusals = [record.getMessage() for record in caplog.records]
    assert refusals == [
        "webhook request from 127.0.0.1 refused (401): no secret token",
        "webhook request from 127.0.0.1 refused (403): wrong secret token",
        "webhook request from 127.0.0.1 refused (403): wrong secret token",
        "webhook request from 127.0.0.1 refused (403): wrong secret token",
    ]
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        assert await post(port, update_json(900_005)) == 200
    assert WORDS not in caplog.text and SECRET not in caplog.text


async def test_the_secret_is_compared_in_constant_time(
    webhook_bot: RunningBot, port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[object, object]] = []
    compare_digest = webhook.hmac.compare_digest

    def recording(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return compare_digest(given, expected)

    monkeypatch.setattr(webhook.hmac, "compare_digest", recording)
    assert await post(port, update_json(900_011), secret="wrong") == 403
    assert await post(port, update_json(900_012)) == 200
    assert compared == [(b"wrong", SECRET.encode()), (SECRET.encode(), SECRET.encode())]


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong", 403)])
async def test_a_refused_request_is_answered_before_its_body_is_read(
    webhook_bot: RunningBot, port: int, secret: str | None, status: int
) -> None:
    """The request says a large body follows and never sends it: an answer comes anyway."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    header = f"{SECRET_HEADER}: {secret}\r\n" if secret is not None else ""
    writer.write(
        (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: 1000000\r\n{header}\r\n"
        ).encode()
    )
    await writer.drain()
    try:
        status_line = await asyncio.wait_for(reader.readline(), timeout=5)
    finally:
        writer.close()
    assert status_line.decode().split()[1] == str(status)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"message": {}}', b'{"update_id": "7"}'])
async def test_a_body_that_is_not_an_update_is_400(webhook_bot: RunningBot, port: int, body: bytes) -> None:
    assert await post(port, body) == 400


async def test_only_the_urls_path_takes_updates(webhook_bot: RunningBot, port: int) -> None:
    assert await post(port, update_json(900_021), path="/elsewhere") == 404
    assert await health(port) == 200


# ----------------------------------------------------------------- the receiver on its own


class Handling:
    """A handle function the test steers: it records when each update starts and ends, and
    waits for ``release`` before returning ``result``."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.started_by_id: defaultdict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self.result = Outcome.HANDLED

    async def __call__(self, update: Update) -> Outcome:
        self.events.append(("start", update.update_id))
        self.started.set()
        self.started_by_id[update.update_id].set()
        await self.release.wait()
        self.events.append(("end", update.update_id))
        return self.result


class HeldSetWebhook(Bot):
    """A bot whose ``setWebhook`` waits for the test (and records what it was given)."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self._proceed = asyncio.Event()
        self._registered: dict[str, Any] = {}

    async def set_webhook(self, url: str, **kwargs: Any) -> bool:  # type: ignore[override]
        await self._proceed.wait()
        self._registered = {"url": url, **kwargs}
        return True


@pytest.fixture
async def receiver(port: int) -> AsyncIterator[tuple[WebhookReceiver, Handling, HeldSetWebhook]]:
    bot = HeldSetWebhook("123456:TEST-TOKEN")
    handling = Handling()
    config = WebhookConfig(url=URL, secret=SECRET, port=port)
    receiving = WebhookReceiver(bot, handling, config, allowed_updates=ALLOWED_UPDATES)
    yield receiving, handling, bot
    handling.release.set()
    await receiving.stop()


async def test_health_is_503_while_starting_200_while_serving_503_while_stopping(
    receiver: tuple[WebhookReceiver, Handling, HeldSetWebhook], port: int
) -> None:
    receiving, handling, bot = receiver
    starting = asyncio.ensure_future(receiving.start())
    await wait_for_listening(port)
    assert receiving.state is State.STARTING and await health(port) == 503
    bot._proceed.set()
    await starting
    assert bot._registered["max_connections"] == 1 and bot._registered["secret_token"] == SECRET
    assert await health(port) == 200

    in_hand = asyncio.ensure_future(post(port, update_json(1)))
    await handling.started.wait()
    stopping = asyncio.ensure_future(receiving.stop())
    await asyncio.sleep(0)
    assert receiving.state is State.STOPPING and await health(port) == 503
    assert await post(port, update_json(2)) == 503  # not taken any more: Telegram retries
    assert not stopping.done()
    handling.release.set()  # the update in hand finishes and is answered
    assert await in_hand == 200
    await stopping
    assert handling.events == [("start", 1), ("end", 1)]
    with pytest.raises(aiohttp.ClientConnectionError):
        await health(port)


async def test_a_stop_waits_for_the_update_in_hand_even_when_cancelled(
    receiver: tuple[WebhookReceiver, Handling, HeldSetWebhook], port: int
) -> None:
    receiving, handling, bot = receiver
    bot._proceed.set()
    await receiving.start()
    handling.result = Outcome.FAILED  # the handler failed: never 200
    in_hand = asyncio.ensure_future(post(port, update_json(1)))
    await handling.started.wait()
    stopping = asyncio.ensure_future(receiving.stop())
    await asyncio.sleep(0)
    stopping.cancel()
    await asyncio.sleep(0)
    assert handling.events == [("start", 1)]
    handling.release.set()
    assert await in_hand == 500
    with pytest.raises(asyncio.CancelledError):
        await stopping
    assert handling.events == [("start", 1), ("end", 1)]


async def test_updates_of_one_person_wait_for_each_other_others_do_not(
    receiver: tuple[WebhookReceiver, Handling, HeldSetWebhook], port: int
) -> None:
    receiving, handling, bot = receiver
    bot._proceed.set()
    await receiving.start()
    first = asyncio.ensure_future(post(port, update_json(1, user_id=7)))
    await handling.started.wait()
    second = asyncio.ensure_future(post(port, update_json(2, user_id=7)))
    other = asyncio.ensure_future(post(port, update_json(3, user_id=8)))
    await asyncio.wait_for(handling.started_by_id[3].wait(), timeout=5)
    assert ("start", 2) not in handling.events  # the same person's next one waits
    assert not receiving.idle()
    handling.release.set()
    assert await asyncio.gather(first, second, other) == [200, 200, 200]
    assert handling.events.index(("end", 1)) < handling.events.index(("start", 2))


async def serving_with(
    receiver: tuple[WebhookReceiver, Handling, HeldSetWebhook], outcome: Outcome
) -> Handling:
    """The receiver serving, its handler ending every update with ``outcome`` at once."""
    receiving, handling, bot = receiver
    bot._proceed.set()
    await receiving.start()
    handling.result = outcome
    handling.release.set()
    return handling


async def test_an_update_that_always_fails_is_skipped_after_three_tries(
    receiver: tuple[WebhookReceiver, Handling, HeldSetWebhook], port: int, caplog: pytest.LogCaptureFixture
) -> None:
    """As the poller does: with one connection it would otherwise hold up everyone behind it."""
    await serving_with(receiver, Outcome.FAILED)
    statuses = [await post(port, update_json(1)) for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert "update 1 failed 3 times; skipped" in caplog.text


async def test_an_update_met_by_an_unavailable_database_is_never_skipped(
    receiver: tuple[WebhookReceiver, Handling, HeldSetWebhook], port: int, caplog: pytest.LogCaptureFixture
) -> None:
    """A database that cannot be reached is not the update's fault: 503 each time (Telegram
    sends it again, with its own growing delay) however often, without a line per request;
    200 once the database is back and it committed."""
    handling = await serving_with(receiver, Outcome.UNAVAILABLE)
    statuses = [await post(port, update_json(1)) for _ in range(5)]
    assert statuses == [503] * 5
    assert "update 1" not in caplog.text
    handling.result = Outcome.HANDLED
    assert await post(port, update_json(1)) == 200


async def test_a_port_in_use_is_one_configuration_line(port: int) -> None:
    from bot.core.errors import ConfigurationError

    blocker = await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)
    try:
        receiving = WebhookReceiver(
            Bot("123456:TEST-TOKEN"),
            Handling(),
            WebhookConfig(url=URL, secret=SECRET, port=port),
            allowed_updates=ALLOWED_UPDATES,
        )
        with pytest.raises(ConfigurationError, match=f"cannot listen on 127.0.0.1:{port}"):
            await receiving.start()
    finally:
        blocker.close()
        await blocker.wait_closed()


async def wait_for_listening(port: int) -> None:
    """Until the port takes connections (the receiver binds before it registers the webhook)."""
    async with asyncio.timeout(5):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.01)
                continue
            writer.close()
            return
