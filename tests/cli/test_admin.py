"""The practice admin's `between` command, run as a separate process (issue 14, items 3, 4, 6, 16
and the polish of `--help` and `schedule list`).

The data folder is found the same way from any directory; nothing is stored about a person before
they agree; `schedule add` says when the first prompt comes in the client's zone and in UTC; a
schedule that would send the same homework at the same moment is refused.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.cli.between import REPO, between, table

SNAPSHOTS = Path(__file__).with_name("snapshots")


def copy_of_the_code(into: Path, *, checkout: bool) -> Path:
    """Between's packages copied elsewhere: with pyproject.toml (a checkout) or without (as
    installed by pip), so the folder the command chooses can be seen without touching this one."""
    into.mkdir()
    for package in ("bot", "flows", "storage"):
        shutil.copytree(REPO / package, into / package, ignore=shutil.ignore_patterns("__pycache__"))
    if checkout:
        shutil.copy(REPO / "pyproject.toml", into / "pyproject.toml")
    return into


async def test_a_checkout_keeps_its_data_whatever_the_directory(tmp_path: Path) -> None:
    code = copy_of_the_code(tmp_path / "checkout", checkout=True)
    (code / ".env").write_text("DEFAULT_TIMEZONE=Europe/Lisbon\n")  # read from the checkout, too
    somewhere, elsewhere = tmp_path / "somewhere", tmp_path / "elsewhere"
    somewhere.mkdir()
    elsewhere.mkdir()

    first = await between("schedule", "add", "terminal", "mood", "08:00", cwd=somewhere, code=code)
    assert first.code == 0, first.err
    assert first.out.startswith(f"Created an encryption key in {code}/data/between.key")
    assert "(Europe/Lisbon)" in first.out
    listed = await between("schedule", "list", cwd=elsewhere, code=code)
    assert listed.code == 0 and "terminal\tmood check\t08:00 (Europe/Lisbon)" in listed.out, listed.err
    assert "Created" not in listed.out  # the same key file, found again
    assert sorted(p.name for p in (code / "data").iterdir()) == ["between.db", "between.key"]
    assert [list(folder.iterdir()) for folder in (somewhere, elsewhere)] == [[], []]


async def test_without_a_checkout_the_data_lives_under_xdg_data_home(tmp_path: Path) -> None:
    code = copy_of_the_code(tmp_path / "site-packages", checkout=False)
    data_home = tmp_path / "xdg"
    ran = await between("migrate", cwd=tmp_path, code=code, XDG_DATA_HOME=str(data_home))
    assert ran.code == 0, ran.err
    assert (data_home / "between" / "data" / "between.db").exists()
    assert (data_home / "between" / "data" / "between.key").exists()
    moved = await between("migrate", cwd=tmp_path, code=code, BETWEEN_HOME=str(tmp_path / "practice"))
    assert moved.code == 0 and (tmp_path / "practice" / "data" / "between.db").exists(), moved.err


async def test_no_new_key_beside_a_database_that_needs_another(tmp_path: Path) -> None:
    made = await between("schedule", "add", "terminal", "mood", "08:00", "--rationale", "why", cwd=tmp_path)
    assert made.code == 0, made.err
    (tmp_path / "data" / "between.key").rename(tmp_path / "kept-safe.key")
    refused = await between("schedule", "list", cwd=tmp_path)
    assert refused.code == 2 and refused.out == ""
    assert refused.err_lines == [
        f"between: configuration error: the key file {tmp_path}/data/between.key is missing, but the "
        f"database {tmp_path}/data/between.db holds encrypted values: restore the key file from your "
        "copy (or set ENCRYPTION_KEYS); no new key was made"
    ]
    assert not (tmp_path / "data" / "between.key").exists()
    (tmp_path / "kept-safe.key").rename(tmp_path / "data" / "between.key")
    assert (await between("schedule", "list", cwd=tmp_path)).code == 0


async def test_an_unknown_person_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    ran = await between("schedule", "add", "999999", "mood", "08:00", cwd=tmp_path)
    assert ran.code == 2
    assert ran.err_lines == [
        "between: no client 999999 here: nothing is stored about anyone before they agree, so their "
        "therapist invites them first (/invite in the therapist's chat); schedule once they have joined"
    ]
    database = tmp_path / "data" / "between.db"
    assert table(database, "SELECT * FROM people") == []
    assert table(database, "SELECT * FROM schedules") == []
    listed = await between("schedule", "list", "999999", cwd=tmp_path)
    assert listed.code == 2 and table(database, "SELECT * FROM people") == []


FIRST_PROMPT = re.compile(
    r"^first prompt: \w{3} \d{1,2} \w{3} (\d\d:\d\d) (\S+)(?: = \w{3} \d{1,2} \w{3} (\d\d:\d\d) UTC)? "
    r"\(in about (\d+) (min|h \d+ min)\)$"
)


async def test_the_first_prompt_is_shown_in_the_clients_zone_and_in_utc(tmp_path: Path) -> None:
    """The README's recipe after the client chose /timezone Berlin in the terminal chat."""
    chat = await between("run", cwd=tmp_path, stdin=b"/timezone Berlin\n1\n/quit\n")
    assert chat.code == 0 and "your time zone is now Europe/Berlin" in chat.out, chat.err
    soon = datetime.now(UTC) + timedelta(minutes=2)
    berlin = soon.astimezone(ZoneInfo("Europe/Berlin"))

    ran = await between("schedule", "add", "terminal", "mood", f"{berlin:%H:%M}", cwd=tmp_path)
    assert ran.code == 0, ran.err
    added, first = ran.out.strip().splitlines()
    assert added.startswith(f"schedule 1: mood check for terminal at {berlin:%H:%M} (Europe/Berlin)")
    match = FIRST_PROMPT.match(first)
    assert match is not None, first
    assert match.groups()[:3] == (f"{berlin:%H:%M}", "Europe/Berlin", f"{soon:%H:%M}")
    assert match.group(5) == "min" and 1 <= int(match.group(4)) <= 3

    in_utc_by_mistake = await between("schedule", "add", "terminal", "mood", f"{soon:%H:%M}", cwd=tmp_path)
    match = FIRST_PROMPT.match(in_utc_by_mistake.out.strip().splitlines()[-1])
    assert match is not None and match.group(5).startswith("h "), in_utc_by_mistake.out  # hours away: seen


