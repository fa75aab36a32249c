"""Wiring in one place: database, clock and services, opened and closed in pairs; the work the
background runner does for every transport."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from bot.chat.service import ConversationService
from bot.chat.turn import new_prompt_token
from bot.core.clock import Clock, utc_now
from bot.core.errors import ConfigurationError
from bot.core.logs import describe_error
from bot.delivery.courier import CLAIM_LEASE, Courier
from bot.delivery.gateway import Gateway
from bot.delivery.pacing import SHARED_SPACING, Pacer
from bot.digest.delivery import DigestDelivery
from bot.practice.admission import Admissions
from bot.runtime.background import Ticker, running
from bot.runtime.homework import open_catalogue
from bot.runtime.messengers import MESSENGERS
from bot.runtime.services import build_conversation
from bot.runtime.settings import Settings
from bot.runtime.transports import Transports
from bot.safety.response import Safety
from bot.scheduling.scheduler import HomeworkScheduler
from flows import Flow
from flows.catalogue import Catalogue
from flows.registry import BUILT_IN
from storage import Database, DatabaseUnavailable, StorageError
from storage.crypto import KeyRing, KeyRingError
from storage.presence import ProcessSession
from storage.send_budget import take_send_slot

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a transport needs, built once per process."""

    settings: Settings
    database: Database
    clock: Clock
    conversations: ConversationService
    courier: Courier
    scheduler: HomeworkScheduler
    digests: DigestDelivery
    safety: Safety
    practice: Admissions
    gateway: Gateway
    """The one way in for every transport: handle, deliver, wake, write down."""
    transports: Transports
    """The transports running in this process (their link makers)."""
    catalogue: Catalogue = BUILT_IN
    """The homework types of this run (built-in and the practice's), and those it refused."""
    session: ProcessSession | None = None
    """This process's own PostgreSQL session (roles, wake-ups); None on SQLite."""

    async def wait_to_poll(self, transport: str) -> None:
        """Return once this process may poll ``transport`` with the bot token: on PostgreSQL
        one process at a time (an advisory lock; the others stand by and take over when its
        process dies). With webhooks every process may receive, and nothing waits here."""
        if self.session is not None:
            await self.session.wait_for_role(f"poll-{transport}")


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    clock: Clock = utc_now,
    *,
    keyring: KeyRing | None = None,
    flows: tuple[Flow, ...] | None = None,
) -> AsyncIterator[Runtime]:
    """Open the database (migrating it to the newest schema) and build the services.

    ``flows`` replace this run's homework types (a test's own set). ``keyring``
    seals what clients write; without it, ``ENCRYPTION_KEYS`` does if set. The
    ``between`` command always passes one (from ENCRYPTION_KEYS or the key file, which it creates
    on first start); in-process tests that pass none store values as they are.
    """
    database = Database(
        settings.database_url, keyring=keyring if keyring is not None else _keyring_from(settings)
    )
    try:
        catalogue = await _ready(database, settings, clock, flows)
        courier = _courier(database, clock, settings)
        transports = Transports()
        features = build_conversation(
            database,
            clock,
            settings,
            ledger=courier.ledger,
            messengers=transports,
            catalogue=catalogue,
        )
        scheduler = _scheduler(database, clock, settings, catalogue)
        digests = _digests(database, clock, settings, catalogue)
        await courier.prime()
        session = await ProcessSession.open(database)
        try:
            if session is not None:
                await session.listen(courier.wake)  # another process queued messages due now
            yield Runtime(
                settings,
                database,
                clock,
                features.conversations,
                courier,
                scheduler,
                digests,
                features.safety,
                features.practice,
                Gateway(features.conversations, courier),
                transports,
                catalogue,
                session,
            )
        finally:
            await courier.close()
            await digests.close()
            if session is not None:
                await session.close()
    finally:
        await database.close()


async def _ready(
    database: Database, settings: Settings, clock: Clock, flows: tuple[Flow, ...] | None
) -> Catalogue:
    """The database migrated, its keys checked and its leftovers sealed; the homework types of
    this run (a test's own, if given)."""
    await database.migrate()
    await database.check_keys()
    await seal_leftovers(database)
    catalogue = await open_catalogue(database, settings, clock)
    return catalogue if flows is None else catalogue.only(flows)


def _scheduler(
    database: Database, clock: Clock, settings: Settings, catalogue: Catalogue
) -> HomeworkScheduler:
    return HomeworkScheduler(
        database,
        clock,
        flows=catalogue.flows,
        new_token=new_prompt_token,
        reminder_delay=timedelta(minutes=settings.reminder_delay_minutes),
        grace=timedelta(minutes=settings.downtime_grace_minutes),
        jitter=_jitter(settings),
    )


def _digests(database: Database, clock: Clock, settings: Settings, catalogue: Catalogue) -> DigestDelivery:
    return DigestDelivery(
        database,
        clock,
        charts=settings.digest_charts,
        flows=catalogue.flows,
        chart_processes=settings.digest_chart_processes,
    )


def _jitter(settings: Settings) -> Callable[[str], timedelta]:
    """Each messenger's window for spreading scheduled prompts, by its name."""
    windows = {m.name: timedelta(seconds=m.prompt_jitter(settings)) for m in MESSENGERS}
    return lambda transport: windows.get(transport, timedelta(0))


