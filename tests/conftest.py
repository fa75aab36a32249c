"""Shared fixtures: a fake clock, real SQLite files, the real bot against a fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime
from storage import Database
from tests.support.clock import FakeClock
from tests.support.enrolment import enrol
from tests.support.fake_bot_api import FakeBotApi
from tests.support.running_bot import TOKEN, RunningBot, serving


@pytest.fixture(autouse=True)
def between_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Between's folder (bot/cli/home.py) is the test's own: a `between` command never reads the
    checkout's .env nor writes into its data/ folder."""
    monkeypatch.setenv("BETWEEN_HOME", str(tmp_path))
    # charts drawn in a thread: a chart process per test would start matplotlib each time (its
    # own test, tests/digest/test_chart_processes.py, starts one)
    monkeypatch.setenv("DIGEST_CHART_PROCESSES", "0")
    return tmp_path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'between.db'}"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """The test's own connection to the bot's database, for the rows it reads (and the odd
    state it arranges) through the storage layer; open across restarts and after the bot stops."""
    opened = Database(database_url)
    yield opened
    await opened.close()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
def settings_for(database_url: str) -> Callable[..., Settings]:
    def make(api: FakeBotApi | None = None, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": database_url,
            "telegram_bot_token": TOKEN if api is not None else None,
            "outbox_tick_seconds": 300,  # tests call tick() themselves
            "send_rate_per_second": 0,  # pacing has tests of its own
            "messages_per_minute": 10_000,  # the clock stands still; the cap has a test of its own
        }
        if api is not None:
            values["telegram_api_base_url"] = api.base_url
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


SERVICE_CLIENTS = (7, 8)
"""Telegram user ids of the clients tests drive through the conversation service directly."""


@pytest.fixture
async def runtime(settings_for: Callable[..., Settings], clock: FakeClock) -> AsyncIterator[Runtime]:
    async with open_runtime(settings_for(), clock) as opened:
        yield opened


@pytest.fixture
async def service_clients(runtime: Runtime, clock: FakeClock) -> None:
    """The clients of ``SERVICE_CLIENTS``, enrolled (for modules that drive the service)."""
    for user_id in SERVICE_CLIENTS:
        await enrol(runtime.database, user_id, clock())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "strangers: fake users are not enrolled as clients (they join by invitation)"
    )


@pytest.fixture
async def bot(
    api: FakeBotApi,
    settings_for: Callable[..., Settings],
    clock: FakeClock,
    database_url: str,
    request: pytest.FixtureRequest,
) -> AsyncIterator[RunningBot]:
    strangers = request.node.get_closest_marker("strangers") is not None
    async with serving(
        RunningBot(settings_for(api), clock), api, database_url, enrolled=not strangers
    ) as running:
        yield running
