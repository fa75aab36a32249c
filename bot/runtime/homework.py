"""The homework types of this run: the built-ins plus the practice's ``HOMEWORK_DIR``, checked
against the definitions kept in the database.

Each data-defined homework's text is kept per (id, version) the first time Between runs it (at
start-up, before anyone can answer it), and entries store the version they were answered under,
so an edited file never changes how old entries read: they are read under the kept text. A
practice file changed **without** a new version is refused (one line, the bot keeps running) —
its old entries would otherwise read under words they were not answered with.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.core.clock import Clock
from bot.runtime.settings import Settings
from flows.catalogue import BUILT_IN, Catalogue, Installed, refusal
from flows.definition import Definition, DefinitionError, parse_definition
from flows.registry import BUILT_IN as BUILT_IN_CATALOGUE
from storage import Database
from storage.definitions import DefinitionRow

log = logging.getLogger(__name__)

CHANGED = 'version: "{version}" of "{id}" was first run with other text; give the changed file a new version'


def practice_folder(settings: Settings) -> Path | None:
    return Path(settings.homework_dir).expanduser() if settings.homework_dir.strip() else None


def _same(row: DefinitionRow, installed: Installed) -> bool:
    """The same text, translations aside: a language added or reworded needs no new version
    (entries keep their answers' ids and values, and read in the reader's language anyway)."""
    try:
        kept = tomllib.loads(row.source)
    except tomllib.TOMLDecodeError:
        return False
    return _untranslated(kept) == _untranslated(installed.definition.data)


def _untranslated(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "translations"}


async def open_catalogue(database: Database, settings: Settings, clock: Clock) -> Catalogue:
    """The catalogue of this run; keeps the text of each definition version run for the first time."""
    catalogue = BUILT_IN_CATALOGUE.with_practice(practice_folder(settings))
    async with database.transaction() as tx:
        stored = {(row.flow_id, row.version): row for row in await tx.definitions.all()}
        for installed in catalogue.installed:
            flow = installed.flow
            row = stored.get((flow.id, flow.version))
            if row is None:
                await tx.definitions.keep(flow.id, flow.version, installed.definition.source, clock())
            elif not _same(row, installed):
                problem = CHANGED.format(version=flow.version, id=flow.id)
                if installed.source == BUILT_IN:  # a release that changed a built-in: a bug
                    log.error("built-in %s: %s", flow.id, problem)
                    continue
                catalogue = catalogue.without(installed.source, refusal(installed.source, [problem]))
    for line in catalogue.refused:
        log.warning("%s", line)
    return catalogue.with_past(_past(catalogue, stored.values()))


def _past(catalogue: Catalogue, rows: Iterable[DefinitionRow]) -> dict[tuple[str, str], Definition]:
    """The versions entries may have been answered under that are not today's files."""
    current = {(i.flow.id, i.flow.version) for i in catalogue.installed}
    past: dict[tuple[str, str], Definition] = {}
    for row in rows:
        key = (row.flow_id, row.version)
        if key in current:
            continue
        try:
            past[key] = parse_definition(row.source.encode("utf-8"), f"{key[0]} version {key[1]} (kept)")
        except DefinitionError as error:  # kept by an older Between that read it differently
            log.warning("kept definition %s version %s cannot be read: %s", *key, error.problems[0])
    return past
