"""PHQ-9 and GAD-7 in German: the published validated German versions (PHQ-D, Löwe, Spitzer,
Zipfel, Herzog; the German GAD-7, Löwe et al. 2008), every item and option pinned here word for
word, as the English ones are in ``test_measures.py`` (a change must be deliberate).

Checked verbatim against two independent transcriptions each (named in the TOML files): the
Medizininformatik-Initiative's FHIR PRO module and the q4ms FHIR resources for the PHQ-9, the
MII module and therapie.de's GAD-7 page for the GAD-7. They keep the published "Sie"."""

from __future__ import annotations

import pytest

from bot.core.i18n import _, reading
from flows.model import Flow
from flows.prompt import render_step
from flows.registry import flow_by_id

STEM = (
    "Wie oft fühlten Sie sich im Verlauf der letzten 2 Wochen durch die folgenden Beschwerden beeinträchtigt?"
)
PHQ9_ITEMS = (
    "Wenig Interesse oder Freude an Ihren Tätigkeiten",
    "Niedergeschlagenheit, Schwermut oder Hoffnungslosigkeit",
    "Schwierigkeiten ein- oder durchzuschlafen oder vermehrter Schlaf",
    "Müdigkeit oder Gefühl, keine Energie zu haben",
    "Verminderter Appetit oder übermäßiges Bedürfnis zu essen",
    "Schlechte Meinung von sich selbst; Gefühl, ein Versager zu sein oder die Familie enttäuscht zu haben",
    "Schwierigkeiten, sich auf etwas zu konzentrieren, z.B. beim Zeitunglesen oder Fernsehen",
    "Waren Ihre Bewegungen oder Ihre Sprache so verlangsamt, dass es auch anderen auffallen würde? "
    "Oder waren Sie im Gegenteil „zappelig“ oder ruhelos und hatten dadurch einen stärkeren "
    "Bewegungsdrang als sonst?",
    "Gedanken, dass Sie lieber tot wären oder sich Leid zufügen möchten",
)
GAD7_ITEMS = (
    "Nervosität, Ängstlichkeit oder Anspannung",
    "Nicht in der Lage sein, Sorgen zu stoppen oder zu kontrollieren",
    "Übermäßige Sorgen bezüglich verschiedener Angelegenheiten",
    "Schwierigkeiten zu entspannen",
    "Rastlosigkeit, so dass Stillsitzen schwer fällt",
    "Schnelle Verärgerung oder Gereiztheit",
    "Gefühl der Angst, so als würde etwas Schlimmes passieren",
)
OPTIONS = ["Überhaupt nicht", "An einzelnen Tagen", "An mehr als der Hälfte der Tage", "Beinahe jeden Tag"]
DIFFICULTY = (
    "Wenn eines oder mehrere dieser Probleme bei Ihnen vorliegen, geben Sie bitte an, wie sehr diese "
    "Probleme es Ihnen erschwert haben, Ihre Arbeit zu erledigen, Ihren Haushalt zu regeln oder mit "
    "anderen Menschen zurecht zu kommen"
)
DIFFICULTY_OPTIONS = [
    "Überhaupt nicht erschwert",
    "Etwas erschwert",
    "Relativ stark erschwert",
    "Sehr stark erschwert",
]
ENGLISH_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an "
    "educational grant from Pfizer Inc. No permission required to reproduce, translate, display or "
    "distribute."
)


def measure(flow_id: str) -> Flow:
    flow = flow_by_id(flow_id)
    assert flow is not None
    return flow


@pytest.mark.parametrize(("flow_id", "items"), [("phq9", PHQ9_ITEMS), ("gad7", GAD7_ITEMS)])
def test_every_german_item_and_option_is_the_published_wording(flow_id: str, items: tuple[str, ...]) -> None:
    flow = measure(flow_id)
    with reading("de"):
        for number, item in enumerate(items, 1):
            step = flow.step(f"item{number}")
            assert step is not None
            prompt = render_step(flow, step)
            assert prompt.text == f"{STEM}\n\n{number}. {item}"
            assert [c.label for c in prompt.choices] == OPTIONS
        difficulty = render_step(flow, flow.steps[-1])
        assert difficulty.text == DIFFICULTY
        assert [c.label for c in difficulty.choices] == DIFFICULTY_OPTIONS


@pytest.mark.parametrize(("flow_id", "german_source"), [("phq9", "PHQ-D"), ("gad7", "Löwe")])
def test_the_attribution_is_in_german_and_english(flow_id: str, german_source: str) -> None:
    flow = measure(flow_id)
    with reading("de"):
        intro = _(flow.intro or "")
    assert german_source in intro and "Pfizer" in intro and "ohne Genehmigung" in intro
    assert intro.endswith(ENGLISH_ATTRIBUTION)  # the English line stays, word for word
    assert "„Sie“" in intro  # our own intro says why the form says "Sie"


@pytest.mark.parametrize("flow_id", ["phq9", "gad7"])
def test_the_english_forms_are_unchanged_by_the_german(flow_id: str) -> None:
    flow = measure(flow_id)
    with reading("en"):
        prompt = render_step(flow, flow.steps[0])
    assert prompt.text.startswith("Over the last 2 weeks") and "Sie" not in prompt.text
    assert prompt.choices[0].label == "Not at all"
