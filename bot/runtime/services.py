"""The conversation, assembled: each feature registers its commands, buttons and flow hooks with
one router, and the service gets what it needs passed in (it reads no settings of its own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.chat import commands, journal, language, notes, privacy, timezone
from bot.chat.flow_runner import FlowRunner
from bot.chat.ports import Ledger
from bot.chat.router import Router
from bot.chat.service import ConversationService
from bot.chat.turn import new_prompt_token
from bot.core.clock import Clock
from bot.core.codes import AttemptLimiter
from bot.core.i18n import use_practice_default
from bot.core.links import LinkMaker, NoLinks
from bot.practice import commands as practice_feature
from bot.practice.admission import Admissions
from bot.practice.therapist import Desk
from bot.runtime.settings import Settings
from bot.safety import flags as risk_flags
from bot.safety import response as safety_feature
from bot.safety.limits import MessageCap
from bot.safety.response import CrisisResources, Safety, SafetySettings
from bot.scheduling import prompts as scheduling_feature
from flows.catalogue import Catalogue
from flows.registry import BUILT_IN
from flows.skip_reason import SKIP_REASON
from storage import Database


def safety_settings(settings: Settings) -> SafetySettings:
    return SafetySettings(
        CrisisResources(
            settings.crisis_emergency,
            settings.crisis_line,
            settings.crisis_text_line,
            settings.crisis_abuse_line,
        ),
        timedelta(minutes=settings.risk_follow_up_minutes),
        settings.risk_alert_includes_text,
    )


@dataclass(frozen=True, slots=True)
class Features:
    """The services a runtime keeps beside the conversation (ticks, the admin's commands)."""

    conversations: ConversationService
    safety: Safety
    practice: Admissions


class Messengers(Protocol):
    """What the conversation needs to know of the messengers running (``runtime.Transports``),
    each asked per transport name."""

    def links(self, transport: str) -> LinkMaker: ...
    def repeat_window(self, transport: str) -> int: ...
    def privacy_note(self, transport: str) -> str: ...
    def asks_language(self, transport: str) -> bool: ...


class NoMessengers:
    """No messenger at all (a test's conversation): no links, no repeats, no note, no question."""

    def links(self, transport: str) -> LinkMaker:
        return NoLinks()

    def repeat_window(self, transport: str) -> int:
        return 0

    def privacy_note(self, transport: str) -> str:
        return ""

    def asks_language(self, transport: str) -> bool:
        return False


def build_conversation(
    database: Database,
    clock: Clock,
    settings: Settings,
    *,
    ledger: Ledger | None = None,
    messengers: Messengers | None = None,
    new_token: Callable[[], str] = new_prompt_token,
    catalogue: Catalogue = BUILT_IN,
) -> Features:
    flows = catalogue.flows
    messengers = messengers or NoMessengers()
    use_practice_default(settings.default_language)
    safety = Safety(database, safety_settings(settings))
    limiter = AttemptLimiter(clock)
    practice = Admissions(database, flows=flows, limiter=limiter, privacy_note=messengers.privacy_note)
    router = Router()
    runner = FlowRunner(
        flows,
        new_token=new_token,
        remind_paused=safety.remind_paused,
        item_alerts=safety,
        versions=catalogue.flow_for,
        revised=catalogue.revised,
    )
    start_code = commands.StartCode()
    commands.register(router, flows, start_code)
    for feature in (journal, timezone, language, notes, privacy, scheduling_feature):
        feature.register(router)
    runner.add_flow(SKIP_REASON, on_end=scheduling_feature.record_skip_reason)
    safety_feature.register(router, safety)
    risk_flags.register(router)
    placeholders = settings.crisis_placeholders()
    desk = Desk(
        flows, messengers.links, runner.start, crisis_placeholders=placeholders, flow_of=runner.flow_of
    )
    practice_feature.register(router, runner, practice, desk, start_code)
    conversations = ConversationService(
        database,
        clock,
        router=router,
        runner=runner,
        guard=safety,
        doorkeeper=practice,
        cap=MessageCap(clock, settings.messages_per_minute),
        default_timezone=settings.default_timezone,
        ledger=ledger,
        repeat_window=messengers.repeat_window,
        asks_language=messengers.asks_language,
    )
    return Features(conversations, safety, practice)
