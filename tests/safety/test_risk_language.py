"""Risk language: the shipped phrase list against the test sets, normalisation, hyperbole, the syntax."""

from __future__ import annotations

import logging
import random
import re
import string
from pathlib import Path

import pytest

from bot.core.errors import ConfigurationError
from bot.safety.risk_cues import cues_from_toml
from bot.safety.risk_language import PhraseListError, RiskDetector, RiskMatch, default_detector, normalise

DATA = Path(__file__).parent / "data"
CATEGORIES = (
    "intent_or_plan",
    "suicidal_thoughts",
    "self_harm",
    "harmed_by_others",
    "harm_to_others",
    "goodbye",
    "hopelessness",
)
RULE_ID = re.compile(r"[a-z_]+\.[1-9][0-9]*")


def phrases(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return default_detector()


def flagged(detector: RiskDetector, text: str) -> bool:
    return detector.check(text) is not None


# --- the shipped list against the test sets ----------------------------------------------------------


def test_the_test_sets_are_large_enough() -> None:
    assert len(phrases("risk_positive.txt")) >= 150
    assert len(phrases("risk_negative.txt")) >= 150


def test_recall_on_the_positive_set(detector: RiskDetector) -> None:
    positives = phrases("risk_positive.txt")
    missed = [text for text in positives if not flagged(detector, text)]
    recall = 1 - len(missed) / len(positives)
    assert recall >= 0.95, f"recall {recall:.3f}; missed: {missed}"


def test_false_positives_on_the_negative_set(detector: RiskDetector) -> None:
    negatives = phrases("risk_negative.txt")
    wrongly = [text for text in negatives if flagged(detector, text)]
    rate = len(wrongly) / len(negatives)
    assert rate <= 0.05, f"false-positive rate {rate:.3f}; flagged: {wrongly}"


def test_the_shipped_list_has_the_categories_in_order_of_urgency(detector: RiskDetector) -> None:
    assert detector.categories == CATEGORIES


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("intent_or_plan", "I've been saving up my pills for this"),
        ("intent_or_plan", "I took 40 tablets an hour ago"),
        ("intent_or_plan", "i'm going to OD tonight"),
        ("intent_or_plan", "I've written my note"),
        ("intent_or_plan", "I'm going to jump off the bridge"),
        ("suicidal_thoughts", "I want to die"),
        ("suicidal_thoughts", "honestly might just kms"),
        ("suicidal_thoughts", "thinking about unaliving"),
        ("suicidal_thoughts", "sewerslide"),
        ("suicidal_thoughts", "I'm suicidle"),
        ("suicidal_thoughts", "I wish I could go to sleep and not wake up"),
        ("self_harm", "I cut myself again last night"),
        ("self_harm", "SH urges are bad"),
        ("self_harm", "self-harm"),
        ("self_harm", "selfharm"),
        ("harmed_by_others", "my stepdad touches me and says not to tell"),
        ("harmed_by_others", "he hits me when he's drunk"),
        ("harmed_by_others", "she hurts me"),
        ("harmed_by_others", "I was raped"),
        ("harmed_by_others", "kids at school tell me to kys"),
        ("goodbye", "goodbye everyone"),
        ("goodbye", "by the time you read this I'll be gone"),
        ("goodbye", "Please look after my cat when I'm gone"),
        ("hopelessness", "everyone would be better off without me"),
        ("hopelessness", "I'm just a burden"),
        ("hopelessness", "there's no way out"),
    ],
)
def test_each_category_is_detected(detector: RiskDetector, category: str, text: str) -> None:
    assert category in {match.category for match in detector.matches(text)}


def test_check_gives_the_most_urgent_category_and_matches_gives_them_all(detector: RiskDetector) -> None:
    text = "goodbye everyone, I've taken all my pills"
    assert detector.check(text) == detector.matches(text)[0]
    assert [match.category for match in detector.matches(text)] == ["intent_or_plan", "goodbye"]


