"""Loading definitions: the built-ins ship in the package; a practice folder adds its own; a file
that cannot stand, or whose id or command is taken, is refused with one line and the rest works."""

from __future__ import annotations

from pathlib import Path

from flows.catalogue import BUILT_IN_DIR, RESERVED_COMMANDS
from flows.registry import BUILT_IN, FLOWS, flow_by_command
from tests.support.homework import readme_example


def test_the_built_in_definitions_ship_in_the_package() -> None:
    shipped = ["activity_log.toml", "exposure.toml", "gad7.toml", "phq9.toml"]
    assert sorted(p.name for p in BUILT_IN_DIR.glob("*.toml")) == shipped
    assert {i.flow.id for i in BUILT_IN.installed} == {"activity_log", "exposure", "phq9", "gad7"}
    assert all(i.source == "built-in" for i in BUILT_IN.installed)
    assert flow_by_command("phq9") in FLOWS and BUILT_IN.by_command("gad7") is not None
    pyproject = (BUILT_IN_DIR.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'flows = ["definitions/*.toml"]' in pyproject  # installed as package data


def test_a_practice_folder_adds_its_own_and_refuses_what_cannot_stand(tmp_path: Path) -> None:
    (tmp_path / "a_sleep.toml").write_text(readme_example(), encoding="utf-8")
    (tmp_path / "b_broken.toml").write_text(readme_example().replace('kind = "text"', 'kind = "essay"'))
    (tmp_path / "c_mood.toml").write_text(
        readme_example().replace('id = "sleep_check"', 'id = "mood2"').replace('"sleep"', '"mood"')
    )
    (tmp_path / "d_again.toml").write_text(readme_example().replace('command = "sleep"', 'command = "rest"'))
    (tmp_path / "e_binary.toml").write_bytes(b"\x80\x81")
    (tmp_path / "notes.txt").write_text("not a definition")
    catalogue = BUILT_IN.with_practice(tmp_path)
    assert [(i.flow.id, i.source) for i in catalogue.installed][4:] == [
        ("sleep_check", str(tmp_path / "a_sleep.toml"))
    ]
    assert catalogue.refused == (
        f'{tmp_path / "b_broken.toml"} refused: steps[4].kind: unknown kind "essay" '
        "(known: scale, choice, multi_choice, text)",
        f'{tmp_path / "c_mood.toml"} refused: command: "/mood" is already the command of mood check '
        "(built-in)",
        f'{tmp_path / "d_again.toml"} refused: id: "sleep_check" is already the id of sleep check '
        f"({tmp_path / 'a_sleep.toml'})",
        f"{tmp_path / 'e_binary.toml'} refused: file: not UTF-8 text (byte 0 cannot be read)",
    )
    assert catalogue.by_command("sleep") is not None and catalogue.by_command("phq9") is not None
    assert len(catalogue.flows) == len(FLOWS) + 1


def test_no_folder_or_a_missing_one_adds_nothing(tmp_path: Path) -> None:
    assert BUILT_IN.with_practice(None).flows == FLOWS
    assert BUILT_IN.with_practice(tmp_path / "missing").refused == ()


async def test_no_homework_takes_one_of_the_chats_own_commands(tmp_path: Path) -> None:
    from bot.runtime.services import build_conversation
    from bot.runtime.settings import Settings
    from storage import Database
    from tests.support.clock import FakeClock

    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'between.db'}")
    try:
        features = build_conversation(database, FakeClock(), Settings(_env_file=None))  # type: ignore[call-arg]
        own = {c.name for c in features.conversations.router._order if not c.homework}
    finally:
        await database.close()
    assert own <= RESERVED_COMMANDS, sorted(own - RESERVED_COMMANDS)
    (tmp_path / "help.toml").write_text(readme_example().replace('command = "sleep"', 'command = "help"'))
    assert BUILT_IN.with_practice(tmp_path).refused == (
        f'{tmp_path / "help.toml"} refused: command: "/help" is one of Between\'s own commands',
    )
