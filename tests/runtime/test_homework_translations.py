"""A practice file's translations may be added or reworded without a new version: the kept text
is compared without them (entries store ids and values, read in the reader's language), while
any other change still needs a new version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.core.i18n import _, reading
from bot.runtime.homework import open_catalogue
from bot.runtime.settings import Settings
from storage import Database
from storage.migrate import upgrade
from tests.flows.test_definition import SLEEP
from tests.flows.test_translations import GERMAN
from tests.support.clock import FakeClock


async def test_translations_added_later_need_no_new_version(
    tmp_path: Path, settings_for: Callable[..., Settings], database: Database, clock: FakeClock
) -> None:
    await upgrade(database.engine)
    settings = settings_for(homework_dir=str(tmp_path))
    (tmp_path / "sleep.toml").write_text(SLEEP, encoding="utf-8")
    first = await open_catalogue(database, settings, clock)
    assert first.refused == () and first.by_id("sleep_check") is not None

    (tmp_path / "sleep.toml").write_text(SLEEP + GERMAN, encoding="utf-8")  # German added, same version
    translated = await open_catalogue(database, settings, clock)
    flow = translated.by_id("sleep_check")
    assert translated.refused == () and flow is not None
    with reading("de"):
        assert _(flow.title) == "Schlafcheck"

    (tmp_path / "sleep.toml").write_text(SLEEP.replace("Anything else?", "Anything more?") + GERMAN)
    reworded = await open_catalogue(database, settings, clock)
    assert [line.split(" refused: ")[1] for line in reworded.refused] == [
        'version: "2" of "sleep_check" was first run with other text; give the changed file a new version'
    ]
