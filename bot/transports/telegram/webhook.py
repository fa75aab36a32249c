"""Receiving Telegram updates by webhook, answering 200 only once an update has committed.

Telegram POSTs each update to our URL and keeps it until it gets a 2xx answer; anything else (or
no answer) and it sends the update again later. So the answer is the confirmation: 200 goes out
only after the handler returned (the conversation service commits inside it), 500 when it
failed, 503 while the database cannot be reached, and a process killed in between never
answered, so Telegram sends the update again to the next process. A repeat of a committed
update is a no-op (the per-person update-id watermark).

Why ``max_connections`` is 1 by default: the watermark treats an update id *below* a person's
newest handled one as a repeat, so one person's updates must be handled in id order, one at a
time. With one connection Telegram sends the next update only after the previous one was
answered, which is exactly that (and the poller's order). More connections would let two
answers of one person race, and the later id could win and make the earlier one look like a
repeat. Should requests overlap anyway (a proxy retrying, a larger setting), updates of one
person still wait for each other here (:class:`PersonLocks`); every update goes through the same
``handle`` as the poller's.

Python-telegram-bot's own webhook server (``Updater.start_webhook``) is not used: like its
polling, it answers 200 once the update is *queued*, before it is handled. aiohttp's server is
small, already installed with PTB's HTTP stack in tests, and lets the secret be checked before
the body is read.

Security: the ``X-Telegram-Bot-Api-Secret-Token`` header is compared in constant time
(:func:`hmac.compare_digest`) before the body is read; a refused request is logged with its peer
and the reason only. ``GET /healthz`` answers 200 while updates are served, 503 while starting or
stopping, for a load balancer. Stopping refuses new requests (503: Telegram retries), finishes
the ones in hand and then closes; the webhook itself stays set, so Telegram keeps the updates for
the next start (switching to polling deletes it).
"""

from __future__ import annotations

import asyncio
import enum
import hmac
import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot, Update
from telegram.error import TelegramError

from bot.core.errors import ConfigurationError
from bot.core.logs import describe_error
from bot.core.tasks import uninterrupted
from bot.transports.telegram.polling import ATTEMPTS, HandleUpdate, Outcome

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
SHUTDOWN_SECONDS = 60.0
"""How long stopping waits for the requests in hand (they are never cut: see bot.core.tasks)."""


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    url: str
    """The public https URL Telegram calls (a reverse proxy forwards it to ``host:port``)."""
    secret: str
    host: str = "127.0.0.1"
    port: int = 8443
    max_connections: int = 1

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


class State(enum.Enum):
    STARTING = "starting"
    SERVING = "serving"
    STOPPING = "stopping"


