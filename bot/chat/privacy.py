"""A client's data is theirs: ``/export`` hands it over, ``/delete`` erases it.

Export sends two documents: everything as JSON (every table's rows that are theirs, who read
their data when, and their measures with score and band) and their practice as CSV; with any
LOINC-coded measure (PHQ-9, GAD-7), a third: those as FHIR R4 resources, for an EHR.
Erasure, after a confirmation button, tells their therapist they left and deletes every row
that is theirs in one transaction; the last message they get is queued with no link to them.
Both are written to the audit log (ids only).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.chat import texts
from bot.chat.router import ButtonRoute, Command, Context, Router, button_data, button_fields
from bot.chat.turn import note
from bot.core.i18n import _, reading
from bot.core.messages import Attachment, Button, Outgoing, Purpose, choice_question
from bot.core.statuses import EntryStatus
from bot.core.timezones import zone_or_utc
from flows import Flow
from flows.fhir import ScoredEntry, entry_score, fhir_bundle
from flows.places import step_name
from flows.readable import answer_text, readable_answers
from storage import Role, erase_person, export_person

log = logging.getLogger(__name__)

DELETE_DATA_PREFIX = "del:"
FlowOf = Callable[[str, str | None], Flow | None]
"""The flow an entry was answered under, by its homework id and definition version."""
CSV_HEADINGS = (texts.CSV_STARTED, texts.CSV_HOMEWORK, texts.CSV_STATUS)
"""The CSV's first columns, in the person's language (each question's column follows)."""
FINISHED = (EntryStatus.COMPLETED, EntryStatus.CANCELLED)


def _flow_of(entry: dict[str, Any], flow_of: FlowOf) -> Flow | None:
    version = entry.get("flow_version")
    return flow_of(str(entry.get("flow_id")), str(version) if version is not None else None)


def _columns(entries: list[dict[str, Any]], flows: Sequence[Flow], flow_of: FlowOf) -> list[tuple[str, str]]:
    """(flow id, step id) for every question answered in these entries: the homework types in
    the registry's order, each question in its flow's order (retired ones after)."""
    answered: dict[str, set[str]] = {}
    steps: dict[str, list[str]] = {}
    for entry in entries:
        answered.setdefault(str(entry["flow_id"]), set()).update(entry.get("answers") or {})
        flow = _flow_of(entry, flow_of)
        known_steps = steps.setdefault(str(entry["flow_id"]), [])
        known_steps += [s.id for s in flow.steps if s.id not in known_steps] if flow else []
    ids = {f.id for f in flows}
    ordered = [f.id for f in flows if f.id in answered] + sorted(set(answered) - ids)
    columns: list[tuple[str, str]] = []
    for flow_id in ordered:
        known = steps.get(flow_id, [])
        keys = [k for k in known if k in answered[flow_id]] + sorted(answered[flow_id] - set(known))
        columns += [(flow_id, key) for key in keys]
    return columns


def _csv(entries: list[dict[str, Any]], timezone: str, flows: Sequence[Flow], flow_of: FlowOf) -> bytes:
    """One row per homework: when (their local time), what, how it ended, then one column per
    question (named by its homework), filled in on the rows of that homework."""
    zone = zone_or_utc(timezone)
    columns = _columns(entries, flows, flow_of)
    titles = {f.id: _(f.title) for f in flows}
    out = io.StringIO()
    writer = csv.writer(out)
    heading = _(texts.CSV_QUESTION)
    headings = [heading.format(homework=titles.get(f, f), question=step_name(f, s)) for f, s in columns]
    writer.writerow([*(_(heading) for heading in CSV_HEADINGS), *headings])
    for entry in sorted(entries, key=lambda e: str(e.get("started_at"))):
        started = datetime.fromisoformat(str(entry["started_at"])).astimezone(zone)
        flow_id = str(entry["flow_id"])
        answers = entry.get("answers") or {}
        flow = _flow_of(entry, flow_of)
        cells = [answer_text(flow, step, answers) if f == flow_id else "" for f, step in columns]
        status = _(texts.ENTRY_STATUSES.get(str(entry["status"]), str(entry["status"])))
        writer.writerow([f"{started:%Y-%m-%d %H:%M}", titles.get(flow_id, flow_id), status, *cells])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read UTF-8


def _readable(data: dict[str, list[dict[str, Any]]], flow_of: FlowOf) -> dict[str, list[dict[str, Any]]]:
    """The export with answers as they read (labels, the client's own words unmarked)."""
    for table in ("entries", "conversations"):
        for row in data.get(table, []):
            flow = _flow_of(row, flow_of)
            if isinstance(row.get("answers"), dict):
                row["answers"] = readable_answers(flow, row["answers"])
            for key in ("selection", "draft"):
                if row.get(key) is not None:
                    row[key] = readable_answers(None, {key: row[key]})[key]
    return data


def scored_entries(rows: list[dict[str, Any]], flow_of: FlowOf) -> list[ScoredEntry]:
    """The finished entries of scored homework types (measures), oldest first, from stored rows
    (answers as stored: scores are read before the answers are made readable)."""
    found = []
    for row in rows:
        flow = _flow_of(row, flow_of)
        answers = row.get("answers")
        if (
            flow is None
            or flow.scoring is None
            or row.get("status") not in FINISHED
            or not isinstance(answers, dict)
        ):
            continue
        at = datetime.fromisoformat(str(row.get("completed_at") or row["started_at"]))
        version = row.get("flow_version")
        found.append(ScoredEntry(int(row["id"]), flow, dict(answers), at, str(version) if version else None))
    return sorted(found, key=lambda e: (e.at, e.entry_id))


def measures_json(entries: list[ScoredEntry], timezone: str) -> list[dict[str, Any]]:
    """Each measure's entry with its score and band (a half-done one: unscored, and which items)."""
    zone = zone_or_utc(timezone)
    result = []
    for entry in entries:
        found = entry_score(entry)
        if found is None:
            continue
        result.append(
            {
                "entry_id": entry.entry_id,
                "homework": _(entry.flow.title),
                "answered_at": entry.at.astimezone(zone).isoformat(),
                "score_label": _(found.label),
                "score": found.value,
                "band": _(found.band) if found.band else found.band,
                "unanswered_items": list(found.missing),
            }
        )
    return result


async def on_export(ctx: Context) -> None:
    turn = ctx.turn
    runner = ctx.runner
    stored = await export_person(turn.tx.connection, turn.person.id)
    measures = scored_entries(stored.get("entries", []), runner.flow_of)
    data: dict[str, Any] = _readable(stored, runner.flow_of)
    if measures:
        data["scored_measures"] = measures_json(measures, turn.person.timezone)
    document = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    stamp = f"{turn.now:%Y-%m-%d}"
    turn.say(note(_(texts.EXPORT_READY)))
    turn.say(Outgoing(text=None, attachment=Attachment("document", f"between-data-{stamp}.json", document)))
    table = _csv(data.get("entries", []), turn.person.timezone, runner.flows, runner.flow_of)
    turn.say(Outgoing(text=None, attachment=Attachment("document", f"between-practice-{stamp}.csv", table)))
    bundle = fhir_bundle(measures, turn.person.id, turn.now)
    if bundle is not None:
        fhir = json.dumps(bundle, ensure_ascii=False, indent=2).encode("utf-8")
        turn.say(note(_(texts.EXPORT_FHIR)))
        turn.say(
            Outgoing(
                text=None, attachment=Attachment("document", f"between-measures-fhir-{stamp}.json", fhir)
            )
        )
    await turn.tx.audit.record(turn.now, turn.person.id, "export", turn.person.id)
    log.info("person %s exported their data", turn.person.id)


async def on_delete(ctx: Context) -> None:
    turn = ctx.turn
    if turn.person.role == Role.THERAPIST:
        turn.say(note(_(texts.DELETE_THERAPIST)))
        return
    buttons = (
        (Button(_(texts.BUTTON_DELETE), button_data(DELETE_DATA_PREFIX, turn.person.id, "yes")),),
        (Button(_(texts.BUTTON_KEEP), button_data(DELETE_DATA_PREFIX, turn.person.id, "no")),),
    )
    turn.say(choice_question(_(texts.DELETE_CONFIRM), buttons))


async def on_delete_button(ctx: Context) -> str | None:
    """'Delete everything' or 'Keep it' under the confirmation."""
    turn, message_id = ctx.turn, ctx.message_id
    fields = button_fields(ctx.data, DELETE_DATA_PREFIX)
    if len(fields) != 2 or turn.person.role == Role.THERAPIST:
        return _(texts.BUTTON_EXPIRED)
    number, choice = fields
    if number != str(turn.person.id) or choice not in ("yes", "no"):
        return _(texts.BUTTON_EXPIRED)
    if message_id is not None:
        turn.say(Outgoing(text=None, purpose=Purpose.CLOSE_PROMPT, edit_of=message_id))
    if choice == "no":
        turn.say(note(_(texts.DELETE_KEPT)))
        return None
    person = turn.person
    therapist = await turn.tx.people.get(person.therapist_id) if person.therapist_id else None
    if therapist is not None:
        with reading(therapist.language, formal=True):  # the therapist's language, not the client's
            left = _(texts.CLIENT_LEFT).format(alias=person.alias or f"#{person.id}")
        turn.tell(therapist, note(left))
    await turn.tx.audit.record(turn.now, person.id, "erased", person.id)
    turn.say(Outgoing(text=_(texts.DELETED), erased=True))  # a transport drops what it kept (exports)
    await erase_person(turn.tx.connection, person.id)
    turn.erased = True  # the goodbye is queued with no link to the rows just deleted
    log.info("person %s erased their data", person.id)
    return None


def register(router: Router) -> None:
    """/export and /delete work before a changed consent text is agreed to, as does erasure."""
    names, lines = texts.COMMAND_NAMES, texts.HELP_LINES
    router.command(Command("export", names["export"], on_export, help=lines["export"], before_consent=True))
    router.command(Command("delete", names["delete"], on_delete, before_consent=True))
    router.button(ButtonRoute(DELETE_DATA_PREFIX, on_delete_button, before_consent=True))
