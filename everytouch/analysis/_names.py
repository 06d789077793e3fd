"""Is a word a plausible personal name? Words that are common English are not.

The list below is general English (function words, everyday verbs and adjectives, service-desk
vocabulary), not taken from any data set: a name cue such as "I'm ..." is followed far more often
by "sorry", "looking" or "calling" than by a name, and this list is what tells them apart.
"""

from __future__ import annotations

import re

# Also places people name (US states, large countries); those that are people's names too
# (Dakota, India, Paris, Washington) are left out.
_COMMON = """
a about above absolutely account actually address after afternoon again against ago ah ahead
all almost alone along already alright also although always am an and angry another answer
any anybody anyone anything anyway anywhere appointment are area around as ask asking at
available away awesome back bad bank be because been before behind being below best better
between big birth bit both bother bought break busy but buy by call called calling calls
can cancel cannot card care case cell certain certainly change changed charge chat check city
claim close code com come coming company complaint confirm confused contact correct could
country credit curious current customer date day days dear delighted delivery did different
do doctor does doing done down due during each early either else email emailing end enough
even evening ever every everything exactly excited excuse fantastic far fee feeling few fine
first flight for found free friday from full further get getting give glad go going gone good
goodbye got great guess had happy hard has have having he hello help helping her here hey hi
him his hold home hope hoping hotel how however i id if im in information inquiring instead
interested into is issue it its just keen kind know last late later let like line little live
living lol looking lost lot love mad made mail maybe me mean message might mine miss missing
monday month more morning most mother much must my myself name need needing new next nice no
nobody none nope nor not nothing now number of off office oh ok okay old on once one only open
or order other our out over own paid pardon party password pay payment people perfect person
phone pin place please pleased policy pretty probably problem quite rather ready real really
reason regarding reply request right room said same saturday say says see she should since
sir so some someone something sorry speak speaking start still stuck sunday super sure table
talking tell than thank thanks that thats the their them then there these they thing think
this those though through thursday till time to today told tomorrow too totally trouble true
trying tuesday two uh um under unfortunately unsure until up upset us use used very wait
waiting want wanted wanting was we wednesday week well went were what whats when where whether
which while who whom whose why will wish with without wonder wondering worried would writing
wrong ya yeah year yes yep yet you your yours
across actual ago agent almost april august booking born business buying certainly
checking child children completely concerned confirmation contacting couple december definitely
disappointed done double doubt dr drive driver eight eleven enquiring everyone fairly february
five forty four frustrated going gonna gotta hundred husband ill january july june march may
mine miss mr mrs ms nine november october reaching returning ringing second september seven
six sixty sorry ten third thirty three twelve twenty wife zero student customer member owner
manager new returning calling texting messaging emailing following
hai hii hiii helo hallo bye byee goodnight thankyou thanku thnx thx tq ty okey okk k nothanks
noo yess yup nah hmm hmmm huh wow cool gud mrng morng gm gn bro sis ma'am madam
internet cable service services connection wifi network plan package data tv music movie
movies channel channels app software laptop computer keyboard mouse printer phone mobile
small medium large regular extra classic thick thin crust size cheese pizza pizzas burger
burgers fries salad salads soda coke tea coffee beer wine water juice lemonade shake sauce
chicken beef meat veg vegetarian vegan bacon pepperoni tomato onion olive oil cookie pie
chocolate vanilla strawberry drink drinks food meal combo order cash cod delivery pickup
takeaway red blue yellow orange pink purple hot cold cool sweet spicy
visa mastercard paypal debit credit cheque check transfer refund insurance car auto bike home
health life travel flight ticket tickets seat window aisle economy business premium basic
standard gold silver platinum monthly yearly annual weekly daily morning evening night noon
afraid allergic alone angry anxious ashamed asleep awake aware bored broke busy calm careful
comfortable confident content cross curious depressed desperate disabled done drunk eager
embarrassed exhausted fed fine fit free frightened full furious glad grateful guilty happy
hungry hurt ill impatient in injured innocent jealous late lonely lucky married mistaken
nervous new okay old on out over pregnant proud quiet ready relieved retired rich right safe
scared serious shocked short shy sick single sleepy sober sorry still stressed stuck such
supposed sure surprised tall thirsty tired trying unemployed unhappy unwell upset used
vegetarian well worried wrong young honestly indoors outside inside home abroad away
welcome confirm confirmed pleasure submit proof middle dollar dollars windows friend friends
solved omg pass word quantity cost costs tax taxes price total quick fast slow
ltd inc llc plc corp co company companies tech technologies technology solutions systems
software musical musicals industries enterprises group airways airlines motors studio studios
ssn num acc acct zip pincode usa dc
hlo hiu hio hollo heyy okok ye yee oops yay ugh alas whoa ouch yikes damn gosh geez
gunna wanna kinda sorta dizzy familiar wealthy poor sad nauseous sleepy sore weak sweaty dead
alive able unable allergic aware positive negative certain ok fine good great awesome lost
new here there home back
alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii idaho
illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
minnesota mississippi missouri nebraska nevada hampshire jersey mexico york ohio
oklahoma oregon pennsylvania rhode island tennessee texas utah vermont
wisconsin wyoming america canada china japan germany france italy spain england
britain australia russia brazil pakistan bangladesh nigeria egypt turkey iran iraq vietnam
thailand singapore malaysia indonesia philippines korea africa europe asia dubai
"""
COMMON_WORDS: frozenset[str] = frozenset(_COMMON.split())