class PersonLocks:
    """One lock per person (or chat), held while one of their updates is handled; a lock
    nobody holds or waits for is dropped."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def held(self, key: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


def person_of(update: Update) -> int:
    """Whose update this is: the user (Telegram sets it), else the chat, else 0."""
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else 0


class WebhookReceiver:
    """Serves Telegram's webhook calls on ``config.host:port`` and hands each update to ``handle``."""

    def __init__(
        self, bot: Bot, handle: HandleUpdate, config: WebhookConfig, *, allowed_updates: Sequence[str]
    ) -> None:
        self._bot = bot
        self._handle = handle
        self._config = config
        self._secret = config.secret.encode()
        self._allowed_updates = list(allowed_updates)
        self._state = State.STARTING
        self._in_hand: set[asyncio.Future[int]] = set()
        self._persons = PersonLocks()
        self._failures: dict[int, int] = {}
        self._runner: web.AppRunner | None = None

    @property
    def state(self) -> State:
        return self._state

    def idle(self) -> bool:
        """True when no other update is in hand beside the one asking (its sends are written
        down now; when busy, the next one does)."""
        return len(self._in_hand) <= 1

    def application(self) -> web.Application:
        """The HTTP routes: POST on the URL's path, GET on the health path."""
        app = web.Application()
        app.router.add_post(self._config.path, self._on_update)
        app.router.add_get(HEALTH_PATH, self._on_health)
        return app

    async def start(self) -> None:
        """Listen first (a webhook left set from the last run delivers at once), then tell
        Telegram where to send; healthy from then on."""
        runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._config.host, self._config.port).start()
        except OSError as error:
            await runner.cleanup()
            raise ConfigurationError(
                f"cannot listen on {self._config.host}:{self._config.port} for Telegram's webhook "
                f"({error.strerror or error}): change TELEGRAM_WEBHOOK_LISTEN"
            ) from None
        self._runner = runner
        try:
            await self._set_webhook()
        except BaseException:
            await self.stop()
            raise
        self._state = State.SERVING

    async def _set_webhook(self) -> None:
        try:
            await self._bot.set_webhook(
                url=self._config.url,
                secret_token=self._config.secret,
                allowed_updates=self._allowed_updates,
                max_connections=self._config.max_connections,
            )
        except TelegramError as error:
            raise ConfigurationError(
                f"Telegram refused TELEGRAM_WEBHOOK_URL ({describe_error(error)}): check the URL"
            ) from None

    async def stop(self) -> None:
        """Refuse new requests, finish the ones in hand, then close. The webhook stays set."""
        self._state = State.STOPPING
        runner, self._runner = self._runner, None
        if self._in_hand:
            await uninterrupted(asyncio.wait(set(self._in_hand)))
        if runner is not None:
            await runner.cleanup()

    async def _on_health(self, request: web.Request) -> web.Response:
        serving = self._state is State.SERVING
        return web.Response(status=200 if serving else 503, text=self._state.value)

    async def _on_update(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            status, reason = refusal
            log.warning("webhook request from %s refused (%d): %s", request.remote, status, reason)
            return web.Response(status=status)
        update = await self._read_update(request)
        if update is None:
            log.warning("webhook request from %s refused (400): not an update", request.remote)
            return web.Response(status=400)
        if self._state is State.STOPPING:  # began to stop while the body came in
            return web.Response(status=503)
        handling = asyncio.ensure_future(self._handle_in_turn(update))
        self._in_hand.add(handling)
        handling.add_done_callback(self._in_hand.discard)
        status = await uninterrupted(handling)  # a stop waits for it; never answered early
        return web.Response(status=status)

    def _refusal(self, request: web.Request) -> tuple[int, str] | None:
        """Why a request is refused before its body is read (None: it is not)."""
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return 401, "no secret token"
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self._secret):
            return 403, "wrong secret token"
        if self._state is State.STOPPING:
            return 503, "stopping"
        return None

    async def _read_update(self, request: web.Request) -> Update | None:
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return None
            return Update.de_json(data, self._bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    async def _handle_in_turn(self, update: Update) -> int:
        """Handle after this person's earlier updates; the status to answer: 200 once committed,
        or once it has failed ``ATTEMPTS`` times (logged, skipped, as the poller does: with one
        connection, an update that always fails would hold up every client behind it); 500 for a
        failure before that; 503 while the database is unavailable (not counted: Telegram sends
        it again, with its own growing delay, until the database is back)."""
        async with self._persons.held(person_of(update)):
            outcome = await self._handle(update)
        if outcome is Outcome.HANDLED:
            self._failures.pop(update.update_id, None)
            return 200
        if outcome is Outcome.UNAVAILABLE:
            return 503
        failures = self._failures.get(update.update_id, 0) + 1
        if failures < ATTEMPTS:
            self._failures[update.update_id] = failures
            log.warning(
                "update %s failed (try %d of %d); Telegram sends it again",
                update.update_id,
                failures,
                ATTEMPTS,
            )
            return 500
        self._failures.pop(update.update_id, None)
        log.error("update %s failed %d times; skipped", update.update_id, ATTEMPTS)
        return 200
