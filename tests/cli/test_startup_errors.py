"""Every way `between` can fail to start is one line on stderr saying what is wrong and what to
do, never a traceback and never the token or a password, with a non-zero exit (issue 14, item 1).

No outside address is contacted: Telegram is the fake Bot API server (which checks the token) or
a closed 127.0.0.1 port; PostgreSQL is a closed 127.0.0.1 port.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.cli.between import REPO, Ran, between, closed_port
from tests.support.fake_bot_api import FakeBotApi

SECRET = "AAHcanarySECRETpart"


def assert_one_line(ran: Ran, code: int, starts: str, *secrets: str) -> None:
    assert ran.code == code, ran.err
    assert len(ran.err_lines) == 1 and ran.err_lines[0].startswith(starts), ran.err
    for secret in secrets:
        assert secret not in ran.err and secret not in ran.out


async def test_a_token_telegram_rejects(tmp_path: Path) -> None:
    async with FakeBotApi(token="123456:THE-RIGHT-ONE") as api:
        ran = await between(
            "run",
            cwd=tmp_path,
            BETWEEN_HOME=str(tmp_path),
            TELEGRAM_BOT_TOKEN=f"123456:{SECRET}",
            TELEGRAM_API_BASE_URL=api.base_url,
        )
    assert_one_line(ran, 2, "between: Telegram rejected TELEGRAM_BOT_TOKEN: copy the token again", SECRET)


async def test_no_network(tmp_path: Path) -> None:
    port = closed_port()
    ran = await between(
        "run",
        cwd=tmp_path,
        BETWEEN_HOME=str(tmp_path),
        TELEGRAM_BOT_TOKEN=f"123456:{SECRET}",
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
    )
    assert_one_line(
        ran,
        2,
        f"between: cannot reach Telegram at http://127.0.0.1:{port} (connection failed): check this "
        "machine's network connection",
        SECRET,
    )


async def test_postgresql_unreachable(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql+asyncpg://between:{SECRET}@127.0.0.1:{port}/between"
    for command in ("run", "migrate", "schedule list"):
        ran = await between(*command.split(), cwd=tmp_path, BETWEEN_HOME=str(tmp_path), DATABASE_URL=url)
        assert_one_line(
            ran,
            1,
            f"between: cannot reach the database server at postgresql+asyncpg://between:***@127.0.0.1:{port}"
            "/between (connection refused): check that it is running there",
            SECRET,
        )


async def test_postgresql_without_its_driver_says_the_exact_command(tmp_path: Path) -> None:
    ran = await between(
        "migrate",
        cwd=tmp_path,
        prelude="sys.modules['asyncpg'] = None",  # as if the postgres extra were not installed
        BETWEEN_HOME=str(tmp_path),
        DATABASE_URL=f"postgresql+asyncpg://between:{SECRET}@127.0.0.1:{closed_port()}/between",
    )
    assert_one_line(
        ran,
        2,
        "between: DATABASE_URL names PostgreSQL, but its driver (asyncpg) is not installed: install it "
        f"with {sys.executable} -m pip install -e '{REPO}[postgres]'",
        SECRET,
    )


async def test_a_database_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    ran = await between(
        "run",
        cwd=tmp_path,
        BETWEEN_HOME=str(tmp_path),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/a-file/data/between.db",
    )
    assert_one_line(
        ran,
        2,
        f"between: cannot create the folder {tmp_path}/a-file/data for the database (Not a directory): "
        "set DATABASE_URL to a file in a folder you can write",
    )
