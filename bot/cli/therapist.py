"""``between therapist add|list``: one-time registration links, and who is registered."""

from __future__ import annotations

import argparse

from bot.cli.database import open_database
from bot.cli.parsing import Commands, command
from bot.core.errors import ConfigurationError
from bot.runtime.settings import Settings
from storage import Database

REGISTRATION_PRINTED = (
    "Registration for {name}: send them this link; it works once, for 7 days, and makes whoever "
    "opens it a therapist here, so send it privately.\n{link}"
)
REGISTRATION_NO_LINK = (
    "Registration for {name}: it works once, for 7 days. In a private chat with the bot they "
    "send /start followed by this code:"
)


def add_parser(commands: Commands) -> None:
    therapist = command(commands, "therapist", "register therapists (one-time links) and list them")
    actions = therapist.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = command(actions, "add", "print a one-time registration link and code for a therapist")
    add.add_argument("name", help='the therapist\'s name, e.g. "Dr Ana Ruiz"')
    command(actions, "list", "registered therapists and how many clients each has")


async def _registration_link(settings: Settings, code: str) -> str | None:
    """The ways in, made by the messengers configured (Telegram's link is None when Telegram
    cannot be reached); one labelled line each when several are (the same code works on each)."""
    from bot.runtime.messengers import configured

    links: list[tuple[str, str]] = []
    for messenger in configured(settings):
        link = await messenger.registration_link(settings, code)
        if link:
            links.append((messenger.join_labelled, link))
    if len(links) == 1:
        return links[0][1]
    return "\n".join(label.format(link=link) for label, link in links) or None


async def therapist(settings: Settings, args: argparse.Namespace) -> None:
    from bot.core.clock import utc_now

    database = await open_database(settings)
    try:
        if args.action == "list":
            for line in await _therapist_lines(database):
                print(line)
            return
        name = " ".join(args.name.split())
        if not name or len(name) > 100:
            raise ConfigurationError("a therapist's name is 1 to 100 characters")
        from bot.core.codes import AttemptLimiter
        from bot.practice.admission import Admissions

        practice = Admissions(database, limiter=AttemptLimiter(utc_now))
        code = await practice.issue_registration(name, utc_now())
    finally:
        await database.close()
    link = await _registration_link(settings, code)
    if link:
        print(REGISTRATION_PRINTED.format(name=name, link=link))
    else:
        print(REGISTRATION_NO_LINK.format(name=name))
    print(code)


async def _therapist_lines(database: Database) -> list[str]:
    async with database.transaction() as tx:
        therapists = await tx.therapists.all()
        counts = {t.person_id: len(await tx.clients.of(t.person_id)) for t in therapists}
    if not therapists:
        return ['no therapists yet: between therapist add "Name"']
    return [f"#{t.person_id}\t{t.name}\t{counts[t.person_id]} clients" for t in therapists]
