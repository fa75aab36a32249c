"""Signal's settings (``SIGNAL_*``): its own fields and checks, part of the runtime's settings
(read once, from the environment and ``.env``)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

from bot.transports.signal.rpc import Address


class SignalSettings(BaseSettings):
    """The practice's number turns Signal on; the rest say where signal-cli listens and how
    gently to send (Signal's limits are unpublished)."""

    signal_account: str | None = None
    signal_cli_address: str = "127.0.0.1:7583"
    signal_send_interval_seconds: float = Field(default=1.0, ge=0)
    signal_send_rate_per_second: float = Field(default=1.0, ge=0)
    signal_trust_new_identities: bool = False
    signal_prompt_jitter_seconds: float = Field(default=60.0, ge=0, le=3600)
    """Scheduled prompts spread over this many seconds (0: none), so a practice's 08:00
    reminders do not reach Signal as one burst."""

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
        Address.parse(value)  # its ValueError says what is wrong
        return value