# Never a name even after "my name is": function words and fillers.
_FUNCTION = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers him his how i if im in into is it its just me
more most my myself no nor not now of off on once only or other our out over own same she
should so some such than thank thanks that the their them then there these they this those
through to too under until up very was we were what when where which while who whom why will
with would you your yours please hi hello hey yes yeah yep ok okay sure um uh well oh ah
sorry calling looking trying wondering going speaking
"""
# Words that make the phrase before them a business or a product, not a person: "James Ltd".
_COMPANY = """
ltd inc llc plc corp co company tech technologies solutions systems software musical musicals
industries enterprises group airways airlines motors studio studios
"""
COMPANY_SUFFIXES: frozenset[str] = frozenset(_COMPANY.split())
_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)
_VOWELLESS_NAMES = frozenset(["ng"])
_ASCII_LETTERS = re.compile(r"[A-Za-z'\-]+")
FUNCTION_WORDS: frozenset[str] = frozenset(_FUNCTION.split())

_NOT_NAME_ENDINGS = (
    "ing",
    "ly",
    "ous",
    "ful",
    "able",
    "ible",
    "ive",
    "less",
    "ored",
    "ired",
    "ised",
    "ized",
    "sed",
    "ted",
    "ded",
    "ked",
    "ied",
    "ned",
    "led",
    "ged",
)

# Letters only (any script), with inner apostrophes or hyphens: "O'Neil", "Anne-Marie", "Željko".
NAME_TOKEN = re.compile(r"[^\W\d_]{2,30}(?:['\-][^\W\d_]{1,30})?")


def is_name_word(word: str, cased: bool, strict: bool = True) -> bool:
    """A plausible name word; in text that uses capitals, names must be capitalised.

    strict=False is for words right after an explicit cue ("my name is April"), where only
    function words are ruled out.
    """
    if NAME_TOKEN.fullmatch(word) is None:
        return False
    if cased and not word[0].isupper():
        return False
    lower = word.lower()
    if lower in (COMMON_WORDS if strict else FUNCTION_WORDS):
        return False
    # Latin-script names have a vowel; "hgf", "ssn", "dth" are codes and abbreviations.
    if (
        _ASCII_LETTERS.fullmatch(word) is not None
        and _VOWEL.search(word) is None
        and lower not in _VOWELLESS_NAMES
    ):
        return False
    if _glued_common(lower):
        return False
    # Feelings and states ("calling", "bored", "nervous", "honestly") dominate after "I'm";
    # names with these endings are rare.
    return not (len(lower) > 4 and lower.endswith(_NOT_NAME_ENDINGS))


def _glued_common(lower: str) -> bool:
    """Two everyday words typed without the space: "okthank", "nothingelse", "hihello"."""
    # The tail must be a word of three letters or more, or "Justin" and "Willis" would go too.
    for i in range(2, len(lower) - 2):
        head, tail = lower[:i], lower[i:]
        if max(len(head), len(tail)) >= 4 and head in COMMON_WORDS and tail in COMMON_WORDS:
            return True
    return False


def name_words(words: list[str], cased: bool, strict: bool = True, limit: int = 3) -> list[str]:
    """The leading run of name words, at most `limit` long.

    strict=False relaxes the first word only: "my name is April" is a name, but in "my name is
    Raja confirmation number ..." the everyday words after it are not.
    """
    out: list[str] = []
    for word in words[:limit]:
        if not is_name_word(word, cased, strict or bool(out)):
            break
        out.append(word)
    after = words[len(out)].lower() if len(out) < len(words) else ""
    return [] if after in COMPANY_SUFFIXES else out


def title_name(words: list[str]) -> str:
    """ "jane o'neil" -> "Jane O'Neil"; words already mixed-case ("McDonald") are kept."""
    return " ".join(_title_word(w) for w in words)


def _title_word(word: str) -> str:
    if word.islower() or word.isupper():
        return "-".join(
            "'".join(p[:1].upper() + p[1:].lower() for p in part.split("'"))
            for part in word.split("-")
        )
    return word


# is_cased's test in ASCII text, where isupper() is [A-Z] and \s is what str.split() splits on
# (\x1c-\x1f too): a capital opening a word whose previous word ends in none of .!?:" and that
# is not "I" or "I'..." ("I'm").
# It opens with \s, not a look-behind, so the engine skips from one space to the next.
_CAPITALISED = re.compile(r"\s(?<=[^.!?:\"\s]\s)\s*(?!I(?:'|\s|$))[A-Z]")


def is_cased(text: str) -> bool:
    """Does the writer capitalise words other than the first of a sentence and "I"?

    Lower-case transcripts, and people who only capitalise the first letter, carry no case
    signal, so names there must be told apart by vocabulary alone.
    """
    # The first word never counts, and with no capital after it (str.islower: no upper- or
    # title-case character) none of the rest can: most turns leave here.
    rest = text.split(None, 1)[1:]
    if not rest or rest[0].islower():
        return False
    if text.isascii():  # one search instead of a loop over the words (_CAPITALISED)
        return _CAPITALISED.search(text) is not None
    previous = "."
    for word in text.split():
        if word[0].isupper() and previous[-1] not in '.!?:"' and word.split("'")[0] != "I":
            return True
        previous = word
    return False