# --- normalisation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "kill myself",
        "KILL MYSELF",
        "Kill   Myself",
        "kill-myself",
        "killmyself",
        "kill_myself!!!",
        "k i l l myself",
        "k.i.l.l myself",
        "K I L L  M Y S E L F",
        "kiiiiill myself",
        "killlll myseeelf",
        "k1ll mys3lf",
        "ki\u200bll my\u200dself",  # zero-width space and joiner
        "kil\u00adl myself",  # soft hyphen
        "ＫＩＬＬ ｍｙｓｅｌｆ",  # fullwidth
        "kіll myself",  # Cyrillic і
        "kíll mýself",  # accents
        "𝐤𝐢𝐥𝐥 𝐦𝐲𝐬𝐞𝐥𝐟",  # mathematical bold
        "i want to kill myself\n",
    ],
)
def test_spelling_spacing_and_unicode_are_forgiven(detector: RiskDetector, text: str) -> None:
    plain = detector.check("kill myself")
    assert plain is not None
    assert plain.category == "suicidal_thoughts"
    assert detector.check(text) == plain


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("I’m FINE", "im fine"),
        ("don't", "dont"),
        ("k i l l", "kill"),
        ("k.i.l.l myself", "kill myself"),
        ("a b tired", "a b tired"),  # two one-letter words are just words
        ("k1ll $elf h@rm", "kill self harm"),
        ("I ran 5 kms", "i ran 5 kms"),
        ("10km at 3am", "iokm at eam"),  # a word with letters is read as leetspeak, numbers with it
        ("$5 and @ and 3am", "5 and and eam"),
        ("café naïve", "cafe naive"),
        ("ki\u200bll", "kill"),
        ("😂💀 dead", "dead"),
        ("", ""),
        ("   \n\t ", ""),
    ],
)
def test_normalise(text: str, normalised: str) -> None:
    assert normalise(text) == normalised


def test_stretched_letters_do_not_turn_one_word_into_another(detector: RiskDetector) -> None:
    assert flagged(detector, "thinking about an od")
    assert not flagged(detector, "that was an odd session")
    assert flagged(detector, "I want to dieeee")
    assert flagged(detector, "bought a noose")
    assert not flagged(detector, "breathe in through your nose")


# --- hyperbole and the choices made for safety ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "this homework is killing me",
        "my feet are killing me",
        "I'm dead tired",
        "I could kill for a coffee",
        "that cake is to die for",
        "I'm dying to see the new film",
        "I'm killing time before my appointment",
        "I almost died of embarrassment",
        "I'm gonna die of boredom in this meeting",
        "I want to kill this presentation",
        "my phone died",
        "I was dying of laughter",
        "I could murder a pizza",
        "In the film, the hero dies at the end",
        "I cut myself shaving",
        "I went for a run, 5 kms",
        "this is my last message for tonight, see you Tuesday",
        "I felt sad and tired today",
    ],
)
def test_everyday_hyperbole_is_not_flagged(detector: RiskDetector, text: str) -> None:
    assert detector.check(text) is None


def test_hyperbole_does_not_hide_risk_elsewhere_in_the_message(detector: RiskDetector) -> None:
    assert detector.check("this homework is killing me and I want to die") is not None
    assert detector.check("I'm dead tired of living") is not None
    assert detector.check("my feet are killing me. I cut myself last night") is not None


SET_ASIDE, FLAGGED = False, True


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # plain denials right before the risk words, and a past told as over: set aside
        ("I'm not suicidal", SET_ASIDE),
        ("I don't want to kill myself", SET_ASIDE),
        ("i would never hurt myself, i promise", SET_ASIDE),
        ("no thoughts of suicide this week", SET_ASIDE),
        ("i used to cut, 2 years clean", SET_ASIDE),
        ("nobody is hurting me, the bruise is from netball", SET_ASIDE),
        # hedged denials, risk beside a denial, the recent past: flagged
        ("never self harm", FLAGGED),
        ("I'm not suicidal but I want to die", FLAGGED),
        ("I can't promise I won't hurt myself", FLAGGED),
        ("im not going to kill myself tonight", FLAGGED),
        ("not suicidal yet", FLAGGED),
        ("i don't want to die but i don't want to live either", FLAGGED),
        ("i used to cut and i cut again last night", FLAGGED),
        ("i've never wanted to die more than now", FLAGGED),
        ("2 hours ago i cut myself", FLAGGED),
        ("not sure i can keep myself safe", FLAGGED),
    ],
)
def test_denials_and_the_past_as_benchmarks_readme_lists_them(
    detector: RiskDetector, text: str, flagged: bool
) -> None:
    """Issue #16, third round (for clinical review): only the words right after a denial go."""
    assert (detector.check(text) is not None) == flagged


