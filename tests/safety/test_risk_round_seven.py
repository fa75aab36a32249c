"""Risk language, issue #16's seventh round: the hand-written rules' own false alarms, by family.

Round six's blind set showed every held-back everyday false alarm came from the rules, not the
model; the six training writers' everyday lines (written blind to the rules) gave a sample of them.
Each family was fixed in the phrase lists in general terms; the sentences below are the engineer's
own, written while tuning (not an independent measure): an everyday sentence of each family stays
unflagged by the rules alone, and the risk written in the same words is flagged by the rules alone
(the rules are the floor; the learned model is not asked here).
"""

from __future__ import annotations

import pytest

from bot.safety.risk_languages import RiskReader, rules_reader
from tests.support.risk_levels import assert_keeps_level

# The rules alone on the sets tuned on in this round (in-sample, so floors, not measures):
# explicit lines flagged (floor, unchanged by the round) and everyday lines flagged (ceiling; before
# the round: 38, 14, 45, 28, 14, 38, 7, 2).
ROUND_SEVEN_LEVELS = {
    "train_en1": (467, 7),
    "train_en2": (357, 2),
    "train_en3": (342, 17),
    "train_en4": (354, 3),
    "train_de1": (196, 1),
    "train_de2": (175, 5),
    "eval6": (172, 0),
    "de_blind4": (44, 0),
}

# (everyday, risk) in each family's words.
ENGLISH_FAMILIES = {
    "effort and panic": [
        ("did the half marathon, swore i was going to die at mile 11 but i finished", False),
        ("i felt like i was going to die during the panic attack, the breathing helped", False),
        ("my son says he'll die if he can't go to the concert, he'll survive", False),
        ("i thought about dying at km 8 of my run and wanted to keep going off the bridge", True),
        ("i'm going to die tonight, i've made up my mind", True),
    ],
    "helping roles and courses": [
        ("paramedic here, saw four overdoses on the night shift, home now and knackered", False),
        ("the trainer taught us how to ask people directly about suicide, felt awkward but useful", False),
        ("our coach made us run suicides until we were sick", False),
        ("reading a biography about a man who survived a suicide attempt, so moving", False),
        ("i'm a nurse and i keep thinking about taking an overdose from the ward stock", True),
        ("i did the first aid course but i want to kill myself anyway", True),
        ("nurse on nights, we treated so many overdoses, going to sleep now", False),
        ("i'm going to swallow all my tablets after my shift tonight", True),
    ],
    "denials and a past told as over": [
        ("not having any of the dark thoughts this week, just tired", False),
        ("i'm not in a bad place, just need an early night", False),
        ("five years since my last overdose, i'm settled and working now", False),
        ("i used to self harm every day and i haven't for three years", False),
        ("my scars have mostly faded now", False),
        ("no dark thoughts today, but i've got the pills ready for tonight", True),
        ("i used to self harm and i cut again last night", True),
        ("years ago i was in a dark place and now i want to die again", True),
    ],
    "someone else's story": [
        ("my nephew was bullied at his old school, the new one is great", False),
        ("watched a drama about a woman escaping her abusive husband", False),
        ("i'm being bullied at school every day and i can't take it", True),
        ("my husband is abusive and i'm scared to go home", True),
    ],
    "games and jokes between family and friends": [
        ("my character jumped off the tower to reach the checkpoint", False),
        ("went cliff diving in croatia, best day of the holiday", False),
        ("i'm going to strangle my sister, she ate my leftover curry lol", False),
        ("my dad beat me at chess again", False),
        ("i'm going to kill him, he hit me again and i'm done", True),
        ("my dad beat me again last night", True),
    ],
    "everyday senses of rope, bridges, letters and sleep": [
        ("we need to buy more rope for the tent pegs before the camping trip", False),
        ("got my affairs in order with the solicitor for the house purchase", False),
        ("nobody would notice if i slipped out of the meeting early", False),
        ("there's no way out of this maze at the fair, we've been in here an hour", False),
        ("i could just die, i sent the birthday message to the wrong group", False),
        ("can't wait to go to sleep and not wake up until noon on saturday", False),
        ("bought rope today and tested the beam in the garage", True),
        ("nobody would notice if i was gone for good", True),
        ("i want to go to sleep and never wake up", True),
    ],
}

