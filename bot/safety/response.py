"""When what a client writes suggests they may be at risk.

Every free text is checked (answers in any flow, messages outside one, edits, captions, notes,
command arguments) with the phrase list in ``bot/safety/risk_phrases.toml`` and those of the other
installed languages (``risk_languages``: German too). On a hit, in the same
transaction as the update: the event is stored; the client at once gets a fixed message with the
practice's crisis resources (those for abuse and violence too when what they wrote says someone
is hurting them) and two buttons ("I'm safe — carry on" / "I'm not safe right now"); an open
flow pauses (its answers kept); the therapist's digest chat gets an alert (alias, time,
where — not the words, unless the practice turns that on). Whatever they tap, they are asked once
more, later, whether they are safe: one dismissive tap does not close it.

Logs carry ids, the place and the category only — never the words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.chat import texts
from bot.chat.router import ButtonRoute, Context, Router
from bot.chat.therapists import reader_language, therapist_chats
from bot.chat.turn import RiskFinding, Turn, note
from bot.core import formatting
from bot.core.i18n import _, reading
from bot.core.messages import (
    Button,
    Expects,
    Outgoing,
    Purpose,
    Reroute,
    choice_question,
    parse_button_number,
)
from bot.core.statuses import PersonStatus
from bot.core.timezones import zone_or_utc
from bot.safety import texts as alerts
from bot.safety.item_alerts import ITEM_ALERT, answer_label, item_alert_text
from bot.safety.risk_language import RiskMatch
from bot.safety.risk_languages import RiskReader, default_reader
from flows import Flow, Step
from flows.places import describe_where
from storage import Database, PersonRow, RiskEventRow, Transaction

log = logging.getLogger(__name__)

CRISIS_DATA_PREFIX = "rk:"
FOLLOW_UP_DATA_PREFIX = "rf:"
SAFETY_PREFIXES = (CRISIS_DATA_PREFIX, FOLLOW_UP_DATA_PREFIX)
SAFE = "safe"
NOT_SAFE = "not_safe"
SET_ASIDE = "p"
"""The crisis message after an item alert: safe, and the questionnaire set aside for now."""
_ANSWERS = {"s": SAFE, "u": NOT_SAFE, SET_ASIDE: SAFE}
RISK_LANGUAGE = "risk_language"
"""Why a client's high-risk flag was raised: risk language, or an item alert (``ITEM_ALERT``)."""
HARMED_BY_OTHERS = "harmed_by_others"
"""The phrase-list category (danger at home included) whose crisis message adds the abuse line."""


@dataclass(frozen=True, slots=True)
class CrisisResources:
    """Configured per practice (``CRISIS_*`` settings)."""

    emergency: str
    line: str
    text_line: str
    abuse_line: str
    """For abuse and violence; shown when what they wrote says someone is hurting them."""

    def shown(self) -> dict[str, str]:
        """The resources as the crisis texts name them, in the language being read: a setting
        still at its shipped placeholder reads as that language's placeholder (German: the
        TelefonSeelsorge, 116 123, 112), to be confirmed as the English ones are; a practice's
        own setting is shown as written."""
        named = {
            "emergency": self.emergency,
            "line": self.line,
            "text_line": self.text_line,
            "abuse_line": self.abuse_line,
        }
        return {
            key: _(value) if value in texts.PLACEHOLDER_RESOURCES else value for key, value in named.items()
        }


@dataclass(frozen=True, slots=True)
class SafetySettings:
    resources: CrisisResources
    follow_up: timedelta = timedelta(hours=3)
    alert_includes_text: bool = False


@dataclass(frozen=True, slots=True)
class ButtonOutcome:
    notice: str | None = None
    carry_on: bool = False
    """Unpause the open flow and show its question again."""
    set_aside: bool = False
    """Set the paused flow aside as a draft (as /cancel does), to finish another time."""


