"""Webhook mode in tests: a free local port for the bot to listen on, and its settings.

The fake Bot API delivers to the bot's local address (``api.route_webhook``), as a reverse proxy
with TLS would in front of it; the public URL is never called.
"""

from __future__ import annotations

import socket

URL = "https://bot.example.org/telegram/updates"
"""The public URL the bot registers (what Telegram would call)."""
SECRET = "test-webhook-secret_" + "0123456789abcdef"


def free_port() -> int:
    """A port nothing listens on right now (the OS's pick; released at once for the bot)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_env(port: int) -> dict[str, str]:
    """The settings of a bot receiving its updates by webhook on 127.0.0.1:``port``."""
    return {
        "TELEGRAM_WEBHOOK_URL": URL,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }


def local_base(port: int) -> str:
    return f"http://127.0.0.1:{port}"
