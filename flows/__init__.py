"""Homework flows: conversation state machines as data, and the one engine that advances them.

Owns: flow declarations (one module per homework type), the flow registry, the pure step
engine and every string a client reads inside a flow.
May import: the standard library only. Never ``telegram``, never ``storage``, never ``bot``.
"""

from flows.engine import (
    Answer,
    AnswerKind,
    Ask,
    Back,
    Choice,
    Done,
    Finished,
    Flow,
    FlowState,
    Option,
    Outcome,
    Pick,
    Prompt,
    Skip,
    Step,
    Text,
    Tick,
    TimerFrame,
    TimerPlan,
    Toggle,
    advance,
    decode_answer,
    encode_answer,
    render_step,
    start,
    timer_wake_at,
)
from flows.registry import FLOWS, SIDE_FLOWS, flow_by_command, flow_by_id

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
    "timer_wake_at",
]
