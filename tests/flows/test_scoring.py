"""Scoring: sums and means, weights, reverse items, every band boundary, missing items, alerts."""

from __future__ import annotations

import pytest

from flows.model import AnswerKind, Flow, ItemAlert, Option, Step
from flows.scoring import Band, Method, ScoredItem, Scoring, score, score_range, scoring_problems

FREQUENCY = (
    Option("0", "Not at all", 0),
    Option("1", "Several days", 1),
    Option("2", "More than half the days", 2),
    Option("3", "Nearly every day", 3),
)


def _flow(items: int = 3, *, alert_on_last: bool = False) -> Flow:
    steps = tuple(
        Step(
            f"q{n}",
            f"Question {n}",
            AnswerKind.CHOICE,
            options=FREQUENCY,
            alert=ItemAlert(1) if alert_on_last and n == items else None,
        )
        for n in range(1, items + 1)
    )
    rest = Step("ease", "How easy?", AnswerKind.SCALE, low=0, high=10)
    return Flow("m", "Measure", "m", "d", (*steps, rest), summarize=lambda a: "")


SUM3 = Scoring(
    "Total",
    tuple(ScoredItem(f"q{n}") for n in (1, 2, 3)),
    bands=(Band(0, 2, "low"), Band(3, 5, "middle"), Band(6, 9, "high")),
)


@pytest.mark.parametrize(
    ("answers", "value", "band"),
    [
        (("0", "0", "0"), 0, "low"),
        (("1", "1", "0"), 2, "low"),
        (("1", "1", "1"), 3, "middle"),
        (("2", "2", "1"), 5, "middle"),
        (("2", "2", "2"), 6, "high"),
        (("3", "3", "3"), 9, "high"),
    ],
)
def test_a_sum_falls_in_the_band_at_each_boundary(answers: tuple[str, ...], value: int, band: str) -> None:
    result = score(SUM3, _flow(), {f"q{n}": a for n, a in enumerate(answers, 1)})
    assert (result.value, result.band, result.scored) == (value, band, True)


def test_a_missing_item_leaves_the_score_unscored_never_zero() -> None:
    result = score(SUM3, _flow(), {"q1": "3", "q2": None})
    assert result.value is None and result.band is None and not result.scored
    assert result.missing == ("q2", "q3")


def test_reverse_items_weights_and_means() -> None:
    flow = _flow()
    scoring = Scoring(
        "Mean",
        (ScoredItem("q1", reverse=True), ScoredItem("q2", weight=2), ScoredItem("ease")),
        method=Method.MEAN,
    )
    result = score(scoring, flow, {"q1": "3", "q2": "1", "ease": 7})
    assert result.value == pytest.approx((0 + 2 + 7) / 3)
    assert score_range(scoring, flow) == pytest.approx((0, (3 + 6 + 10) / 3))


def test_derived_figures_are_scored_with_the_total() -> None:
    scoring = Scoring("Total", SUM3.items, derived=(Scoring("First two", SUM3.items[:2]),))
    result = score(scoring, _flow(), {"q1": "2", "q2": "3"})
    assert result.value is None and result.derived[0].value == 5


@pytest.mark.parametrize(
    ("bands", "problem"),
    [
        ((Band(0, 2, "a"), Band(2, 9, "b")), "overlap"),
        ((Band(0, 2, "a"), Band(4, 9, "b")), "gap"),
        ((Band(0, 2, "a"), Band(3, 8, "b")), "whole score range 0–9"),
        ((Band(1, 2, "a"), Band(3, 9, "b")), "whole score range 0–9"),
        ((Band(0, 5, "a"), Band(6, 4, "b")), "down to"),
    ],
)
def test_band_problems_are_named(bands: tuple[Band, ...], problem: str) -> None:
    scoring = Scoring("Total", SUM3.items, bands=bands)
    assert any(problem in p for p in scoring_problems(scoring, _flow()))


def test_a_sound_scoring_has_no_problems_and_text_items_are_refused() -> None:
    assert scoring_problems(SUM3, _flow()) == []
    flow = Flow("t", "T", "t", "d", (Step("words", "Say", AnswerKind.TEXT),), summarize=lambda a: "")
    assert scoring_problems(Scoring("x", (ScoredItem("words"),)), flow)


def test_an_item_alert_fires_on_values_at_or_above_its_threshold() -> None:
    last = _flow(alert_on_last=True).steps[2]
    assert last.alert is not None
    assert [last.alert.fires(last, a) for a in ("0", "1", "3", "nope", None)] == [
        False,
        True,
        True,
        False,
        False,
    ]


def test_an_item_alert_needs_a_step_that_has_values() -> None:
    with pytest.raises(ValueError, match="item alert"):
        Step("t", "Say", AnswerKind.TEXT, alert=ItemAlert(1))
    with pytest.raises(ValueError, match="values"):
        Step("c", "Pick", AnswerKind.CHOICE, options=(Option("a", "A"),), alert=ItemAlert(1))
