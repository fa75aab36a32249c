"""Conditions as data: when a step of a data-defined homework is asked.

A condition names an earlier step and one test of its answer; ``any_of``, ``all_of`` and
``not`` combine them. Each is read once (every problem reported with its field path) and
compiled into the plain ``Step.when`` callable the engine already calls::

    when = { step = "mood", at_most = 3 }              # a scale's number (or an option's value)
    when = { step = "mood", at_least = 7 }
    when = { step = "where", equals = "work" }         # an option id, a number or words
    when = { step = "where", in = ["work", "home"] }
    when = { step = "feelings", includes = "sad" }     # a multi-choice pick
    when = { step = "note", answered = true }          # given at all (false: skipped)
    when = { any_of = [{ step = "a", equals = "yes" }, { step = "b", at_least = 5 }] }
    when = { all_of = [...] }
    when = { not = { step = "a", equals = "no" } }
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeAlias

from flows.model import AnswerKind, Answers, Step, answer_value

Predicate: TypeAlias = Callable[[Answers], bool]

TESTS: Final = ("at_least", "at_most", "equals", "in", "includes", "answered")
COMBINERS: Final = ("any_of", "all_of", "not")
MAX_DEPTH: Final = 4


class ConditionReader:
    """Reads the conditions of one definition, adding each problem (path: message) to ``problems``."""

    def __init__(self, steps: Sequence[Mapping[str, Any]], problems: list[str]) -> None:
        self._all_ids = [str(s.get("id")) if isinstance(s, Mapping) else "" for s in steps]
        self._problems = problems
        self.position = len(steps)
        """The index of the step whose condition is being read (set by the reader of the steps)."""

    def read(self, spec: object, path: str, earlier: Mapping[str, Step], depth: int = 0) -> Predicate | None:
        """The compiled condition, or None (with its problems added) when it cannot stand."""
        if not isinstance(spec, Mapping) or not spec:
            self._problem(path, 'a condition is a table such as { step = "x", at_least = 5 }')
            return None
        if depth > MAX_DEPTH:
            self._problem(path, f"conditions nest at most {MAX_DEPTH} deep")
            return None
        combiners = [key for key in COMBINERS if key in spec]
        if combiners:
            return self._combined(spec, combiners, path, earlier, depth)
        return self._test(spec, path, earlier)

    def _problem(self, path: str, message: str) -> None:
        self._problems.append(f"{path}: {message}")

    def _combined(
        self,
        spec: Mapping[str, Any],
        combiners: list[str],
        path: str,
        earlier: Mapping[str, Step],
        depth: int,
    ) -> Predicate | None:
        if len(spec) != 1:
            self._problem(path, f"{combiners[0]} stands alone in its table")
            return None
        key = combiners[0]
        if key == "not":
            inner = self.read(spec[key], f"{path}.not", earlier, depth + 1)
            return None if inner is None else (lambda answers: not inner(answers))
        parts = spec[key]
        if not isinstance(parts, list) or not parts:
            self._problem(f"{path}.{key}", "a list of at least one condition")
            return None
        read = [self.read(part, f"{path}.{key}[{i}]", earlier, depth + 1) for i, part in enumerate(parts)]
        if any(p is None for p in read):
            return None
        predicates = tuple(p for p in read if p is not None)
        if key == "any_of":
            return lambda answers: any(p(answers) for p in predicates)
        return lambda answers: all(p(answers) for p in predicates)

    def _test(self, spec: Mapping[str, Any], path: str, earlier: Mapping[str, Step]) -> Predicate | None:
        unknown = sorted(set(spec) - {"step", *TESTS})
        if unknown:
            known = ", ".join(("step", *TESTS, *COMBINERS))
            self._problem(f"{path}.{unknown[0]}", f"unknown key (known: {known})")
            return None
        tests = [key for key in TESTS if key in spec]
        if len(tests) != 1:
            self._problem(path, f"name exactly one test of the answer: {', '.join(TESTS)}")
            return None
        step = self._step(spec.get("step"), f"{path}.step", earlier)
        if step is None:
            return None
        return self._compiled(step, tests[0], spec[tests[0]], f"{path}.{tests[0]}")

    def _step(self, step_id: object, path: str, earlier: Mapping[str, Step]) -> Step | None:
        if not isinstance(step_id, str):
            self._problem(path, "the id of an earlier step, in quotes")
            return None
        if step_id in earlier:
            return earlier[step_id]
        if step_id in self._all_ids[: self.position]:
            self._problem(path, f'"{step_id}" is a step that could not be read (see its own problems)')
            return None
        if step_id in self._all_ids:
            self._problem(path, f'"{step_id}" is this or a later step (a condition reads earlier answers)')
            return None
        self._problem(path, f'"{step_id}" is not a step of this homework')
        return None

    def _compiled(self, step: Step, test: str, value: object, path: str) -> Predicate | None:
        problem = _test_problem(step, test, value)
        if problem is not None:
            self._problem(path, problem)
            return None
        step_id = step.id
        if test == "at_least":
            return lambda answers: _at_least(step, answers.get(step_id), int(str(value)))
        if test == "at_most":
            return lambda answers: _at_most(step, answers.get(step_id), int(str(value)))
        if test == "equals":
            return lambda answers: answers.get(step_id) == value
        if test == "in":
            allowed = tuple(value) if isinstance(value, list) else ()
            return lambda answers: answers.get(step_id) in allowed
        if test == "includes":
            return lambda answers: value in (answers.get(step_id) or ())
        return lambda answers: (answers.get(step_id) is not None) == value


def _at_least(step: Step, answer: object, bound: int) -> bool:
    number = answer_value(step, answer)
    return number is not None and number >= bound


def _at_most(step: Step, answer: object, bound: int) -> bool:
    number = answer_value(step, answer)
    return number is not None and number <= bound


def _test_problem(step: Step, test: str, value: object) -> str | None:
    """Why this test cannot be asked of this step's answer (None: it can)."""
    valued = step.kind is AnswerKind.SCALE or (
        step.kind is AnswerKind.CHOICE and any(o.value is not None for o in step.options)
    )
    if step.per_item is not None and test != "answered":
        return f'"{step.id}" is asked per item: only answered = true/false can test it'
    if test in ("at_least", "at_most"):
        if not valued:
            return f'"{step.id}" has no number to compare: use a scale or a choice with values'
        return None if _is_int(value) else "a whole number"
    if test == "answered":
        return None if isinstance(value, bool) else "true or false"
    if test == "includes":
        if step.kind is not AnswerKind.MULTI_CHOICE:
            return f'"{step.id}" is not a multi-choice step: use equals or in'
        return _option_problem(step, value)
    if step.kind is AnswerKind.MULTI_CHOICE:
        return f'"{step.id}" is a multi-choice step: use includes'
    values = value if test == "in" else [value]
    if not isinstance(values, list) or not values:
        return "a list of at least one value"
    return next((p for v in values if (p := _value_problem(step, v)) is not None), None)


def _value_problem(step: Step, value: object) -> str | None:
    if step.kind is AnswerKind.CHOICE:
        return _option_problem(step, value)
    if step.kind is AnswerKind.SCALE:
        ok = _is_int(value) and step.low <= int(str(value)) <= step.high
        return None if ok else f"a whole number from {step.low} to {step.high}"
    return None if isinstance(value, str) else "words, in quotes"


def _option_problem(step: Step, value: object) -> str | None:
    if isinstance(value, str) and step.option(value) is not None:
        return None
    return f'{value!r} is not an option id of "{step.id}" ({", ".join(o.id for o in step.options)})'


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
