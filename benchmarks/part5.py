"""Every figure of issue 17, part 5, side by side in one run, with its target marked met or
missed — for the lead to re-run on a quiet machine (`python -m benchmarks.part5`, or
`make bench-part5`). Each benchmark runs as its own process, one after the other; what each
prints is shown as it comes, and the table at the end gathers the figures.

Figures: mood-check steps/s against the in-memory floor on SQLite and PostgreSQL (pacing off on
both, 100 clients; target ≥ 0.80, each round's paired ratio) and Between's CPU a step profiled;
reply latency at a human pace (300 clients, 1–4 s think time, pacing on; p95 < 300 ms) on SQLite and
PostgreSQL, and the largest of ``--fit-clients`` that keeps p95 under 300 ms; 500 digests due at
once (≤ 1.3× the ideal, 0 lost, 0 duplicated, 0 429s) and spread over ``--spread-minutes`` (each
within 15 s of falling due); three processes on PostgreSQL with a SIGKILL (300 clients: answers a
second; 0 lost, 0 doubled).

Usage: python -m benchmarks.part5 [--quick] [--spread-minutes 60] [--fit-clients 40,60,80]
       [--only mood,latency,digests,spread,processes]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

Check = Callable[[str], tuple[str, bool | None]]


@dataclass(frozen=True)
class Figure:
    """One line of the table: what was measured, its target, and how to read it from the output."""

    name: str
    target: str
    read: Check


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1)) if match else None


def _at_least(pattern: str, target: float) -> Check:
    def read(text: str) -> tuple[str, bool | None]:
        value = _number(pattern, text)
        return ("not measured", None) if value is None else (f"{value:.2f}", value >= target)

    return read


def _at_most(pattern: str, target: float, unit: str = "") -> Check:
    def read(text: str) -> tuple[str, bool | None]:
        value = _number(pattern, text)
        return ("not measured", None) if value is None else (f"{value:g}{unit}", value <= target)

    return read


def _shown(pattern: str) -> Check:
    def read(text: str) -> tuple[str, bool | None]:
        match = re.search(pattern, text)
        return (match.group(1) if match else "not measured", None)

    return read


def run(title: str, module: str, *arguments: str) -> str:
    """One benchmark in its own process; its output shown as it comes and returned."""
    print(f"\n=== {title}: python -m {module} {' '.join(arguments)} (load average {_load()})", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", module, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    process.wait()
    print(f"=== {title}: {time.perf_counter() - started:.0f} s, exit code {process.returncode}", flush=True)
    return "".join(lines)


def _load() -> str:
    return ", ".join(f"{n:.1f}" for n in os.getloadavg())


MOOD = [
    Figure(
        "mood check ÷ floor, SQLite (paired rounds, median)",
        "≥ 0.80",
        _at_least(r"median (\d+\.\d+)\s*$", 0.80),
    ),
]
LATENCY_P95 = r"p95 (\d+) ms"
DIGESTS = [
    Figure("500 digests at once, × the ideal", "≤ 1.3×", _at_most(r"took (\d+\.\d+)× the ideal", 1.3, "×")),
    Figure("… lost", "0", _at_most(r"digests lost: (\d+)", 0)),
    Figure("… duplicated", "0", _at_most(r"digests duplicated: (\d+)", 0)),
    Figure("… in the wrong chat", "0", _at_most(r"wrong therapist's chat: (\d+)", 0)),
    Figure("… 429s", "0", _at_most(r"429s received: (\d+)", 0)),
]
SPREAD = [
    Figure(
        "digests spread out: due → last message, max",
        "≤ 15 s",
        _at_most(r"last message: median .*max (\d+\.\d+) s", 15.0, " s"),
    ),
    Figure("… 429s", "0", _at_most(r"429s received: (\d+)", 0)),
]
PROCESSES = [
    Figure(
        "3 processes on PostgreSQL, answers a second",
        "(figure)",
        _shown(r"answers handled, (\d+\.\d+) a second"),
    ),
    Figure("… answers lost", "0", _at_most(r"answers lost: (\d+)", 0)),
    Figure("… entries duplicated", "0", _at_most(r"entries duplicated: (\d+)", 0)),
    Figure("… killed process's messages sent after", "(lease time)", _shown(r"(?m)written down: (.+)$")),
]


def main(arguments: argparse.Namespace) -> None:
    quick = arguments.quick
    only = set(arguments.only.split(","))
    print(
        f"Issue 17, part 5 — every figure in one run; load average at the start {_load()}, "
        f"{os.cpu_count()} CPUs"
    )
    table: list[tuple[str, str, str, bool | None]] = []

    def gather(figures: list[Figure], output: str, suffix: str = "") -> None:
        for figure in figures:
            value, met = figure.read(output)
            table.append((figure.name + suffix, figure.target, value, met))

    users = ["--users", "30", "--checks", "1"] if quick else []
    if "mood" in only:
        for database in ("sqlite", "postgres"):
            output = run(
                f"mood check, {database}", "benchmarks.mood_check_throughput", *users, "--database", database
            )
            name = f"mood check ÷ floor, {database} (paired rounds, median)"
            gather([Figure(name, "≥ 0.80", MOOD[0].read)], output)
        profiled = run(
            "Between's CPU a step, profiled", "benchmarks.mood_check_throughput", "--profile", *users
        )
        gather(
            [
                Figure(
                    "Between's CPU a step under cProfile, SQLite", "", _shown(r"cProfile.*?: (\S+ ms) a step")
                )
            ],
            profiled,
        )
    seconds = ["--seconds", "20" if quick else "60"]
    if "latency" in only:
        for database in ("sqlite", "postgres"):
            clients = "60" if quick else "300"
            output = run(
                f"reply latency, {database}",
                "benchmarks.reply_latency",
                "--clients",
                clients,
                *seconds,
                "--database",
                database,
            )
            latency = Figure(
                f"reply p95, {clients} clients, {database}", "< 300 ms", _at_most(LATENCY_P95, 299, " ms")
            )
            gather([latency, Figure("… p50", "", _shown(r"(p50 \d+ ms)"))], output)
        fits = []
        for clients in arguments.fit_clients.split(","):
            output = run(
                f"reply latency, {clients} clients",
                "benchmarks.reply_latency",
                "--clients",
                clients,
                *seconds,
            )
            p95 = _number(LATENCY_P95, output)
            if p95 is not None and p95 < 300:
                fits.append(int(clients))
        best = str(max(fits)) if fits else f"none of {arguments.fit_clients}"
        table.append(
            ("most clients with p95 < 300 ms (SQLite, tried " + arguments.fit_clients + ")", "", best, None)
        )
    fanout = ["--therapists", "10"] if quick else []
    if "digests" in only:
        gather(DIGESTS, run("500 digests due at once", "benchmarks.digest_fanout", *fanout))
    if "spread" in only:
        spread = ["--spread-minutes", str(arguments.spread_minutes)]
        gather(
            SPREAD,
            run("digests spread out", "benchmarks.digest_fanout", *fanout, *spread),
            f" ({arguments.spread_minutes:g} min)",
        )
    if "processes" in only:
        clients = ["--clients", "60"] if quick else []
        gather(PROCESSES, run("three processes, PostgreSQL", "benchmarks.several_processes", *clients))
    print(f"\nIssue 17, part 5 — figures (load average at the end {_load()})")
    for name, target, value, met in table:
        mark = "" if met is None else ("met" if met else "MISSED")
        print(f"  {name:62s} {target:>10s}  {value:>14s}  {mark}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller runs: a check that everything runs")
    parser.add_argument("--spread-minutes", type=float, default=60.0)
    parser.add_argument("--fit-clients", default="40,60,80")
    parser.add_argument("--only", default="mood,latency,digests,spread,processes")
    main(parser.parse_args())
