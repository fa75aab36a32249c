"""Risk language in German (issue #15): the German list against its set, read beside English, its
spellings, separable verbs and hyperbole, the lookalikes English must not read, and the seam
``languages`` for a person's own language."""

from __future__ import annotations

import hashlib
import logging
import random
import re
import string
from importlib import resources

import pytest

from benchmarks.risk_language_report import held_back_by_hash
from benchmarks.risk_language_sets import GERMAN, read_set
from bot.core.errors import PhraseListError
from bot.safety.risk_language import MASKED, RiskDetector, RiskMatch, default_detector
from bot.safety.risk_languages import (
    RiskReader,
    default_reader,
    installed_languages,
    language_lists,
    rules_reader,
)
from tests.safety.test_risk_language import CATEGORIES, random_texts

# A rule of the German list, or of the German cues with the classes that fired: names, never text.
GERMAN_RULE = re.compile(r"de:[a-z_]+\.(?:[1-9][0-9]*|cues\([a-z_]+(?:\+[a-z_]+)*\))")


@pytest.fixture(scope="module")
def reader() -> RiskReader:
    return default_reader()


def flagged(reader: RiskReader, text: str) -> bool:
    return reader.check(text) is not None


# --- the list against its own set (written with it: see tests/safety/data/de/PROVENANCE.md) ------


def test_the_set_is_large_enough_and_marks_a_quarter_held_back() -> None:
    phrases = read_set(GERMAN)
    explicit = [p for p in phrases if p.set == "risk_explicit"]
    everyday = [p for p in phrases if p.set == "everyday"]
    assert len(explicit) >= 100 and len(everyday) >= 100
    assert {p.tag for p in explicit} == set(CATEGORIES)
    assert 0.15 < sum(p.held_back for p in phrases) / len(phrases) < 0.35
    for text in ("ich will sterben", "lebt wohl", "das bringt mich um", "mathe ist hoffnungslos"):
        assert held_back_by_hash(text) == (int(hashlib.sha256(text.encode()).hexdigest(), 16) % 4 == 0)


@pytest.mark.parametrize("hidden", [False, True], ids=["tuning part", "held-back part"])
def test_recall_on_explicit_phrases(reader: RiskReader, hidden: bool) -> None:
    explicit = [p for p in read_set(GERMAN) if p.set == "risk_explicit" and p.held_back == hidden]
    missed = [p.text for p in explicit if not flagged(reader, p.text)]
    recall = 1 - len(missed) / len(explicit)
    assert recall >= (0.97 if not hidden else 0.85), f"recall {recall:.3f}; {len(missed)} missed"


@pytest.mark.parametrize("hidden", [False, True], ids=["tuning part", "held-back part"])
def test_false_positives_on_everyday_phrases(reader: RiskReader, hidden: bool) -> None:
    everyday = [p for p in read_set(GERMAN) if p.set == "everyday" and p.held_back == hidden]
    wrongly = [p.text for p in everyday if flagged(reader, p.text)]
    rate = len(wrongly) / len(everyday)
    assert rate <= (0.03 if not hidden else 0.08), f"false positives {rate:.3f}; {len(wrongly)} flagged"


def test_the_german_list_has_the_english_categories_in_the_same_order(reader: RiskReader) -> None:
    german, _ = language_lists("de")
    assert german.categories == CATEGORIES
    assert reader.categories == CATEGORIES
    assert installed_languages() == ("en", "de")
    assert reader.languages == ("en", "de")


def test_the_list_says_it_needs_a_german_speaking_clinicians_review() -> None:
    text = resources.files("bot.safety").joinpath("risk_phrases_de.toml").read_text(encoding="utf-8")
    assert "NEEDS A REVIEW BY A GERMAN-SPEAKING CLINICIAN" in text


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("intent_or_plan", "hab seit wochen tabletten gesammelt"),
        ("intent_or_plan", "der strick hängt schon"),
        ("intent_or_plan", "ich werf mich heute vor den zug"),
        ("intent_or_plan", "ich bin zuhause nicht sicher"),
        ("suicidal_thoughts", "ich bringe mich um"),
        ("suicidal_thoughts", "bring mich heute um"),
        ("suicidal_thoughts", "ich bring mich echt bald um"),
        ("suicidal_thoughts", "hab suizidgedanken"),
        ("suicidal_thoughts", "ich will nich mehr leben"),
        ("suicidal_thoughts", "hab keinen bock mehr auf leben"),
        ("suicidal_thoughts", "ich tu mir was an"),
        ("self_harm", "ich ritze mich wieder"),
        ("self_harm", "svv"),
        ("harmed_by_others", "mein vater schlägt mich"),
        ("harmed_by_others", "ich trau mich nicht nach hause"),
        ("harm_to_others", "ich stech ihn morgen ab"),
        ("goodbye", "lebt wohl"),
        ("hopelessness", "ohne mich wären alle besser dran"),
    ],
)
def test_each_category_is_detected(reader: RiskReader, category: str, text: str) -> None:
    assert category in {match.category for match in reader.matches(text)}