class Safety:
    """Recognises risk language and responds to it; asks again later."""

    def __init__(
        self, database: Database, settings: SafetySettings, reader: RiskReader | None = None
    ) -> None:
        self._db = database
        self._settings = settings
        self._reader = reader if reader is not None else default_reader()

    def recognise(self, text: str, languages: Collection[str] | None = None) -> RiskMatch | None:
        """Risk language in English and in `languages` (None: every installed one, until each
        person has a language of their own to pass here)."""
        return self._reader.check(text, languages) if text.strip() else None

    def _crisis_text(self, told: bool, harmed: bool = False) -> str:
        resources = self._settings.resources
        return (_(texts.CRISIS_HARMED) if harmed else _(texts.CRISIS)).format(
            **resources.shown(), told=_(texts.CRISIS_TOLD_THERAPIST) if told else ""
        )

    def _harmed_by_others(self, category: str, text: str | None) -> bool:
        """Whether any category found is harm by others, not only the most urgent one."""
        if category == HARMED_BY_OTHERS or not text:
            return category == HARMED_BY_OTHERS
        return any(found.category == HARMED_BY_OTHERS for found in self._reader.matches(text))

    def stranger_message(self, text: str) -> Outgoing:
        """For someone who is not a client here: the resources (those for abuse and violence too
        when they say someone hurts them), nothing stored (urgent, as every crisis reply: before
        anything queued for the chat, not held by its pace)."""
        harmed = self._harmed_by_others("", text)
        return replace(note(self._crisis_text(told=False, harmed=harmed)), urgent=True)

    async def respond(self, turn: Turn, match: RiskFinding, where: str, text: str) -> None:
        """Store the event, answer with the crisis message, alert the therapist."""
        person = turn.person
        event_id = await self._record(turn, where, match.category, text, RISK_LANGUAGE)
        told = person.therapist_id is not None
        turn.say(self._crisis_message(event_id, told, self._harmed_by_others(match.category, text)))
        if told:
            await self._alert(turn, event_id, where, match.category, text)
        log.warning(
            "person %s: risk language (%s) in %s; crisis message sent", person.id, match.category, where
        )

    async def respond_to_item(
        self, turn: Turn, flow: Flow, step: Step, answer: Any, *, finished: bool
    ) -> None:
        """An item alert (the ``ItemAlerts`` port): the same crisis message as risk language —
        with a choice to carry on with the questionnaire or set it aside, unless it is done —
        the event, the flag, and the therapist alerted without the client's other answers."""
        person = turn.person
        where = f"{flow.id}.{step.id}"
        event_id = await self._record(turn, where, ITEM_ALERT, answer_label(step, answer), ITEM_ALERT)
        told = person.therapist_id is not None
        turn.say(self._crisis_message(event_id, told, harmed=False, questionnaire=not finished))
        if told:
            alias = person.alias or f"#{person.id}"
            await self._tell_therapist(
                turn.tx,
                person,
                turn,
                lambda: item_alert_text(alias, flow, step, answer, **_when(person, turn.now)),
            )
            await turn.tx.audit.record(
                turn.now, person.therapist_id, "item_alert", person.id, f"event {event_id}"
            )
        log.warning("person %s: item alert at %s; crisis message sent", person.id, where)

    async def _record(self, turn: Turn, where: str, category: str, text: str | None, reason: str) -> int:
        """The risk event (with one later "are you safe?" at a time) and the high-risk flag."""
        person = turn.person
        follow_up = None
        if not await turn.tx.risk_events.follow_up_pending(person.id):
            follow_up = turn.now + self._settings.follow_up
        event_id = await turn.tx.risk_events.add(person.id, turn.now, where, category, text, follow_up)
        await turn.tx.risk_flags.raise_flag(person.id, turn.now, reason, where, event_id)
        return event_id  # (the therapist's alert is the audited moment; clearing is audited too)

    def _crisis_message(
        self, event_id: int, told: bool, harmed: bool, *, questionnaire: bool = False
    ) -> Outgoing:
        """The fixed crisis message; after an item alert mid-questionnaire, "safe" comes as two
        buttons: carry on with it now, or set it aside for another time."""
        data = f"{CRISIS_DATA_PREFIX}{event_id}"
        safe: tuple[tuple[Button, ...], ...] = ((Button(_(texts.BUTTON_SAFE), f"{data}:s"),),)
        if questionnaire:
            safe = (
                (Button(_(texts.BUTTON_SAFE_CONTINUE), f"{data}:s"),),
                (Button(_(texts.BUTTON_SAFE_SET_ASIDE), f"{data}:{SET_ASIDE}"),),
            )
        buttons = (*safe, (Button(_(texts.BUTTON_NOT_SAFE), f"{data}:u"),))
        return replace(choice_question(self._crisis_text(told, harmed), buttons), urgent=True)

    async def remind_paused(self, turn: Turn) -> None:
        """Their flow is paused: say so, with the button that carries on."""
        latest = await turn.tx.risk_events.latest(turn.person.id)
        buttons: tuple[tuple[Button, ...], ...] = ()
        if latest is not None:
            buttons = ((Button(_(texts.BUTTON_SAFE), f"{CRISIS_DATA_PREFIX}{latest.id}:s"),),)
        turn.say(choice_question(_(texts.PAUSED), buttons))

    async def on_button(self, turn: Turn, data: str, message_id: str | None) -> ButtonOutcome:
        follow_up = data.startswith(FOLLOW_UP_DATA_PREFIX)
        number, _sep, choice = data[len(CRISIS_DATA_PREFIX) :].partition(":")
        event_id = parse_button_number(number)
        event = await turn.tx.risk_events.get(event_id) if event_id is not None else None
        answer = _ANSWERS.get(choice)
        if event is None or answer is None or event.person_id != turn.person.id:
            return ButtonOutcome(notice=_(texts.BUTTON_EXPIRED))
        told = turn.person.therapist_id is not None
        if message_id is not None:
            turn.say(Outgoing(text=None, purpose=Purpose.CLOSE_PROMPT, edit_of=message_id))
        if follow_up:
            if event.follow_up_answer is not None:
                return ButtonOutcome(notice=_(texts.BUTTON_EXPIRED))
            await turn.tx.risk_events.follow_up_answer(event.id, answer)
        elif event.answer != NOT_SAFE:  # "not safe" stays on record, whatever comes after
            await turn.tx.risk_events.answer(event.id, answer, turn.now)
        log.info("person %s answered risk event %s: %s", turn.person.id, event.id, answer)
        if answer == SAFE:
            turn.say(note(_(texts.FOLLOW_UP_SAFE) if follow_up else _(texts.SAFE_THANKS)))
            set_aside = choice == SET_ASIDE and not follow_up
            return ButtonOutcome(carry_on=not follow_up and not set_aside, set_aside=set_aside)
        resources = self._settings.resources
        safe_now = (Button(_(texts.BUTTON_SAFE_NOW), f"{CRISIS_DATA_PREFIX}{event.id}:s"),)
        turn.say(
            Outgoing(
                text=(
                    _(texts.NOT_SAFE_HARMED)
                    if self._harmed_by_others(event.category, event.text)
                    else _(texts.NOT_SAFE)
                ).format(**resources.shown(), told=_(texts.NOT_SAFE_TOLD_THERAPIST) if told else ""),
                purpose=Purpose.PROMPT,
                buttons=(safe_now,),
                expects=Expects.choice((safe_now,)),
                urgent=True,
            )
        )
        if told:
            await self._tell_therapist(
                turn.tx, turn.person, turn, lambda: self._not_safe_alert(turn.person, turn.now)
            )
        return ButtonOutcome()

    def _not_safe_alert(self, person: PersonRow, now: datetime) -> str:
        return _(alerts.NOT_SAFE_ALERT).format(alias=person.alias or f"#{person.id}", **_when(person, now))

    async def _alert(self, turn: Turn, event_id: int, where: str, category: str, text: str) -> None:
        person = turn.person

        def alert() -> str:
            shown = _(
                alerts.RISK_ALERT_WITH_WORDS if self._settings.alert_includes_text else alerts.RISK_ALERT
            )
            return shown.format(
                alias=person.alias or f"#{person.id}",
                where=describe_where(where),
                category=_(alerts.CATEGORIES.get(category, category.replace("_", " "))),
                text=text[:1000],
                **_when(person, turn.now),
            )

        await self._tell_therapist(turn.tx, person, turn, alert)
        await turn.tx.audit.record(
            turn.now, person.therapist_id, "risk_alert", person.id, f"event {event_id}"
        )

    async def _tell_therapist(
        self, tx: Transaction, person: PersonRow, turn: Turn, compose: Callable[[], str]
    ) -> None:
        """The alert, written in the therapist's language (not the client's turn's)."""
        chats = await therapist_chats(tx, person.therapist_id or 0)
        if chats is None:
            return
        chat, fallback = chats
        with reading(await reader_language(tx, person.therapist_id or 0), formal=True):
            text = compose()
        reroute = Reroute(fallback.chat_id, fallback.person_id) if fallback else None
        turn.tell(chat, Outgoing(text=text, reroute=reroute, urgent=True))  # not behind a digest

    # --- the later "are you safe?" --------------------------------------------------------------

    async def follow_ups(self, now: datetime, limit: int = 100) -> int:
        """Ask once more whoever is due; returns how many were asked."""
        async with self._db.transaction() as tx:
            due = await tx.risk_events.follow_ups_due(now, limit)
            for event in due:
                await tx.risk_events.follow_up_sent(event.id, now)
                person = await tx.people.get(event.person_id)
                if person is None or person.status == PersonStatus.UNREACHABLE:
                    continue
                with reading(person.language):
                    asked = _follow_up(event).to_json()
                await tx.outbox.put_many(person.transport, person.chat_id, [asked], now, person_id=person.id)
                log.info("person %s asked again whether they are safe (event %s)", person.id, event.id)
        return len(due)