async def test_the_same_homework_at_the_same_time_is_refused(tmp_path: Path) -> None:
    first = await between(
        "schedule", "add", "terminal", "mood", "08:00,20:00", "--days", "weekdays", cwd=tmp_path
    )
    assert first.code == 0, first.err
    again = await between(
        "schedule", "add", "terminal", "mood", "20:00,08:00", "--days", "mon-fri", cwd=tmp_path
    )
    assert again.code == 2 and again.err_lines == [
        "between: terminal's mood check schedule 1 is the same plan (08:00, 20:00, weekdays): nothing added "
        "(remove it first with `between schedule remove 1`, or choose other times)"
    ]
    overlapping = await between("schedule", "add", "terminal", "mood", "20:00", "--days", "fri", cwd=tmp_path)
    assert overlapping.code == 2 and overlapping.err_lines == [
        "between: terminal's mood check schedule 1 already sends it at 20:00, Fri: nothing added "
        "(remove it first with `between schedule remove 1`, or choose other times)"
    ]
    other_times = await between("schedule", "add", "terminal", "mood", "13:00", cwd=tmp_path)
    other_homework = await between("schedule", "add", "terminal", "breathe", "08:00", cwd=tmp_path)
    later = await between(
        "schedule", "add", "terminal", "mood", "08:00", "--from", "2099-01-01", "--days", "sat", cwd=tmp_path
    )
    assert [r.code for r in (other_times, other_homework, later)] == [0, 0, 0]
    listed = await between("schedule", "list", cwd=tmp_path)
    assert [line.split("\t")[:4] for line in listed.out.strip().splitlines()] == [
        ["id", "client", "homework", "times (client's zone)"],
        ["1", "terminal", "mood check", "08:00, 20:00 (UTC)"],
        ["2", "terminal", "mood check", "13:00 (UTC)"],
        ["3", "terminal", "breathing exercise", "08:00 (UTC)"],
        ["4", "terminal", "mood check", "08:00 (UTC)"],
    ]


HELP_COMMANDS = [
    (),
    ("run",),
    ("migrate",),
    ("schedule",),
    ("schedule", "add"),
    ("schedule", "list"),
    ("schedule", "remove"),
    ("therapist",),
    ("therapist", "add"),
    ("therapist", "list"),
    ("keys",),
    ("keys", "status"),
    ("keys", "rotate"),
    ("homework",),
    ("homework", "check"),
    ("homework", "list"),
    ("status",),
]


async def test_help_reads_as_plain_text_and_every_command_says_what_it_does(tmp_path: Path) -> None:
    pages = []
    for command in HELP_COMMANDS:
        ran = await between(*command, "--help", cwd=tmp_path)
        assert ran.code == 0, ran.err
        description = ran.out.split("\n\n")[1]
        assert not description.startswith(("positional", "options")), f"{command}: no description"
        pages.append(f"$ {' '.join(('between', *command, '--help'))}\n{ran.out}")
    text = "\n".join(pages)
    assert "``" not in text and ":func:" not in text
    assert text == snapshot("help.txt", text), "run with UPDATE_SNAPSHOTS=1 and read the diff"
    assert os.listdir(tmp_path) == []  # asking for help stores nothing


def snapshot(name: str, text: str) -> str:
    """The stored snapshot (written from ``text`` first when UPDATE_SNAPSHOTS=1)."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    return path.read_text()


def make_run_plan(env: dict[str, str], venv: Path) -> str:
    """What `make run` would do (``make -n``: nothing is run) with a fresh virtualenv."""
    import subprocess

    done = subprocess.run(
        ["make", "-n", "-C", str(REPO), "run", f"VENV={venv}"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(("url", "installs"), [("postgresql+asyncpg://b@127.0.0.1:9/b", True), ("", False)])
def test_make_run_installs_the_postgres_extra_when_the_url_needs_it(
    tmp_path: Path, url: str, installs: bool
) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MAKEFLAGS")}
    env.update(DATABASE_URL=url, BETWEEN_HOME=str(tmp_path))
    plan = make_run_plan(env, tmp_path / "venv")
    assert plan.index("Setting up Between") < plan.index("pip install")  # said before the wait
    assert ("-e '.[postgres]'" in plan) is installs
    (tmp_path / ".env").write_text(f"DATABASE_URL={url or 'sqlite+aiosqlite:///data/b.db'}\n")
    env["DATABASE_URL"] = ""  # now from .env in Between's folder
    assert ("-e '.[postgres]'" in make_run_plan(env, tmp_path / "venv")) is installs
