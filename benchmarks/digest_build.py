"""Digest build and render time for a client with a year of data.

One synthetic client (seeded, so every run builds the same rows): a year of practice in
Europe/Berlin — about 2,000 entries across the four homework types and about 2,500 scheduled
prompts, with skips and their reasons, missed prompts, thought records in full, notes and a few
risk events — and a weekly PHQ-9 and GAD-7 for the year (a few left half way), each with its
generic section, score summary and chart. The measures are the registry's ``phq9`` and ``gad7``
when it has them, else flows of the same shape (``tests/support/measures.py``). The digest
covers the whole year, the worst case (a digest normally covers the weeks since the last
session).

It prints the median of several runs, after one warm-up run, for:

- the text path: ``build_digest`` + ``render_text`` + ``split_text`` + ``render_summary``
  (target < 200 ms);
- the same plus ``mood_chart_png`` and each measure's ``score_chart_png`` (target < 500 ms);

and, separately, what the first chart of a process costs (importing matplotlib).

Usage: python -m benchmarks.digest_build [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.messages import split_text
from bot.digest import (
    AssignmentInput,
    ClientInput,
    Digest,
    DigestRequest,
    EntryInput,
    NoteInput,
    PromptInput,
    RiskEventInput,
    build_digest,
    render_summary,
    render_text,
)
from bot.digest.chart import mood_chart_png, score_chart_png
from bot.digest.delivery import PART_LIMIT
from flows.model import Flow
from flows.registry import FLOWS, flow_by_id

TARGET_TEXT_MS = 200
TARGET_CHART_MS = 500
ZONE = ZoneInfo("Europe/Berlin")
FIRST_DAY = date(2025, 4, 2)
DAYS = 365
SEED = 20260402

# (flow, local times, weekdays, share of prompts done)
PLANS: tuple[tuple[str, tuple[str, ...], tuple[int, ...], float], ...] = (
    ("mood_check", ("08:00", "13:00", "20:30"), tuple(range(7)), 0.75),
    ("breathing", ("07:30", "21:30"), tuple(range(7)), 0.6),
    ("thought_record", ("19:00",), (0, 1, 2, 3, 4), 0.5),
    ("urge_surfing", ("18:00",), tuple(range(7)), 0.55),
)
UNPROMPTED_PER_DAY = {"mood_check": 0.7, "urge_surfing": 0.4, "breathing": 0.1}
SKIP_REASONS = ("no_time", "forgot", "too_hard", "not_useful", "not_today", "other", None)
FEELINGS = (
    "calm",
    "content",
    "hopeful",
    "tired",
    "anxious",
    "sad",
    "irritable",
    "lonely",
    "stressed",
    "numb",
)
EMOTIONS = ("anxious", "sad", "angry", "ashamed", "guilty", "hurt", "~overwhelmed", "~dread")
TRAPS = ("all_or_nothing", "catastrophising", "mind_reading", "fortune_telling", "should", "labelling")
WORDS = (
    "work",
    "meeting",
    "phone",
    "call",
    "family",
    "evening",
    "tired",
    "worried",
    "again",
    "thought",
    "manager",
    "friend",
    "home",
    "train",
    "late",
    "weekend",
    "partner",
    "sleep",
    "morning",
    "message",
    "email",
    "deadline",
    "kids",
    "mother",
    "walk",
    "coffee",
)


def _local(day: date, hh: int, mm: int) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZONE).astimezone(UTC)


def _sentence(rng: random.Random, low: int = 6, high: int = 30) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def _answers(flow_id: str, rng: random.Random, day_index: int) -> dict[str, Any]:
    obstacles = _sentence(rng) if rng.random() < 0.08 else None
    if flow_id == "mood_check":
        base = 5 + 2 * ((day_index % 60) / 60 - 0.5)
        return {
            "mood": max(0, min(10, round(rng.gauss(base, 1.8)))),
            "feelings": rng.sample(FEELINGS, rng.randint(0, 3)) or None,
            "note": _sentence(rng) if rng.random() < 0.15 else None,
            "obstacles": obstacles,
        }
    if flow_id == "thought_record":
        emotions = rng.sample(EMOTIONS, rng.randint(1, 3))
        return {
            "situation": _sentence(rng, 10, 40),
            "emotions": emotions,
            "emotion_intensity": {e: rng.randrange(30, 101, 10) for e in emotions},
            "hot_thought": _sentence(rng, 6, 20),
            "belief_before": rng.randrange(40, 101, 10),
            "traps": rng.sample(TRAPS, rng.randint(0, 2)) or None,
            "evidence_for": _sentence(rng, 8, 40),
            "evidence_against": _sentence(rng, 8, 40),
            "balanced_thought": _sentence(rng, 8, 30),
            "belief_balanced": rng.randrange(20, 91, 10),
            "emotion_rerate": {e: rng.randrange(10, 91, 10) for e in emotions},
            "obstacles": obstacles,
        }
    minutes = rng.choice(("5", "10", "15")) if flow_id == "urge_surfing" else rng.choice(("1", "3", "5"))
    planned = int(minutes) * 60
    stopped = rng.random() < 0.2
    timer = {
        "planned_seconds": planned,
        "seconds": rng.randint(30, planned - 1) if stopped else planned,
        "stopped_early": stopped,
        "check_ins": [{"at": 180, "answer": rng.choice(("riding", "easing"))}],
    }
    if flow_id == "urge_surfing":
        before = rng.randint(4, 10)
        return {
            "urge": rng.choice(("smoke", "drink", "check my phone", "snap at someone", None)),
            "intensity_before": before,
            "minutes": minutes,
            "surf": timer,
            "intensity_after": max(0, before - rng.randint(0, 5)),
            "acted": rng.choice(("no", "no", "no", "partly", "yes")),
            "note": _sentence(rng) if rng.random() < 0.2 else None,
            "obstacles": obstacles,
        }
    before = rng.randint(1, 7)
    return {
        "pattern": rng.choice(("box", "478", "calm")),
        "minutes": minutes,
        "calm_before": before,
        "breathe": timer,
        "calm_after": min(10, before + rng.randint(0, 4)),
        "obstacles": obstacles,
    }


def measures() -> tuple[tuple[Flow, ...], str]:
    """PHQ-9 and GAD-7: the registry's, else flows of the same shape; and which they are."""
    phq9, gad7 = flow_by_id("phq9"), flow_by_id("gad7")
    if phq9 is not None and gad7 is not None:
        return (phq9, gad7), "the registry's"
    from tests.support.measures import GAD7, PHQ9

    return (PHQ9, GAD7), "PHQ-9- and GAD-7-shaped test flows"


