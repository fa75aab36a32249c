"""Homework flows: conversation state machines as data, and the one engine that advances them.

Owns: flow declarations (one module per homework type, its digest section beside it), the flow
registry, the pure step engine (``model``: steps and flows; ``answers``: what a client can give;
``prompt``: what they are shown; ``timer``: timed steps; ``advance``: the step function), the
generic digest section a flow without its own gets (``generic``: answers, scores, baseline and
change), a measure's entries as FHIR resources (``fhir``), homework defined as data
(``definition`` reads a TOML file into a flow, ``conditions``, ``defined`` its words,
``catalogue`` the built-in and a practice's definitions) and every string a client reads
inside a flow.
May import: ``bot.core`` and the standard library. Never ``telegram``, never ``storage``.
"""

from flows.advance import advance, start
from flows.answers import (
    Answer,
    Back,
    Choice,
    Done,
    Pick,
    Skip,
    Text,
    Tick,
    Toggle,
    decode_answer,
    encode_answer,
)
from flows.model import AnswerKind, Flow, FlowState, Option, Step, step_options
from flows.prompt import Ask, Finished, Outcome, Prompt, render_step
from flows.registry import FLOWS, SIDE_FLOWS, flow_by_command, flow_by_id
from flows.timer import TimerFrame, TimerPlan, timer_ending, timer_wake_at

__all__ = [
    "FLOWS",
    "SIDE_FLOWS",
    "Answer",
    "AnswerKind",
    "Ask",
    "Back",
    "Choice",
    "Done",
    "Finished",
    "Flow",
    "FlowState",
    "Option",
    "Outcome",
    "Pick",
    "Prompt",
    "Skip",
    "Step",
    "Text",
    "Tick",
    "TimerFrame",
    "TimerPlan",
    "Toggle",
    "advance",
    "decode_answer",
    "encode_answer",
    "flow_by_command",
    "flow_by_id",
    "render_step",
    "start",
    "step_options",
    "timer_ending",
    "timer_wake_at",
]
