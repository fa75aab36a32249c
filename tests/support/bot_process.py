"""Real ``between`` processes: a bot started against the fake Bot API server, or one command run
to its end, as a person at a shell would.

Used by the restart, settings, terminal, encryption and admin tests and the benchmarks: the
process reads its settings from the environment, like in production; a bot is ready once it
has published its commands.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.support.fake_bot_api import FakeBotApi

REPO = Path(__file__).resolve().parents[2]

Output = int | IO[bytes] | None

BETWEEN_SETTINGS = ("TELEGRAM_", "SIGNAL_", "DATABASE_", "ENCRYPTION_", "DEFAULT_TIMEZONE", "LOG_LEVEL")
"""Environment variables (by prefix) that configure Between: a command run by a test sees
only those the test gives it, never the developer's own."""


@dataclass(frozen=True)
class Finished:
    """What a ``between`` command left: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def clean_environment(**env: str) -> dict[str, str]:
    """This process's environment without Between's settings, plus ``env``; the repository
    on ``PYTHONPATH``, so ``python -m bot`` finds this checkout."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(BETWEEN_SETTINGS)}
    return {**kept, "PYTHONPATH": str(REPO), **env}


async def run_between(
    *arguments: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> Finished:
    """Run ``python -m bot <arguments>`` in ``cwd`` with only the settings in ``env``; wait for it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *arguments,
        cwd=cwd,
        env=clean_environment(**(env or {})),
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=60)
    assert process.returncode is not None
    return Finished(process.returncode, out.decode(), err.decode())


async def start_bot_process(
    api: FakeBotApi,
    workdir: Path,
    env: dict[str, str],
    *,
    module: str = "bot",
    stdout: Output = asyncio.subprocess.DEVNULL,
    stderr: Output = asyncio.subprocess.DEVNULL,
    ready_timeout: float = 60,
) -> asyncio.subprocess.Process:
    """Start ``python -m <module> run`` (``bot``) or ``python -m <module>``; wait until it is ready."""
    ready_before = len(api.calls_to("setMyCommands"))
    arguments = ["-m", module, "run"] if module == "bot" else ["-m", module]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *arguments,
        cwd=workdir,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "BETWEEN_HOME": str(workdir),  # its .env and data/, never the checkout's
            **env,
        },
        stdin=asyncio.subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
    )
    try:
        await api.wait_until(lambda: len(api.calls_to("setMyCommands")) > ready_before, timeout=ready_timeout)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    return process
