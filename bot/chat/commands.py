"""The client's own commands: /start, /help, /cancel, /skip, /back and one per homework type.

Each is a row in the router's table (its menu line and help line beside its handler); features
add theirs the same way. ``/start <code>`` is the practice's (it registers ``start_with_code``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from bot.chat import drafts, texts
from bot.chat.router import Audience, Command, CommandHandler, Context, Router
from bot.chat.turn import note
from bot.core.codes import looks_like_code
from bot.core.i18n import _
from flows import Back, Flow, Skip

StartWithCode = Callable[[Context], Awaitable[None]]


def help_text(router: Router, owner: bool = False) -> str:
    """The client's /help, built from the command table (the machine's owner, in the terminal,
    also reads how to leave)."""
    lines = [_(texts.HELP_HEADER)]
    for command in router.commands_for(Audience.CLIENTS):
        if command.homework:
            lines.append(command.help_line())
    rest = [c.help_line() for c in router.commands_for(Audience.CLIENTS) if c.help and not c.homework]
    rest += [_(texts.HELP_QUIT)] if owner else []
    return "\n".join(lines) + "\n" + "\n".join(rest) + "\n\n" + _(texts.HELP_CLOSING)


async def reshow_open(ctx: Context, lead: str) -> None:
    """After /help or /start mid-flow, the open question comes again (with ``lead``)."""
    if ctx.current is not None and (flow := ctx.runner.flow(ctx.current.flow_id)) is not None:
        await ctx.runner.reshow(ctx.turn, ctx.current, flow, lead.format(a_title=flow.a_title))


def _start(router: Router, with_code: Callable[[], StartWithCode | None]) -> CommandHandler:
    async def on_start(ctx: Context) -> None:
        hook = with_code()
        if hook is not None and looks_like_code(ctx.args):
            await hook(ctx)
        elif ctx.current is not None and ctx.runner.flow(ctx.current.flow_id) is not None:
            await reshow_open(ctx, _(texts.STILL_OPEN))
        elif ctx.turn.sender.owner and ctx.turn.person.created_at < ctx.turn.now:
            ctx.turn.say(note(_(texts.WELCOME_BACK)))  # the terminal starts anew each run: once is enough
        else:
            ctx.turn.say(note(_(texts.WELCOME)))
            ctx.turn.say(note(help_text(router, ctx.turn.sender.owner)))

    return on_start


def _help(router: Router) -> CommandHandler:
    async def on_help(ctx: Context) -> None:
        ctx.turn.say(note(help_text(router, ctx.turn.sender.owner)))
        await reshow_open(ctx, _(texts.STILL_OPEN))

    return on_help


async def on_cancel(ctx: Context) -> None:
    flow = ctx.runner.flow(ctx.current.flow_id) if ctx.current else None
    if ctx.current is not None and flow is not None:
        await ctx.runner.cancel(ctx.turn, ctx.current, flow)
    else:
        ctx.turn.say(note(_(texts.NOTHING_OPEN)))


async def on_skip(ctx: Context) -> None:
    await _skip_or_back(ctx, skip=True)


async def on_back(ctx: Context) -> None:
    await _skip_or_back(ctx, skip=False)


async def _skip_or_back(ctx: Context, *, skip: bool) -> None:
    if ctx.current is not None and ctx.current.paused_at is not None:
        await ctx.runner.remind_paused(ctx.turn)
    elif ctx.current is not None:
        await ctx.runner.answer(ctx.turn, ctx.current, Skip() if skip else Back())
    else:
        ctx.turn.say(note(_(texts.NOTHING_OPEN)))


def homework_command(flow: Flow) -> Command:
    """``/<flow.command>``: start it — or show what is open, or offer the draft kept last time."""

    async def on_homework(ctx: Context) -> None:
        runner, turn, current = ctx.runner, ctx.turn, ctx.current
        open_flow = runner.flow(current.flow_id) if current else None
        if current is not None and open_flow is not None and not open_flow.records_entry:
            current, open_flow = await runner.yield_side_flow(turn, current), None
        if current is not None and open_flow is not None:
            lead = _(texts.STILL_OPEN) if open_flow.id == flow.id else _(texts.ALREADY_OPEN)
            await runner.reshow(turn, current, open_flow, lead.format(a_title=open_flow.a_title))
        elif (draft := await drafts.resumable(turn, flow)) is not None:
            if draft.flow_version != flow.version:  # begun under another version of it
                await drafts.restart_changed(turn, runner, flow, draft)
            else:
                drafts.offer(turn, flow, draft)
        else:
            await runner.start(turn, flow)

    return Command(flow.command, flow.description, on_homework, help=texts.HELP_FLOW_LINE, homework=True)


class StartCode:
    """Where the practice hooks ``/start <code>`` in (registration and invitations)."""

    def __init__(self) -> None:
        self.handler: StartWithCode | None = None


def register(router: Router, flows: tuple[Flow, ...], start_code: StartCode) -> None:
    """The chat's own commands, and one per homework type."""
    names: Final = texts.COMMAND_NAMES
    router.menu_order = texts.MENU_ORDER
    router.command(Command("start", names["start"], _start(router, lambda: start_code.handler)))
    for flow in flows:
        router.command(homework_command(flow))
    for name, handler in (
        ("cancel", on_cancel),
        ("skip", on_skip),
        ("back", on_back),
        ("help", _help(router)),
    ):
        router.command(Command(name, names[name], handler, help=texts.HELP_LINES.get(name, "")))
    drafts.register(router)