def test_a_match_holds_names_from_the_list_never_the_text(detector: RiskDetector) -> None:
    for text in phrases("risk_positive.txt"):
        match = detector.check(text)
        assert match is not None
        assert match.category in CATEGORIES
        assert RULE_ID.fullmatch(match.rule)
        assert match.rule.startswith(match.category + ".")
        assert normalise(text) not in (match.category, match.rule)
        assert detector.pattern(match.rule)  # the pattern behind it, for reviewers


def test_checking_neither_logs_nor_prints(
    detector: RiskDetector, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    for text in ("I want to die", "this homework is killing me", "hello"):
        detector.check(text)
        detector.matches(text)
    assert caplog.records == []
    assert capsys.readouterr() == ("", "")


# --- robustness -----------------------------------------------------------------------------------


def random_texts() -> list[str]:
    rng = random.Random(6)
    alphabets = [
        string.printable,
        string.ascii_lowercase + "    ",
        "".join(chr(code) for code in range(0x20, 0x3000)),
        "\u0301\u0308\u200b\u200d\u202e\u2066\ufeff\ufe0f" + "aeiou",  # marks, joiners, bidi controls
        "😂💀🏳️‍🌈👨‍👩‍👧" + "kill me ",
        "0123456789@$!.- ",
    ]
    texts = ["".join(rng.choices(alphabet, k=4096)) for alphabet in alphabets]
    texts.append("".join(chr(rng.randrange(0x110000)) for _ in range(4096)))  # surrogates and all
    texts += ["", " ", "\x00", "\ud800", "a" * 4096, "a " * 2048, "kill " * 819, "he " * 1365 + "hits me"]
    texts.append("self " * 819 + "harm")
    texts.append("k " * 2048)
    return texts


def test_any_text_is_checked_without_error(detector: RiskDetector) -> None:
    for text in random_texts():
        match = detector.check(text)
        assert match is None or isinstance(match, RiskMatch)
        assert all(isinstance(found, RiskMatch) for found in detector.matches(text))


def test_detection_is_deterministic(detector: RiskDetector) -> None:
    texts = phrases("risk_positive.txt") + phrases("risk_negative.txt") + random_texts()
    first = [detector.matches(text) for text in texts]
    assert [detector.matches(text) for text in texts] == first
    shipped = Path(__file__).resolve().parents[2] / "bot" / "safety"
    cues = cues_from_toml((shipped / "risk_cues.toml").read_text(encoding="utf-8"))
    rebuilt = RiskDetector.from_file(shipped / "risk_phrases.toml").with_cues(cues)
    assert [rebuilt.matches(text) for text in texts] == first


# --- the phrase-list syntax -------------------------------------------------------------------------


def one_category(*patterns: str, sets: str = "", hyperbole: tuple[str, ...] = ()) -> RiskDetector:
    quoted = ", ".join(f'"{pattern}"' for pattern in patterns)
    extra = "[hyperbole]\npatterns = [" + ", ".join(f'"{p}"' for p in hyperbole) + "]\n" if hyperbole else ""
    return RiskDetector.from_toml(f"{sets}\n[categories.risk]\npatterns = [{quoted}]\n{extra}")


@pytest.mark.parametrize(
    ("pattern", "yes", "no"),
    [
        ("kill myself", ["i kill myself", "killmyself"], ["skill myself", "kill yourself"]),
        ("i [really] want to die", ["i want to die", "i really want to die"], ["i really do want to die"]),
        ("i [really/so] want to die", ["i so want to die"], ["i very want to die"]),
        ("end/stop it", ["end it", "stop it"], ["finish it"]),
        ("going-to/gonna die", ["going to die", "gonna die"], ["going die"]),
        ("suicid*", ["suicide", "suicidal", "SUICIDAL"], ["suit"]),
        ("better off ... without me", ["better off without me", "better off if they were without me"], []),
        ("better off ... without me", [], ["better off if they were all of them without me"]),
        ("years ago ...6 wanted to die", ["years ago i had a dark time and wanted to die"], []),
        ("years ago ...6 wanted to die", [], ["years ago i had a really dark time and wanted to die"]),
        ("took ## pills", ["took 30 pills"], ["took 2 pills"]),
        ("took # pills", ["took 2 pills"], ["took two pills"]),
        ("od", ["od", "oddd"], ["odd"]),
        ("noose", ["noose", "nooooose"], ["nose"]),
    ],
)
def test_pattern_syntax(pattern: str, yes: list[str], no: list[str]) -> None:
    detector = one_category(pattern)
    for text in yes:
        assert detector.check(text) == RiskMatch(category="risk", rule="risk.1"), text
    for text in no:
        assert detector.check(text) is None, text


def test_sets_name_shared_phrases() -> None:
    sets = '[sets]\nperson = ["he/she", "my dad"]\nwant = ["want [to]", "wanna"]\n'
    detector = one_category("<person> ... hits me", "<want> <person>/nobody", sets=sets)
    assert detector.check("my dad really hits me") == RiskMatch(category="risk", rule="risk.1")
    assert detector.check("wanna nobody") == RiskMatch(category="risk", rule="risk.2")
    assert detector.check("it hits me") is None


def test_hyperbole_must_hold_the_whole_risk_match() -> None:
    detector = one_category("want to die", hyperbole=("[i] [want] to die of embarrassment",))
    assert detector.check("i want to die of embarrassment") is None
    assert detector.check("i want to die") is not None
    assert detector.check("i want to die. i want to die of embarrassment") is not None


def test_rules_are_named_by_category_and_position() -> None:
    detector = RiskDetector.from_toml(
        '[categories.first]\npatterns = ["alpha", "beta"]\n[categories.second]\npatterns = ["gamma"]\n'
    )
    assert detector.categories == ("first", "second")
    assert detector.check("beta") == RiskMatch(category="first", rule="first.2")
    assert detector.matches("gamma and alpha") == (
        RiskMatch(category="first", rule="first.1"),
        RiskMatch(category="second", rule="second.1"),
    )
    assert detector.pattern("first.2") == "beta"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("not toml [", "not valid TOML"),
        ("[categories]\n", "no [categories"),
        ('[categories.risk]\npatterns = ["<nobody> hits"]\n', "no set named <nobody>"),
        ('[categories.risk]\npatterns = ["... me"]\n', "between words"),
        ('[categories.risk]\npatterns = ["want ..."]\n', "between words"),
        ('[categories.risk]\npatterns = ["[a] ... me"]\n', "next to an optional"),
        ('[categories.risk]\npatterns = ["a [...6] me"]\n', "inside [ ]"),
        ('[categories.risk]\npatterns = ["a ...6 ... me"]\n', "two '...' in a row"),
        ('[categories.risk]\npatterns = ["[a b"]\n', "without ']'"),
        ('[categories.risk]\npatterns = ["a ]"]\n', "without '['"),
        ('[categories.risk]\npatterns = ["[a]"]\n', "everything in it is optional"),
        ('[categories.risk]\npatterns = ["a/<b"]\n', "cannot read"),
        ("[categories.risk]\npatterns = []\n", "has no patterns"),
        ('[categories.risk]\npattern = ["a"]\n', "unknown key 'pattern'"),
        ('[categories.Risk]\npatterns = ["a"]\n', "category name"),
        ('[sets]\na = ["<a>"]\n[categories.risk]\npatterns = ["<a>"]\n', "refers to itself"),
    ],
)
def test_a_broken_phrase_list_is_refused_with_a_reason(toml: str, message: str) -> None:
    with pytest.raises(PhraseListError, match=re.escape(message)):
        RiskDetector.from_toml(toml)


def test_a_broken_phrase_list_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read the phrase list"):
        RiskDetector.from_file(tmp_path / "missing.toml")
