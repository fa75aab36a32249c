"""The fake Bot API's webhook delivery: what the webhook tests rely on, tested on its own.

A small aiohttp server plays the bot: it records each POST and answers with the status the
test chooses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.support.fake_bot_api import FakeBotApi

SECRET = "a-secret_token-" + "0" * 20


@dataclass
class RecordingBot:
    """Records every webhook request; answers ``statuses`` in turn, then 200."""

    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)
    base: str = ""

    async def on_post(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append((request.path, request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def bot_server() -> AsyncIterator[RecordingBot]:
    recording = RecordingBot()
    app = web.Application()
    app.router.add_post("/{path:.*}", recording.on_post)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recording.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield recording
    await runner.cleanup()


async def call(api: FakeBotApi, method: str, **params: Any) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{api.base_url}{api.token}/{method}", json=params) as response,
    ):
        return await response.json()


async def test_queued_updates_are_posted_in_order_with_the_secret_and_dropped_on_200(
    api: FakeBotApi, bot_server: RecordingBot
) -> None:
    user = api.user(41)
    first = await user.send("one")  # queued before the webhook: delivered once it is set
    answer = await call(
        api, "setWebhook", url="https://bot.example.org/hook", secret_token=SECRET, max_connections=1
    )
    assert answer == {"ok": True, "result": True}
    api.route_webhook(bot_server.base)
    second = await user.send("two")
    await api.wait_until(lambda: len(bot_server.requests) == 2 and not api.pending_update_ids())
    assert [(path, secret) for path, secret, _ in bot_server.requests] == [("/hook", SECRET)] * 2
    assert [body["update_id"] for _, _, body in bot_server.requests] == [first, second]
    assert bot_server.requests[0][2]["message"]["text"] == "one"
    info = (await call(api, "getWebhookInfo"))["result"]
    assert info["url"] == "https://bot.example.org/hook"
    assert info["pending_update_count"] == 0 and info["max_connections"] == 1
    assert "last_error_message" not in info
    assert (await call(api, "getUpdates"))["error_code"] == 409


async def test_anything_but_200_keeps_the_update_first_and_it_is_sent_again(
    api: FakeBotApi, bot_server: RecordingBot
) -> None:
    bot_server.statuses = [500, 403]
    await call(api, "setWebhook", url="https://bot.example.org/hook", secret_token=SECRET)
    user = api.user(42)
    first = await user.send("one")
    second = await user.send("two")
    api.route_webhook(bot_server.base)
    await api.wait_until(lambda: not api.pending_update_ids())
    sent = [body["update_id"] for _, _, body in bot_server.requests]
    assert sent == [first, first, first, second]
    assert [(post.update_id, post.status) for post in api.webhook.posts] == [
        (first, 500),
        (first, 403),
        (first, 200),
        (second, 200),
    ]
    info = (await call(api, "getWebhookInfo"))["result"]
    assert info["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"


async def test_getwebhookinfo_shows_what_waits_while_the_bot_cannot_be_reached(api: FakeBotApi) -> None:
    await call(api, "setWebhook", url="https://bot.example.org/hook", secret_token=SECRET)
    api.route_webhook("http://127.0.0.1:9")  # nothing listens on the discard port
    user = api.user(43)
    await user.send("one")
    await user.send("two")
    await api.wait_until(lambda: len(api.webhook.posts) >= 2)
    assert {post.status for post in api.webhook.posts} == {0}
    info = (await call(api, "getWebhookInfo"))["result"]
    assert info["pending_update_count"] == 2
    assert info["last_error_message"].startswith("Connection failed")


async def test_deleting_the_webhook_stops_the_pushes_and_polling_gets_the_rest(
    api: FakeBotApi, bot_server: RecordingBot
) -> None:
    bot_server.statuses = [500] * 1000
    await call(api, "setWebhook", url="https://bot.example.org/hook", secret_token=SECRET)
    api.route_webhook(bot_server.base)
    update_id = await api.user(44).send("one")
    await api.wait_until(lambda: len(api.webhook.posts) >= 1)
    assert (await call(api, "deleteWebhook"))["result"] is True
    posts = len(api.webhook.posts)
    updates = (await call(api, "getUpdates"))["result"]
    assert [update["update_id"] for update in updates] == [update_id]
    assert len(api.webhook.posts) <= posts + 1  # at most the one already on its way


@pytest.mark.parametrize("secret", ["with space", "x" * 257, "ünïcode"])
async def test_setwebhook_refuses_a_secret_telegram_would_refuse(api: FakeBotApi, secret: str) -> None:
    answer = await call(api, "setWebhook", url="https://bot.example.org/hook", secret_token=secret)
    assert answer["ok"] is False and answer["error_code"] == 400
    assert api.webhook_url == ""
