"""The fake server's webhook delivery, as Telegram does it with ``max_connections`` 1.

After ``setWebhook`` the queued updates are POSTed one at a time, in queue order, to the bot:
the https URL it registered maps to a local http address the test gives
(:meth:`FakeBotApi.route_webhook`), keeping the URL's path. The ``secret_token`` from
``setWebhook`` goes in the ``X-Telegram-Bot-Api-Secret-Token`` header. An update leaves the
queue only on a 200; on anything else (another status, a refused connection, a dropped one) it
stays first and is tried again after a short delay (doubling, capped), and ``getWebhookInfo``
shows the last error.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

if TYPE_CHECKING:
    from .server import FakeBotApi

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class WebhookPost:
    """One POST of an update to the bot: its id and the answer (0: no HTTP answer)."""

    update_id: int
    status: int
    url: str


class WebhookPusher:
    """Delivers the server's queued updates to the bot's webhook while one is set and routed."""

    def __init__(self, api: FakeBotApi, retry_delay: float, max_retry_delay: float, timeout: float) -> None:
        self.api = api
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        self.local_base: str | None = None
        self.posts: list[WebhookPost] = []
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.in_flight: int | None = None
        """The update id being POSTed right now, if any."""
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        self._task = asyncio.get_running_loop().create_task(self._run(), name="fake-webhook-pusher")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    def target(self) -> str | None:
        """Where the registered URL is delivered now (None: no webhook, or not routed)."""
        if not self.api.webhook_url or self.local_base is None:
            return None
        parts = urlsplit(self.api.webhook_url)
        path = parts.path or "/"
        return self.local_base.rstrip("/") + path + (f"?{parts.query}" if parts.query else "")

    def _ready(self) -> bool:
        return self.api.closing or (self.target() is not None and self.api.next_deliverable() is not None)

    async def _run(self) -> None:
        failures = 0
        while True:
            await self.api.wait_for(self._ready)
            if self.api.closing:
                return
            if await self._push_next():
                failures = 0
                continue
            failures += 1
            await asyncio.sleep(min(self.max_retry_delay, self.retry_delay * 2 ** (failures - 1)))

    async def _push_next(self) -> bool:
        """POST the first deliverable update; True when the bot answered 200 (it is dropped)."""
        pending = self.api.next_deliverable()
        url = self.target()
        if pending is None or url is None:
            return True
        update_id = pending.update_id
        status = await self._post(url, self.api.updates[update_id])
        self.posts.append(WebhookPost(update_id, status, url))
        if status == 200:
            self.api.delivered(pending)
        self.api.notify()
        return status == 200

    async def _post(self, url: str, update: dict[str, Any]) -> int:
        assert self._session is not None
        secret = self.api.settings.get("setWebhook", {}).get("secret_token")
        headers = {SECRET_HEADER: str(secret)} if secret else {}
        self.in_flight = int(update["update_id"])
        self.api.notify()
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                status = response.status
                reason = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as error:
            status, reason = 0, f"Connection failed: {type(error).__name__}"
        finally:
            self.in_flight = None
        if status != 200:
            self.last_error_date, self.last_error_message = int(time.time()), reason
        return status
