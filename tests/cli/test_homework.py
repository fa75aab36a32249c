"""``between homework check FILE`` and ``between homework list``, run as a practice admin would."""

from __future__ import annotations

from pathlib import Path

from tests.cli.between import between
from tests.support.homework import readme_example

GOOD = readme_example()
ONE_STEP = """
id = "sleep_check"
version = "1"
command = "sleep"
title = "sleep check"
description = "how long I slept"

[[steps]]
id = "hours"
text = "How many hours?"
kind = "scale"
"""
BROKEN = (
    ONE_STEP.replace('kind = "scale"', 'kind = "slider"')
    + '\n[[steps]]\nid = "hours"\ntext = "Again?"\nkind = "text"\n'
    + 'when = { step = "later", answered = true }\n'
    + '\n[[steps]]\nid = "later"\ntext = "Later"\nkind = "text"\n'
)


async def test_check_prints_every_problem_with_its_field_path_and_fails(tmp_path: Path) -> None:
    broken = tmp_path / "sleep.toml"
    broken.write_text(BROKEN, encoding="utf-8")
    ran = await between("homework", "check", str(broken), cwd=tmp_path)
    assert ran.code == 1, ran.err
    assert ran.out.splitlines() == [
        f'{broken}: steps[0].kind: unknown kind "slider" (known: scale, choice, multi_choice, text)',
        f'{broken}: steps[1].id: "hours" is already the id of an earlier step',
        f'{broken}: steps[1].when.step: "later" is this or a later step (a condition reads earlier answers)',
    ]


async def test_check_passes_a_sound_file_and_refuses_a_taken_command(tmp_path: Path) -> None:
    good = tmp_path / "sleep.toml"
    good.write_text(GOOD, encoding="utf-8")
    ran = await between("homework", "check", str(good), cwd=tmp_path)
    assert (ran.code, ran.out) == (
        0,
        f"{good}: fine — sleep check (/sleep), version 1, 5 questions, scored (sleep score)\n",
    )
    good.write_text(GOOD.replace('command = "sleep"', 'command = "mood"'), encoding="utf-8")
    taken = await between("homework", "check", str(good), cwd=tmp_path)
    assert (taken.code, taken.out) == (
        1,
        f'{good}: command: "/mood" is already the command of mood check (built-in)\n',
    )
    garbled = tmp_path / "garbled.toml"
    garbled.write_bytes(b"id = \xff\xfe")
    unreadable = await between("homework", "check", str(garbled), cwd=tmp_path)
    assert (unreadable.code, unreadable.out) == (
        1,
        f"{garbled}: file: not UTF-8 text (byte 5 cannot be read)\n",
    )


async def test_list_shows_what_is_installed_and_what_would_be_refused(tmp_path: Path) -> None:
    folder = tmp_path / "homework"
    folder.mkdir()
    (folder / "sleep.toml").write_text(GOOD, encoding="utf-8")
    (folder / "zz_broken.toml").write_text(
        BROKEN.replace('id = "sleep_check"', 'id = "other"'), encoding="utf-8"
    )
    ran = await between("homework", "list", cwd=tmp_path, HOMEWORK_DIR=str(folder))
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    assert lines[0].split() == ["id", "version", "title", "command", "source"]
    rows = {line.split()[0]: line for line in lines[1:] if line and line[0].islower()}
    assert rows["phq9"].split()[1:] == ["1", "PHQ-9", "/phq9", "built-in"]
    assert rows["gad7"].split()[1:] == ["1", "GAD-7", "/gad7", "built-in"]
    assert rows["mood_check"].endswith("built-in (Python)")
    assert rows["sleep_check"].endswith(str(folder / "sleep.toml"))
    refused = lines[lines.index("Refused (left out at start-up):") + 1 :]
    assert refused == [
        f'{folder / "zz_broken.toml"} refused: steps[0].kind: unknown kind "slider" (known: scale, choice, '
        f"multi_choice, text) (and 2 more: between homework check {folder / 'zz_broken.toml'})"
    ]
