"""Risk cues: each cue class, each dampener, the window, and what must not score (issue #16, round four)."""

from __future__ import annotations

import pytest

from bot.core.errors import PhraseListError
from bot.safety.risk_cues import CueScorer, cues_from_toml, default_cues, language_cues
from bot.safety.risk_language import RiskDetector, default_detector
from bot.safety.risk_languages import default_reader
from tests.safety.test_risk_language import CATEGORIES

# A small lexicon whose arithmetic can be read at a glance: two needed classes reach the threshold.
SMALL = """
[scoring]
window = 4
threshold = 1.0
contrast = ["but"]
[respell]
gonna = "going to"
[emoji]
"💊" = "pills"
[cues]
first_person = ["i", "im", "my"]
means = ["pills", "rope"]
readiness = ["going to", "ready"]
time = ["tonight"]
[dampeners]
negation = ["not", "never"]
past = ["years ago"]
media = ["film"]
[negation]
reach = 3
negates = ["readiness"]
[categories.intent_or_plan]
about = "a plan"
needs = ["means", "readiness+time"]
weights = { first_person = 0.2, means = 0.5, readiness = 0.4, time = 0.4 }
dampeners = { past = 0.5, media = 0.8 }
"""


@pytest.fixture(scope="module")
def small() -> CueScorer:
    return cues_from_toml(SMALL)


@pytest.fixture(scope="module")
def cues() -> CueScorer:
    return default_cues()


def test_cues_together_reach_the_threshold_and_name_themselves(small: CueScorer) -> None:
    hit = small.check("im ready, pills tonight")
    assert hit is not None
    assert hit.category == "intent_or_plan"
    assert set(hit.cues) == {"first_person", "readiness", "means", "time"}
    assert hit.rule.startswith("intent_or_plan.cues(") and "means" in hit.rule
    assert small.check("pills tonight") is None  # 0.9: means and time alone fall short


def test_a_needed_class_must_be_there(small: CueScorer) -> None:
    assert small.check("i am ready for tonight") is not None  # readiness+time: one of the needs
    assert small.check("i am ready") is None  # first person and readiness, nothing needed


def test_the_window_bounds_what_counts_together(small: CueScorer) -> None:
    assert small.check("my pills and then some ready") is not None  # ready 4 words after pills
    assert small.check("my pills and then some more ready") is None  # 5 words: outside the window


def test_respelling_emoji_stretched_letters_and_contractions(small: CueScorer) -> None:
    assert small.check("I'm gonna take the 💊") is not None
    assert small.check("I’M READYYYY, PILLS") is not None
    assert small.words("gonna")[0] == ["going", "to"]


def test_negation_takes_a_cue_away(small: CueScorer) -> None:
    assert small.check("my pills, i am ready") is not None
    assert small.check("my pills, i am not ready") is None  # "not" two words before "ready"


def test_dampeners_subtract_in_the_same_sentence_only(small: CueScorer) -> None:
    assert small.check("years ago i was ready with my pills") is None  # past: 1.1 - 0.5
    assert small.check("in the film i was ready with the pills") is None
    assert small.check("a film. i am ready with my pills") is not None  # another sentence


def test_a_but_starts_a_new_sentence(small: CueScorer) -> None:
    assert small.check("that was the film but im ready with my pills") is not None
    assert small.check("that was the film and im ready with my pills") is None


def test_a_broken_lexicon_is_refused_with_a_reason() -> None:
    with pytest.raises(PhraseListError, match="no class named 'nothing'"):
        cues_from_toml(SMALL.replace("time = 0.4 }", "nothing = 0.4 }"))
    with pytest.raises(PhraseListError, match="every class it needs"):
        cues_from_toml(SMALL.replace('needs = ["means", "readiness+time"]', 'needs = ["negation"]'))
    with pytest.raises(PhraseListError, match="not valid TOML"):
        cues_from_toml("[scoring")