# --- spelling ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ich möchte sterben",
        "ich moechte sterben",
        "ich mochte sterben",
        "ICH MÖCHTE STERBEN",
        "ich mö\u0308chte sterben".replace("ö\u0308", "o\u0308"),  # o and a combining diaeresis
        "ich möööchte sterbeeen",
        "ich m0chte st3rben",
    ],
)
def test_umlauts_and_their_spellings_are_one(reader: RiskReader, text: str) -> None:
    plain = reader.check("ich möchte sterben")
    assert plain is not None
    assert reader.check(text) == plain


@pytest.mark.parametrize(
    "text", ["Schluss mit allem", "Schluß mit allem", "SCHLUSS MIT ALLEM", "schluss mit allem!!"]
)
def test_sharp_s_is_ss(reader: RiskReader, text: str) -> None:
    plain = reader.check("schluss mit allem")
    assert plain is not None
    assert plain.category == "suicidal_thoughts"
    assert reader.check(text) == plain


@pytest.mark.parametrize(
    "text",
    [
        "ich bringe mich um",
        "ich bring mich um",
        "bring mich heute um",
        "ich bringe mich heute nacht noch um",
        "ich will mich umbringen",
        "ich hab vor mich umzubringen",
    ],
)
def test_separable_verbs_are_read_apart(reader: RiskReader, text: str) -> None:
    assert reader.check(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "ich will mich heute nacht umbringen",
        "ich werd mich morgen umbringen",
        "ich möchte mich heute töten",
        "heute nacht werde ich mich umbringen",
        "ich will mich am wochenende vergiften",
        "manchmal will ich einfach nur noch sterben",
    ],
)
def test_a_time_between_the_will_and_the_verb_is_read(reader: RiskReader, text: str) -> None:
    """German puts the infinitive last: a time said before it still leaves a plan (the English
    test phrase "I want to kill myself tonight", in German, was missed before this)."""
    assert reader.check(text) is not None


# --- hyperbole and everyday German ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "das bringt mich um",
        "die Hitze bringt mich noch um",
        "ich sterbe vor Lachen",
        "ich bin todmüde",
        "das war zum Sterben langweilig",
        "ich könnte ihn umbringen",
        "ich bring meinen Bruder um, wenn er nochmal mein Ladekabel klaut",
        "Selbstmordattentat in Kabul",
        "bring mich um 8 zur Schule",
        "der Stress bringt mich um den Schlaf",
        "ich bin mir nicht sicher",
        "ich bin hoffnungslos verliebt",
        "ich will die Wäsche machen",
        "er will die ganze Pizza",
    ],
)
def test_everyday_german_is_not_flagged(reader: RiskReader, text: str) -> None:
    assert reader.check(text) is None


def test_hyperbole_does_not_hide_risk_elsewhere_in_the_message(reader: RiskReader) -> None:
    assert reader.check("das bringt mich um und ich will sterben") is not None
    assert reader.check("ich bin todmüde vom leben, ich will nicht mehr leben") is not None
    assert reader.check("ich sterbe vor Lachen. ich hab mich wieder geritzt") is not None


# --- English beside German ----------------------------------------------------------------------------


def test_english_and_german_are_read_in_one_message(reader: RiskReader) -> None:
    found = reader.matches("ich kann nicht mehr, honestly I want to die. mein vater schlägt mich")
    assert [match.category for match in found] == ["suicidal_thoughts", "harmed_by_others"]
    assert found[0].rule.startswith("suicidal_thoughts.")  # English first, for the same category
    assert GERMAN_RULE.fullmatch(found[1].rule)