FLOWS_WITH_MEASURES: tuple[Flow, ...] = (*FLOWS, *(f for f in measures()[0] if f not in FLOWS))


def _measure_answers(flow: Flow, rng: random.Random, week: int) -> dict[str, Any]:
    """A week's answers, easing over the year; about one in twenty left half way."""
    assert flow.scoring is not None
    items = [item.step_id for item in flow.scoring.items]
    level = max(0.2, 2.4 - 2.0 * week / 52)
    answers: dict[str, Any] = {}
    for step_id in items:
        step = flow.step(step_id)
        values = [o for o in step.options if o.value is not None] if step else []
        value = max(0, min(3, round(rng.gauss(level, 0.7))))
        answers[step_id] = next((o.id for o in values if o.value == value), str(value))
    if rng.random() < 0.05:
        answers = dict(list(answers.items())[: rng.randint(1, len(items) - 1)])
    return answers


def _measure_entries(rng: random.Random, first_id: int) -> list[EntryInput]:
    entries: list[EntryInput] = []
    for flow in measures()[0]:
        for week in range(DAYS // 7):
            at = _local(FIRST_DAY + timedelta(days=7 * week + 1), 19, 0)
            answers = _measure_answers(flow, rng, week)
            complete = flow.scoring is not None and len(answers) == len(flow.scoring.items)
            status = "completed" if complete else "cancelled"
            done = at + timedelta(minutes=4) if complete else None
            entries.append(EntryInput(first_id + len(entries), flow.id, status, answers, at, done))
    return entries


def year_request(seed: int = SEED) -> DigestRequest:
    """One client's year: ~2,000 entries and ~2,500 prompts (deterministic for a seed)."""
    rng = random.Random(seed)
    entries: list[EntryInput] = []
    prompts: list[PromptInput] = []

    def add_entry(flow_id: str, at: datetime, day_index: int) -> EntryInput:
        finished = rng.random() > 0.04
        entry = EntryInput(
            len(entries) + 1,
            flow_id,
            "completed" if finished else "cancelled",
            _answers(flow_id, rng, day_index),
            at,
            at + timedelta(minutes=rng.randint(1, 20)) if finished else None,
        )
        entries.append(entry)
        return entry

    for index in range(DAYS):
        day = FIRST_DAY + timedelta(days=index)
        for flow_id, times, weekdays, done_share in PLANS:
            if day.weekday() not in weekdays:
                continue
            for wall in times:
                hh, mm = (int(part) for part in wall.split(":"))
                due = _local(day, hh, mm)
                roll = rng.random()
                if roll < done_share:
                    entry = add_entry(flow_id, due + timedelta(minutes=rng.randint(0, 90)), index)
                    prompts.append(PromptInput(flow_id, due, "started", None, None, day, entry.id))
                elif roll < done_share + 0.15:
                    reason = rng.choice(SKIP_REASONS)
                    note = _sentence(rng, 3, 10) if reason == "other" else None
                    prompts.append(PromptInput(flow_id, due, "skipped", reason, note, day))
                else:
                    prompts.append(PromptInput(flow_id, due, "missed", None, None, day))
        for flow_id, share in UNPROMPTED_PER_DAY.items():
            if rng.random() < share:
                add_entry(flow_id, _local(day, rng.randint(9, 22), rng.randint(0, 59)), index)

    entries += _measure_entries(rng, len(entries) + 1)
    start = _local(FIRST_DAY, 10, 0)
    end = _local(FIRST_DAY + timedelta(days=DAYS), 8, 0)
    return DigestRequest(
        client=ClientInput("Robin", "Europe/Berlin", start - timedelta(days=30)),
        period_start=start,
        period_end=end,
        session_at=end + timedelta(hours=2),
        previous_period_start=start - timedelta(days=14),
        entries=entries,
        previous_entries=[
            EntryInput(100_000 + n, "mood_check", "completed", {"mood": 5}, at, at)
            for n, at in enumerate(start - timedelta(days=d) for d in range(1, 14))
        ],
        prompts=prompts,
        assignments=[
            AssignmentInput(flow_id, times, weekdays, _sentence(rng, 5, 12), rng.randint(3, 9), start)
            for flow_id, times, weekdays, _ in PLANS
        ],
        notes=[
            NoteInput(_sentence(rng, 4, 25), start + timedelta(days=rng.uniform(0, DAYS))) for _ in range(40)
        ],
        risk_events=[
            RiskEventInput(start + timedelta(days=rng.uniform(0, DAYS)), "thought_record.hot_thought")
            for _ in range(3)
        ],
    )


def text_path(request: DigestRequest) -> tuple[int, int]:
    digest = build_digest(request, FLOWS_WITH_MEASURES)
    text = render_text(digest)
    parts = split_text(text, PART_LIMIT)
    render_summary(digest)
    return len(text), len(parts)


def all_charts(digest: Digest) -> int:
    """The mood chart and every measure's, as the delivery draws them; their bytes."""
    pngs = [mood_chart_png(digest) or b"", *(score_chart_png(digest, s) for s in digest.score_charts)]
    return sum(len(png) for png in pngs)


def chart_path(request: DigestRequest) -> int:
    text_path(request)
    return all_charts(build_digest(request, FLOWS_WITH_MEASURES))


def median_ms(step: Callable[[], object], runs: int) -> float:
    step()  # warm-up: caches, imports
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def main(runs: int) -> None:
    request = year_request()
    counts: dict[str, int] = {}
    for entry in request.entries:
        counts[entry.flow_id] = counts.get(entry.flow_id, 0) + 1
    print(
        f"Digest build — one client, a year of data: {len(request.entries)} entries "
        f"({', '.join(f'{n} {flow}' for flow, n in sorted(counts.items()))}), "
        f"{len(request.prompts)} prompts, {len(request.notes)} notes; measures: {measures()[1]}"
    )
    print(
        f"python {platform.python_version()}, matplotlib {version('matplotlib')}, "
        f"{os.cpu_count()} CPUs; median of {runs} runs after a warm-up"
    )

    started = time.perf_counter()
    digest = build_digest(request, FLOWS_WITH_MEASURES)
    mood_chart_png(digest)
    first_chart = (time.perf_counter() - started) * 1000

    build = median_ms(lambda: build_digest(request, FLOWS_WITH_MEASURES), runs)
    render = median_ms(lambda: render_text(digest), runs)
    split = median_ms(lambda: split_text(render_text(digest), PART_LIMIT), runs) - render
    text = median_ms(lambda: text_path(request), runs)
    chart_only = median_ms(lambda: mood_chart_png(digest), runs)
    scores_only = median_ms(lambda: [score_chart_png(digest, s) for s in digest.score_charts], runs)
    chart = median_ms(lambda: chart_path(request), runs)
    length, parts = text_path(request)

    print(f"build_digest: {build:.1f} ms; render_text: {render:.1f} ms; split: {split:.1f} ms")
    print(f"text: {length} characters, {parts} Telegram messages (or the summary + a document)")
    print(
        f"text path (build + text + split + summary): {text:.1f} ms "
        f"({verdict(text < TARGET_TEXT_MS)} the < {TARGET_TEXT_MS} ms target)"
    )
    points = len(digest.chart.points) if digest.chart else 0
    print(f"mood chart alone: {chart_only:.1f} ms ({points} mood points)")
    scored = ", ".join(f"{s.label} {len(s.points)} scores" for s in digest.score_charts)
    print(f"score charts alone: {scores_only:.1f} ms ({scored})")
    print(
        f"with the charts: {chart:.1f} ms "
        f"({verdict(chart < TARGET_CHART_MS)} the < {TARGET_CHART_MS} ms target)"
    )
    print(f"first chart in a process (imports matplotlib): {first_chart:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    main(parser.parse_args().runs)
