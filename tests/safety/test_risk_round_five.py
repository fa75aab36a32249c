"""Risk language, issue #16's fifth round: everyday sentences sharing the new patterns' and cues'
words stay unflagged, and the risk they were written for is flagged, in English and in German; the
German blind sets, tuned on since, keep their level.

The sentences were written by the engineer while tuning, to check each change in general terms
(benchmarks/README.md, "Fifth round"); they are not an independent measure.
"""

from __future__ import annotations

import pytest

from bot.safety.risk_language import RiskDetector, default_detector
from bot.safety.risk_languages import RiskReader, rules_reader
from tests.support.risk_levels import assert_keeps_level

# en + de, round five (tuned on whole): explicit flagged (floor), everyday flagged (ceiling).
GERMAN_BLIND_FLOORS = {"de_blind": (66, 0), "de_blind2": (91, 0)}


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return default_detector()


@pytest.fixture(scope="module")
def reader() -> RiskReader:
    """Round five's rules: the lists and cues, without the learned model of round six (which reads
    three of the German everyday sentences below as risk: benchmarks/README.md lists them)."""
    return rules_reader()


# Everyday sentences sharing the words of this round's patterns and cues, then the risk they were
# written for.
ENGLISH_EVERYDAY = [
    # a past told as over, helping others, someone else's past, songs and games
    "i stopped self harming about six years ago and i'm really proud of myself",
    "i was suicidal in my twenties, these days i'm in a much better place",
    "my mum was in an abusive marriage before she met my dad",
    "i volunteer at a refuge for women fleeing violent partners on tuesdays",
    "did a suicide prevention first aid course at work today, really useful",
    "my brother's girlfriend was violent towards him years ago, they split up",
    "we're all going to die someday so might as well eat the cake",
    "i fell off a cliff in zelda and lost all my hearts lol",
    "i used to think my kids would be better off without me, that was the depression talking",
    "years ago i took an overdose, i've been well for a long time now",
    "my cat bit me on the hand when i tried to give her a tablet",
    "my sister said she would kill for my job",
    "my friend has been having dark thoughts so i sat with her at the gp",
    "he doesn't hit me, he's a gentle man",
    "i left my violent ex ten years ago and i've been safe ever since",
    "i used to cut but it's behind me now",
    "i was in a dark place a few years ago but therapy really helped",
    "i work shifts at a crisis line for people who feel suicidal",
    # the words of the new cues and rules, in their everyday senses
    "timed my run to the station, the fast train goes past at 7.10",
    "i've been there twice this week to look at the flat, we're moving on friday",
    "i promise i won't be around for the next session, i'm on holiday in spain",
    "said goodbye to my old car properly for the last time today",
    "i'm not allowed out on school nights, my mum is strict",
    "my mum takes all my money for rent and food, fair enough",
    "the postman is at my door right now with a parcel",
    "my mum is at the door right now, she forgot her keys",
    "my brother is in the house with a knife cutting onions",
    "i'm waiting to die of boredom in this queue lol",
    "picked 3am for the flight because nobody's awake at the airport then",
    "my dad was drunk at the wedding and kept dancing",
    "next time i'll push my little brother on the swing higher",
    "i promised myself i'd get to the gym by friday",
    "the guy who fixes the boiler is coming up the stairs now",
    "i keep picturing myself jumping into the pool on holiday",
    "lying on the track at the athletics ground doing sit ups",
    "took my whole prescription to the pharmacy to get it checked",
    "i made my goodbyes at the leaving party, see you all next year",
    "gave away my old coats, won't need them in spain",
    "took everything from the cabinet and washed the shelves",
    "i ended up cutting my fringe myself, it looks awful",
    "ended up cutting the session short because my internet died",
    "i keep scissors in my pencil case for when it gets bad in art class",
    "the cuts to the nhs are getting deeper every year",
    "my puppy bit my hand and left marks",
    "i used a hot spoon on my coffee to melt the sugar",
    "i hit my thumb with a hammer putting up shelves",
    "sh this week was good, no urges at all",
    "i'll do the shopping on sunday when the house is empty and quiet",
    "i left my keys to my sister, she's feeding the cat while i'm away",
    "if anyone reads this, the meeting moved to 3pm",
    "thankyou for everything, see you next week!",
    "i don't think i'll be here tomorrow, i'm off sick",
    "i'm not strong enough to lift the sofa on my own",
    "my exam results come on friday and i'm bricking it",
    "i wrote each of them a letter for christmas",
]
ENGLISH_RISK = [
    "cant sleep. keep thinking id be better dead",  # after eval5's measurement: its tuning from then on
    "i stopped cutting years ago but i did it again last night",
    "i was clean for five years but relapsed tonight and cut my arm",
    "i used to think everyone would be better off without me and now i think it again",
    "i was in a dark place a few years ago and i'm back there now, i want to die",
    "i volunteered at a shelter but now i need one, he hits me every night",
    "i won't be alive by the weekend, i've made up my mind",
    "he's outside my house right now and he's got a knife",
    "my dad is drunk and smashing things and now he's coming up the stairs",
    "gave my brother my guitar and said my goodbyes, won't be needing any of it",
    "i'm just waiting to die now",
    "i hit my wife last week and next time i'll do worse",
    "i'm going to take him with me when i go",
    "not joking, i'm going to stab him tomorrow",
    "i picked 4am because everyone's asleep then and nobody will be back to stop me",
    "every time i cross the road i hope a car hits me",
    "my husband takes all my money and i'm not allowed to see my friends",
    "i'm sitting on the railing now",
    "my kids would be better off if i wasn't here",
    "ended up cutting again last night",
    "i keep a razor in my bag for when it gets too much",
    "the cuts are getting deeper",
    "i'll do it on saturday when the house is empty, nobody will find me in time",
    "thankyou for everything. i don't think i'll be alive tomorrow",
    "i'm not strong enough to keep living like this",
    "i've written each of them a letter and left my savings to my brother. goodbye",
]
GERMAN_EVERYDAY = [
    "ich hab mich gestern beim zwiebelschneiden geschnitten, tut voll weh",
    "ich hab mich wieder geschnitten beim gemüse, so ungeschickt",
    "i mog nimma arbeiten heut, so müde",
    "mein sohn wird in der schule gemobbt, ich red mit der lehrerin",
    "die brücke ist gesperrt, ich fahr einen umweg",
    "das auto steht in der garage, der motor läuft schon warm",
    "ich hab meine alten bücher verschenkt, die brauch ich eh nicht mehr",
    "das wars von mir für heute, bis morgen",
    "der hund springt vom balkon in den garten, so frech",
    "ich hab mir ein messer gekauft, für meinen vater zum geburtstag",
    "früher hab ich mich geritzt, aber seit acht jahren nicht mehr",
    "die stimmen im chor sagen, ich soll lauter singen",
    "meine oma hat gefragt ob ich hunger hab, ich hab nein gesagt",
    "ich hab mich im bad eingeschlossen um in ruhe zu lesen",
    "ich weiß welche brücke gesperrt ist",
]
GERMAN_RISK = [
    "i bring mi heit no um",
    "ich hab mich gestern wieder geschnitten, am arm",
    "mein freund schlägt meine kinder wenn er betrunken ist",
    "ich trau mich nicht nach hause, mein vater ist wieder betrunken",
    "ich weiß schon welche brücke, am samstag",
    "morgen fahr ich gegen einen baum, soll wie ein unfall aussehen",
    "ich mag nimmer leben",
    "wenn sie mich verlässt bring ich sie um",
]


@pytest.mark.parametrize(
    ("text", "risk"), [(text, False) for text in ENGLISH_EVERYDAY] + [(text, True) for text in ENGLISH_RISK]
)
def test_english_shares_words_without_sharing_risk(detector: RiskDetector, text: str, risk: bool) -> None:
    assert (detector.check(text) is not None) is risk


@pytest.mark.parametrize(
    ("text", "risk"), [(text, False) for text in GERMAN_EVERYDAY] + [(text, True) for text in GERMAN_RISK]
)
def test_german_shares_words_without_sharing_risk(reader: RiskReader, text: str, risk: bool) -> None:
    """Separable verbs and dialect ("i bring mi … um", "nimmer leben") read as risk; everyday German not."""
    assert (reader.check(text) is not None) is risk


@pytest.mark.parametrize("name", sorted(GERMAN_BLIND_FLOORS))
def test_the_german_blind_sets_keep_their_level(reader: RiskReader, name: str) -> None:
    """Measured once each (round three, round four), tuned on whole in round five: floors now."""
    assert_keeps_level(reader, name, *GERMAN_BLIND_FLOORS[name])