def test_german_lookalikes_hide_english_only_where_german_is_read(reader: RiskReader) -> None:
    text = "ich will die Hausaufgaben heute machen"
    assert default_detector().check(text) is not None  # English alone reads "will die"
    assert reader.check(text) is None
    assert reader.check(text, languages=("de",)) is None
    assert reader.check(text, languages=()) is not None  # an English-only reader: as before
    assert reader.check("I will die tonight") is not None  # English "will die" is still risk
    assert reader.check("ich will die Hausaufgaben machen and I will die tonight") is not None


def test_languages_narrow_what_is_read_but_english_is_always_read(reader: RiskReader) -> None:
    assert reader.check("ich will sterben", languages=("de",)) is not None
    assert reader.check("ich will sterben", languages=("en",)) is None
    assert reader.check("ich will sterben", languages=("fr",)) is None  # not installed: English only
    assert reader.check("I want to die", languages=()) is not None


def test_the_most_urgent_category_wins_across_languages(reader: RiskReader) -> None:
    text = "goodbye everyone. ich habe alle meine tabletten geschluckt"
    assert reader.check(text) == reader.matches(text)[0]
    assert [match.category for match in reader.matches(text)] == ["intent_or_plan", "goodbye"]


def test_a_german_match_names_its_rule_never_the_text(reader: RiskReader) -> None:
    for phrase in read_set(GERMAN):
        match = reader.check(phrase.text)
        if match is None or not match.rule.startswith("de:"):
            continue
        assert match.category in CATEGORIES
        assert GERMAN_RULE.fullmatch(match.rule)
        assert match.rule.startswith(f"de:{match.category}.")
        assert reader.pattern(match.rule)


def test_english_figures_do_not_change_when_german_is_read_too() -> None:
    english = default_detector()
    reader = rules_reader()  # every installed language's lists and cues, not the model
    assert set(reader.languages) >= {"en", "de"}
    for path in ("risk_positive.txt", "risk_negative.txt"):
        lines = (GERMAN.parent / path).read_text(encoding="utf-8").splitlines()
        texts = [line for line in lines if line.strip() and not line.startswith("#")]
        assert [reader.check(t) is not None for t in texts] == [english.check(t) is not None for t in texts]


def test_checking_neither_logs_nor_prints(
    reader: RiskReader, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    for text in ("ich will sterben", "das bringt mich um", "ich will die Wäsche machen", "hallo"):
        reader.check(text)
        reader.matches(text)
    assert caplog.records == []
    assert capsys.readouterr() == ("", "")


def test_any_text_is_checked_without_error(reader: RiskReader) -> None:
    rng = random.Random(15)
    texts = [*random_texts(), "".join(rng.choices("äöüßÄÖÜẞ " + string.ascii_lowercase, k=4096))]
    texts += ["bring mich " * 400 + "um", "ich will die " * 340]
    for text in texts:
        match = reader.check(text)
        assert match is None or isinstance(match, RiskMatch)
        assert all(isinstance(found, RiskMatch) for found in reader.matches(text))


# --- the pieces: spelling table, masking, a reader needs English ----------------------------------------


def test_a_list_may_read_some_letters_as_others() -> None:
    detector = RiskDetector.from_toml(
        '[spelling]\nread_as = { ae = "a" }\n[categories.risk]\npatterns = ["märchen"]\n'
    )
    assert detector.check("maerchen") == detector.check("märchen") == detector.check("marchen")
    assert detector.check("maerchen") is not None


@pytest.mark.parametrize(
    ("spelling", "message"),
    [
        ('[spelling]\nread_as = { AE = "a" }\n', "read_as must map"),
        ("[spelling]\nsame = 1\n", "unknown key 'same'"),
    ],
)
def test_a_broken_spelling_table_is_refused(spelling: str, message: str) -> None:
    with pytest.raises(PhraseListError, match=message):
        RiskDetector.from_toml(f'{spelling}[categories.risk]\npatterns = ["a"]\n')


def test_masked_replaces_each_match_and_keeps_the_rest() -> None:
    detector = RiskDetector.from_toml('[categories.risk]\npatterns = ["will die", "die ganze"]\n')
    assert detector.masked("Ich will die ganze Pizza!") == f"ich {MASKED} pizza"
    assert detector.masked("nothing here") == "nothing here"


def test_a_reader_without_an_english_list_is_refused() -> None:
    german, _ = language_lists("de")
    with pytest.raises(PhraseListError, match="always read in English"):
        RiskReader({"de": german})
