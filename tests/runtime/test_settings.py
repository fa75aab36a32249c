"""Settings: defaults, .env, and one clear line for anything wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.errors import ConfigurationError
from bot.runtime.settings import DEFAULT_DATABASE_URL, Settings, load_settings
from bot.transports.telegram.settings import TELEGRAM_DEFAULT_BASE_URL, listen_address
from storage.migrate import head_revision
from tests.support.bot_process import run_between

NAMES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "DATABASE_URL",
    "DEFAULT_TIMEZONE",
    "LOG_LEVEL",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_WEBHOOK_SECRET",
    "TELEGRAM_WEBHOOK_LISTEN",
    "TELEGRAM_WEBHOOK_MAX_CONNECTIONS",
)
SECRET = "s3cret-Token_" + "x" * 20


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_need_nothing(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.env")
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == TELEGRAM_DEFAULT_BASE_URL
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.default_timezone == "UTC" and settings.log_level == "INFO"


def test_env_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=42:abc\nDEFAULT_TIMEZONE=Europe/Berlin\nlog_level=debug\n")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    settings = load_settings(env)
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "42:abc"
    assert "42:abc" not in repr(settings)
    assert settings.default_timezone == "Europe/Berlin" and settings.log_level == "DEBUG"
    assert settings.telegram_file_base_url == "http://127.0.0.1:8081/file/bot"


def test_an_empty_token_means_terminal_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "  ")
    assert load_settings(tmp_path / "none").telegram_bot_token is None


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE: 'Mars/Olympus' is not an IANA time zone"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN: should look like"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: should start with"),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL:"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org", "TELEGRAM_API_BASE_URL: should be an http(s) URL"),
    ],
)
def test_bad_values_give_one_readable_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings(tmp_path / "none")
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_polling_is_the_default_and_a_webhook_needs_a_url(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none")
    assert settings.telegram_webhook_url is None
    assert settings.telegram_webhook_listen == "127.0.0.1:8443"
    assert settings.telegram_webhook_max_connections == 1


def test_a_webhook_with_its_secret_and_listen_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:abc")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org:8443/telegram")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_LISTEN", "[::1]:9000")
    settings = load_settings(tmp_path / "none")
    assert settings.telegram_webhook_url == "https://bot.example.org:8443/telegram"
    assert settings.telegram_webhook_secret is not None
    assert settings.telegram_webhook_secret.get_secret_value() == SECRET
    assert SECRET not in repr(settings)
    assert listen_address(settings.telegram_webhook_listen) == ("::1", 9000)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"TELEGRAM_WEBHOOK_URL": "http://bot.example.org/telegram"},
            "TELEGRAM_WEBHOOK_URL: should be the public https://",
        ),
        (
            {"TELEGRAM_WEBHOOK_URL": "https://bot.example.org:9443/t"},
            "TELEGRAM_WEBHOOK_URL: Telegram only calls ports",
        ),
        (
            {"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/t", "TELEGRAM_WEBHOOK_SECRET": ""},
            "TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL",
        ),
        (
            {"TELEGRAM_WEBHOOK_SECRET": "short_but_fine_characters"},
            "TELEGRAM_WEBHOOK_SECRET: should be 32 to 256 characters",
        ),
        (
            {"TELEGRAM_WEBHOOK_SECRET": "x" * 31 + "!"},
            "TELEGRAM_WEBHOOK_SECRET: should be 32 to 256 characters",
        ),
        ({"TELEGRAM_WEBHOOK_LISTEN": "8443"}, "TELEGRAM_WEBHOOK_LISTEN: '8443' should be host:port"),
        (
            {"TELEGRAM_WEBHOOK_LISTEN": "localhost:99999"},
            "TELEGRAM_WEBHOOK_LISTEN: 'localhost:99999' should be host:port",
        ),
        ({"TELEGRAM_WEBHOOK_MAX_CONNECTIONS": "0"}, "TELEGRAM_WEBHOOK_MAX_CONNECTIONS:"),
    ],
)
def test_webhook_misconfiguration_is_one_readable_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, values: dict[str, str], message: str
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:abc")
    for name, value in {"TELEGRAM_WEBHOOK_SECRET": SECRET, **values}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings(tmp_path / "none")
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
    assert SECRET not in str(raised.value)


def test_a_webhook_needs_a_bot_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    with pytest.raises(ConfigurationError, match=r"^TELEGRAM_WEBHOOK_URL needs TELEGRAM_BOT_TOKEN"):
        load_settings(tmp_path / "none")


async def test_the_cli_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    run = await run_between("run", cwd=tmp_path, env={"DEFAULT_TIMEZONE": "Mars/Olympus"})
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "between: configuration error: DEFAULT_TIMEZONE: 'Mars/Olympus' is not an IANA time zone such as "
        "Europe/Berlin"
    ]


async def test_migrate_command(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x/between.db"}
    migrated = await run_between("migrate", cwd=tmp_path, env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.strip().splitlines() == [
        f"Created an encryption key in {tmp_path}/data/between.key — keep a copy somewhere safe: "
        "without it the data cannot be read.",
        f"Database is at revision {head_revision()}.",
    ]


def test_every_setting_is_documented_in_env_example_and_the_readme() -> None:
    """Each messenger's settings too: they are the runtime's, read from the same environment."""
    root = Path(__file__).resolve().parents[2]
    example = (root / ".env.example").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if line.startswith("| `")]
    names = [name.upper() for name in Settings.model_fields]
    assert "SIGNAL_ACCOUNT" in names and "TELEGRAM_BOT_TOKEN" in names
    assert [n for n in names if not re.search(rf"^{n}=", example, re.MULTILINE)] == []
    assert [n for n in names if not any(f"`{n}`" in line for line in table)] == []
