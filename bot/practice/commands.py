"""The therapist's command table and the practice's registration with the chat.

Each therapist command is one row: its name and handler. Registration adds them (for therapists
only) to the chat's router, with the therapist's /help, /start with a code, the consent buttons
and the guided /assign's end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from bot.chat import texts
from bot.chat.commands import StartCode, reshow_open
from bot.chat.flow_runner import FlowRunner
from bot.chat.router import Audience, ButtonHandler, ButtonRoute, Command, CommandHandler, Context, Router
from bot.chat.turn import Turn, note
from bot.core.i18n import _
from bot.practice import assignments, goals, sessions, therapist
from bot.practice import texts as ptexts
from bot.practice.admission import JOIN_DATA_PREFIX, Admissions
from bot.practice.therapist import Desk
from flows import Flow
from flows.assign import assign_flow
from flows.goal_form import GOAL_CLIENT, GOAL_PICK, GOAL_WORDS
from flows.goal_rating import GOAL_RATING
from storage import TherapistRow


def _given_start(homework: Flow) -> Callable[[Turn], Awaitable[Mapping[str, Any]]]:
    async def read(turn: Turn) -> Mapping[str, Any]:
        return await assignments.given_start(turn, homework)

    return read


TherapistHandler = Callable[[Turn, TherapistRow, str, Desk], Awaitable[None]]

THERAPIST_COMMANDS: Final[dict[str, TherapistHandler]] = {
    "invite": therapist.invite,
    "clients": therapist.clients,
    "assign": assignments.assign,
    "assignments": assignments.assignments,
    "unassign": assignments.unassign,
    "goal": goals.goal,
    "session": sessions.session,
    "sessions": sessions.sessions,
    "cancelsession": sessions.cancel_session,
    "digest": therapist.digest,
    "digestchat": therapist.digest_chat,
    "settings": therapist.settings,
}
"""Every therapist command, in the order their help lists them."""


def register(
    router: Router, runner: FlowRunner, admissions: Admissions, desk: Desk, start_code: StartCode
) -> None:
    """The therapist's commands (for therapists only), /start with a registration or invitation
    code, the consent buttons, the guided /assign's and /goal's ends, and the goal rating's
    hooks (it starts from the client's goals; its ratings are kept with the goals)."""
    for name, handler in THERAPIST_COMMANDS.items():
        described = ptexts.COMMAND_NAMES[name]
        router.command(Command(name, described, _command(name, handler, desk), audience=Audience.THERAPISTS))
    router.command(Command("help", texts.COMMAND_NAMES["help"], _help(desk), audience=Audience.THERAPISTS))
    router.button(ButtonRoute(JOIN_DATA_PREFIX, _join_button(admissions)))

    async def finish_assign(turn: Turn, answers: object) -> None:
        await assignments.finish_assign(turn, answers, desk)  # type: ignore[arg-type]

    runner.add_flow(assign_flow(desk.flows), on_finish=finish_assign)

    async def finish_goal_form(turn: Turn, answers: object) -> None:
        await goals.finish_form(turn, answers, desk)  # type: ignore[arg-type]

    for form in (GOAL_CLIENT, GOAL_PICK, GOAL_WORDS):
        runner.add_flow(form, on_finish=finish_goal_form)
    runner.add_flow(GOAL_RATING, on_end=goals.record_ratings, context=goals.rating_context)
    for homework in desk.flows:
        if homework.given_lists:  # exposure: the ladder given with its assignment
            runner.add_flow(homework, context=_given_start(homework))

    async def on_start_code(ctx: Context) -> None:
        await admissions.on_start_code(ctx.turn, ctx.args.strip())

    start_code.handler = on_start_code


def _command(name: str, handler: TherapistHandler, desk: Desk) -> CommandHandler:
    async def on_command(ctx: Context) -> None:
        open_flow = ctx.runner.flow(ctx.current.flow_id) if ctx.current else None
        if name == "assign" and not ctx.args.strip() and ctx.current and open_flow:
            lead = _(texts.ALREADY_OPEN).format(a_title=open_flow.a_title)
            await ctx.runner.reshow(ctx.turn, ctx.current, open_flow, lead)
            return
        row = await ctx.turn.tx.therapists.get(ctx.turn.person.id)
        if row is None:  # (a role without its row: should not happen)
            ctx.turn.say(note(_(ptexts.NOT_A_THERAPIST_COMMAND)))
            return
        await handler(ctx.turn, row, ctx.args if name == "assign" else ctx.args.strip(), desk)

    return on_command


def _help(desk: Desk) -> CommandHandler:
    async def on_help(ctx: Context) -> None:
        ctx.turn.say(note(await therapist.help_text(ctx.turn, desk.flows)))
        await reshow_open(ctx, _(texts.STILL_OPEN))

    return on_help


def _join_button(admissions: Admissions) -> ButtonHandler:
    async def on_join(ctx: Context) -> str | None:
        return await admissions.on_join_button(ctx.turn, ctx.data, ctx.message_id)

    return on_join
