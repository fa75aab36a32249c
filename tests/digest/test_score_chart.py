"""A scored measure's chart: its scores over time with the bands shaded and named, sent with the
digest when it has two scores or more."""

from __future__ import annotations

import struct
from datetime import timedelta

from bot.digest import ClientInput, DigestRequest, EntryInput, build_digest
from bot.digest.chart import band_spans, draw_score_chart, score_chart_png
from bot.digest.delivery import compose
from flows.registry import BUILT_IN
from flows.sections import ScoreSeries
from tests.support.measures import PERIOD_END as END
from tests.support.measures import PERIOD_START as START
from tests.support.measures import scored_digest

PHQ9_BANDS = [(-0.5, 4.5, "minimal 0–4"), (4.5, 9.5, "mild 5–9"), (9.5, 14.5, "moderate 10–14")]


def test_the_bands_are_shaded_and_named_and_the_scores_drawn_in_order() -> None:
    digest = scored_digest(("phq9", 19, 90), ("phq9", 14, 60), ("phq9", 12, 10), ("phq9", 8, 3))
    (series,) = digest.score_charts
    figure = draw_score_chart(digest, series)
    (axes,) = figure.axes
    shaded = sorted((p.get_y(), p.get_y() + p.get_height()) for p in axes.patches)
    assert shaded == [(low, high) for low, high, _ in band_spans(series)]
    assert band_spans(series)[:3] == PHQ9_BANDS
    named = [t.get_text() for t in axes.texts]  # each band with its boundaries
    assert named == ["minimal 0–4", "mild 5–9", "moderate 10–14", "moderately severe 15–19", "severe 20–27"]
    (line,) = [line for line in axes.get_lines() if len(line.get_ydata()) == 4]
    assert list(line.get_ydata()) == [19, 14, 12, 8]
    assert axes.get_ylim() == (-0.5, 27.5)
    assert "PHQ-9 — Sam" in figure.texts[0].get_text()


def test_it_renders_an_800_by_400_png() -> None:
    digest = scored_digest(("gad7", 16, 30), ("gad7", 9, 2))
    png = score_chart_png(digest, digest.score_charts[0])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (800, 400)


def test_a_mean_scored_measure_shades_bands_that_meet() -> None:
    from flows.scoring import Band

    bands = (Band(1, 2.4, "low"), Band(2.5, 4, "high"))
    series = ScoreSeries("Mean", ((START, 1.5), (END, 3.0)), bands, 1, 4)
    assert band_spans(series) == [(1, 2.5, "low 1–2.4"), (2.5, 4, "high 2.5–4")]


def test_each_measure_with_two_scores_goes_as_a_photo_after_the_mood_chart() -> None:
    digest = scored_digest(("phq9", 15, 20), ("phq9", 9, 2), ("gad7", 11, 2))
    assert [s.label for s in digest.score_charts] == ["PHQ-9"]  # GAD-7 has one score only
    messages = compose(digest, b"mood-png", [("PHQ-9", b"phq-png")])
    photos = [m for m in messages if m.attachment is not None and m.attachment.kind == "photo"]
    assert [p.attachment.content for p in photos if p.attachment] == [b"mood-png", b"phq-png"]
    assert photos[1].text == (
        "PHQ-9 over time, since the first score — Sam\n"
        "Bands: minimal 0–4 · mild 5–9 · moderate 10–14 · moderately severe 15–19 · severe 20–27"
    )


def test_the_built_in_phq9s_chart_says_which_score_and_where_its_bands_end() -> None:
    """The real PHQ-9 definition (not a test-shaped flow): "PHQ-9 total" on the title, the axis
    and the caption, and each band with its boundaries on the chart and in the caption."""
    phq9 = BUILT_IN.by_id("phq9")
    assert phq9 is not None and phq9.scoring is not None
    items = [item.step_id for item in phq9.scoring.items]
    levels = ("not_at_all", "several_days", "more_than_half", "nearly_every_day")
    entries = [
        EntryInput(n, "phq9", "completed", {i: levels[level] for i in items}, at, at)
        for n, (level, at) in enumerate(((3, START - timedelta(days=30)), (1, END - timedelta(days=2))), 1)
    ]
    request = DigestRequest(
        client=ClientInput("Sam", "Europe/Berlin", START - timedelta(days=200)),
        period_start=START,
        period_end=END,
        session_at=END + timedelta(hours=2),
        entries=entries[1:],
        earlier_entries=entries[:1],
    )
    digest = build_digest(request, BUILT_IN.flows)
    (series,) = digest.score_charts
    assert series.label == "PHQ-9 total" and [v for _, v in series.points] == [27, 9]
    figure = draw_score_chart(digest, series)
    (axes,) = figure.axes
    assert figure.texts[0].get_text().startswith("PHQ-9 total — Sam")
    assert axes.get_ylabel() == "PHQ-9 total (0–27)"
    assert [t.get_text() for t in axes.texts] == [
        "minimal 0–4",
        "mild 5–9",
        "moderate 10–14",
        "moderately severe 15–19",
        "severe 20–27",
    ]
    (_mood, caption) = [m.text for m in compose(digest, b"mood", [("PHQ-9 total", b"png")]) if m.attachment]
    assert caption == (
        "PHQ-9 total over time, since the first score — Sam\n"
        "Bands: minimal 0–4 · mild 5–9 · moderate 10–14 · moderately severe 15–19 · severe 20–27"
    )
