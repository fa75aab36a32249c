"""Settings, read once at start-up from the environment and ``.env``.

Nothing reads settings at import time: the CLI calls :func:`load_settings` and passes the result
down. A bad value becomes one :class:`ConfigurationError` line, never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.errors import ConfigurationError
from bot.core.i18n import installed, supported

TELEGRAM_DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/between.db"
WEBHOOK_PORTS = (443, 80, 88, 8443)
"""The only ports Telegram sends webhooks to."""
WEBHOOK_SECRET_CHARACTERS = re.compile(r"[A-Za-z0-9_-]{32,256}")
"""Telegram allows 1–256 of these characters; fewer than 32 are too easy to guess."""


class Settings(BaseSettings):
    """Every setting Between has; ``.env.example`` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_DEFAULT_BASE_URL
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1:8443"
    telegram_webhook_max_connections: int = Field(default=1, ge=1, le=100)
    database_url: str = DEFAULT_DATABASE_URL
    default_timezone: str = "UTC"
    default_language: str = "en"
    """What a person reads until they choose (/language) or their messenger says (Telegram)."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    outbox_tick_seconds: float = Field(default=5.0, gt=0, le=300)
    scheduler_tick_seconds: float = Field(default=10.0, gt=0, le=300)
    timer_tick_seconds: float = Field(default=1.0, gt=0, le=5)
    reminder_delay_minutes: float = Field(default=120, ge=1)
    downtime_grace_minutes: float = Field(default=120, ge=0)
    send_rate_per_second: float = Field(default=30.0, ge=0)
    chat_send_interval_seconds: float = Field(default=1.0, ge=0)
    chat_send_burst: int = Field(default=3, ge=1)
    digest_charts: bool = True
    digest_chart_processes: int = Field(default=1, ge=0, le=8)
    crisis_emergency: str = "your local emergency number (112 in Europe, 911 in North America)"
    crisis_line: str = "988 Suicide & Crisis Lifeline (US), 116 123 Samaritans (UK & Ireland)"
    crisis_text_line: str = "text HOME to 741741 (US) or SHOUT to 85258 (UK)"
    crisis_abuse_line: str = (
        "1-800-799-7233 National Domestic Violence Hotline (US), 0808 2000 247 National Domestic "
        "Abuse Helpline (UK); children: 116 111 (Europe), Childline 0800 1111 (UK)"
    )
    risk_follow_up_minutes: float = Field(default=180, ge=1)
    risk_alert_includes_text: bool = False
    encryption_keys: SecretStr | None = None
    encryption_key_file: str = "data/between.key"
    status_file: str = "data/status.json"
    messages_per_minute: int = Field(default=30, ge=1)
    homework_dir: str = ""
    """A folder of the practice's own homework definitions (``*.toml``); empty: none."""
    signal_account: str | None = None
    signal_cli_address: str = "127.0.0.1:7583"
    signal_send_interval_seconds: float = Field(default=1.0, ge=0)
    signal_send_rate_per_second: float = Field(default=1.0, ge=0)
    signal_trust_new_identities: bool = False

    @field_validator("signal_account", mode="before")
    @classmethod
    def _empty_account_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("signal_account")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\+[1-9][0-9]{6,14}", value):
            raise ValueError("should be the practice's number in international form, like +4930123456")
        return value

    @field_validator("signal_cli_address")
    @classmethod
    def _signal_address(cls, value: str) -> str:
        from bot.transports.signal.rpc import Address

        Address.parse(value)  # its ValueError says what is wrong
        return value

    def crisis_placeholders(self) -> bool:
        """Whether any crisis resource a client at risk is shown is still the shipped placeholder."""
        names = ("crisis_emergency", "crisis_line", "crisis_text_line")
        return any(getattr(self, name) == type(self).model_fields[name].default for name in names)

    @field_validator("telegram_bot_token", "telegram_webhook_url", "telegram_webhook_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            bot_id, _, secret = value.get_secret_value().partition(":")
            if not bot_id.isdigit() or not secret:
                raise ValueError("should look like 123456789:ABC-… (from @BotFather)")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("should be an http(s) URL such as https://api.telegram.org/bot")
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(
                "should be the public https:// URL Telegram calls, such as https://bot.example.org/telegram"
            )
        try:
            port = parts.port or 443
        except ValueError:
            raise ValueError("has a port that is not a number") from None
        if port not in WEBHOOK_PORTS:
            raise ValueError(f"Telegram only calls ports 443, 80, 88 and 8443, not {port}")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_CHARACTERS.fullmatch(value.get_secret_value()):
            raise ValueError(
                "should be 32 to 256 characters of A-Z a-z 0-9 _ - (for example the output of "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        return value

    @field_validator("telegram_webhook_listen")
    @classmethod
    def _listen_shape(cls, value: str) -> str:
        listen_address(value)
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> Self:
        if self.telegram_webhook_url is None:
            return self
        if self.telegram_webhook_secret is None:
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL (32 or more characters of "
                "A-Z a-z 0-9 _ -)"
            )
        if self.telegram_bot_token is None:
            raise ValueError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_BOT_TOKEN as well")
        return self

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("should start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("default_language")
    @classmethod
    def _installed_language(cls, value: str) -> str:
        language = supported(value)
        if language is None:
            raise ValueError(f"{value!r} has no catalogue here; installed: {', '.join(installed())}")
        return language

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Berlin") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def telegram_file_base_url(self) -> str:
        base = self.telegram_api_base_url
        return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base


def listen_address(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8443`` for IPv6) as a host and a port; ValueError when it is not."""
    host, colon, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{value!r} should be host:port, such as 127.0.0.1:8443")
    return host, int(port)


def load_settings(env_file: Path | str | None = ".env") -> Settings:
    """Read settings; raise one readable :class:`ConfigurationError` when any is wrong."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"]).upper()
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message}" if item["loc"] else message)
        raise ConfigurationError("; ".join(problems)) from None