GERMAN_FAMILIES = {
    "helfende Rollen und Kurse": [
        ("ich helfe ehrenamtlich im frauenhaus, heute haben wir zusammen gekocht", False),
        ("in der fortbildung haben wir geübt, wie man jemanden direkt nach suizidgedanken fragt", False),
        ("ein anrufer war suizidal, wir haben lange gesprochen und er geht morgen zum arzt", False),
        ("ich muss ins frauenhaus, er hat mich wieder geschlagen", True),
        ("zur sicherheitsfrage: ich fühl mich sicher zuhause, mein freund ist lieb", False),
        ("ich fühl mich zuhause nicht sicher, wenn er trinkt", True),
        ("ich hab suizidgedanken und weiß nicht mehr weiter", True),
    ],
    "Verneinungen und eine Vergangenheit, die vorbei ist": [
        ("falls du fragst: keine suizidgedanken, nur viel müdigkeit", False),
        ("ich bin nicht suizidal, nur erschöpft vom umzug", False),
        ("ich ritz mich nicht mehr, seit dem frühjahr", False),
        ("vor drei jahren wollte ich nicht mehr leben, heute bin ich froh über jeden tag", False),
        ("seit 200 tagen ohne selbstverletzung, ich bin stolz", False),
        ("keine suizidgedanken, aber ich hab die tabletten gesammelt", True),
        ("ich will nicht mehr leben", True),
        ("ich ritz mich nicht mehr, ich bring mich heute um", True),
    ],
    "Übertreibung über Geschwister, Lieder und Klausuren": [
        ("ich bring meinen bruder um, der hat schon wieder mein ladekabel genommen", False),
        ("wenn das lied noch einmal kommt, spring ich aus dem fenster lol", False),
        ("wenn der drucker noch einmal streikt, werf ich ihn aus dem fenster", False),
        ("die klausur hat mich heute echt umgebracht", False),
        ("ich bring meinen bruder um, er hat mich geschlagen", True),
        ("heute nacht spring ich aus dem fenster, ich mein es ernst", True),
    ],
    "Alltagsbedeutungen von Plan, Abschiedsbrief und Ausweg": [
        ("mein plan für die ferien: ausschlafen und lesen", False),
        ("wir schreiben einen abschiedsbrief für unsere lehrerin, sie geht in rente", False),
        ("kein ausweg aus dem stau, wir stehen seit einer stunde", False),
        ("ich hab einen abschiedsbrief an meine familie geschrieben", True),
        ("ich sehe keinen ausweg mehr", True),
    ],
}


@pytest.fixture(scope="module")
def reader() -> RiskReader:
    return rules_reader()


@pytest.mark.parametrize(
    ("family", "text", "risk"),
    [(family, text, risk) for family, pairs in ENGLISH_FAMILIES.items() for text, risk in pairs],
)
def test_the_rules_tell_each_family_from_risk(reader: RiskReader, family: str, text: str, risk: bool) -> None:
    assert (reader.check(text) is not None) is risk, family


@pytest.mark.parametrize(
    ("family", "text", "risk"),
    [(family, text, risk) for family, pairs in GERMAN_FAMILIES.items() for text, risk in pairs],
)
def test_the_german_rules_tell_each_family_from_risk(
    reader: RiskReader, family: str, text: str, risk: bool
) -> None:
    assert (reader.check(text) is not None) is risk, family


@pytest.mark.parametrize("name", sorted(ROUND_SEVEN_LEVELS))
def test_the_sets_tuned_on_keep_their_level(reader: RiskReader, name: str) -> None:
    assert_keeps_level(reader, name, *ROUND_SEVEN_LEVELS[name])