def _follow_up(event: RiskEventRow) -> Outgoing:
    buttons = (
        (
            Button(_(texts.BUTTON_FOLLOW_UP_SAFE), f"{FOLLOW_UP_DATA_PREFIX}{event.id}:s"),
            Button(_(texts.BUTTON_FOLLOW_UP_NOT_SAFE), f"{FOLLOW_UP_DATA_PREFIX}{event.id}:u"),
        ),
    )
    return choice_question(_(texts.FOLLOW_UP), buttons)


def _when(person: PersonRow, now: datetime) -> dict[str, str]:
    """The moment, in the therapist's reading: the client's local time and zone."""
    local = now.astimezone(zone_or_utc(person.timezone))
    return {"when": formatting.day_and_time(local), "zone": person.timezone}


def register(router: Router, safety: Safety) -> None:
    """The crisis message's buttons: answered before anything else, consent included."""

    async def on_button(ctx: Context) -> str | None:
        outcome = await safety.on_button(ctx.turn, ctx.data, ctx.message_id)
        paused = ctx.current is not None and ctx.current.paused_at is not None
        if outcome.carry_on and paused:
            await ctx.runner.unpause(ctx.turn)
        elif outcome.set_aside and ctx.current is not None and paused:
            flow = ctx.runner.flow(ctx.current.flow_id)
            if flow is not None:  # kept as a draft, as /cancel keeps it
                await ctx.runner.cancel(ctx.turn, ctx.current, flow)
        return outcome.notice

    for prefix in SAFETY_PREFIXES:
        router.button(ButtonRoute(prefix, on_button, before_consent=True))
