"""Run the `between` command as a person would: a separate process, settings from its
environment, in a directory of the test's choosing."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OWN_SETTINGS = ("TELEGRAM_", "DATABASE_", "ENCRYPTION_", "DEFAULT_TIMEZONE", "BETWEEN_HOME", "XDG_")


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.strip().splitlines()


async def between(
    *arguments: str, cwd: Path, code: Path = REPO, prelude: str = "pass", stdin: bytes = b"", **env: str
) -> Ran:
    """``between <arguments>`` in ``cwd``, the code taken from ``code`` (a checkout, or a copy of
    the packages); ``prelude`` runs first in the process (to hide a module, say). With this
    checkout's code, Between's folder stays the test's own (``BETWEEN_HOME`` from conftest)."""
    ignored = OWN_SETTINGS if code != REPO else tuple(p for p in OWN_SETTINGS if p != "BETWEEN_HOME")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(ignored)}
    assert code != REPO or environment.get("BETWEEN_HOME"), "never the checkout's own data folder"
    environment.update(PYTHONPATH=str(code), COLUMNS="100", **env)
    start = (
        f"import sys, runpy; {prelude}; sys.argv[0] = 'between'; runpy.run_module('bot', run_name='__main__')"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        start,
        *arguments,
        cwd=cwd,
        env=environment,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=60)
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def table(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()
