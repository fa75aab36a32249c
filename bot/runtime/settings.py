"""Settings, read once at start-up from the environment and ``.env``.

Nothing reads settings at import time: the CLI calls :func:`load_settings` and passes the result
down. A bad value becomes one :class:`ConfigurationError` line, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.errors import ConfigurationError
from bot.core.i18n import installed, supported
from bot.runtime.messengers import MESSENGERS

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/between.db"

if TYPE_CHECKING:
    MessengerSettings = BaseSettings
else:
    MessengerSettings = type(
        "MessengerSettings", tuple(m.settings for m in MESSENGERS if m.settings is not None), {}
    )
    """Every messenger's own settings (their fields and checks), as one model."""


class Settings(MessengerSettings):
    """Every setting Between has (each messenger's own among them); ``.env.example`` documents
    each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

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

    def crisis_placeholders(self) -> bool:
        """Whether any crisis resource a client at risk is shown is still the shipped placeholder."""
        names = ("crisis_emergency", "crisis_line", "crisis_text_line")
        return any(getattr(self, name) == type(self).model_fields[name].default for name in names)

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