def _courier(database: Database, clock: Clock, settings: Settings) -> Courier:
    pacer = Pacer(
        rate=settings.send_rate_per_second,
        chat_interval=settings.chat_send_interval_seconds,
        chat_burst=settings.chat_send_burst,
    )
    return Courier(
        database,
        clock,
        pacer=pacer,
        idle_check_seconds=settings.outbox_tick_seconds,
        budget=_shared_budget(database, settings.send_rate_per_second),
    )


def _shared_budget(database: Database, rate: float) -> Callable[[], Awaitable[float]] | None:
    """The bot token's send budget shared by every process on a PostgreSQL database (None on
    SQLite, or with pacing off: this process's pacer is the whole budget then)."""
    if not database.shared or rate <= 0:
        return None
    return lambda: take_send_slot(database, "telegram", SHARED_SPACING / rate)


def _keyring_from(settings: Settings) -> KeyRing | None:
    """``ENCRYPTION_KEYS``, if set; None (said once, as a warning) when no key is given."""
    keys = settings.encryption_keys.get_secret_value() if settings.encryption_keys else ""
    if not keys.strip():
        log.warning("no encryption key given: what clients write is stored unencrypted")
        return None
    try:
        return KeyRing.parse(keys, "ENCRYPTION_KEYS")
    except KeyRingError as error:
        raise ConfigurationError(str(error)) from None


async def seal_leftovers(database: Database) -> None:
    """Values written before encryption was on (or under a retired key) are sealed at start-up,
    so an upgraded practice does not keep old answers readable in the file."""
    ring = database.keyring
    if ring is None:
        return
    usage = await database.key_usage()
    waiting = sum(n for counts in usage.values() for key_id, n in counts.items() if key_id != ring.newest)
    if waiting:
        log.warning("sealing %s values written before encryption was on (or under a retired key)", waiting)
        report = await database.reseal()
        if report.resealed.total():
            await database.compact()


async def scheduled_work(runtime: Runtime) -> None:
    """The scheduler's tick (after writing down shown messages: it reads their ids), the digests
    that are due and the later "are you safe?" questions — each on its own, so one that fails
    never keeps the others from their turn (the first error is raised once all have run)."""
    await runtime.courier.flush()
    failed: BaseException | None = None
    for name, work in (
        ("scheduler", runtime.scheduler.tick),
        ("digests", lambda: digests_due(runtime)),
        ("safety follow-ups", lambda: runtime.safety.follow_ups(runtime.clock())),
    ):
        try:
            await work()
        except Exception as error:
            if not isinstance(error, DatabaseUnavailable):  # said once, by the database
                log.error("%s tick failed: %s", name, describe_error(error))
            failed = failed or error
    if failed is not None:
        raise failed


DIGEST_BATCH = 10
"""Digests built between wake-ups of the courier: their messages start going while the next are built."""


async def digests_due(runtime: Runtime) -> int:
    """Every digest due now, a few at a time, the courier woken after each few — not a capped
    number per tick (500 due at once would wait ten ticks), nor all built before the first goes."""
    queued = 0
    while batch := await runtime.digests.tick(limit=DIGEST_BATCH):
        queued += batch
        runtime.courier.wake()
    return queued


async def timer_work(runtime: Runtime) -> int:
    """Live messages (timers) one frame on; returns how many messages that queued."""
    return len(await runtime.conversations.tick_timers())


async def tick(runtime: Runtime) -> None:
    """Scheduled work and timers, then everything due in the outbox, here and now (tests, the
    terminal)."""
    await scheduled_work(runtime)
    await timer_work(runtime)
    await runtime.courier.deliver_due()


def _job(
    work: Callable[[Runtime], Awaitable[object]], runtime: Runtime, name: str
) -> Callable[..., Awaitable[None]]:
    """One ticker run: do the work, survive a database hiccup, wake the courier when it queued
    messages (``None``: it cannot say, so wake anyway)."""

    async def job(_: object = None) -> None:
        try:
            queued = await work(runtime)
        except DatabaseUnavailable:
            return  # said once for the whole outage, by the database; the next tick retries
        except StorageError:
            log.exception("%s tick failed; the next one retries", name)
            return
        if queued is None or queued:
            runtime.courier.wake()

    return job


def background(runtime: Runtime, *, first: float | None = 0.0) -> AbstractAsyncContextManager[None]:
    """The background runner every transport gets: the scheduler's and the timers' tickers
    (intervals from the settings) and the outbox drainer."""
    settings = runtime.settings
    tickers = [
        Ticker("scheduler", settings.scheduler_tick_seconds, _job(scheduled_work, runtime, "scheduler")),
        Ticker("timers", settings.timer_tick_seconds, _job(timer_work, runtime, "timers")),
    ]
    if runtime.database.shared:  # the drainer's claims live as long as this process
        renew = CLAIM_LEASE.total_seconds() / 3
        tickers.append(Ticker("claims", renew, runtime.courier.renew_claims))
    return running(tickers, runtime.courier.run, first=first)
