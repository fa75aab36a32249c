"""``between keys status|rotate``: which key seals what, and rotation to a new key."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bot.cli.database import key_lock, load_keys, open_database
from bot.cli.parsing import Commands, command
from bot.runtime.settings import Settings

if TYPE_CHECKING:
    from storage.crypto import LoadedKeys

ROTATE_WHILE_RUNNING = (
    "between: the bot is running with these keys; stop it first, then rotate "
    "(a running bot would go on sealing with the key being retired)."
)


def add_parser(commands: Commands) -> None:
    keys = command(commands, "keys", "encryption keys: which seal what, and rotation")
    actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    command(actions, "status", "the key ids and how many stored values each one sealed")
    rotate = command(
        actions, "rotate", "add a new key, seal every value again with it, then drop the old keys"
    )
    rotate.add_argument(
        "--reencrypt",
        action="store_true",
        help="no new key: seal every value with the newest key (after setting a new ENCRYPTION_KEYS, "
        "or to finish an interrupted rotation)",
    )


ROTATE_WITH_SETTING = (
    "New key {id}. Keys from ENCRYPTION_KEYS are yours to change: set it to this value (the new key "
    "first, the old ones kept), restart the bot, then run `between keys rotate --reencrypt`:\n"
    "ENCRYPTION_KEYS={value}"
)


def _values(count: int) -> str:
    return f"{count:>9} value" + ("" if count == 1 else "s")


async def status(settings: Settings) -> int:
    loaded = await load_keys(settings)
    database = await open_database(settings, loaded.ring, check_keys=False)
    try:
        usage = await database.key_usage()
    finally:
        await database.close()
    totals: dict[str, int] = {}
    for counts in usage.values():
        for id_, count in counts.items():
            totals[id_] = totals.get(id_, 0) + count
    print(f"Encryption keys from {loaded.source}, newest first:")
    for position, id_ in enumerate(loaded.ring.ids):
        role = "newest (seals)" if position == 0 else "older (opens)"
        print(f"  {id_}  {role:<15}{_values(totals.pop(id_, 0))}")
    plaintext = totals.pop("", 0)
    for id_, count in sorted(totals.items()):
        print(f"  {id_}  {'NOT CONFIGURED':<15}{_values(count)}: cannot be read until that key is restored")
    print(
        f"  {'unencrypted':<25}{_values(plaintext)}"
        + (": `between keys rotate` seals them" if plaintext else "")
    )
    return 1 if totals else 0


async def rotate(settings: Settings, reencrypt: bool) -> int:
    """A new key first (unless ``reencrypt``), every value sealed again with it, then — only when
    none is left under an older key — the older keys dropped from the key file."""

    loaded = await load_keys(settings)
    with key_lock(loaded.file, exclusive=True) as alone:
        if not alone:
            print(ROTATE_WHILE_RUNNING, file=sys.stderr)
            return 1
        return await _rotate(settings, loaded, reencrypt)


async def _rotate(settings: Settings, loaded: LoadedKeys, reencrypt: bool) -> int:
    from storage.crypto import write_key_file

    ring = loaded.ring if reencrypt else loaded.ring.with_new_key()
    if not reencrypt and loaded.file is None:
        print(ROTATE_WITH_SETTING.format(id=ring.newest, value=",".join(ring.encoded())))
        return 0
    database = await open_database(settings, ring, check_keys=False)
    try:
        if not reencrypt:
            assert loaded.file is not None
            write_key_file(loaded.file, ring)  # before any value uses it: a stop halfway loses nothing
            print(
                f"Added key {ring.newest} to {loaded.source}; the older keys stay until no value uses them."
            )
        report = await database.reseal()
        usage = await database.key_usage()
        if report.resealed.total():
            await database.compact()
    finally:
        await database.close()
    for column, count in sorted(report.resealed.items()):
        if count:
            print(f"{column}: {_values(count).strip()} sealed with key {ring.newest}")
    left: dict[str, int] = {}
    for counts in usage.values():
        for id_, count in counts.items():
            if id_ != ring.newest:
                left[id_ or "unencrypted"] = left.get(id_ or "unencrypted", 0) + count
    if left:
        shown = ", ".join(f"{count} under {id_}" for id_, count in sorted(left.items()))
        print(
            f"Not finished: {shown}. Keys that are not configured cannot be opened; a bot left "
            "running writes with the keys it started with: stop it and run "
            "`between keys rotate --reencrypt` again. No key was removed.",
            file=sys.stderr,
        )
        return 1
    retired = [id_ for id_ in ring.ids if id_ != ring.newest]
    if retired and loaded.file is not None:
        write_key_file(loaded.file, ring.newest_only())
        print(f"Removed the retired keys {', '.join(retired)} from {loaded.source}.")
    elif retired:
        print(f"Keep only the first key in ENCRYPTION_KEYS: {', '.join(retired)} are no longer used.")
    print(f"Every value is sealed with key {ring.newest}. Keep a copy of it somewhere safe.")
    return 0
