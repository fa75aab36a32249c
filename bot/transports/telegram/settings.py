"""Telegram's settings (``TELEGRAM_*``): its own fields and checks, part of the runtime's
settings (read once, from the environment and ``.env``)."""

from __future__ import annotations

import re
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings

TELEGRAM_DEFAULT_BASE_URL = "https://api.telegram.org/bot"
WEBHOOK_PORTS = (443, 80, 88, 8443)
"""The only ports Telegram sends webhooks to."""
WEBHOOK_SECRET_CHARACTERS = re.compile(r"[A-Za-z0-9_-]{32,256}")
"""Telegram allows 1–256 of these characters; fewer than 32 are too easy to guess."""


class TelegramSettings(BaseSettings):
    """A bot token turns Telegram on; the rest say where its API is and how updates arrive."""

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_DEFAULT_BASE_URL
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1:8443"
    telegram_webhook_max_connections: int = Field(default=1, ge=1, le=100)

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