# --- the shipped lexicons, one case per cue class and per dampener -----------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # means and readiness, said without a word for dying
        ("got enough tablets saved up now, ready for friday", "intent_or_plan"),
        ("i found out how many of my meds it would take and i have that many", "intent_or_plan"),
        ("when everyone is out of the house on sunday i can finally do it", "intent_or_plan"),
        ("standing on the railing of the car park roof right now", "intent_or_plan"),
        ("every night i lie awake thinking about how i could die", "suicidal_thoughts"),
        ("cutting is the only thing that helps me cope anymore", "self_harm"),
        ("my stepdad hits me again when he drinks", "harmed_by_others"),
        ("i don't feel safe at home with him", "harmed_by_others"),
        ("i'm going to make him pay, i know where he lives", "harm_to_others"),
        ("i've got the knife ready for when he gets back", "harm_to_others"),
        ("gave away my things. please look after my cat for me forever", "goodbye"),
        ("i'm out of reasons to stay alive", "hopelessness"),
    ],
)
def test_each_category_scores_on_words_the_list_does_not_hold(
    cues: CueScorer, text: str, category: str
) -> None:
    hit = cues.check(text)
    assert hit is not None and hit.category == category, hit


@pytest.mark.parametrize(
    "text",
    [
        # negation, third party, past, media, hyperbole and the everyday senses of risk words
        "i'm not going to take all my pills, i promise",
        "my friend's dad hits her when he drinks, what should i do",
        "years ago i had the tablets saved up, i'm doing better now",
        "in the film she took all her pills on friday night",
        "my mum will kill me if she sees the mess lol",
        "picked up my prescription tablets tonight, enough for the month",
        "i cut my finger again chopping onions in the kitchen",
        "goodbye everyone, off on holiday tomorrow, see you next week",
        "i'm going to kill this presentation tomorrow",
        "i'm on the bridge now, traffic is awful, see you at the session",
        "i'm going over tonight to make her pay back the money she owes me",
        "the team would be better off without me on the pitch",
    ],
)
def test_everyday_sentences_sharing_the_words_do_not_score(cues: CueScorer, text: str) -> None:
    assert cues.check(text) is None


# --- beside the list ---------------------------------------------------------------------------------


def test_the_list_stays_the_floor_and_the_cues_add_only_what_it_lets_pass() -> None:
    detector = default_detector()
    listed = detector.check("I want to kill myself")
    assert listed is not None and ".cues(" not in listed.rule  # the list's own rule
    added = detector.check("not safe where i live")
    assert added is not None and added.category == "harmed_by_others"
    assert added.rule.startswith("harmed_by_others.cues(")
    assert "unsafe" in detector.pattern(added.rule)  # a reviewer is told which cues
    assert [match.category for match in detector.matches("not safe where i live")] == ["harmed_by_others"]


def test_a_detector_from_a_phrase_list_alone_reads_no_cues() -> None:
    plain = RiskDetector.from_toml('[categories.x]\npatterns = ["alpha"]')
    assert plain.check("not safe where i live") is None
    assert plain.with_cues(default_cues()).check("not safe where i live") is not None


def test_every_cue_category_is_one_of_the_lists(cues: CueScorer) -> None:
    assert {category.name for category in cues.categories} <= set(CATEGORIES)


def test_a_hit_holds_class_names_never_the_text(cues: CueScorer) -> None:
    text = "my pills are lined up for tonight when everyone is asleep"
    hit = cues.check(text)
    assert hit is not None
    lexicon_names = {"first_person", "means", "readiness", "time", "unseen", "gathered", "possession"}
    assert set(hit.cues) <= lexicon_names
    assert "pills" not in hit.rule and "asleep" not in hit.rule


# --- German: its own cues, read beside its own list ----------------------------------------------------


def test_german_has_cues_of_its_own_read_with_its_spelling() -> None:
    german = language_cues("de")
    assert german is not None
    hit = german.check("hab mir den Arm verbrannt, absichtlich")
    assert hit is not None and hit.category == "self_harm"
    assert german.words("Brücke bruecke")[0] == ["brucke", "brucke"]  # ä, ö, ü and ae, oe, ue alike
    assert german.check("ich hab angst um meinen vater, er ist im krankenhaus") is None
    assert german.check("ich habe meine Tabletten heute Abend genommen, wie immer") is None  # a perfect tense
    assert language_cues("xx") is None  # a language without cues has none


def test_the_reader_asks_german_cues_about_what_the_german_list_lets_pass() -> None:
    match = default_reader().check("alle wären besser dran ohne mich")
    assert match is not None and match.rule.startswith("de:hopelessness.cues(")
    assert default_reader().check("ich hab heute brav alle meine tabletten genommen") is None
