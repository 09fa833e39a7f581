"""The rule layer's vocabulary: situations of danger, and the phrasings that only sound like them.

Rules are written for the output of :mod:`esc_edge.safety.normalise`: lowercase words separated by
single spaces, no accents, no apostrophes ("im", "dont", "jai"). ``{NAME}`` expands a macro below.
Every gap is bounded (``(?:\\w+ ){0,3}``), so matching stays linear in the text length.

Each rule names a *signal*: what kind of evidence it is. The detector combines signals, so a rule
does not have to be decisive on its own:

==========  ======================================================  ===================
signal      meaning                                                 typical weight
==========  ======================================================  ===================
intent      "I'm going to kill myself", "she says she'll jump"      0.9-1.0
ideation    "I don't want to be alive", "better off dead"          0.8-0.9
plan        researching methods, a date, "how many pills to die"    0.8-0.9
act         an act under way or just done: took 30 pills, cutting   0.85-1.0
emergency   not breathing, bleeding won't stop, seizure             0.6-1.0
danger      abuse or violence now, a threat to kill                 0.55-0.9
harm        intent to hurt someone else                             0.6-1.0
child       a child hurt, left alone, groomed or in danger          0.6-1.0
means       pills saved, rope bought, on the bridge                 0.45-0.9
goodbye     last message, giving things away, letters               0.3-0.9
vague       "I'm doing it Saturday", "end it"                       0.35-0.45
time        tonight, right now (booster only)                       0.3
hopeless    "can't do this anymore", burden (booster only)          0.3
==========  ======================================================  ===================

*Cancels* (idioms, hyperbole, negation) remove a positive match they overlap. *Dampers* (past and
recovered, fiction, research, games, jokes) scale a clause or the whole message down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from esc_edge.safety.normalise import fold_pattern

MACROS: dict[str, str] = {
    "I": r"(?:i|im|ive|ill|id)",
    "GAP": r"(?:\w+ ){0,3}",
    "GAP2": r"(?:\w+ ){0,2}",
    "GAP5": r"(?:\w+ ){0,5}",
    "REFL": r"(?:myself|my self|himself|herself|themselves|themself)",
    "POSS": r"(?:my|his|her|their)",
    "WANT": (
        r"(?:want to|wanted to|want|wish i could|would like to|feel like|need to|have to|"
        r"going to|gonna|will|plan to|planning to|planning on|plan on|about to|ready to|"
        r"decided to|intend to|might|might just|could just|should just|should|deserve to|"
        r"urge to|urges to|tempted to|trying to|try to|tried to|thinking about|thinking of|"
        r"think about|thought about|thoughts of|thoughts about|considering|"
        r"keep thinking about|cant stop thinking about|fantasize about|fantasizing about|"
        r"going to try to|wants to|is going to|plans to|threatening to|threatened to|"
        r"talking about|talks about|keeps talking about|about to go|picturing|imagining|"
        r"keep picturing|keep imagining|close to|so close to)"
    ),
    "KILLSELF": (
        r"(?:kill {REFL}|killing {REFL}|end {POSS} (?:own )?life|ending {POSS} (?:own )?life|"
        r"take {POSS} (?:own )?life|taking {POSS} (?:own )?life|commit suicide|"
        r"committing suicide|off {REFL}|top {REFL}|do {REFL} in|hang {REFL}|hanging {REFL}|"
        r"shoot {REFL}|shooting {REFL}|drown {REFL}|drowning {REFL}|poison {REFL}|"
        r"gas {REFL}|suffocate {REFL}|slit {POSS} (?:wrists?|throat)|"
        r"cut {POSS} (?:wrists?|throat)|"
        r"jump (?:off|from) (?:a |the |my |this |that )?(?:bridge|building|roof|rooftop|"
        r"cliff|balcony|ledge|tower|overpass|parking garage|window)|"
        r"jump in front of|throw {REFL} (?:off|in front of|under)|"
        r"walk into (?:traffic|the sea|the ocean|the lake|the river)|step in front of|"
        r"end it all|end everything|suicide|overdos(?:e|ing) on (?:my |her |his |all my |all of my )?"
        r"(?:pills|meds|tablets|medication|sleeping pills|painkillers)|"
        r"not wake up|never wake up|disappear forever|stop existing|stop living|stop being alive|"
        r"end (?:my|the|this) (?:suffering|pain|misery)|put an end to (?:it|this|my life|everything)|"
        r"(?:drive|driving|crash|crashing|steer|steering) (?:\w+ ){0,2}(?:off (?:a |the )?(?:bridge|"
        r"cliff|road)|into (?:a |the )?(?:tree|wall|truck|oncoming traffic|river|lake))|"
        r"(?:step|stepping|jump|jumping|walk|walking) (?:off|onto|in front of) (?:the )?(?:platform|"
        r"tracks|train|express)|use the (?:gas|oven|gas oven|exhaust|car exhaust)|drink (?:the |some |"
        r"a bottle of )?(?:antifreeze|bleach|poison|"
        r"pesticide|weed killer))"
    ),
    "DRUGS": (
        r"(?:pills?|tablets?|meds|medication|medications|medicine|paracetamol|acetaminophen|"
        r"tylenol|ibuprofen|advil|aspirin|cough syrup|syrup|nyquil|sleeping aids?|painkillers|"
        r"sleeping pills|sleeping tablets|sleeping tabs|"
        r"antidepressants|xanax|benzos|valium|diazepam|oxy|oxycodone|oxys|opioids|fentanyl|"
        r"heroin|insulin|lithium|seroquel|sertraline|zoloft|prozac|lexapro|ambien|"
        r"antihistamines|benadryl|adderall|ritalin|adhd meds|heart pills|pods|bleach|"
        r"detergent|antifreeze|rat poison|poison|weed killer|pesticide|morphine|codeine|"
        r"tramadol|percocet|klonopin|ativan|methadone|capsules)"
    ),
    "QUANT": (
        r"(?:\d{2,}|all|all of|whole|entire|the whole|a whole|an entire|a bunch of|bunch of|"
        r"a handful of|handful of|a handful|too many|too much|way too many|way too much|"
        r"lots of|a lot of|loads of|a box of|a bottle of|a pack of|a packet of|every|"
        r"double|triple|a month of|my whole|the rest of|half a bottle of|half the)"
    ),
    "PARTNER": (
        r"(?:he|she|they|hes|shes|husband|wife|boyfriend|girlfriend|partner|ex|dad|father|"
        r"stepdad|stepfather|mom|mother|stepmom|mum|brother|sister|uncle|son|roommate|"
        r"landlord|fiance|fiancee|someone|man|guy|parents|family)"
    ),
    "CHILD": (
        r"(?:kid|kids|child|children|baby|babies|toddler|infant|newborn|son|daughter|"
        r"little brother|little sister|little one|little girl|little boy|niece|nephew|"
        r"grandson|granddaughter|stepson|stepdaughter|student|students|pupil|boy|girl|"
        r"youngest|\d{1,2} year old|\d{1,2} month old|\d{1,2} yo)"
    ),
    "TARGET": (
        r"(?:him|her|them|you|everyone|everybody|people|someone|somebody|a stranger|strangers|"
        r"random people|"
        r"my (?:boss|husband|wife|boyfriend|girlfriend|partner|ex|dad|father|mom|mother|"
        r"stepdad|brother|sister|roommate|neighbou?r|coworker|teacher|son|daughter|baby|"
        r"kids?|family|landlord|classmates?|manager|stepfather|stepmom|stepmother|uncle|aunt|"
        r"grandpa|grandma|cousin|flatmate|colleague)|my ex|those \w+|these \w+|"
        r"the (?:guy|man|woman|kid|kids|teacher|boss|bully|bullies)|that (?:guy|man|woman|kid|\w+))"
    ),
    "HARMVERB": (
        r"(?:kill|killing|murder|murdering|stab|stabbing|shoot|shooting|hurt|hurting|beat|beating|"
        r"strangle|strangling|choke|choking|poison|poisoning|run (?:\w+ )?over|burn|attack|"
        r"attacking|smother|drown|slit|hit|punch|slap|shake|break (?:his|her|their) \w+|smash|bash|slash|"
        r"torture|knock (?:him|her|them) out)"
    ),
    "TIME": (
        r"(?:tonight|right now|today|tomorrow|this weekend|this week|saturday|sunday|monday|"
        r"tuesday|wednesday|thursday|friday|in an hour|after everyone|when everyone|"
        r"once everyone|when my parents|now|soon|this time|the night|by morning|before morning)"
    ),
}

MACROS.update(
    {
        "MEANS_N": (
            r"(?:pills?|tablets?|meds|medications?|prescriptions?|painkillers|antifreeze|bleach|"
            r"poison|carbon monoxide|charcoal|rope|noose|belt|cord|gun|rifle|pistol|weapon|"
            r"service weapon|knife|knives|blade|blades|razor|razors|glass|hairdryer|toaster|"
            r"cough syrup|insulin|plastic bag)"
        ),
        "PLACE_N": (
            r"(?:bridge|roof|rooftop|ledge|window|cliff|cliffs|tracks|overpass|balcony|top floor|"
            r"parking garage|tower|dam|\d+(?:st|nd|rd|th) floor)"
        ),
        "DEATHV": (
            r"(?:die|dying|dead|death|kill myself|suicide|jump|jumping|hang myself|overdose|"
            r"end it|end things|end my life|survive|stop my heart|be gone|not be here|goodbye|"
            r"never wake up|not wake up|do it|go through with it)"
        ),
    }
)

_MACRO_REF = re.compile(r"\{([A-Z0-9_]+)\}")


def expand(pattern: str) -> str:
    """Expand ``{NAME}`` macros (recursively) and fold accents/apostrophes like the input."""
    for _ in range(4):
        pattern = _MACRO_REF.sub(lambda m: MACROS[m.group(1)], pattern)
    return fold_pattern(pattern)


def compile_rule(pattern: str) -> re.Pattern[str]:
    return re.compile(expand(pattern))


@dataclass(frozen=True)
class Rule:
    category: str
    signal: str
    weight: float
    pattern: re.Pattern[str]


BOOSTERS = frozenset({"time", "hopeless"})


def _rules(category: str, signal: str, weight: float, *patterns: str) -> list[Rule]:
    return [Rule(category, signal, weight, compile_rule(p)) for p in patterns]


# --------------------------------------------------------------------------------- English ----
_EN: list[Rule] = [
    # Intent: a wish or decision to die by suicide, any subject (third parties are found later).
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"\b{I} {GAP}{WANT} {GAP2}{KILLSELF}",
        r"\b(?:he|she|they|hes|shes|theyre|hell|shell|theyll|friend|brother|sister|mom|mum|"
        r"dad|son|daughter|girlfriend|boyfriend|wife|husband|partner|roommate|coworker|"
        r"cousin|classmate|someone|guy|girl|student) {GAP5}{WANT} {GAP2}{KILLSELF}",
        r"\b(?:says|said|saying|told me|tells me|texted|messaged|posted|wrote|keeps saying|"
        r"threatening|threatened|threatens) {GAP}(?:s?he|they|hes|shes|theyre) "
        r"(?:is |are |will |would |wants to |want to |was going to |is going to )?{GAP2}"
        r"(?:kill (?:herself|himself|themselves|themself)|end (?:her|his|their) (?:own )?life|"
        r"jump|die|overdose|not want to live|doesnt want to live|suicide)",
        r"\b(?:im|i am) (?:\w+ ){0,2}killing myself",
        r"\bkill(?:ing)? myself (?:tonight|tomorrow|today|now|right now|this weekend|soon)",
        r"\b(?:im|i am|going to|gonna|ill|i will) (?:\w+ ){0,1}(?:take|taking|swallow|swallowing) "
        r"(?:\w+ ){0,2}{QUANT} (?:\w+ ){0,3}{DRUGS}",
        r"\b(?:jump|step|throw myself|walk) in front of (?:a |the )?(?:train|bus|car|truck|traffic|tube)",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"\b(?:kill myself|end my life|take my (?:own )?life|unalive myself)\b",
        r"\b(?:suicidal thoughts|thoughts of suicide|suicidal urges) (?:\w+ ){0,4}"
        r"(?:louder|worse|stronger|again|every night|every day|tonight|right now|all the time|all day|"
        r"constantly|nonstop|non stop|all night)",
        r"\b(?:im|i am|feeling|feel|ive been|been feeling) (?:\w+ ){0,2}suicidal\b",
        r"\bdont trust myself (?:\w+ ){0,2}(?:tonight|right now|alone|anymore|to be safe)",
    ),
    *_rules(
        "suicide",
        "ideation",
        0.9,
        r"\b(?:dont|do not|doesnt|does not|no longer|never) (?:really |even )?wants? to "
        r"(?:be alive|live|exist|be here anymore|wake up|be around anymore|go on|keep living|"
        r"keep going|continue living|see tomorrow)\b",
        r"\bwish (?:i|id) (?:was|were|had|could be) (?:\w+ ){0,1}(?:dead|never been born|"
        r"not born|gone for good|not alive)",
        r"\b(?:want|want to|wanna|wish i could|wish to|would rather|ready to|deserve to|need to|long to|"
        r"just want to|hope i|pray i|pray to|wish i would|want to just|really want to|"
        r"want 2) (?:just |simply )?(?:die|be dead|not wake up|never wake up|not exist|"
        r"stop existing|sleep forever|go to sleep forever|disappear forever|fall asleep and "
        r"(?:not|never) wake up)\b",
        r"\b(?:better off dead|rather be dead|better off without me|be better without me|"
        r"relieved if i was gone|relieved if i were gone|relieved when im gone)",
        r"\bwant (?:it|everything|all of it|it all|the pain) (?:\w+ ){0,2}to (?:stop|end|be over) "
        r"(?:permanently|forever|for good)",
        r"\bnothing (?:left )?keeping me (?:here|alive|going)",
        r"\b(?:dont|do not|cant|cannot) see (?:myself|me) (?:\w+ ){0,2}(?:alive|being alive|"
        r"living|here|around) (?:\w+ ){0,2}(?:next|by|in|much|tomorrow|long|a year|anymore)",
        r"\b(?:ill|i will|im going to) be (?:dead|gone) (?:by|before|soon|tomorrow|tonight)",
        r"\bwaiting to die",
        r"\b(?:better|easier|happier|fine|relieved|better place)\b (?:\w+ ){0,4}(?:if i (?:didnt|did "
        r"not|wasnt|was not|werent|were not) (?:exist|here|alive|around|born)|if i (?:was|were) "
        r"(?:gone|dead))",
        r"\b(?:pray|hope|wish|praying|hoping) (?:\w+ ){0,3}(?:i )?(?:dont|do not|never|wont|will not) "
        r"wake up",
        r"\b(?:dont|doesnt|do not|does not|cant|cannot|no longer) see (?:a|any|the) (?:reason|point) "
        r"(?:to|in|for) (?:live|living|go on|going on|stay alive|being alive|staying alive)",
        r"\bnot be alive anymore\b|\bplanning my exit\b|\bexit plan\b",
        r"\bwish (?:i|id) (?:wasnt|werent|was not|were not) (?:here|alive|around|born)",
        r"\b(?:sleep|asleep|go to sleep|fall asleep|close my eyes) and (?:not|never) wake up\b",
        r"\b(?:wants|wanted|wishes|wished) to (?:die|be dead|not wake up|not be alive)\b",
        r"\b(?:been |keep |always |constantly )?(?:thinking about|thought about|thoughts of|"
        r"fantasizing about|dreaming about|planning) {GAP2}{KILLSELF}",
        r"\bwant to disappear forever|\bdisappear (?:forever|for good|permanently)",
        r"\b(?:no|nothing) (?:reason|point) (?:\w+ ){0,2}(?:to live|in living|living|to go on|"
        r"in being alive|staying alive|to stay alive|to keep living)",
        r"\btired of (?:living|being alive)\b",
    ),
    *_rules(
        "suicide",
        "ideation",
        0.6,
        r"\bwhats the point (?:of|in) (?:living|being alive|life|going on|staying)",
        r"\bonly (?:thing|reason|one) (?:keeping|that kept|that keeps|i stayed|that was "
        r"keeping) (?:me )?(?:here|alive|going)",
        r"\b(?:nobody|no one|noone) would (?:even )?(?:miss|notice|care) (?:\w+ ){0,2}"
        r"(?:if i|when i|me if i) (?:just )?(?:was|were|died|was gone|wasnt here|killed|"
        r"wasnt around|didnt wake up|ended it)",
        r"\bwould (?:all )?be (?:better|happier|easier|fine|relieved) (?:\w+ ){0,2}(?:without me|"
        r"if i (?:was|were) gone|if i wasnt here|if i (?:died|disappeared))",
        r"\bspeed it up\b",
    ),
    *_rules(
        "suicide",
        "act",
        0.75,
        r"\b(?:i|ive|i have) (?:\w+ ){0,1}(?:tried|attempted) to (?:kill myself|hang myself|"
        r"end my life|end it|overdose|take my life)",
        r"\b(?:tried|attempted) suicide\b",
        r"\b(?:she|he|they|shes|hes) (?:\w+ ){0,1}(?:tried|attempted) to (?:kill (?:herself|"
        r"himself|themselves)|end (?:her|his|their) life)",
    ),
    *_rules(
        "suicide",
        "vague",
        0.4,
        r"\b(?:try|trying) again\b",
        r"\b(?:im|i am|ill|i will|going to|ready to|finally|about to|gonna) (?:\w+ ){0,2}"
        r"(?:do it|doing it|go through with it|going through with it|end it|ending it|"
        r"do something)\b",
        r"\b(?:im|i am) (?:so )?(?:done|finished|ready)\b(?! with| for| here| talking| chatting| now)",
        r"\bnot (?:going to|gonna) make it to (?:my|the|next)",
        r"\bmade sure of (?:that|it)",
        r"\balmost did (?:it)?\b",
        r"\bwhere im going\b",
        r"\bonly way out\b",
        r"\bcommit suicide\b",
        r"\bnobody (?:can|will|could) stop me\b",
        r"\b(?:still|really) (?:plan|planning|going|want) to (?:do it|go through with it|end it)",
        r"\b(?:psych ward|hospital|er|emergency room) (?:\w+ ){0,4}(?:discharged|released|sent me home)|"
        r"\b(?:discharged|released) (?:\w+ ){0,3}(?:psych ward|hospital)",
        r"\b(?:be|finally be|set myself) free (?:of|from) (?:all )?(?:this|it|the pain|everything)",
        r"\b(?:before i go|wont be (?:answering|replying|responding|online|around) (?:anymore|again))\b",
        r"\bplease dont be sad\b",
        r"\bscared of what ill do\b|\bdont know what ill do\b",
        r"\b(?:ending|end) (?:things|it)\b",
        r"\bnot coming (?:back )?(?:down|home|back)",
    ),
    # Plans and method research.
    *_rules(
        "suicide",
        "plan",
        0.9,
        r"\b(?:researching|researched|looked up|looking up|googled|googling|reading about|"
        r"searching|searched) (?:\w+ ){0,3}(?:methods|ways to die|how to (?:die|kill myself|"
        r"hang|overdose)|lethal doses?|how many (?:pills|tablets)|which (?:bridges|buildings))",
        r"\bhow (?:many|much) (?:\w+ ){0,5}(?:to die|to not wake up|to never wake up|to overdose|"
        r"to kill (?:me|myself|someone|a person)|is (?:lethal|fatal)|would kill (?:me|someone)|"
        r"would it take to (?:die|not wake up|never wake up))",
        r"\b(?:painless|easiest|quickest|fastest|best|surest|least painful) way to (?:die|kill "
        r"myself|end it|end my life|go)",
        r"\bhow (?:to|do i|can i|do you|would i) (?:\w+ ){0,1}(?:kill myself|end my life|commit "
        r"suicide|hang myself|overdose)\b",
        r"\b(?:plan|plans) and a (?:date|time|place)",
        r"\b(?:picked|chosen|chose|choosing|picking|set) (?:\w+ ){0,2}(?:a date|the date|a day|"
        r"the day|the spot|a spot|the place|the method|which one|the bridge|the building|a time)",
        r"\b(?:which|what) (?:buildings|bridges) (?:\w+ ){0,4}(?:roof access|high|tall)",
        r"\binsurance (?:\w+ ){0,4}(?:suicide|pays out)",
    ),
    *_rules(
        "suicide",
        "vague",
        0.3,
        r"\b(?:tonight|today|tomorrow) (?:is|will be) the (?:night|day)",
    ),
    *_rules(
        "suicide",
        "vague",
        0.6,
        r"\b(?:so )?close to (?:ending it|ending my life|doing it|killing myself|the edge)",
        r"\b(?:theyll|they will|she will|he will|shell|hell) (?:get|receive|read|find) (?:them|it|this) "
        r"(?:\w+ ){0,2}(?:tomorrow|when|after|in the morning)",
    ),
    *_rules("self_harm", "vague", 0.35, r"\brelapsed\b"),
    *_rules(
        "suicide",
        "plan",
        0.6,
        r"\bhow (?:long|quickly|fast) (?:\w+ ){0,3}(?:to die|until i die|to bleed out|to overdose|"
        r"before i die|to suffocate)",
        r"\b(?:shes|hes|theyre|she is|he is|they are|shes standing|hes standing) (?:\w+ ){0,2}on "
        r"(?:the |a |her |his )?(?:bridge|roof|ledge|edge|tracks|balcony railing|railing)",
    ),
    *_rules(
        "self_harm",
        "act",
        0.85,
        r"\bused (?:the |a |some )?(?:pieces|glass|shards|blade|razor|knife|lighter|scissors) on my "
        r"(?:\w+)",
    ),
    *_rules(
        "suicide",
        "plan",
        0.45,
        r"\b(?:got|have|ive got) everything (?:i need|ready|prepared|set)",
        r"\b(?:house|flat|apartment|place) (?:will be|is|s) empty|\bwhen (?:everyone|nobody|no one) "
        r"(?:is|will be|s) (?:home|asleep|gone|around)|\beveryone (?:is|s) asleep|\bhome alone "
        r"(?:tonight|this weekend)",
        r"\bscheduled (?:\w+ ){0,3}(?:emails|messages|posts|letters) to",
        r"\b(?:i have|ive got|i got|i made|ive made) (?:a |the )?(?:plan|method)\b",
        r"\bwhere (?:im going to|i am going to|ill|i will|i want to) do it",
        r"\b(?:train|bus) (?:schedule|timetable)",
        r"\bknow (?:the spot|where i(?:m| am)? going to|exactly how|how i(?:d| would) do it)",
        r"\bthought about how (?:id|i would|to) do it",
    ),
    # Means: access, preparation, place.
    *_rules(
        "suicide",
        "means",
        0.75,
        r"\b(?:saved|saving|stockpiled|stockpiling|hoarded|hoarding|counted|counting|stashed|"
        r"collecting|collected) (?:\w+ ){0,3}(?:pills|tablets|meds|medication|painkillers)",
        r"\b(?:its|gun is|the gun is|it is) loaded\b|\bloaded (?:gun|pistol|rifle)",
        r"\b(?:knife|blade|razor|glass|gun) (?:is )?(?:\w+ ){0,1}(?:on|against|to|at|in) my "
        r"(?:wrist|wrists|throat|neck|arm|skin|head|mouth|temple)",
        r"\bnoose\b",
        r"\b(?:pills|tablets|blade|razor|knife|gun|rope) (?:are |is )?(?:\w+ ){0,1}in my hand|\bholding "
        r"(?:the |my )?(?:pills|blade|razor|gun|knife|rope)",
        r"\b{DRUGS} (?:\w+ ){0,8}(?:saving|saved|hoarding|stockpiling|hiding|stashing|hid|stashed) "
        r"(?:them|those|it)\b|\b(?:hiding|stashing|hoarding) (?:them|my pills|pills|the pills|my meds)",
        r"\bcharcoal (?:\w+ ){0,3}tape|\btape (?:\w+ ){0,3}charcoal",
        r"\b(?:car|engine) (?:\w+ ){0,6}(?:closed garage|garage door shut)|\bgarage (?:\w+ ){0,6}"
        r"engine (?:is )?running|\bengine running (?:\w+ ){0,4}garage",
        r"\b(?:standing|sitting|im|i am|stood|leaning) (?:\w+ ){0,2}(?:on|at|over) (?:the |a |this |"
        r"my )?(?:edge of|ledge|bridge|roof|rooftop|cliff|cliffs|railing|tracks|train tracks|"
        r"balcony railing|edge)\b",
        r"\b(?:turn|swerve|steer|drive) (?:\w+ ){0,2}(?:the wheel|into (?:a |the )?(?:tree|wall|"
        r"traffic|oncoming|river)|off the (?:road|bridge|cliff))",
    ),
    *_rules(
        "suicide",
        "means",
        0.45,
        r"\b(?:have|has|got|bought|buy|found|holding|hold|ready|sharpened|tied|got out|took out|"
        r"hid|hidden|stashed|keep|kept) (?:\w+ ){0,4}(?:{DRUGS}|rope|gun|pistol|rifle|shotgun|"
        r"bullets|blade|blades|razor|razors|charcoal)\b",
        r"\b(?:enough|all (?:of )?(?:my|the|her|his)|every|a whole|whole (?:bottle|box|pack)) "
        r"(?:\w+ ){0,3}(?:{DRUGS}|pill|oxy)\b",
        r"\b(?:on|at|to) the roof\b",
        r"\b(?:walking|going|driving|heading|walk|drive) (?:\w+ ){0,2}(?:into|to) the (?:lake|river|"
        r"sea|ocean|cliffs|bridge|tracks)",
        r"\b(?:razor|blade|pills) (?:\w+ ){0,3}(?:for an hour|in front of me|next to me)",
    ),
    # Goodbyes and putting affairs in order.
    *_rules(
        "suicide",
        "goodbye",
        0.85,
        r"\bthis is (?:my )?(?:goodbye|the end|my last (?:message|post|night|day))",
        r"\bgoodbye (?:everyone|forever|world|all|guys|cruel world)",
        r"\bby the time (?:\w+ ){0,2}(?:read|reads|see|sees|find|finds|get|gets) this",
        r"\b(?:sorry|im sorry) (?:\w+ ){0,1}(?:it|this) (?:had to )?(?:end|ended|ends) "
        r"(?:like this|this way)",
        r"\b(?:suicide|goodbye) (?:note|letter|message|post|video|text)",
        r"\bif im not (?:here|around|alive|online|on here|back) (?:tomorrow|anymore|by|after|in the morning)",
        r"\b(?:wont|will not|im not going to|not going to) (?:be )?(?:here|around|alive) "
        r"(?:\w+ ){0,2}(?:tomorrow|by|after|anymore|much longer|for long|next|to see|tonight|"
        r"the weekend|after tonight|to do it)",
        r"\bwont be around to\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.6,
        r"\b(?:my )?last (?:message|post|text|words|goodbye|night alive|day alive)\b",
        r"\b(?:giving|gave|give|given|giving away) (?:\w+ ){0,1}away (?:\w+ ){0,3}(?:stuff|things|"
        r"belongings|possessions|clothes|cat|dog|pets?|books|games|everything)",
        r"\b(?:gave|giving|given) (?:\w+ ){0,2}(?:cat|dog|pets?) to (?:my )?\w+",
        r"\bwont need (?:it|them|anything|this|any of it) (?:\w+ ){0,3}(?:where im going|"
        r"anymore|soon|after)",
        r"\bsaid (?:\w+ ){0,1}goodbyes\b",
        r"\b(?:look after|take care of|feeds?|care for|adopt|rehome) (?:\w+ ){0,2}(?:cat|dog|pets?|"
        r"kids|children|plants) (?:\w+ ){0,4}(?:after|when im gone|for me|wont be|once im)",
        r"\bmade (?:my )?peace with (?:it|everything|dying)",
        r"\b(?:theyll|they will|someone will|shell|hell|they ll) find (?:it|them|me|my body|the "
        r"note|the letters?) (?:\w+ ){0,2}(?:tomorrow|in the morning|when|after|later)",
        r"\b(?:writing|wrote|written|write|finished|left) (?:\w+ ){0,3}(?:my will|a will)",
        r"\bsorry for everything\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.35,
        r"\b(?:writing|wrote|written|write|finished|left|drafted) (?:\w+ ){0,3}(?:note|notes|"
        r"letters|letter to (?:my )?(?:family|parents|mom|mum|dad|kids))\b",
        r"\bthank you for (?:trying|everything|all you (?:did|have done)|being there)",
        r"\bgoodbye\b",
        r"\bi love you all\b",
        r"\b(?:it|this) (?:wasnt|was not|isnt|is not) your fault",
        r"\bdeleted (?:all )?(?:my )?(?:accounts|social media|everything)",
        r"\bnothing left to do\b",
        r"\b(?:please )?tell (?:my \w+|him|her|them) (?:that )?i (?:love|loved)",
    ),
    # Self-harm.
    *_rules(
        "self_harm",
        "act",
        0.9,
        r"\b{I} {GAP}(?:cut|cutting|burn|burning|burned|burnt|hurt|hurting|harm|harming|"
        r"scratch|scratching|carve|carving|carved|punch|punching|starve|starving|bite|biting|"
        r"hit|hitting) (?:myself|my (?:arm|arms|wrist|wrists|thigh|thighs|legs?|skin|stomach|"
        r"hips?|body))\b",
        r"\b(?:cutting|cut|burning|scratching|hurting myself|self harming|self harm) again\b",
        r"\b(?:started|start|starting|back to) (?:cutting|self harming|burning myself)",
        r"\b(?:hitting|hit|banging|bang|smashing) my head (?:\w+ ){0,1}(?:against|on|into) "
        r"(?:the |a )?(?:wall|floor|door)",
        r"\bcarved (?:\w+ ){0,4}(?:into|in|on) my (?:skin|arm|thigh|leg|wrist|stomach)",
        r"\b(?:scratch|scratching|pick|picking|cut|cutting|burn|burning|punched|hit) (?:\w+ ){0,4}"
        r"(?:until|till|til) (?:it|they|i|my \w+) (?:bleed|bleeds|bled|burns?|split|break)",
        r"\b(?:urges?|want|wanting|need|needing|craving|tempted|going) (?:\w+ ){0,2}(?:to )?"
        r"(?:self harm|cut|hurt myself|harm myself|burn myself|cut myself)\b",
        r"\bneed to feel (?:the )?pain|\bpunish(?:ing)? myself",
        r"\b(?:starving|starve) myself|\bhavent eaten (?:\w+ ){0,2}in (?:\w+ ){0,1}days",
        r"\bself harm (?:urges|is the only|helps|again|tonight|right now)",
        r"\bcuttin?g? again\b",
        r"\bcuts? (?:\w+ ){0,4}(?:deeper|too deep|wont stop bleeding)",
        r"\b(?:took|take|taking) a (?:razor|blade|knife|lighter) to my",
    ),
    *_rules(
        "self_harm",
        "act",
        0.8,
        r"\b(?:shes|hes|theyve|she has|he has|theyre|been|keeps|started) (?:\w+ ){0,2}(?:cutting|"
        r"self harming|hurting (?:herself|himself|themselves)|burning (?:herself|himself))",
    ),
    *_rules(
        "self_harm",
        "means",
        0.55,
        r"\b(?:blade|razor|lighter|knife) (?:\w+ ){0,3}(?:in my hand|ready|next to me)",
    ),
    # Medical emergencies and overdoses (any subject).
    *_rules(
        "medical",
        "act",
        1.0,
        r"\b(?:took|take|taken|swallowed|ate|eaten|drank|injected|popped|downed|had|necked|"
        r"overdosed on) (?:\w+ ){0,3}{QUANT} (?:\w+ ){0,4}{DRUGS}\b",
        r"\b(?:drank|swallowed|drunk|drinking) (?:some |a |the )?(?:\w+ ){0,1}(?:bleach|antifreeze|"
        r"poison|detergent|pesticide|weed killer|rat poison|paraquat)",
        r"\b(?:i|ive|i have|i think i|i might have|i may have|she|he|they) (?:just )?(?:overdosed|"
        r"od)\b(?! in| when| years| once)",
        r"\b(?:im|is|hes|shes) overdosing",
        r"\bmixed (?:\w+ ){0,4}(?:xanax|pills|benzos|oxy|opioids|meds|sleeping pills|painkillers|"
        r"valium) (?:\w+ ){0,2}with (?:alcohol|vodka|wine|beer|booze|drinks|whiskey|gin)",
        r"\btook (?:\w+ ){0,4}(?:pills|tablets|meds|something) (?:\w+ ){0,6}(?:feel|feeling|starting "
        r"to|getting) (?:\w+ ){0,2}(?:weird|sleepy|dizzy|numb|sick|strange|funny|drowsy|faint)",
        r"\btook too many\b",
    ),
    *_rules(
        "medical",
        "emergency",
        1.0,
        r"\b(?:not|isnt|wasnt|stopped|is not|no longer|cant stop|wont start) breathing\b",
        r"\b(?:lips|face|skin|fingers|he|she) (?:are |is )?(?:turning |going |gone )?(?:blue|grey|gray)\b",
        r"\b(?:bleeding|blood) (?:\w+ ){0,2}(?:wont stop|will not stop|doesnt stop|isnt stopping|"
        r"everywhere|so much|heavily|badly|wont clot)",
        r"\bcut (?:\w+ ){0,2}too deep|\blost (?:a lot of|so much) blood|\bcant stop the bleeding",
        r"\b(?:throat|tongue) (?:is )?(?:\w+ ){0,1}(?:swelling|closing)",
        r"\b(?:having|had|think im having|is having|hes having|shes having) (?:a )?(?:seizure|"
        r"stroke|heart attack)\b",
        r"\bseizure (?:\w+ ){0,2}(?:wont stop|right now)",
        r"\b(?:having a fit|convulsing|convulsions|foaming at the mouth|fitting and)\b",
        r"\b(?:wont|will not|cant|doesnt|isnt|is not) (?:wake up|waking up|respond|responding)\b",
        r"\b(?:unresponsive|unconscious|not responding)\b",
        r"\b(?:fell|fallen|hit) (?:\w+ ){0,3}head (?:\w+ ){0,6}(?:blood|bleeding|confused|"
        r"unconscious|wont wake|not responding|vomiting)",
        r"\b(?:call|get|need) (?:an )?ambulance\b|\bcall (?:911|999|112)\b",
    ),
    *_rules(
        "medical",
        "emergency",
        0.85,
        r"\b(?:vomiting|throwing up|coughing up|puking) blood",
        r"\b(?:collapsed|passed out|fainted)\b",
        r"\bpassed out and\b",
        r"\banaphyla\w*",
    ),
    *_rules(
        "medical",
        "emergency",
        0.45,
        r"\bcant feel my (?:legs|hands|arms|face|body|feet)",
    ),
    *_rules(
        "medical",
        "emergency",
        0.55,
        r"\bworst headache of my life|\bcant see (?:\w+ ){0,1}(?:out of|in|with) one eye|\bsudden "
        r"(?:blindness|numbness|weakness|paralysis)",
        r"\b(?:cant|can not|cannot|struggling to|hard to|barely|unable to) breathe\b",
        r"\bcant (?:breathe|swallow) properly|\bbarely swallow",
        r"\bface (?:is |feels )?(?:numb|drooping)|\bslurred|\bwords (?:are )?(?:\w+ ){0,1}coming "
        r"out wrong",
        r"\b(?:going to|about to|gonna|think im going to) (?:pass out|faint|black out)",
    ),
    *_rules(
        "medical",
        "emergency",
        0.4,
        r"\bchest (?:\w+ ){0,3}(?:crushing|pressure|pain|hurts|hurting)",
        r"\b(?:left )?arm (?:is |feels )?(?:numb|tingling|heavy)|\bjaw (?:pain|hurts)|"
        r"\bsweating (?:a lot|so much)|\bcold sweat",
        r"\bheart (?:is )?(?:doing something weird|beating so fast)",
        r"\bcant stop shaking\b",
        r"\b(?:allergic reaction|choking)\b",
    ),
    # Danger from another person: abuse or violence now.
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"\b{PARTNER} (?:\w+ ){0,2}(?:hit|hits|hitting|beat|beats|beating|punched|punches|"
        r"punching|kicked|kicks|kicking|slapped|slaps|slapping|choked|chokes|choking|strangled|"
        r"strangles|raped|rapes|assaulted|attacked|attacks|grabbed) (?:\w+ ){0,1}(?:me|us|my mom|"
        r"my mum|my sister|my brother|her|my face|my arm|my neck|my throat)\b(?! up| at)",
        r"\bpushed me (?:down|into|against|over|off|to the (?:floor|ground))",
        r"\bheld (?:me|my) (?:\w+ ){0,3}(?:against|down|by my (?:throat|neck|hair))",
        r"\b(?:threw|throws|throwing) (?:\w+ ){0,3}at (?:me|us|my mom|my mum|her)\b",
        r"\b(?:said|says|saying|told me|tells me|threatened|threatens|threatening|texted|texts|"
        r"messaged|screaming|screamed|screams|yelling|yelled|swears|swore|keeps saying) "
        r"(?:\w+ ){0,8}(?:kill|hurt|beat|murder|stab|shoot|strangle|end) (?:me|us|you|my \w+|the kids)",
        r"\bthreatens? (?:\w+ ){0,2}(?:me|us) with (?:a |his |her )?(?:knife|gun|weapon|belt|bat)",
        r"\b(?:scared|afraid|terrified|frightened) (?:\w+ ){0,3}(?:hell|shell|hes going to|shes "
        r"going to|he will|she will|theyll|they will|he might|she might|he would|she would|hed|"
        r"shed|he is going to|she is going to) (?:\w+ ){0,2}(?:kill|hurt|hit|beat|find) (?:me|us)",
        r"\bhurt me worse\b",
        r"\b{PARTNER} (?:\w+ ){0,2}(?:broke|broken|fractured|cracked|bloodied|split) my (?:nose|arm|"
        r"ribs?|jaw|wrist|lip|fingers?|hand|tooth|teeth|eye)",
        r"\b(?:hell|shell|he will|she will|theyll|he would|hed|shed|he is going to|hes going to|"
        r"shes going to|she is going to|they are going to) (?:\w+ ){0,3}(?:kill|hurt|beat|murder|stab|"
        r"shoot) (?:me|us|the (?:dog|kids|baby|cat)|my (?:kids|baby|dog|cat|mom|mum))\b",
        r"\b(?:said|says|told me|texted) (?:\w+ ){0,2}(?:im|youre|were|you are|i am) (?:dead|"
        r"a dead (?:man|woman))\b",
        r"\b(?:dad|father|husband|boyfriend|partner|stepdad|he|she) (?:is |s )?screaming (?:\w+ ){0,2}"
        r"(?:kill|hurt)",
    ),
    *_rules(
        "abuse",
        "danger",
        0.7,
        r"\b(?:locked|trapped) (?:me |us )?(?:in|inside) (?:the |a |my |his |her )?(?:room|bathroom|"
        r"car|house|basement|closet|bedroom|cellar|garage|shed|flat|apartment)|\blocked (?:myself )?"
        r"in (?:the |my )?(?:bathroom|room|bedroom|closet)|\b(?:im|i am|were) locked (?:in|inside)\b|"
        r"\btrapped me\b",
        r"\bwont let me (?:leave|out|go|eat|sleep|see)",
        r"\b(?:took|takes|taken|took away) (?:\w+ ){0,1}(?:my|the) (?:phone|keys|car keys|money|"
        r"passport|door handle)",
        r"\b(?:banging|pounding|kicking|hammering) (?:on|at) (?:\w+ ){0,2}door",
        r"\btrying to (?:get|break) (?:in|into)|\bbreaking (?:in|the door|down the door)",
        r"\b(?:outside|at) (?:my|the) (?:door|house|apartment|flat|window|place) (?:\w+ ){0,2}"
        r"(?:right )?now",
        r"\b(?:following|followed|stalking) me\b",
        r"\b(?:post|share|leak|send) my (?:nudes|pictures|photos)",
        r"\b(?:scared|afraid|terrified) to go (?:back )?home\b",
        r"\b(?:smashing|breaking|smashed) (?:\w+ ){0,1}(?:the )?(?:windows|plates|doors?|things)",
        r"\b(?:he|she|dad|husband|boyfriend|partner|stepdad) (?:\w+ ){0,1}(?:has|have|got|holding|"
        r"grabbed|pulled) (?:a |his |her |the )?(?:knife|gun|weapon|bat|hammer)",
        r"\bhurting her again\b|\bhurting (?:my mom|my mum|my sister)",
        r"\b(?:waiting|outside|hiding|standing|sitting) (?:\w+ ){0,4}(?:with|holding) (?:a |his |her )?"
        r"(?:knife|gun|bat|weapon|hammer|axe)",
        r"\b(?:hes|shes|he is|she is|theyre|ex is) coming (?:\w+ ){0,2}(?:tonight|for me|to get me|over|"
        r"back|here)",
        r"\b(?:pictures?|pics?|photos?) of my (?:front |back )?(?:house|car|work|door|flat|apartment|window|"
        r"street|kids? school)",
    ),
    *_rules(
        "abuse",
        "danger",
        0.5,
        r"\bhiding (?:in|from|under|behind) (?:\w+ ){0,3}",
        r"\bsomething smashing\b|\bhear (?:\w+ ){0,3}screaming",
        r"\b(?:is|gets|got|hes|shes|came home|got home) (?:\w+ ){0,1}(?:drunk|drinking|wasted|high) "
        r"(?:\w+ ){0,2}(?:again|right now|now)",
        r"\bevery time he drinks\b|\bwhen he drinks\b",
        r"\bhe (?:\w+ ){0,2}(?:hits|hurts|beats) me\b",
        r"\bpushed me\b",
    ),
    # Intent to harm others.
    *_rules(
        "harm_others",
        "harm",
        0.9,
        r"\b{I} {GAP}(?:want to|going to|gonna|will|plan to|planning to|about to|ready to|intend "
        r"to|decided to|need to|thinking about|fantasize about|keep thinking about|cant stop "
        r"thinking about|swear im going to|am going to) {GAP2}{HARMVERB} {TARGET}\b",
        r"\bshoot up (?:the|my|a|our) (?:old |new |former )?(?:school|office|workplace|mall|church|class|"
        r"party|work)",
        r"\bburn down (?:his|her|their|the|my \w+s?) (?:house|home|apartment|place|car)",
        r"\bbeat (?:him|her|them|\w+) to death",
        r"\bthe voices (?:\w+ ){0,3}(?:hurt|kill|harm|stab)",
        r"\b(?:put|putting|slip|slipping) (?:something|poison|\w+) in (?:his|her|their|my \w+s?) "
        r"(?:food|drink|coffee|tea)",
        r"\b(?:run|running) (?:\w+ ){0,2}over with my car",
        r"\bmake (?:them|him|her|everyone|them all|those \w+|the \w+)(?: \w+){0,3} pay\b",
        r"\b(?:planning|figuring out|thinking about|working out|researching) how to {HARMVERB} {TARGET}",
        r"\b(?:they|he|she|people|everyone) (?:\w+ ){0,3}deserves? to die\b",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.55,
        r"\b(?:bringing|bring|taking|take|got|get|grabbed|have) (?:a |my |the |his |her )?"
        r"(?:knife|gun|weapon|bat|pistol|rifle)\b",
        r"\bsharpening (?:a |the |my )?knife",
        r"\b(?:found out|know) where (?:s?he|they) (?:lives?|parks?|works?)",
        r"\bknife (?:\w+ ){0,2}ready\b",
    ),
    *_rules(
        "harm_others",
        "time",
        0.3,
        r"\b(?:driving|going|heading|on my way) (?:over )?there (?:right )?now",
    ),
    # A child at risk.
    *_rules(
        "child_risk",
        "child",
        0.9,
        r"\b(?:scared|afraid|worried) (?:\w+ ){0,2}(?:ill|i will|im going to|i might|i could|im "
        r"gonna) (?:\w+ ){0,2}(?:hurt|shake|hit|harm|smother|kill|drown) (?:my |the )?(?:baby|"
        r"son|daughter|child|kid|toddler|newborn|him|her)\b",
        r"\babout to (?:\w+ ){0,1}(?:shake|hit|hurt|smother) (?:him|her|the baby|my baby)",
        r"\b{CHILD} (?:\w+ ){0,4}(?:hot car|locked in (?:a |the )?car)|\b(?:baby|child|kid|dog) "
        r"(?:\w+ ){0,2}alone in a hot car",
        r"\b(?:pictures|photos|images|videos) of (?:kids|children|minors|little (?:girls|boys)|"
        r"young (?:girls|boys))",
        r"\b{CHILD} (?:\w+ ){0,4}(?:swallowed|ate|drank|got into) (?:\w+ ){0,4}(?:pods|pills|"
        r"bleach|detergent|battery|batteries|magnets|medicine|poison|cleaner|tablets)",
        r"\b{CHILD} (?:\w+ ){0,4}(?:fell in|fell into|drowning|in) (?:the )?(?:pool|pond|river|bath)",
        r"\b(?:touches|touched|touching) (?:me|her|him) (?:\w+ ){0,3}(?:when|at night|where|down "
        r"there|private|inappropriately|nobody|no one|under)|\b(?:molests?|molested|molesting|"
        r"comes into my room|gets into my bed|makes me keep secrets)\b",
        r"\b(?:pulled|pull|dragged|drag|grabbed|grab|forced|took|pushed) (?:\w+ ){0,3}{CHILD} "
        r"(?:\w+ ){0,2}(?:into|in) (?:a |his |the |their )?(?:van|car|truck)|\b(?:kidnapp|abduct)\w*",
        r"\bmakes (?:me|her|him) (?:\w+ ){0,2}(?:sleep in his bed|sleep in her bed|undress|take off "
        r"(?:my|her|his) clothes|touch him|touch her)",
        r"\b(?:left|leaves|leaving|leave) (?:\w+ ){0,3}{CHILD} (?:\w+ ){0,2}alone\b",
        r"\b(?:hurts|hurt|hurting|hits|hitting|beats|beating|touches|abuses|abused|abusing|"
        r"molests|burns|slaps|kicks|chokes|starves) (?:my |her |his |the |our |a )?(?:\w+ )?{CHILD}\b",
    ),
    *_rules(
        "child_risk",
        "child",
        0.8,
        r"\b{CHILD} (?:\w+ ){0,4}(?:left|home|been) alone (?:\w+ ){0,3}(?:for|all|overnight|at "
        r"night|days|a week|with no|without)",
        r"\b{CHILD} (?:\w+ ){0,6}(?:bruises|bruised|burn marks|welts|black eye|broken (?:arm|"
        r"bones?)|cigarette burns)",
        r"\b(?:bruises|bruised|burns) (?:\w+ ){0,3}(?:on|all over) (?:her|his|their) (?:arms|legs|"
        r"back|face|body)",
        r"\b(?:burns|burned|burnt|hits|hit|beats|beat|beating|hitting|drags?|dragged|locks?|"
        r"locked|starves?|starved|abuses|abusing|abused) (?:\w+ ){0,2}(?:him|her|them|the "
        r"youngest|my little \w+|my (?:son|daughter|kid)|the kids?|the baby|my \w+ sister|my "
        r"\w+ brother) (?:\w+ ){0,3}(?:with|in|by|every|when|cigarettes|belt|basement|closet|"
        r"hair)",
        r"\b(?:wants|asked|asks|told|tells) (?:me|him|her) (?:\w+ ){0,3}(?:meet (?:him|her|them|up) "
        r"alone|keep (?:it|this|secrets?)|not (?:to )?tell)",
        r"\bsends? (?:him|her|my (?:son|daughter)) (?:\w+ ){0,2}messages (?:\w+ ){0,3}(?:at night|"
        r"secret)",
        r"\b(?:no food|without food|not fed|nothing to eat)\b",
        r"\b(?:left|leaves|leaving|leave) (?:us|me) (?:\w+ ){0,1}alone (?:\w+ ){0,3}(?:for|all|"
        r"overnight|days|a week|with no|without)",
    ),
    *_rules(
        "child_risk",
        "child",
        0.5,
        r"\b(?:teacher|coach|adult|older man|grown man|stranger|guy i met online|man i met online)"
        r" (?:\w+ ){0,6}(?:secret|secrets|not to tell|alone)",
        r"\b(?:hits|beats) me with a belt\b",
        r"\btouches (?:me|her|him)\b|\b(?:keep|keeps|keeping) (?:it |this )?(?:a )?secrets?\b|"
        r"\bif (?:we|i|you) tell\b",
        r"\bcries all night\b|\bcrying all night\b",
    ),
    # Boosters: immediacy and hopelessness strengthen other evidence, never decide alone.
    *_rules("suicide", "time", 0.3, r"\b{TIME}\b"),
    *_rules(
        "suicide",
        "hopeless",
        0.3,
        r"\bcant (?:do this|go on|take (?:it|this)|keep going|cope)(?: anymore| any more| much "
        r"longer)?\b",
        r"\bno way out\b|\bno point\b|\b(?:dont|cant) see the point\b|\bpointless\b|\bhopeless\b|"
        r"\bgive up\b|\bgiving up\b|"
        r"\bburden\b|\btired of (?:fighting|existing|everything|life)\b|\bnothing matters\b|"
        r"\bno future\b|\bhate my life\b|\bcant see a way out\b|\bnot (?:joking|kidding)\b|"
        r"\bi mean it\b|\bfor real\b|\bpermanently\b|\bdone with (?:life|everything|it all)",
    ),
]

# ----------------------------------------------------------------------- other languages ----
_ML: list[Rule] = [
    # Spanish
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"\b(?:quiero|quisiera|voy a|me voy a|pienso|estoy pensando en|tengo ganas de|deseo|"
        r"necesito|prefiero|solo quiero) (?:\w+ ){0,2}(?:morir|morirme|matarme|suicidarme|"
        r"quitarme la vida|acabar con (?:mi vida|todo)|terminar con (?:mi vida|todo)|"
        r"desaparecer para siempre|no despertar)",
        r"\b(?:ya )?no quiero (?:seguir )?(?:vivir|viviendo|estar aqui|existir|despertar)",
        r"\bme (?:voy a )?(?:quitar|quite) la vida|\bme voy a (?:matar|suicidar)\b|"
        r"\bquitarme la vida|\bsuicidarme\b|\bmatarme\b",
        r"\b(?:se|te) va a (?:suicidar|quitar la vida)|\bse quiere (?:morir|matar|suicidar)|"
        r"\bva a suicidarse|\bquiere suicidarse|\bquiere matarse|\bva a matarse",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"\b(?:me tiro|me voy a tirar|tirarme) (?:\w+ ){0,2}(?:del|de un|de una|por la|al|desde el) "
        r"(?:puente|edificio|ventana|balcon|techo|azotea|tren|metro)",
        r"\bdormir y no despertar|\bno despertar (?:nunca|mas)",
    ),
    *_rules(
        "abuse",
        "danger",
        0.8,
        r"\bme (?:esta|estan) (?:golpeando|pegando|ahorcando|amenazando)|\bestoy encerrad[ao]\b",
    ),
    *_rules(
        "medical",
        "act",
        1.0,
        r"\b(?:tome|trague|bebi|me tome|me trague) (?:\w+ ){0,3}(?:todas|todos|un frasco|una caja|"
        r"muchas|muchos|demasiadas|demasiados|un monton de|\d{2,}) (?:\w+ ){0,3}(?:pastillas|"
        r"pildoras|comprimidos|medicamentos|pastis)",
        r"\bno respira\b|\binconsciente\b|\bno se despierta\b|\bsangra mucho\b",
    ),
    *_rules(
        "self_harm",
        "act",
        0.85,
        r"\bme (?:estoy )?(?:cortando|lastimando)\b|\bcortarme\b(?! el| la)|\bhacerme dano\b|"
        r"\bautolesion\w*|\bme corto (?:los brazos|las munecas|otra vez)",
    ),
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"\b(?:me pego|me pega|me golpea|me golpeo|me pegan|me ahorco|me estrangulo|me amenaza|"
        r"me amenazo|me encerro|no me deja salir|me quiere matar)\b",
        r"\b(?:dice|dijo|amenaza|amenazo|grita|gritando) (?:\w+ ){0,3}(?:matar|matarme|pegarme|"
        r"golpearme|hacerme dano)",
    ),
    *_rules("abuse", "danger", 0.5, r"\bme va a matar\b"),
    *_rules(
        "suicide",
        "goodbye",
        0.7,
        r"\badios (?:a todos|para siempre)|\bya no (?:voy a )?estar (?:aqui|manana)|"
        r"\bmi ultimo mensaje",
    ),
    # French
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"\b(?:je veux|je vais|je voudrais|jaimerais|je pense a|je compte|je dois|envie de) "
        r"(?:\w+ ){0,2}(?:mourir|me tuer|me suicider|mettre fin a (?:mes jours|ma vie)|"
        r"disparaitre pour toujours|ne plus me reveiller)",
        r"\bden finir\b|\ben finir avec (?:la vie|tout|ma vie)",
        r"\bje (?:ne )?veux plus vivre|\bje nai plus envie de vivre|\bmarre de vivre",
        r"\bme suicider\b|\bmettre fin a mes jours|\bva se suicider|\bveut se suicider|"
        r"\bveut mourir|\bva se tuer|\bveut se tuer|\bse jeter (?:du|dun|de la|sous)",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"\b(?:prendre|prends|avaler|avale|vais prendre) (?:\w+ ){0,2}(?:toutes|tous|toute|tout) "
        r"(?:\w+ ){0,2}(?:pilules|cachets|comprimes|medicaments|medocs)",
        r"\bque tout sarrete (?:pour de bon|pour toujours|definitivement)",
        r"\bme jeter (?:\w+ ){0,2}(?:pont|fenetre|immeuble|train|balcon)",
    ),
    *_rules("suicide", "vague", 0.4, r"\bcest fini\b|\bje nen peux plus\b"),
    *_rules("abuse", "danger", 0.6, r"\b(?:a|avec) un (?:couteau|fusil|pistolet)\b"),
    *_rules(
        "medical",
        "act",
        1.0,
        r"\b(?:avale|pris|bu) (?:\w+ ){0,3}(?:toute|tout|tous|toutes|une boite|un tube|une "
        r"plaquette|beaucoup de|trop de|\d{2,}) (?:\w+ ){0,3}(?:medicaments|medocs|cachets|"
        r"comprimes|pilules|somniferes|doliprane|paracetamol)",
        r"\bne respire (?:plus|pas)\b|\binconscient\w*|\bne se reveille pas|\bsaigne beaucoup",
    ),
    *_rules(
        "self_harm",
        "act",
        0.85,
        r"\bme scarifie\w*|\bme mutile\w*|\bme couper (?:les veines|encore)|\bme faire du mal\b",
    ),
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"\b(?:me frappe|ma frappee?|me bat|ma battue?|me cogne|menace de me tuer|va me tuer)\b",
        r"\bpeur (?:quil|quelle) me tue",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.75,
        r"\b(?:mon )?dernier message\b|\badieu (?:a tous|tout le monde)|\bje ne serai plus "
        r"(?:la|ici) demain",
    ),
    # German
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"\b(?:ich will|ich mochte|ich werde|ich wurde gern|ich denke daran|ich plane|ich will "
        r"einfach) (?:\w+ ){0,3}(?:sterben|mich umbringen|mich toten|mir das leben nehmen|"
        r"nicht mehr leben|nicht mehr aufwachen|nicht mehr da sein|mich erhangen)",
        r"\bnicht mehr leben\b|\bnicht mehr aufwachen\b",
        r"\bmich (?:umbringen|umzubringen|toten|zu toten|erhangen|erschiessen)\b|\bselbstmord "
        r"(?:begehen|machen)|\bsuizid begehen|\bmir das leben (?:nehmen|zu nehmen)",
        r"\bsich (?:\w+ ){0,4}(?:umbringen|umzubringen|das leben nehmen|sturzen|toten) (?:will|"
        r"wird|mochte)|\bwill sich (?:umbringen|toten)",
        r"\b(?:mache ich|ich mache) (?:\w+ ){0,1}schluss\b",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"\b(?:tabletten|pillen|medikamente|schlaftabletten) (?:\w+ ){0,2}(?:gesammelt|gehortet|"
        r"gespart|gebunkert)",
        r"\b(?:will|mochte|wurde) (?:\w+ ){0,2}tot sein\b",
        r"\b(?:von der|von einer) (?:brucke|dach|hochhaus) (?:\w+ ){0,1}(?:springen|sturzen)",
    ),
    *_rules(
        "suicide",
        "vague",
        0.4,
        r"\b(?:dann|morgen|bald|heute) ist (?:es|alles) vorbei\b|"
        r"\bich kann nicht mehr\b",
    ),
    *_rules("child_risk", "child", 0.8, r"\bfasst mich an\b|\bberuhrt mich\b"),
    *_rules(
        "medical",
        "act",
        1.0,
        r"\b(?:alle|die ganze|eine ganze|viele|zu viele|\d{2,}) (?:\w+ ){0,2}(?:tabletten|pillen|"
        r"medikamente|schlaftabletten) (?:\w+ ){0,2}(?:genommen|geschluckt|eingenommen)",
        r"\batmet nicht\b|\bbewusstlos\b|\bwacht nicht (?:mehr )?auf",
    ),
    *_rules(
        "self_harm",
        "act",
        0.85,
        r"\britze mich\b|\bmich ritzen\b|\bmich selbst verletz\w*|\bverletze mich\b",
    ),
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"\b(?:schlagt|schlug|verprugelt|wurgt|wurgte|bedroht) mich\b|\bdroht (?:\w+ ){0,2}mich "
        r"(?:umzubringen|zu toten|zu schlagen)",
    ),
    # Portuguese
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"\b(?:quero|vou|penso em|estou pensando em|tenho vontade de|queria|so quero) (?:\w+ ){0,2}"
        r"(?:morrer|me matar|matar me|me suicidar|suicidar me|tirar (?:a )?minha (?:propria )?vida|"
        r"acabar com (?:tudo|a minha vida|minha vida)|sumir para sempre)",
        r"\bnao quero mais viver|\bnao aguento mais viver|(?<!\bvai )\bme matar\b|\bme suicidar\b",
        r"\bvai se matar|\bquer se matar|\bvai se suicidar|\bquer morrer\b",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"\b(?:pular|me jogar|me atirar|jogar me) (?:\w+ ){0,1}(?:da|do|de|na|no) (?:ponte|predio|"
        r"janela|prédio|sacada|trem|metro)",
        r"\bcartas? de despedida\b",
    ),
    *_rules("suicide", "vague", 0.4, r"\bnao aguento mais\b"),
    *_rules(
        "medical",
        "act",
        1.0,
        r"\b(?:tomei|engoli|bebi) (?:\w+ ){0,3}(?:todos|todas|uma caixa|a caixa|um frasco|varios|"
        r"varias|muitos|muitas|\d{2,}) (?:\w+ ){0,3}(?:comprimidos|remedios|pilulas|medicamentos|"
        r"calmantes)",
        r"\bnao respira\b|\binconsciente\b|\bnao acorda\b",
    ),
    *_rules(
        "self_harm",
        "act",
        0.85,
        r"\bme cortar\b|\bme cortando\b|\bme corto\b|\bautomutila\w*|\bme machucar\b",
    ),
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"\b(?:me bateu|me bate|me espancou|me espanca|me enforcou|me ameaca|me ameacou|disse que "
        r"vai me matar)\b",
    ),
    *_rules("abuse", "danger", 0.5, r"\bvai me matar\b"),
    # Chinese (no word boundaries in CJK text)
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"不想活|活不下去|想自杀|要自杀|结束(?:自己的)?生命|了结自己|离开这个世界|永远睡去|不想醒来",
        r"想死(?!你)",
    ),
    *_rules("suicide", "intent", 0.9, r"跳楼|跳河|上吊|烧炭|割腕|轻生|遗书|跳下去|攒了\w{0,3}(?:安眠药|药)"),
    *_rules("suicide", "ideation", 0.7, r"活着(?:太累|没意思|没有意义)|一次(?:性)?吃(?:掉|完|光)"),
    *_rules("abuse", "danger", 0.7, r"拿着刀|杀了我们|要杀我们"),
    *_rules("suicide", "vague", 0.45, r"结束一切|自杀"),
    *_rules(
        "medical",
        "act",
        1.0,
        r"(?:吃了|吞了|喝了)(?:一整瓶|整瓶|一瓶|所有的?|很多|一把|好多|\d{2,}[片颗粒])\w{0,4}(?:药|药片)",
        r"喝了(?:农药|漂白剂|百草枯|消毒水)",
        r"不呼吸|没有呼吸|没呼吸了|昏迷|叫不醒|血止不住|止不住血",
    ),
    *_rules("abuse", "danger", 0.85, r"打我|要杀(?:了)?我|杀了我|掐我|威胁我"),
    *_rules("suicide", "goodbye", 0.7, r"永别了|这是我最后"),
    *_rules("suicide", "time", 0.3, r"今晚|今天晚上|现在|明天"),
    # Italian, Dutch, Russian, Japanese, Korean, Polish, Turkish, Arabic, Hindi (core phrases)
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"\bvoglio morire\b|\bfarla finita\b|\buccidermi\b|\bsuicidarmi\b|\btogliermi la vita\b|"
        r"\bnon voglio piu vivere\b|\bammazzarmi\b",
        r"\bik wil (?:niet meer leven|dood)\b|\bzelfmoord plegen\b|\been einde aan (?:mijn|mn) "
        r"leven\b|\ber (?:\w+ ){0,2}een einde aan maken|\bmaak er (?:\w+ ){0,2}een einde aan|"
        r"\bmezelf (?:van kant maken|ombrengen|doden)",
        r"не хочу (?:больше )?жить|хочу умереть|покончу с собои|покончить с собои|убью себя|"
        r"убить себя|повешусь|вскрыть вены|вскрою вены",
        r"死にたい|消えたい|自殺する|生きていたくない|生きたくない|終わりにする|飛び降り|首を吊",
        r"죽고 ?싶|자살(?:하고|할)|죽어버리|목숨을 끊|살기 싫|사라지고 싶|끝낼 거|뛰어내리",
        r"\bnie chce (?:juz )?zyc\b|\bzabije sie\b|\bzabic sie\b|\bchce umrzec\b|"
        r"\bodebrac sobie zycie\b|\bpopelnic samobojstwo\b",
        r"\byasamak istemiyorum\b|\bkendimi oldur\w*|\bolmek istiyorum\b|\bintihar edece\w*",
        r"أريد أن أموت|اريد ان اموت|سأقتل نفسي|اقتل نفسي|انتحر",
        r"\bmain mar(?:na)? (?:jana )?chahta|\bmain mar(?:na)? chahti|\bkhudkushi\b|"
        r"मरना चाहता|मरना चाहती|आत्महत्या कर",
    ),
]


# ----------------------------------------------------------------------- concept combinations --
# Situations described in words no phrase list anticipates: a means and a person together, a
# violent act done to the speaker, a body in trouble, a child and harm in one clause.
_CONCEPTS: list[Rule] = [
    *_rules(
        "suicide",
        "means",
        0.5,
        r"\b(?:i|im|ive|my|me)\b (?:\w+ ){0,8}{MEANS_N}\b (?:\w+ ){0,6}(?:{DEATHV}|enough|"
        r"next to me|in my hand|in my lap|plugged in|in the bath)\b",
        r"\b{DEATHV} (?:\w+ ){0,6}(?:my|the|his|her|dads|moms) (?:\w+ ){0,1}{MEANS_N}\b",
    ),
    *_rules(
        "suicide",
        "means",
        0.8,
        r"\b{MEANS_N} (?:\w+ ){0,3}(?:around|against|to|on|at) my (?:neck|head|throat|wrist|wrists|"
        r"chest|temple|mouth)",
        r"\b(?:putting|put|holding|pressing|pointing) (?:it|the gun|the knife|the blade|a gun|a knife) "
        r"(?:\w+ ){0,1}(?:to|against|at) my (?:head|throat|wrist|chest|temple|neck)",
        r"\b(?:collecting|collected|gathering|saving|saved|hoarding|stockpiling|stockpiled|hiding|"
        r"stashing) (?:\w+ ){0,3}(?:prescriptions|pills|meds|medication|tablets|painkillers)",
        r"\b(?:in the bath|bathtub) (?:\w+ ){0,6}(?:hairdryer|toaster|plugged in|radio)|\b(?:hairdryer|"
        r"toaster) (?:\w+ ){0,4}(?:plugged in|in the bath|next to me)",
        r"\bkick the chair\b",
    ),
    *_rules(
        "suicide",
        "means",
        0.6,
        r"\b(?:im|i am|standing|sitting|stood|up) (?:\w+ ){0,3}(?:on|at|in|by|near) (?:the |a |my |this )?"
        r"(?:\w+ )?{PLACE_N}\b (?:\w+ ){0,6}(?:{DEATHV}|looking down|look down|right now|now|edge)",
        r"\b(?:jump|jumping|throw myself) (?:out of|off|from) (?:the |a |my )?(?:\w+ ){0,2}(?:window|"
        r"balcony|roof|bridge|building|dorm|floor)",
    ),
    *_rules(
        "suicide",
        "intent",
        0.85,
        r"\b{I} (?:\w+ ){0,4}(?:want|wanna|going to|gonna|will|plan|planning|decided|ready|should "
        r"just|keep thinking|thinking|about to|still plan|intend|could just) (?:\w+ ){0,4}(?:jump|hang "
        r"myself|overdose|kill myself|end it all)\b",
        r"\b(?:hoping|hope|wish|pray|praying|wishing) (?:\w+ ){0,3}(?:heart (?:\w+ )?stops|dont wake "
        r"up|never wake up|die in my sleep|get hit by a (?:car|bus|truck)|wont wake up|dont make it)",
        r"\b(?:dont think i (?:can|will|could) (?:survive|make it|last)|cant survive) (?:\w+ ){0,2}"
        r"(?:another|this|the|much|tonight|night|week)",
        r"\bcatch the bus\b (?:\w+ ){0,6}(?:tonight|ctb|you know)|\bctb\b",
    ),
    *_rules(
        "suicide",
        "ideation",
        0.6,
        r"\b(?:nobody|no one|noone|who) (?:would|will|is going to) (?:even )?(?:care|notice|miss me|"
        r"cry) (?:\w+ ){0,2}if i (?:jumped|died|killed myself|was gone|overdosed|ended it|"
        r"wasnt here)",
        r"\bbetter off (?:\w+ ){0,4}(?:insurance|life insurance)|\binsurance money\b",
        r"\bi want out\b|\bdecided to go\b|\bready to go\b(?! (?:to|out|home|back|on))",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.6,
        r"\b(?:cancelled|canceled|paid off|settled|sorted out|arranged|organized|organised) "
        r"(?:\w+ ){0,3}(?:appointments|debts|bills|affairs|funeral|everything) (?:\w+ ){0,8}(?:nobody|"
        r"no one|after|so (?:they|nobody)|deal with)",
        r"\bsaying goodbye to (?:everyone|everybody|all of us|people)|\bsaid goodbye to everyone",
        r"\b(?:asked|told) me to (?:look after|take care of) (?:\w+ ){0,1}(?:mom|mum|dad|the kids|my|his|"
        r"her)",
        r"\bi(?:m| am)? sorry for everything\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.3,
        r"\bit was (?:nice|good) (?:talking|knowing)|\bplease take care\b",
    ),
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"\b(?:stabbed|raped|shot|strangled|choked|drugged|assaulted|attacked|punched|kicked|"
        r"slapped|scratched|bit|burned|molested|spiked) (?:me|us|my (?:mom|mum|face|neck|arm|leg|"
        r"drink))\b",
        r"\b(?:i was|i got|ive been|i have been|just got|was just) (?:\w+ ){0,1}(?:raped|stabbed|shot|"
        r"assaulted|sexually assaulted|attacked|beaten up|jumped|mugged|drugged)\b",
        r"\bcoming (?:at|after|for) me with (?:a |the |his |her )?(?:\w+ )?(?:knife|scissors|gun|bat|"
        r"hammer|weapon|bottle|axe)",
        r"\b(?:put|slipped) something in my drink|\bspiked my drink",
        r"\b(?:none of us|make sure none of us) (?:\w+ ){0,3}(?:live|survive|alive|see it)|\bkill "
        r"(?:us all|all of us)\b",
        r"\b(?:youre|you are|youll be) next\b",
        r"\blocked me out\b",
    ),
    *_rules(
        "abuse",
        "danger",
        0.5,
        r"\bdead (?:bird|animal|cat|rat|dog) (?:\w+ ){0,3}(?:doorstep|door|car|mailbox)",
        r"\bfound my (?:new )?address\b",
        r"\b(?:still in|in) the (?:house|next room|flat|apartment) (?:\w+ ){0,2}(?:now|still)?",
        r"\bhome alone\b",
    ),
    *_rules(
        "medical",
        "emergency",
        0.9,
        r"\b(?:bleeding|losing blood|lost blood) (?:\w+ ){0,1}(?:a lot|so much|heavily|badly|"
        r"everywhere|really bad)|\blosing a lot of blood\b",
        r"\b(?:got|been|was|is|just got) (?:stabbed|shot)\b",
        r"\b(?:is|hes|shes|son is|daughter is|baby is) choking\b|\bchoking and\b",
        r"\bbreathing (?:weird|strange|funny|really slowly|shallow|slow|badly)|\bstruggling to breathe",
        r"\bpregnant (?:\w+ ){0,6}(?:bleeding|cramping badly|severe pain)",
    ),
    *_rules(
        "medical",
        "emergency",
        0.6,
        r"\b(?:pain is|in) (?:so much |unbearable |excruciating )?(?:unbearable|so bad|really bad|"
        r"excruciating|agony)|\bunbearable pain\b|\bworst pain\b",
        r"\b(?:appendix|burst|ruptured)\b",
        r"\bwont answer me\b",
    ),
    *_rules(
        "child_risk",
        "child",
        0.85,
        r"\b(?:hands?|touch\w*|blood|fingers?) (?:\w+ ){0,3}(?:in|inside|under|on) (?:her|his|my) "
        r"(?:underwear|panties|pants|privates|private parts)|\b(?:touch\w*) (?:her|his|my) (?:private "
        r"parts|privates)|\bmakes? (?:me|her|him) (?:get )?naked\b",
        r"\b(?:send|sending) (?:him|her|them) (?:\w+ ){0,1}(?:pictures|photos|pics|nudes)",
        r"\b(?:im|i am) 1[0-5]\b (?:\w+ ){0,8}(?:is|hes|he is) (?:2\d|3\d|4\d|an adult|older)",
        r"\b{CHILD} (?:\w+ ){0,6}(?:thud|is silent|went silent|stopped crying|not moving|limp|"
        r"not waking)",
        r"\b{CHILD} (?:\w+ ){0,4}(?:locked|shut) (?:\w+ ){0,3}(?:out|outside|balcony|basement|closet)",
        r"\b(?:doesnt|does not|wont|didnt) feed (?:us|them|her|him|the kids|the baby)",
        r"\b(?:shaking|shook|shakes) the baby\b",
    ),
    *_rules(
        "child_risk",
        "child",
        0.4,
        r"\b(?:really|very|so) sick\b",
        r"\bscreams at (?:her|his|the|their) (?:baby|kid|kids|child|son|daughter)",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.9,
        r"\b(?:bringing|bring|take|taking) (?:my |his |a |the |my dads |my moms )?(?:\w+ )?(?:rifle|gun|"
        r"pistol|weapon|knife|bomb|shotgun) (?:\w+ ){0,2}(?:to )?(?:school|work|class|the office|"
        r"church|the party|campus)",
        r"\b(?:end|ending) (?:him|her|them)\b",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.45,
        r"\b(?:theyll|they will|theyre going to) (?:regret|pay)\b|\bmake them regret\b",
        r"\bknow (?:what time|when) (?:s?he|they) (?:leaves?|gets?|arrives?|comes?)",
        r"\bfind (?:the guy|him|her|them) (?:who|and)\b",
    ),
    # Other languages: places, jumping, goodbyes, overdoses, violence.
    *_rules(
        "suicide",
        "means",
        0.6,
        r"\b(?:en el|sobre el|en la) (?:puente|azotea|techo|tejado)|\bsur le (?:pont|toit)|"
        r"\bauf (?:der|dem) (?:brucke|dach)|\bno (?:telhado|topo)|\bna ponte\b|\bsul (?:tetto|ponte)|"
        r"на крыше|на мосту|天台|楼顶|桥上",
    ),
    *_rules(
        "suicide",
        "intent",
        0.8,
        r"\b(?:vou|quero|vai) pular\b|\bspringen\b|\b(?:sauter|me jeter)\b|\bsaltar\b|\btirarme\b|"
        r"\bbuttarmi\b|прыгнуть|прыгну|спрыгнуть|跳下",
        r"不想(?:再)?活|\blettre dadieu\b|\bcarta de despedida\b|\bje ne serai plus (?:la|ici)\b",
        r"\b(?:guardado|guardando|juntando|acumulando|junte) (?:\w+ ){0,2}(?:pastillas|medicamentos|"
        r"pildoras)|\bme las (?:voy a )?tomo todas|\bme las tomo todas\b",
        r"\b(?:ho preso|preso) (?:tutte|tutti) (?:le|i) (?:pillole|pastiglie|farmaci|compresse)",
    ),
    *_rules("suicide", "goodbye", 0.45, r"\baddio\b|\badieu\b|\badios\b"),
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"\bdass (?:er|sie) mich (?:\w+ ){0,2}(?:umbringt|umbringen|totet|toten)",
        r"\bhat mich (?:\w+ ){0,2}(?:geschlagen|gewurgt|verprugelt|getreten|vergewaltigt)",
        r"\bentra (?:a|en) mi (?:cuarto|habitacion|cama)",
    ),
    *_rules(
        "medical",
        "emergency",
        0.85,
        r"\bengoliu (?:\w+ ){0,2}(?:remedio|remedios|comprimidos|pilulas)|\bdesmaiad[oa]\b|"
        r"\bdesmaiou\b|\bohnmachtig\b|\bevanouie?\b|昏倒|晕倒|\bse trago (?:\w+ ){0,2}(?:pastillas|"
        r"medicinas|medicamentos)",
    ),
    *_rules("child_risk", "child", 0.75, r"孩子\w{0,4}关在|\btengo (?:[4-9]|1[0-5]) anos\b"),
    *_rules(
        "suicide",
        "vague",
        0.4,
        r"\b(?:i think )?(?:its|it is) time\b(?! (?:to|for) )",
        r"\b(?:no way|not) (?:im|i am|i will|ill|i) (?:going to )?mak(?:e|ing) it (?:through|to|past)",
        r"\b(?:wanted|want|needed) to tell someone before\b|\bbefore i do it\b",
        r"\bnot answering\b|\bisnt answering\b|\bphone is off\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.6,
        r"\b(?:left|leaving|wrote down|written down) (?:\w+ ){0,3}(?:passwords|a letter|letters|"
        r"instructions|my will)\b",
        r"\bgave me (?:her|his|their) (?:cat|dog|pets?|things|stuff|jewelry|guitar)",
        r"\bwont need (?:her|him|them|it|this|any of it) (?:\w+ ){0,2}(?:anymore|where|soon|after)",
    ),
    *_rules(
        "suicide",
        "plan",
        0.45,
        r"\b(?:different|several|multiple) (?:pharmacies|stores|shops|chemists)|\bso (?:they|nobody|"
        r"no one) (?:wouldnt|would not|wont|doesnt) (?:ask|notice|find|suspect|know)",
        r"\bwhen (?:my )?(?:\w+ ){0,2}(?:leaves|is away|goes away|is out|goes out|is gone)\b",
    ),
    *_rules(
        "suicide",
        "ideation",
        0.85,
        r"\b(?:better|easier|happier|fine|relieved|better place)\b (?:\w+ ){0,4}if i (?:just )?(?:didnt|"
        r"did not|wasnt|was not|werent|were not) (?:exist|here|alive|around|born)",
    ),
    *_rules(
        "suicide",
        "means",
        0.7,
        r"\b(?:bath|bathtub|tub) (?:\w+ ){0,3}(?:razor|blade|knife|pills|razors|blades)|\b(?:razor|blade|"
        r"knife) (?:\w+ ){0,3}(?:bath|bathtub|tub)\b",
    ),
    *_rules(
        "medical",
        "emergency",
        0.9,
        r"\b(?:fell|fallen|hit|banged) (?:\w+ ){0,3}head (?:\w+ ){0,8}(?:blood|bleeding|confused|"
        r"unconscious|wont wake|not responding|vomiting|throwing up|passed out|cant remember)",
    ),
    *_rules(
        "abuse",
        "danger",
        0.7,
        r"\b(?:drunk|high|wasted) (?:\w+ ){0,4}(?:driving|in the car|behind the wheel)|\b(?:kids|children|"
        r"baby|son|daughter) in the car (?:\w+ ){0,4}(?:drunk|high|wasted)",
        r"\b(?:hell|hes going to|he will|shell|shes going to|she will) crash\b",
        r"\bkick(?:ing|ed)? (?:the |my |down the )?door (?:down|in)|\bbreak(?:ing)? (?:down )?(?:the |"
        r"my )?door (?:down|in)",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.9,
        r"\b(?:put|putting|slip|slipping) (?:\w+ ){1,3}in (?:his|her|their|my \w+s?|the) (?:food|drink|"
        r"coffee|tea|dinner|meal|water|soup)",
        r"\b(?:imagining|picturing|dreaming about|fantasizing about) {GAP2}{HARMVERB} {TARGET}\b",
    ),
    *_rules(
        "child_risk",
        "child",
        0.85,
        r"\b{CHILD} (?:\w+ ){0,3}(?:alone|by (?:him|her)self|unsupervised) (?:\w+ ){0,4}(?:highway|road|"
        r"street|traffic|river|lake|pool|balcony|window|at night|motorway|railway)",
        r"\b{CHILD} (?:\w+ ){0,8}(?:isnt|is not|not|stopped|wont stop) (?:crying|moving|breathing|"
        r"responding|waking)",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.6,
        r"\bcartas? (?:\w+ ){0,1}(?:para|a) (?:mi|mis) (?:familia|hijos|padres|madre|padre|hermanos?)|"
        r"\b(?:se acaba|acaba|termina) todo\b|\babschiedsbrief\w*|\bcartas? para (?:a )?minha",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"\b(?:vou tomar|tomar|vou engolir) (?:\w+ ){0,1}(?:todos|todas) (?:os|as) (?:remedios|"
        r"comprimidos|pilulas|calmantes)",
        r"\bmi butto\b|\bbuttarmi\b|\bmi (?:ammazzo|uccido)\b",
        r"\b(?:pillen|tabletten|medicijnen) (?:\w+ ){0,2}(?:verzameld|gespaard)|\balle pillen\b",
    ),
    *_rules(
        "abuse",
        "danger",
        0.8,
        r"\bme batendo\b|\btrancad[ao]\b|\bme machucando\b",
    ),
    *_rules(
        "suicide",
        "vague",
        0.3,
        r"\bmade up my mind\b|\bmind is made up\b",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"^(?:going to|gonna|about to|want to|ready to|planning to|plan to) {GAP2}{KILLSELF}",
    ),
]


# --------------------------------------------------------------------- general situations ----
# Written after a blind probe round, as situations rather than sentences: each rule names a kind
# of evidence (testing a means, a farewell for good, a weapon on the way to someone, a child gone
# missing) in words that many phrasings share, and is weak enough to need a second sign.
_GENERAL: list[Rule] = [
    # Farewells for good.
    *_rules(
        "suicide",
        "goodbye",
        0.7,
        r"\b(?:you|yall|you guys|you all|everyone|nobody|no one) (?:\w+ ){0,1}(?:wont|will not|will never|"
        r"are not going to|arent going to|is not going to|isnt going to|never going to) (?:\w+ ){0,1}"
        r"(?:hear from|see|talk to|hear of) me (?:again|anymore|after)",
        r"\b(?:wont|will not|not going to|never going to) be (?:on|online|here|around|on here|in the "
        r"(?:chat|server|group)) (?:\w+ ){0,1}(?:anymore|any more|after (?:tonight|today|this|that)|again)",
        r"\bthis (?:is|will be) the (?:last|final) time (?:\w+ ){0,3}(?:log|logging|post|posting|message|"
        r"messaging|write|writing|talk|talking|text|texting|online|on here|here)",
        r"\b(?:last|final) time (?:im|i am|ill be|i will be) (?:\w+ing)\b(?! (?:to|at|for) (?:the|a) )",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.6,
        r"\bif (?:anyone|someone|somebody|you|they|my \w+) (?:ever )?(?:finds?|reads?|sees?) this\b",
        r"\b(?:at )?peace with (?:what comes next|what happens next|what im (?:about to|going to) do|my "
        r"decision|the decision|my choice|leaving)",
        r"\b(?:please )?tell (?:everyone|everybody|them all|my (?:mom|dad|family|parents|sister|brother|"
        r"friends|kids)) (?:\w+ ){0,2}(?:goodbye|bye|im sorry|i love them|i loved them|i said bye)",
        r"\b(?:update|updated|updating|wrote|written|made|making) (?:\w+ ){0,1}(?:my )?will\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.35,
        r"\b(?:please )?(?:feed|look after|take care of|walk) (?:my|the) (?:cat|cats|dog|dogs|pets?|fish|"
        r"rabbit|hamster|plants)\b",
        r"\b(?:im )?sorry (?:mom|dad|mum|mother|father|everyone|everybody|guys|all|to everyone)\b",
        r"\b(?:its|it is|this is) (?:better|easier|best) (?:this way|for everyone|for them|for all of us)",
        r"\b(?:rope|noose|gun|pistol|blade|blades|razor|razors|pills) (?:is |are )?in my (?:bag|pocket|car|"
        r"backpack|drawer|room|jacket)\b",
        r"\bthank(?:s| you) for (?:\w+ ){0,2}(?:listening|everything|being there|putting up with me) "
        r"(?:\w+ ){0,4}(?:all these|all this|these past|for so long)",
    ),
    # Plans: testing a means, choosing a height, not turning back this time.
    *_rules(
        "suicide",
        "plan",
        0.7,
        r"\b(?:tested|testing|test|tried|checked|checking) (?:\w+ ){0,3}(?:belt|rope|cord|noose|knot|"
        r"cable|extension cord|scarf|beam|rail|hook|door handle)\b(?! (?:for|at) (?:climbing|the gym|"
        r"work|school))",
        r"\b(?:it|that|the \w+) (?:holds|held|will hold|can hold|would hold) (?:my weight|me)\b|"
        r"\bhold my weight\b",
        r"\b(?:{PLACE_N}|floor|building|storey|story|drop|fall|height) (?:\w+ ){0,4}(?:is |are |would be |"
        r"will be )?(?:high|tall|far|long) enough\b",
        r"\bhow (?:many|much) (?:\w+ ){0,6}(?:it would take|would it take|it will take|will it take|it "
        r"takes|does it take|i would need|would i need|i need to take|is enough)\b",
    ),
    *_rules(
        "suicide",
        "plan",
        0.5,
        r"\bnot (?:going to |gonna )?(?:step|stepping|walk|walking|drive|driving|turn|turning) (?:\w+ ){0,1}"
        r"(?:back|past (?:it|them|the \w+|that \w+))\b",
        r"\b(?:figured out|worked out|found|checked|scouted|picked|chose|know) (?:\w+ ){0,2}(?:which|the "
        r"right|the best|a good) (?:floor|bridge|building|spot|place|roof|ledge|train|tracks|cliff|"
        r"overpass|car park|parking garage|tree|beam|time)\b",
        r"\b(?:thinking|thought|keep thinking|been thinking) (?:\w+ ){0,2}about (?:the |that )?(?:train "
        r"tracks|tracks|railway|bridge|cliff|cliffs|ledge|rooftop|overpass|river|lake)\b",
        r"\b(?:next time|this time) (?:\w+ ){0,3}(?:wont|will not|not going to|im not) (?:\w+ ){0,2}"
        r"(?:open|stop|step back|turn back|call|chicken out|hesitate|wake up)",
        r"\b(?:ive got|i have|i think i have|there are|theres|got) enough (?:\w+ ){0,2}(?:now|saved|"
        r"left|here|for it|to do it)\b",
    ),
    *_rules(
        "suicide",
        "vague",
        0.35,
        r"\b(?:going to|gonna|will|ill) go (?:there|up there|down there|back there) (?:tonight|today|now|"
        r"tomorrow|this weekend|later)",
    ),
    *_rules(
        "medical",
        "act",
        0.3,
        r"\b(?:took|swallowed|taken|downed|had) (?:them|it|those|the lot) all\b|\btook all of them\b",
        r"\bon purpose\b",
    ),
    *_rules("suicide", "vague", 0.15, r"\b(?:i|ive) (?:just |finally )?(?:did|done) it\b"),
    # Euphemisms for dying.
    *_rules(
        "suicide",
        "ideation",
        0.6,
        r"\b(?:permanent|eternal|endless|forever|final|long|big) (?:nap|sleep|rest|goodnight|dirt nap)\b|"
        r"\b(?:sleep|nap|rest) (?:forever|permanently|for good|for ever|for eternity)\b",
        r"\b(?:no|not a|not one) (?:version|world|way|chance|scenario|timeline) (?:\w+ ){0,5}(?:im|i am|"
        r"i will be|ill be|i) (?:still )?(?:here|alive|around|breathing)\b",
        r"\b(?:delete|deleting|erase|erasing|uninstall|uninstalling) myself\b(?! from)",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"\b(?:delete|deleting|erase|erasing|remove|removing) myself (?:\w+ ){0,3}(?:irl|in real life|"
        r"permanently|for real|from (?:existence|this world|the world|earth|life))",
    ),
    # Means at hand or being prepared.
    *_rules(
        "suicide",
        "means",
        0.6,
        r"\b(?:lined up|laid out|counted out|set out|spread out|sorted out|all out|ready|waiting|in a pile|"
        r"in piles) (?:\w+ ){0,4}{DRUGS}\b|\b{DRUGS} (?:\w+ ){0,3}(?:lined up|laid out|counted out|spread "
        r"out|in a pile|in piles|on my (?:desk|bed|table|lap|nightstand))",
        r"\b(?:antifreeze|bleach|rat poison|poison|weed killer|pesticide|paraquat|cyanide|sodium nitrite|"
        r"sn)\b (?:\w+ ){0,8}(?:mix|mixing|drink|drinking|swallow|take|taking|put|pour|add) (?:\w+ ){0,3}"
        r"(?:my|it|in|into|down)\b",
        r"\b(?:staring|stare|looking|look|keep looking) at (?:my |the )?(?:wrists?|veins|pills|rope|noose|"
        r"gun|blade|razor|tracks|bridge|drop|edge)\b",
        r"\b(?:blade|blades|razor|razors|knife|lighter|scissors) (?:\w+ ){0,2}(?:out|back out) (?:\w+ ){0,2}"
        r"again\b|\b(?:got|have|took|taken|get|getting) (?:\w+ ){0,2}(?:blade|blades|razor|razors) (?:back )?"
        r"out\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.45,
        r"\b(?:gave|giving|given|give|left) (?:\w+ ){0,2}(?:all )?my (?:\w+ ){0,4}(?:stuff|things|belongings|"
        r"games|guitar|clothes|books|records|jewelry|jewellery|console|collection|savings|money|bike|car|"
        r"laptop|phone|art|pets?|cat|dog) (?:\w+ ){0,3}to (?:my |a |the |our )?\w+",
    ),
    *_rules(
        "suicide",
        "means",
        0.45,
        r"\b(?:\d{2,}|thirty|forty|fifty|sixty|seventy|eighty|a hundred|hundreds of) (?:of (?:my |the |"
        r"her |his |these )?)?{DRUGS}\b",
        r"\b(?:car|engine) (?:\w+ ){0,4}(?:running|on) (?:\w+ ){0,4}garage|\bgarage (?:\w+ ){0,6}(?:car|"
        r"engine) (?:\w+ ){0,2}(?:running|on)\b",
        r"\b(?:charcoal|a grill|barbecue) (?:\w+ ){0,6}(?:tape|bedroom|bathroom|windows|sealed)",
    ),
    # Self-harm in the past tense, still going.
    *_rules(
        "self_harm",
        "act",
        0.9,
        r"\b(?:cut|cutting|scratched|scratching|burned|burnt|burning|carved|hit|punched|bit|stabbed|"
        r"hurt|harmed) (?:myself|my (?:arm|arms|wrist|wrists|thigh|thighs|legs?|skin|stomach|hips?|body|"
        r"face|hand|hands)) (?:\w+ ){0,6}(?:til|until|till|and) (?:it|they|i) (?:bled|bleed|bleeding|was "
        r"bleeding|blistered|bruised|scarred|passed out)",
        r"\b(?:cut|burned|hurt|stabbed|harmed) (?:herself|himself|themselves|themself) (?:\w+ ){0,2}(?:badly|"
        r"bad|deep|deeply|again|so bad|really bad|pretty bad)",
    ),
    *_rules(
        "self_harm",
        "act",
        0.5,
        r"\b(?:til|until|till) (?:it|they|i) (?:bled|bleed|was bleeding)\b",
        r"\bwont let me (?:call|get|tell) (?:anyone|anybody|help|an ambulance|911|999|112|(?:her|his|"
        r"their) (?:parents|mom|dad))",
    ),
    # Medical emergencies in other words.
    *_rules(
        "medical",
        "act",
        1.0,
        r"\bmixed (?:\w+ ){0,2}(?:alcohol|vodka|wine|beer|booze|whiskey|whisky|gin|rum|tequila|drinks) "
        r"(?:\w+ ){0,2}with (?:\w+ ){0,2}{DRUGS}",
    ),
    *_rules(
        "medical",
        "emergency",
        0.9,
        r"\b(?:bitten|bit|stung) by (?:a |an )?(?:snake|rattlesnake|adder|viper|scorpion|black widow|"
        r"box jellyfish)",
    ),
    *_rules(
        "medical",
        "emergency",
        0.6,
        r"\b(?:water broke|waters broke|waters have broken|in labou?r|contractions (?:\w+ ){0,3}apart|"
        r"baby is coming|giving birth)\b",
        r"\bthunderclap\b|\bheadache (?:\w+ ){0,6}(?:worst of my life|out of nowhere|came on suddenly)",
    ),
    *_rules(
        "medical",
        "emergency",
        0.35,
        r"\bswelling (?:up )?(?:fast|quickly|rapidly|so fast)|\b(?:stiff neck|neck is stiff)\b",
        r"\b(?:feel|feeling|starting to feel|getting) (?:\w+ ){0,1}(?:heavy|numb|cold|faint|floaty) "
        r"(?:\w+ ){0,2}(?:now|already|everywhere)?",
    ),
    # Violence happening now, said with a longer gap.
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"\b{PARTNER} (?:\w+ ){0,5}(?:hitting|beating|punching|kicking|choking|strangling|slapping|"
        r"hurting|attacking|beating up|smacking|throwing things at) (?:\w+ ){0,1}(?:me|us|my \w+|her|him|"
        r"them)\b(?! (?:with (?:pillows|a pillow|snowballs|water)|at (?:chess|cards|games)))",
    ),
    # Harm to others: a weapon on the way, a list, taking people down.
    *_rules(
        "harm_others",
        "harm",
        0.7,
        r"\b(?:walking|going|driving|heading|on my way|coming|went) (?:over )?(?:\w+ ){0,3}(?:with|holding|"
        r"carrying) (?:a |my |the |his |her )?(?:bat|knife|gun|rifle|pistol|hammer|axe|crowbar|machete|"
        r"weapon)\b",
        r"\btake (?:everyone|everybody|them all|people|us all|all of them|the whole \w+|as many) "
        r"(?:\w+ ){0,2}(?:down )?with (?:him|her|them|me)\b",
        r"\b(?:smash|bash|cave|kick) (?:his|her|their|your|that \w+s?) (?:face|head|skull|teeth) in\b",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.45,
        r"\b(?:a|my|the) list of (?:\w+ ){0,3}(?:people|names|everyone|those|kids|bullies|teachers)\b",
        r"\b(?:know how|going|gonna|plan|planning|want|about|ready) to get (?:them|him|her|back at|even "
        r"with|revenge)\b|\b(?:get|getting|take|taking) revenge\b",
        r"\b(?:could|can|will|would) (?:actually|really|literally|honestly) (?:kill|murder|stab|shoot) "
        r"(?:him|her|them|my \w+)\b",
    ),
    # A child in danger, said indirectly.
    *_rules(
        "child_risk",
        "child",
        0.8,
        r"\b{CHILD} (?:\w+ ){0,3}(?:wandered off|is missing|went missing|ran off|is gone|disappeared|got "
        r"lost)\b|\b(?:cant|can not|cannot) find (?:my |our |the )?{CHILD}\b(?! s)",
        r"\b(?:cant|can not|cannot) find (?:him|her) anywhere\b",
        r"\b{CHILD} (?:\w+ ){0,8}(?:balcony|window ledge|window sill|railing|ledge|roof) (?:\w+ ){0,4}"
        r"(?:alone|by (?:him|her)self|unsupervised|climbing)",
    ),
    *_rules(
        "child_risk",
        "child",
        0.6,
        r"\b(?:adult|grown|older|\d\d year old|much older) (?:man|men|guy|guys|woman|stranger|person|dude)\b "
        r"(?:\w+ ){0,8}(?:meet|meeting|pictures|pics|photos|nudes|secret|alone|sleep over|come over|pick "
        r"(?:her|him) up)",
        r"\b{CHILD} (?:\w+ ){0,6}(?:online|on (?:a game|snapchat|discord|instagram|tiktok|roblox|whatsapp)) "
        r"(?:\w+ ){0,8}(?:meet|pics|pictures|photos|nudes|secret|alone|send)",
    ),
    *_rules(
        "child_risk",
        "child",
        0.4,
        r"\b(?:going|goes|comes|coming|sneaks|sneaking|gets|went|came) (?:\w+ ){0,1}into (?:\w+ ){0,4}"
        r"{CHILD}s? (?:room|bed|bedroom|bath|shower)\b",
        r"\b(?:cries|crying|cried|scared|flinches|shaking) (?:\w+ ){0,2}(?:afterwards|after he leaves|after "
        r"she leaves|when he comes|when she comes|every time he)",
    ),
    # More languages (core phrases in the words people type).
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"\bme foutre en lair\b|\bme flinguer\b|\b(?:envie de|veux|vais|aller) crever\b|\bme pendre\b",
        r"\bbring(?:e)? mich (?:\w+ ){0,3}um\b|\bwill (?:\w+ ){0,2}tot sein\b|\bmich (?:\w+ ){0,3}"
        r"(?:vor den zug|von der brucke) (?:werfen|sturzen)",
        r"\b(?:se va a|va a|quiere|me voy a|voy a) (?:tirar|lanzar) (?:\w+ ){0,2}(?:del|de un|de una|desde|"
        r"por la|al) (?:puente|edificio|ventana|balcon|techo|azotea|tren|metro)",
        r"\bsie zabic\b|\bsie zabije\b|\bchce umrzec\b|\bchci (?:se zabit|umrit)\b|\bvreau sa mor\b|"
        r"\bsa ma sinucid\b|\bmeg akarok halni\b|\bongyilkos\w*",
        r"\bbunuh diri\b|\b(?:ingin|mau|pengen|nak) mati\b|\bmagpakamatay\b|\bgusto ko (?:nang )?mamatay\b|"
        r"\bkujiua\b",
        r"\bvill (?:inte leva|do)\b|\bta (?:mitt liv|livet av mig)\b|\bvil (?:ikke leve|do)\b|\bta livet "
        r"mitt\b|\btage mit (?:eget )?liv\b",
        r"죽을 ?거(?:야|예요|다|에요)|죽을래|죽으려고|자살",
        r"muốn chết|tự tử|tự sát|อยากตาย|ฆ่าตัวตาย|θελω να πεθανω|αυτοκτον\w*|רוצה למות|להתאבד|"
        r"хочу померти|вбити себе|خودکشی|بمیرم|اريد الموت|هقتل نفسي",
    ),
    *_rules(
        "self_harm",
        "act",
        0.85,
        r"\bme corte\b(?! (?:el|la|los|las|un|una|con el cuchillo|cocinando|afeitando))|\bgeritzt\b|"
        r"\britzen\b|\bme (?:suis )?coupee?\b(?! les cheveux)",
    ),
    *_rules(
        "medical",
        "emergency",
        1.0,
        r"\bno (?:para|deja) de sangrar|\bsangra (?:mucho|sin parar)|\bmucha sangre\b|\bhort nicht auf zu "
        r"bluten|\bblutet (?:stark|sehr|viel|ohne ende)|\bnao para de sangrar|\bsaigne (?:beaucoup|"
        r"sans arret)|血流不止|止不住",
    ),
    *_rules(
        "suicide", "plan", 0.45, r"\bjai tout prepare\b|\btout est pret\b|\bya (?:lo )?tengo todo listo\b"
    ),
]

# Second blind round: more situations in everyday words.
_GENERAL_2: list[Rule] = [
    *_rules(
        "suicide",
        "ideation",
        0.65,
        r"\b(?:stop|no longer|wont|will not|not going to|never) (?:\w+ ){0,1}(?:be |being )?(?:a )?"
        r"(?:problem|burden|bother|weight) (?:for|to|on) (?:everyone|anyone|you|them|my \w+|anybody)",
        r"\bwont be (?:a burden|a problem|in (?:your|the|anyones) way) (?:\w+ ){0,1}(?:much longer|for long|"
        r"anymore|soon|after)",
        r"\b(?:dont|do not) think (?:ill|i will|i can|i could|im going to) (?:make it|survive|last|get) "
        r"(?:\w+ ){0,1}(?:through|to|past|until|another)",
        r"\blong walk off a short pier\b",
    ),
    *_rules(
        "suicide",
        "plan",
        0.85,
        r"\b(?:hanging|pills|an overdose|overdosing|jumping|the bridge|the rope|drowning|the gun|a gun|"
        r"the train|the tracks|the car) (?:is|was) (?:the|my) plan\b|\b(?:the|my) plan is (?:to )?"
        r"(?:hang|jump|overdose|take (?:all|the|my)|shoot|drown|crash|drive|step|walk into)",
        r"\b(?:plan|planning|going|gonna|want) to crash (?:my|the) car\b|\b(?:look|looks|seem|seems) like an "
        r"accident\b",
        r"\bhose (?:\w+ ){0,3}(?:exhaust|tailpipe)|\bexhaust (?:\w+ ){0,3}hose\b",
    ),
    *_rules(
        "suicide",
        "means",
        0.6,
        r"\bcounting (?:them|the pills|pills|tablets|the tablets|my pills) out\b|\bcounted (?:them|the pills|"
        r"them all) out\b",
        r"\b(?:sent|posted|texted|snapped) (?:\w+ ){0,2}(?:a )?(?:picture|photo|pic|snap|video|selfie) of "
        r"(?:\w+ ){0,2}(?:pills|a rope|a noose|a gun|a bridge|blood|a knife|a razor|blades|(?:her|his|their) "
        r"wrists?|the edge|the tracks)",
        r"\b(?:{PARTNER}|friend|best friend|mum|mom|son|daughter|someone) (?:is |s )?(?:\w+ ){0,2}"
        r"(?:standing|"
        r"sitting|climbing|hanging|leaning) (?:\w+ ){0,2}(?:on|over|out of|off) (?:the |a |her |his |their )?"
        r"(?:\w+ )?(?:ledge|window|bridge|roof|railing|balcony|edge|cliff|parapet)\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.55,
        r"\bletters? to (?:everyone|everybody|all of you|my family|each of them|my kids|my parents)\b",
        r"\bsealed (?:them|the letters|the envelopes?|the notes?)\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.35,
        r"\bthank(?:s| you) for (?:being (?:so )?(?:kind|nice|good|there)|your kindness|being my friend|"
        r"caring)\b",
        r"\b(?:cancelled|canceled|quit|stopped) (?:my )?(?:therapy|appointments|subscriptions|phone contract|"
        r"lease)\b",
        r"\bpaid off (?:my |all my |the )?(?:debts?|credit cards?|loans?|bills)\b",
        r"\b(?:all sorted|all in order|affairs in order|everything (?:is )?in order|"
        r"tied up (?:all )?(?:the )?"
        r"loose ends)\b",
        r"\bgave (?:\w+ ){0,2}(?:my )?(?:plants|fish|books|guitar) to\b",
        r"\bwont come (?:back )?(?:in|inside|down|home)\b",
        r"\b(?:this weekend|tonight|tomorrow|today|friday|saturday|sunday|this week) is it\b",
    ),
    *_rules(
        "medical",
        "act",
        0.9,
        r"\b(?:drank|drinking|had|downed) (?:\w+ ){0,5}(?:vodka|wine|whiskey|whisky|beer|alcohol|booze|gin|"
        r"rum|tequila) (?:\w+ ){0,3}(?:and|then|with|plus) (?:\w+ ){0,2}(?:took|taken|swallowed|popped) "
        r"(?:\w+ ){0,3}(?:{DRUGS}|tabs|sleeping tabs|sleepers)\b",
    ),
    *_rules(
        "medical",
        "emergency",
        0.8,
        r"\b(?:shes|hes|she is|he is|is|went|still|theyre|they are) (?:still )?(?:under ?water|under the "
        r"water|face ?down in the (?:water|pool|bath))\b",
        r"\bblood (?:\w+ ){0,3}(?:under the door|all over the floor|in the bath|in the sink|pouring)",
    ),
    *_rules(
        "medical",
        "emergency",
        0.35,
        r"\b(?:locked|been|is|hes been|shes been) (?:in|inside) the (?:bathroom|toilet) (?:for )?(?:over )?"
        r"(?:an hour|hours|ages|a long time|\d+ (?:hours|minutes))",
    ),
    *_rules(
        "abuse",
        "danger",
        0.6,
        r"\b(?:broke|breaking|broken|got|snuck|forced (?:his|her|their) way) into (?:my|our|the) (?:flat|"
        r"apartment|house|home|room|place|bedroom)\b",
        r"\b(?:hes|shes|he is|she is|someone is|theyre|somebody is) (?:still )?(?:in|inside) (?:the|my|our) "
        r"(?:kitchen|house|flat|apartment|living room|hallway|bedroom|garden|basement)\b",
    ),
    *_rules(
        "child_risk",
        "child",
        0.9,
        r"\b{CHILD}\b (?:\w+ ){0,6}(?:i want to|i could|im going to|i feel like|urge to|i keep wanting to) "
        r"(?:\w+ ){0,1}(?:throw|shake|hit|smother|drop|hurt|slap|strangle) (?:him|her|them|it)\b",
        r"\b{CHILD} (?:\w+ ){0,3}(?:chewing on|chewed|sucking on|licking|licked|eating|drinking|has) "
        r"(?:\w+ ){0,2}(?:dishwasher (?:tablet|pod)s?|laundry pods?|detergent|bleach|batter(?:y|ies)|"
        r"button batter(?:y|ies)|pills|medicine|magnets|rat poison|cleaner|antifreeze)",
    ),
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"\b(?:veux|vais|voudrais|envie d|aller) en finir\b",
        r"\bkhud ko (?:maar|khatam)\w*|\bapni jaan (?:de|le)\w*|\bmarna chahta\b",
        r"薬を(?:全部|たくさん|大量に)飲|大量服薬|死ぬつもり|自殺(?:する|したい)",
    ),
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"бьет меня|бьют меня|избива\w*|ударил меня|душит меня|угрожает убить",
        r"\bschlagt (?:\w+ ){0,2}(?:bruder|schwester|kind|kinder|sohn|tochter|baby)\b",
    ),
]

_GENERAL_3: list[Rule] = [
    *_rules(
        "suicide",
        "ideation",
        0.7,
        r"\b(?:no one|nobody|noone|you|they|everyone) (?:will|is going to|are going to|wont|will not) "
        r"(?:\w+ ){0,1}(?:have to|need to) (?:deal with|worry about|put up with|look after|see) me "
        r"(?:\w+ ){0,1}(?:again|anymore|after|for much longer)",
        r"\blet go (?:for good|forever|of (?:everything|it all|life|this life))\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.6,
        r"\btake care of (?:\w+ ){0,2}for me\b",
    ),
    *_rules(
        "suicide",
        "means",
        0.45,
        r"\b(?:picture|photo|pic|video|selfie) (?:of|from) (?:a |the |her |his )?(?:bridge|ledge|roof|"
        r"rooftop|cliff|tracks|noose|rope|pills|gun|wrists?)\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.35,
        r"\blove you all\b",
    ),
    *_rules(
        "suicide",
        "vague",
        0.35,
        r"\b(?:going|heading|walking|driving) (?:up |down |over |out )?there (?:right )?now\b",
    ),
]

_GENERAL_4: list[Rule] = [
    *_rules(
        "suicide",
        "ideation",
        0.85,
        r"\bso (?:that )?i (?:dont|do not|wont|will not|never|cant) wake up\b|\bso (?:that )?i (?:can )?"
        r"(?:die|be dead|finally die|stop existing)\b",
    ),
    *_rules(
        "suicide",
        "ideation",
        0.6,
        r"\bwould (?:all )?be (?:lighter|safer|quieter|calmer|simpler|nicer|a better place) (?:\w+ ){0,2}"
        r"(?:without me|if i (?:was|were) gone|if i wasnt here)",
    ),
    *_rules(
        "suicide",
        "plan",
        0.6,
        r"\b(?:high|tall) enough (?:\w+ ){0,1}(?:{PLACE_N}|drop|building|spot|place|floor)\b",
        r"\b(?:nehme|schlucke|nehm) (?:ich )?(?:\w+ ){0,2}(?:alle|die ganzen|eine ganze packung) "
        r"(?:\w+ ){0,1}(?:tabletten|pillen|medikamente|schlaftabletten)",
        r"покончить с жизнью|покончу с жизнью",
    ),
    *_rules(
        "self_harm",
        "act",
        0.8,
        r"\bneed to (?:bleed|cut|hurt myself|feel (?:the )?pain|burn myself)\b",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.6,
        r"\b(?:shes|hes|theyre|they are|she is|he is) (?:going to|gonna) "
        r"(?:burn|pay|bleed|suffer|regret it)\b",
        r"\b(?:walking|going|driving|heading|on my way|coming|went) (?:over )?(?:\w+ ){0,5}(?:with|holding|"
        r"carrying) (?:a |my |the |his |her )?(?:gas can|petrol|gasoline|lighter fluid|knife|gun|bat|axe)\b",
    ),
]

_GENERAL_5: list[Rule] = [
    *_rules(
        "suicide",
        "intent",
        0.8,
        r"\b(?:im|i am|ill be|i will be) (?:\w+ ){0,1}(?:jumping|stepping|throwing myself|walking|lying "
        r"down) in front of (?:a |the |an )?(?:\w+ ){0,2}(?:train|bus|truck|lorry|car|tube|subway|traffic)",
    ),
    *_rules(
        "suicide",
        "means",
        0.85,
        r"\b(?:rope|noose|belt|cord|cable|scarf) (?:is )?(?:\w+ ){0,1}(?:tied|attached|hanging|fixed|set up) "
        r"(?:\w+ ){0,3}(?:beam|rail|hook|ceiling|tree|banister|bannister|door|loft|attic|pipe)",
        r"\btied (?:the |a |my )?(?:rope|noose|belt|cord) (?:\w+ ){0,3}(?:beam|rail|hook|ceiling|tree|"
        r"banister|"
        r"bannister|door|loft|attic|pipe)",
    ),
    *_rules(
        "suicide",
        "means",
        0.45,
        r"\b(?:parked|standing|sitting|up) (?:\w+ ){0,2}on (?:the )?(?:\w+ ){0,3}(?:roof|top floor|top level|"
        r"rooftop)\b",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.5,
        r"\b(?:youll|you will|theyll|they will|everyone will) (?:\w+ ){0,1}know why\b",
    ),
    *_rules(
        "self_harm",
        "act",
        0.85,
        r"\b(?:heating|heat|heated) (?:up )?(?:a |the |my )?(?:knife|blade|lighter|spoon|metal|coin|key) "
        r"(?:\w+ ){0,5}(?:burn|brand) myself",
        r"(?<!not )(?<!careful )(?<!trying not )\bto (?:burn|cut|scratch|stab) myself (?:\w+ ){0,2}"
        r"(?:with|again|tonight|now)\b",
    ),
    *_rules(
        "child_risk",
        "child",
        0.7,
        r"\b(?:comes|walks|barges|came|walked|gets) (?:\w+ ){0,1}into (?:the |my )?(?:bathroom|shower|"
        r"bedroom|"
        r"room) (?:\w+ ){0,3}(?:when|while) (?:im|i am|she is|shes|he is|hes) (?:showering|changing|in the "
        r"shower|naked|asleep|sleeping|undressed|in the bath)",
    ),
    *_rules(
        "medical",
        "act",
        0.3,
        r"\b(?:just )?(?:swallowed|took|taken|downed) (?:them|those)\b(?! all)",
    ),
    *_rules(
        "suicide",
        "intent",
        1.0,
        r"\bme enforcar\b|\benforcar me\b|\bahorcarme\b|\bcolgarme\b|\bimpiccarmi\b|\bme tirer une "
        r"balle\b|\bmich erschiessen\b",
    ),
]

_GENERAL_6: list[Rule] = [
    *_rules(
        "abuse",
        "danger",
        0.8,
        r"\b(?:threatening|threatens|threatened|waving|pointing) (?:\w+ ){0,3}with (?:a |the |his |her |my )?"
        r"(?:\w+ )?(?:knife|gun|pistol|rifle|bat|hammer|axe|machete|bottle|weapon)\b",
        r"\b(?:hes|shes|he is|she is|theyre) (?:\w+ ){0,1}(?:blocking|standing in) (?:the |my )?"
        r"(?:door|doorway|exit|way out)",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"\b(?:use|using|turn|point) (?:it|the gun|the knife|the pills|them) on myself\b",
        r"\bla faccio finita\b|\bfarla finita\b|\bpulsadern (?:\w+ ){0,1}(?:aufgeschnitten|aufschneiden|"
        r"aufgeschlitzt)",
    ),
    *_rules(
        "suicide",
        "ideation",
        0.6,
        r"\b(?:join|be with|see) (?:my )?(?:late )?(?:brother|sister|mom|mum|dad|father|mother|son|daughter|"
        r"husband|wife|friend|grandma|grandpa|nan|baby) (?:again )?(?:\w+ ){0,2}(?:soon|tonight|in heaven|on "
        r"the other side|after the funeral|where (?:he|she) is)",
        r"\bsee you on the other side\b",
    ),
    *_rules(
        "suicide", "vague", 0.3, r"\bone way ticket\b|\bnot coming back\b(?! (?:to|here|for|until|till))"
    ),
    *_rules(
        "suicide",
        "means",
        0.45,
        r"\b{DRUGS} (?:\w+ ){0,3}in (?:a|the|my) (?:cup|bowl|hand|pile|glass)\b",
    ),
    *_rules(
        "child_risk",
        "child",
        0.6,
        r"\b{CHILD} (?:\w+ ){0,6}(?:isnt|is not|not|hasnt been|wont stop) (?:picking up|answering|home|"
        r"back|responding)\b",
    ),
]

# Round 6: situations blind rounds kept missing, written as situations (not sentences): finality
# (affairs in order, letters, "won't be around"), a decision with a time, means at hand and the
# edge of a height, terse farewells, harm to others and threats, in the six main languages.
_GENERAL_7: list[Rule] = [
    *_rules(
        "suicide",
        "goodbye",
        0.6,
        r"\b(?:wont|will not|not going to|wont even) be (?:\w+ ){0,1}(?:around|here|alive) (?:when|to see|"
        r"by|after|tomorrow|anymore|any more|much longer|for (?:it|them|her|him|christmas|\w+day))",
        r"\b(?:once|when|after) (?:im|i am|i m) (?:gone|not around|not here|no longer here|dead)\b",
        r"\bby the time (?:anyone|anybody|you|they|someone|my \w+) (?:\w+ ){0,1}(?:reads?|sees?|finds?|"
        r"gets?|wakes? up)\b",
        r"\b(?:last|final) (?:call|calls|message|text|post|goodbye|words) (?:i (?:needed|had|wanted) to|"
        r"(?:\w+ ){0,1}ill (?:ever )?(?:make|send|write))",
        r"\bthis is (?:the )?last time (?:you|youll|anyone|anyonell) (?:\w+ ){0,1}(?:hear|hears) from me\b",
        r"\b(?:goodbye|bye|farewell) (?:for real|for good|forever)(?: this time)?\b",
        r"\blast night (?:alive|on earth|of my life)\b",
        r"\bfor after\b(?! (?:work|school|dinner|lunch|class|the|my|that|this|christmas|\w+day))",
        r"\b(?:ive|i have|i) (?:made|make) (?:my )?peace (?:with it|with everything|with my decision)?$|"
        r"\bat peace with (?:it|my decision|the decision|this)\b|\bsaid (?:all )?my goodbyes\b",
        r"\bwont (?:be )?need(?:ing)? (?:it|them|these|those|any of (?:it|this|them)) (?:after|anymore|"
        r"any more|"
        r"where im going)",
        r"\bnone of this (?:was|is) (?:her|his|their|your) fault\b",
        # es / fr / de / pt / zh
        r"\b(?:ya )?no (?:voy a|vaya a) estar (?:mas|aqui)|\bmanana ya no (?:voy a )?estar|"
        r"\bcartas? (?:de despedida|para mis (?:hijos|padres|hermanos))|\bmi ultimo mensaje|"
        r"\bno las? voy a necesitar (?:mas|nunca)|\bmensaje de despedida\b",
        r"\bje ne serai plus la\b|\bmon dernier message\b|\blettres? d adieu\b|"
        r"\bmessage d adieu\b|\bje nen aurai plus besoin\b",
        r"\bnicht mehr da (?:sein|bin)|\bbin ich nicht mehr da\b|\babschiedsbrief\w*|\bletzte nachricht\b|"
        r"\babschiedsnachricht\b|\blebt wohl\b",
        r"\bnao vou (?:estar )?mais (?:estar )?aqui\b|\bnao vou estar mais\b|\bcarta de despedida\b|"
        r"\b(?:meu|minha) ultim[ao] (?:recado|mensagem)\b|\badeus (?:pra|para) sempre\b|"
        r"\bmensagem de despedida\b",
        r"我就不在了|就不在了|遗书|最后一条消息|最后一次跟你们说|永别了|告别的?(?:消息|信息|短信)",
    ),
    *_rules(
        "suicide",
        "goodbye",
        0.4,
        r"\b(?:letters?|notes?|envelopes?) (?:\w+ ){0,3}for (?:each of )?(?:my |the )?(?:kids|children|mum|"
        r"mom|"
        r"dad|parents|sister|brother|family|wife|husband|daughter|son|friends|grandma)\b(?! (?:birthday|"
        r"anniversary|christmas|wedding|party))",
        r"\b(?:scheduled|set (?:it|them|\w+) to|queued) (?:\w+ ){0,3}(?:upload|send|go out|post|publish)",
        r"\b(?:itll|it will|everything will|it all) be over\b",
        r"\b(?:paid|sorted|settled|cleared) (?:\w+ ){0,4}so (?:nobody|no one|noone|they dont|my \w+ doesnt) "
        r"(?:has|have|needs?) to\b",
        r"\bwhere the (?:spare key|passwords?|will|documents|papers) (?:is|are)\b",
        r"^(?:bye|goodbye) (?:everyone|all|guys|world)$|^adieu$|^adios a todos$|^tchau a todos$|"
        r"^adeus a todos$|^再见了$",
        r"\bcancel+ed (?:\w+ ){0,4}(?:contract|membership|subscriptions?) (?:\w+ ){0,6}wont (?:be )?need",
    ),
    *_rules(
        "suicide",
        "plan",
        0.55,
        r"\b(?:thats|that s|this is|its) when (?:im|i am|ill|i will|im going to) (?:do|doing|go|going)\b",
        r"\b(?:when|once|after) (?:the house|everyone|everybody|the family|my family|they|the kids|my wife|"
        r"my husband|my parents|mum|mom|dad) (?:is|are|has|have|s|re)? ?(?:\w+ ){0,1}(?:asleep|in bed|out|"
        r"gone|"
        r"empty|left) (?:\w+ ){0,3}(?:do it|go through with it|go to the|walk to|drive to|take them|"
        r"take the)",
        r"\b(?:go|going|gonna) through with it\b",
        r"\b(?:decided|picked|chosen|chose|set) (?:on )?(?:the|a) (?:date|day|spot|place|time|bridge|"
        r"method)\b",
        r"\b(?:worked out|calculated|looked up|googled|researched|checked) (?:how (?:much|many) (?:of )?"
        r"(?:my |the |her |his )?(?:\w+ )?{DRUGS}|how long it (?:takes|would take)$|how (?:high|tall|far)|"
        r"which floor)",
        r"\bmy plan is (?:the )?(?:lake|river|sea|bridge|train|tracks|pills|rope|roof|cliff|car)\b|"
        r"\bfill(?:ing)? my pockets\b(?! with (?:candy|sweets|snacks|money|cash|treats))",
        r"\bnever (?:have to )?see another (?:monday|day|morning|birthday|christmas|year|sunrise)\b",
        r"\b(?:how|what) (?:tall|high) (?:does|do|would) (?:a )?(?:building|bridge|floor|drop) (?:\w+ ){0,3}"
        r"(?:to be (?:sure|certain)|to die|to work|be certain|be sure)",
        r"\bset (?:my )?alarm for (?:\w+ ){0,2}(?:so (?:nobody|no one|noone)|when (?:everyone|the house))",
        # es / fr / de / pt / zh: a decision with a time
        r"\b(?:ya )?(?:lo )?tengo decidido\b|\blo voy a hacer (?:esta noche|hoy|manana|el \w+)|"
        r"\bcuando (?:\w+ ){0,3}(?:salga|duerma|se duerman|se vayan) (?:\w+ ){0,2}lo (?:voy a )?hago?\b|"
        r"\bse acaba todo\b",
        r"\bjai tout prevu\b|\bje vais le faire (?:ce soir|demain|cette nuit)\b|\bcest decide\b",
        r"\b(?:der plan steht|mache ich es|ich machs|ich mache es (?:heute|morgen|am))\b",
        r"\bja decidi\b|\bvou fazer isso (?:hoje|amanha|a noite|sabado|domingo)|\b(?:sabado|domingo|hoje|"
        r"amanha) a noite eu vou fazer\b",
        r"已经决定了|我决定了|等(?:家里没人|大家睡了|他们睡了|他们走了)(?:就|我就)",
    ),
    *_rules(
        "suicide",
        "vague",
        0.4,
        r"^(?:ive|i have|i|its|im) (?:finally )?(?:decided|made up my mind)$|^thats when$|^decided$",
        r"\b(?:house|everyone|everybody) (?:will be|is|are|s) asleep\b|\beverything(?:s| is) (?:ready|set|"
        r"in place|sorted)$|\bwait (?:\w+ ){0,2}(?:for|until) (?:the house|everyone|everybody) (?:to be|is) "
        r"(?:empty|asleep|gone|out)",
        r"\b(?:ill|i will|im going to|gonna) do it (?:after|tonight|tomorrow|when|on|this|at)\b",
        r"\b(?:weirdly|strangely|oddly|finally|so) calm about it\b|\bnot scared anymore\b|"
        r"\bno more waiting\b",
        r"^(?:its|it is) time$|^(?:im |i am )?ready(?: now)?$|^(?:im )?doing it (?:now|tonight)$|"
        r"^tonight$|^tonight feels right$|^its happening$|^(?:this is it|its done)$",
        r"\b(?:no|sin) (?:contesta|responde)\b|\bne repond (?:plus|pas)\b|\bantwortet nicht\b|"
        r"\bnao (?:responde|atende)\b|电话打不通|联系不上|不接电话",
    ),
    *_rules(
        "suicide",
        "means",
        0.7,
        r"\b(?:wrong|other|far) side of the (?:railing|rail|barrier|guard rail|parapet)\b",
        r"\b(?:ropes?|noose|belt) (?:is )?(?:up|tied|ready|on)\b(?! (?:the car|the tent|the boat))",
        r"\bstanding on (?:the |a )?(?:chair|stool|bucket) with (?:the |a )?(?:belt|rope|noose|cord)",
        r"\b(?:sitting|standing|stood|sat) on the edge of (?:the |a )?(?:\w+ ){0,2}(?:roof|rooftop|bridge|"
        r"building|car park|balcony|ledge|cliff|platform) (?:\w+ ){0,2}(?:legs over|feet over|looking down|"
        r"right now|now)",
        r"\b(?:holding|pressing|put|putting) (?:the |a |my )?(?:knife|blade|razor|gun|pistol) "
        r"(?:\w+ ){0,1}(?:to|against|on) my (?:wrist|wrists|throat|neck|head|chest)",
        r"\b(?:counting|counted|lining|lined|laid) (?:out |up )?(?:\w+ ){0,2}(?:pills|tablets|meds|"
        r"paracetamol|painkillers) (?:\w+ ){0,2}(?:into my hand|on the (?:desk|table|bed)|in front of me|"
        r"right now|next to me)",
        r"\b(?:pills|tablets|meds|paracetamol|painkillers) (?:\w+ ){0,1}(?:lined up|counted out|laid out)\b",
        r"\bpills? in hand\b",
    ),
    *_rules(
        "self_harm",
        "act",
        0.8,
        r"\b(?:im|i am) cutting (?:right now|now|again|tonight)\b|\bcutting again\b|\bcant stop cutting\b",
        r"\bje (?:suis en train de |vais )?me (?:couper|coupe|scarifier|scarifie|bruler|brule|mutiler)\b",
        r"(?:在|又在|正在)(?:割|划|伤害|烫)自己",
        r"\bunaliv(?:e|ing) (?:myself |tonight|today|now)",
    ),
    *_rules(
        "medical",
        "emergency",
        0.6,
        r"\b(?:towel|bandage|shirt|tea towel|cloth|tissues?) (?:\w+ ){0,1}(?:is |are |was )?(?:soaked|"
        r"drenched)\b|\bblood (?:everywhere|wont stop|keeps coming)",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.45,
        r"\b(?:theyll|they will|theyre going to) (?:stop laughing|be sorry|regret (?:it|laughing|everything)|"
        r"all pay|pay for (?:it|this))\b",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.75,
        # es
        r"\b(?:voy a|vamos a|pienso|quiero|tengo que) (?:\w+ ){0,1}(?:matar|apunalar|acuchillar|balear|"
        r"quemar vivo) (?:a |al )(?:mi |ese |esa |este |esta |su |la |el )?(?!tiempo\b)\w+",
        r"\b(?:lo|la|los|las) (?:voy a|vamos a) (?:matar|apunalar|quemar)\b|\b(?:le|les) voy a "
        r"(?:pegar un tiro|disparar|dar un tiro)\b|\b(?:manana|hoy|esta noche|ahora) (?:lo |la )?mato\b|"
        r"\bmato a (?:mi|ese|esa|este|esta|mis)\b",
        # fr
        r"\bje vais (?:le |la |les |l )?(?:tuer|poignarder|buter|descendre|planter|egorger)\b(?! le temps)|"
        r"\bje (?:le|la|les) (?:tue|poignarde|bute|frappe) (?:\w+ ){0,4}(?:ce soir|demain|maintenant|"
        r"jusqua ce|avec)\b|\bje vais mettre le feu (?:chez|a la maison)",
        # de
        r"\bich (?:bringe|bring|werde|will) (?:ihn|sie|meinen|meine|den|die|diesen|diese|ihm) (?:\w+ ){0,3}"
        r"(?:um|umbringen|abstechen|erstechen|erschiessen|toten)\b",
        r"\bich (?:steche|stech|knall|knalle) (?:ihn|sie|\w+) (?:\w+ ){0,2}(?:ab|nieder)\b",
        r"\bmesser (?:\w+ ){0,3}(?:mit in die schule|in die schule|liegt (?:schon )?bereit)",
        # pt
        r"\b(?:vou|eu vou|vo|to indo) (?:\w+ ){0,1}(?:matar|esfaquear|furar|dar um tiro|atirar|queimar) "
        r"(?:ele|ela|eles|o meu|a minha|meu|minha|esse|essa|aquele|aquela|o |a |no |na |em )(?!saudade|fome|"
        r"tempo|aula|trabalho|sede)",
        r"\b(?:hoje|amanha|agora) (?:eu )?mato (?:ele|ela|esse|essa|o |a )",
        # zh
        r"我(?:要|想|会|准备|今晚|明天|今天|就)?(?:去|要去)?(?:杀了|杀死|捅死|砍死|弄死|捅|砍)(?:他|她|他们|我老板|老板|"
        r"那个|我老公|我老婆|我爸|我妈)|带刀去(?:学校|公司|他家)|刀已经准备好",
        # en
        r"\b(?:bring|bringing|take|taking) (?:my |his |her |the |a )?(?:\w+s )?(?:gun|knife|knives|rifle|"
        r"pistol) (?:to|into) (?:school|class|work|the office|assembly)\b",
        r"\b(?:waiting|wait) (?:\w+ ){0,4}to (?:run (?:her|him|them) over|stab|shoot|jump) ",
        r"\b(?:put|slipped|putting) something in (?:her|his|their) (?:drink|food|tea|coffee)\b",
        r"\b(?:set|setting) (?:his|her|their) (?:house|flat|car|place) on fire\b",
        r"\bknife is in my (?:jacket|bag|pocket|coat|backpack)\b",
    ),
    *_rules(
        "suicide",
        "means",
        0.7,
        r"\b(?:estoy|je suis|ich bin|ich stehe|estou|to|tou) (?:\w+ ){0,2}(?:en las vias|sur les rails|"
        r"sur la voie|auf den gleisen|auf dem gleis|nos trilhos)|在铁轨上",
        r"\b(?:motor encendido|moteur allume|motor lauft|motor ligado|engine running|engine on) (?:\w+ ){0,4}"
        r"(?:garaje|garage|garagem)",
        r"\b(?:fahre|fahr|foncer|fonce|estrellarme|estrellar el coche|bater o carro|"
        r"jogar o carro) (?:\w+ ){0,6}"
        r"(?:gegen einen baum|contre un arbre|dans un arbre|contra un arbol|contra uma arvore|"
        r"gegen eine wand|"
        r"contre un mur)|撞树|撞墙",
        r"\b(?:me voy a tirar|me tiro|tirarme) (?:\w+ ){0,2}(?:de la|desde la) (?:azotea|terraza|ventana)",
        r"\b(?:avale|avaler|tomar|tomarme|nehme|schlucke|tomo|engolir) (?:\w+ ){0,2}(?:tout|todo|alles|tudo) "
        r"(?:ce qu|lo que|was|o que)",
    ),
    *_rules(
        "self_harm",
        "act",
        0.8,
        r"\bme (?:estou )?queimando\b|\bme queimei\b|\bme (?:estoy )?quemando\b|\bverbrenne mich\b",
        r"\b(?:pulsos|munecas|poignets) (?:\w+ ){0,1}(?:cortados|cortadas|coupes)|"
        r"\baufgeschnittene pulsadern|割腕",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.75,
        r"\b(?:voy a|vamos a) (?:quemarle|incendiarle|prenderle fuego)\b",
        r"\bacabo com a vida d(?:ele|ela)\b|\bacabar com a vida d(?:ele|ela)\b|\bacabo con (?:la vida de|"
        r"su vida)",
        r"让\w{0,6}付出代价",
    ),
    *_rules(
        "abuse",
        "danger",
        0.8,
        r"\b(?:sagt|droht|schreit|meint|hat gesagt) (?:\w+ ){0,2}(?:er|sie) (?:bringt|wird) mich "
        r"(?:\w+ ){0,1}(?:um|umbringen)\b|\bmich umzubringen\b|\b(?:er|sie) will mich (?:\w+ ){0,1}umbringen",
        r"\b(?:disse|falou|jurou|ameacou|ta dizendo|diz) (?:que )?(?:vai )?me matar\b",
        r"\b(?:dijo|dice|amenazo|jura) (?:que )?(?:me va a|me) matar\b",
        r"\b(?:il|elle) (?:dit|a dit|menace) (?:quil|quelle|de) (?:va )?me tuer\b",
        r"他说(?:我敢|要是我|如果我)?\w{0,4}(?:就)?杀了我|要杀了我",
        r"\boutside the door (?:\w+ ){0,3}(?:kill|hurt) me\b|\b(?:screaming|yelling|shouting) (?:that )?"
        r"(?:hell|he will|shell|she will|theyll|hes going to|shes going to) (?:kill|hurt|stab|shoot) me\b",
        r"\b(?:took|takes|has|kept|keeps) (?:my )?(?:passport|documents|papers|id) (?:\w+ ){0,6}"
        r"(?:cant|cannot|wont let me|before i can|locked|keep me)",
        r"\bkeep (?:me|us) (?:locked|in a locked room)\b",
    ),
    *_rules(
        "suicide",
        "ideation",
        0.6,
        r"\b(?:cant|cannot|dont|do not) (?:picture|imagine|see) (?:myself|me) (?:\w+ ){0,2}(?:here|alive|"
        r"around) "
        r"(?:by|at|for|next|in|on)\b",
        r"\bno version of (?:\w+ ){0,3}with me in it\b",
        r"\bno me veo (?:\w+ ){0,2}(?:aqui|vivo|viva)\b|\bwerde (?:\w+ ){0,2}nicht mehr erleben\b",
        r"\b(?:finish it|end it) (?:\w+ ){0,2}(?:tonight|maybe tonight|finally)|\bguts to (?:finish|"
        r"end) it\b",
        r"\bso they (?:can )?find me\b",
    ),
]

# Round 11: situations from holdout 12 and corpus batch 8 (development data), said the way people type
# them in each language.
_GENERAL_8: list[Rule] = [
    *_rules(
        "self_harm",
        "act",
        0.85,
        r"\bmich (?:\w+ ){0,2}(?:verletzen|ritzen|schneiden)\b(?! (?:beim|bei der|in der kuche))",
        r"(?:烫|割|划|烧)(?:伤)?自己",
        r"\b(?:knife|blade|razor|sharpener|scissors) (?:\w+ ){0,2}(?:and )?(?:do|doing|cut|cutting|carve|"
        r"open) "
        r"my (?:thighs|arms|wrists|legs|hips|stomach)\b",
        r"\b(?:\d+|a few|two|three|six) (?:days|weeks|months|years) clean (?:\w+ ){0,6}(?:blade|razor|knife|"
        r"lighter|sharpener)",
        r"\bdo(?:ing)? (?:some |the |my )?cat scratches\b",
    ),
    *_rules(
        "suicide",
        "intent",
        0.9,
        r"\bnicht mehr aufwache\b",
        r"\bmich (?:\w+ ){1,3}(?:umbringen|umzubringen|toten|erhangen|erschiessen)\b",
        r"\bgoing suicide\b",
        r"\b(?:ce soir|demain|cette nuit|aujourdhui|maintenant) (?:\w+ ){0,2}que je (?:saute|me jette|me tue|"
        r"me pends|passe a lacte)\b(?! le pas)",
        r"\b(?:esta noche|hoy|manana) (?:\w+ ){0,2}(?:me tiro|me mato|me ahorco)\b",
        r"\b(?:heute|morgen|heute nacht) (?:\w+ ){0,2}(?:spring ich|bring ich mich um|mach ich schluss)\b",
        r"\b(?:hoje|amanha|hoje a noite) (?:\w+ ){0,2}(?:eu pulo|me jogo|me mato)\b",
    ),
    *_rules(
        "suicide",
        "ideation",
        0.6,
        r"\bcansei de (?:existir|viver)\b|\bcanse de (?:existir|vivir)\b|\bmude (?:zu|vom) (?:existieren|"
        r"leben)\b|"
        r"\bfatigue?e? dexister\b|\btired of existing\b",
        r"活够了",
    ),
    *_rules(
        "suicide",
        "vague",
        0.4,
        r"\b(?:hoje e o dia|hoy es el dia|heute ist der tag|cest aujourdhui|today is the day)\b",
    ),
    *_rules(
        "abuse",
        "danger",
        0.85,
        r"\bbringt (?:er|sie) (?:\w+ ){0,2}mich (?:\w+ ){0,4}um\b",
        r"\b(?:gritando|grita|gritou|dizendo|jurando|jurou) que vai me matar\b",
        r"\b(?:gritando|grita|dice|dijo|jura) que (?:me va a matar|me mata)\b",
        r"\b(?:crie|hurle|dit) quil va me tuer\b|\b(?:schreit|brullt|sagt) (?:\w+ ){0,1}(?:er|"
        r"sie) (?:bringt|wird) "
        r"mich (?:\w+ ){0,1}(?:um|umbringen)\b",
    ),
    *_rules(
        "abuse",
        "danger",
        0.75,
        r"\b(?:locks|locked|locking|shuts|shut|keeps) (?:me|us) (?:\w+ ){0,2}(?:in|inside) (?:the |a |"
        r"my |his )?"
        r"(?:basement|cellar|closet|room|shed|attic|garage|bathroom)\b",
        r"\bmenferme (?:\w+ ){0,2}(?:dans|a)\b|\bme (?:encierra|encerro) (?:\w+ ){0,2}en\b|"
        r"\b(?:sperrt|sperrte) (?:\w+ ){0,1}mich (?:\w+ ){0,2}(?:in|im|ein)\b|\bme (?:tranca|"
        r"trancou) (?:\w+ ){0,2}"
        r"(?:no|na|em)\b",
        r"把我(?:关|锁)在(?!门外)",
    ),
    *_rules(
        "harm_others",
        "harm",
        0.8,
        r"\bwhere (?:do|should|can|would) (?:you|i|one) (?:hit|stab|punch|shoot|strike) (?:someone|"
        r"somebody|a person|"
        r"a guy|him|her) (?:\w+ ){0,3}(?:dont|doesnt|never|wont|not|cant) (?:get back up|get up|wake up)",
        r"\bdonde (?:hay que|se debe|tengo que) (?:pegar|apunalar|golpear|"
        r"disparar)\w* (?:\w+ ){0,3}para que no "
        r"(?:se levante|despierte)",
        r"\bou (?:faut il|il faut|je dois) (?:frapper|poignarder|tirer) (?:\w+ ){0,3}pour (?:quil|"
        r"quelle) ne se "
        r"(?:releve|reveille) (?:pas|plus)",
        r"\bwohin (?:muss man|schlagt man|soll ich) (?:\w+ ){0,3}(?:damit|dass) (?:er|sie|jemand|"
        r"der) nicht mehr "
        r"aufsteht",
        r"\bonde (?:bater|acertar|esfaquear) (?:\w+ ){0,3}(?:pra|para) (?:ele|ela|alguem|a pessoa) nao "
        r"(?:levantar|acordar)",
        r"打哪里\w{0,6}(?:起不来|醒不过来)",
    ),
]

RULES: tuple[Rule, ...] = (
    *_EN,
    *_ML,
    *_CONCEPTS,
    *_GENERAL,
    *_GENERAL_2,
    *_GENERAL_3,
    *_GENERAL_4,
    *_GENERAL_5,
    *_GENERAL_6,
    *_GENERAL_7,
    *_GENERAL_8,
)

# --------------------------------------------------------------- cancels (span overlap) -----
_CANCEL_SOURCES: tuple[str, ...] = (
    # hyperbole and idioms
    r"\b(?:is|are|was|its|thats|this|these|those|it|they|you|were|exam|job|work|feet|heat|"
    r"suspense|traffic|class|homework|week|kids|boss) (?:\w+ ){0,2}killing (?:me|us|my)",
    r"\bkill(?:ing|ed)? it\b",
    r"\b(?:just |ugh )?kill me (?:now|lol|lmao|haha|please lol)\b|^(?:ugh |oh )?kill me\b",
    r"\bdying (?:to|for|of|from laughter|laughing|inside lol)\b",
    r"\b(?:die|died|dying|dead) (?:of|from) (?:embarrassment|laughter|laughing|boredom|shame|"
    r"cringe|hunger|heat|thirst|cuteness|jealousy)",
    r"\b(?:could|would|will|gonna|going to|literally) (?:just )?die (?:if|when|of|from)",
    r"\bcould (?:just )?die\b",
    r"\b(?:rather|sooner) die than\b|\bto die for\b",
    r"\b(?:bored|scared|worried|sick|tired|freezing|starving|love|loved|annoyed|stressed) "
    r"(?:\w+ ){0,1}to death\b",
    r"\bthe death of (?:me|us)\b",
    r"\bdead (?:tired|serious|on|wrong|end|inside lol|lol|lmao)\b",
    r"\b(?:laughed|laughing|laugh) so hard\b",
    r"\b(?:almost|nearly) (?:died|killed me|died laughing)",
    r"\b(?:phone|battery|laptop|car|plants?|flowers?|conversation|party|vibe|tv|computer|"
    r"charger|headphones|fish) (?:\w+ ){0,2}(?:died|dying|dead|killed)\b",
    r"\bkill (?:time|the mood|the lights|two birds|the vibe|the engine)",
    r"\b(?:kill|die) for (?:a|some|an|that|this|one)\b|\bid kill to\b|\bkill to have\b",
    r"\bmurder (?:a|some|that|this) (?:burger|pizza|pint|beer|curry|coffee)",
    r"\b(?:mom|mum|mother|dad|father|boss|teacher|sister|brother|parents|coach|wife|husband|"
    r"girlfriend|boyfriend|friends?|roommate|manager|she|he) (?:is |are |will |would |s |gonna |"
    r"going to |is going to |are going to |will literally |is literally going to |literally )?"
    r"(?:literally )?(?:kill|murder) me\b(?! with| and)",
    r"(?<!screaming that hell )(?<!yelling that hell )(?<!screaming hell )(?<!shouting that hell )"
    r"\b(?:kill|murder|strangle|choke) (?:me|him|her|them|you|my \w+) (?:when|if|for) "
    r"(?:s?he|they|i|you|borrowing|eating|taking|it)\b",
    r"\bjump (?:in|into) (?:the )?(?:lake|pool|sea|water|ocean|shower|bed|call|meeting|"
    r"conversation|river)",
    r"\boverdose on (?:coffee|caffeine|sugar|chocolate|netflix|tv|anime|memes|candy|cake)",
    r"\bend (?:it|things|this|everything) with\b|\bend it and move\b",
    r"\bcut (?:ties|carbs|sugar|back|down|class|classes|my hair|me off|off|corners|costs|the "
    r"cord|out|my finger|myself shaving)\b",
    r"\bshe cut me\b|\bhe cut me\b",
    r"\b(?:shoot|shot) (?:me )?(?:a |the )?(?:message|text|email|photo|photos|video|wedding|"
    r"hoops|film|shot|dm|line)",
    r"\bgoing to shoot the\b",
    r"\bhung (?:the|up|out|some|a|my) (?:\w+ )?(?:pictures?|photos?|paintings?|art|shelves|"
    r"laundry|clothes|curtains)?|\bhang (?:out|on|up|in there)\b",
    r"\bbite the bullet\b",
    r"\b(?:drowning|buried|swamped) in (?:work|paperwork|debt|emails|homework|assignments|laundry)",
    r"\bon the edge of my seat\b",
    r"\b(?:heat|heat wave|cold|weather|this \w+) (?:\w+ ){0,4}kill (?:us|me|everyone)(?: all)?",
    r"\b(?:im|i am|i was|literally) dead (?:lol|lmao|haha)|\bi literally died\b",
    r"\bkeep dying to\b|\bkept dying\b",
    r"\bbeat (?:me|us|him|her) (?:at|in)\b|\bhit me up\b|\bhit me with (?:the |a |some |your |that |this )?"
    r"(?:news|truth|facts|question|questions|idea|joke|reality|bill|deadline|best|details|info|update)\b",
    r"\bdisappear under\b|\bdisappear for (?:a|the) (?:while|weekend|day|bit|week)",
    r"\bif i (?:have to|hear|see|get|need to|sit through|watch) (?:\w+ ){0,8}(?:ill|im going to|"
    r"i will|im gonna|going to) (?:kill myself|die|jump)",
    r"\bgoing to (?:pass out|die) (?:\w+ ){0,2}(?:laughing|from laughing|of laughter)",
    r"\bfeet (?:are )?killing\b|\bsuspense is killing\b",
    r"\b(?:throwing|throw|chuck) (?:my )?(?:phone|laptop|controller) (?:off|out)",
    r"\bkill (?:this|that|the) (?:interview|exam|test|presentation|show|game|match|audition)",
    r"\bpassed out (?:on the couch|in bed|asleep|early|after work|watching|from exhaustion)",
    r"\bbreathe (?:through|thru) (?:it|my nose|the nose)|\bnose (?:\w+ ){0,6}breathe",
    r"\b(?:laptop|computer|phone|code|wifi|car|plants?|houseplants|printer|pc|brain cells|"
    r"battery|router) (?:\w+ ){0,2}(?:wants? to|is going to|tried to|about to|will) "
    r"(?:commit suicide|kill itself|die|end it)",
    r"\bkilled (?:the|a|some|all the|everyone in) (?:\w+ ){0,1}(?:boss|zombies|dragon|game|"
    r"level|round|enemies|monsters|quiz|trivia)",
    r"\bto not wake up (?:early|late)|\bwake up (?:early|late)\b",
    r"\bcan i (?:die|kill)|\bwhat happens if you die\b",
    r"\bstarving (?:lol|haha)|\bim starving\b",
    r"\b(?:lost|losing) (?:my|the) (?:will|motivation) to\b",
    # negation: the speaker says they are safe
    r"\b(?:not|never|no longer|dont|do not|doesnt|wouldnt|would never|wont ever|im not|am not|"
    r"have no|dont have any|no|without) (?:\w+ ){0,3}(?:suicidal|kill myself|hurt myself|harm "
    r"myself|plans? to (?:hurt|kill|end)|thoughts? of (?:suicide|dying|killing|self harm)|in "
    r"danger|going to do anything|want to die|wanting to die|want to end (?:it|my life))",
    r"\b(?:would|will) never (?:\w+ ){0,2}(?:kill|hurt|harm|do that)",
    r"\bno (?:thoughts|intention|intent|plan|plans) (?:of|to) (?:\w+ ){0,2}(?:die|suicide|hurt|kill|harm)",
    r"\bdont want to (?:die|kill myself|hurt myself)\b",
    r"\bkill (?:this|that|my) (?:habit|procrastination|addiction)",
    r"\b(?:that|your|the|for the|for your) last (?:message|post|text|words)",
    r"\bgoodbye to (?:my|the|our|this|that) (?:old |last |first |favourite |favorite )?(?:apartment|house|"
    r"flat|home|job|school|city|car|team|colleagues|coworkers|office|bike|phone|neighbourhood|"
    r"neighborhood|summer|year|hair|ex)",
    r"\b(?:kill|murder) me for (?:telling|saying|eating|borrowing|taking|this|that|being|not|"
    r"forgetting|breaking|losing|using)",
    r"\bmorir(?:me)? de (?:verguenza|risa|hambre|sueno|calor|frio|aburrimiento|ganas|miedo)",
    # other languages
    r"\bme muero de (?:hambre|risa|sueno|ganas|calor|frio|verguenza|aburrimiento|sed)|"
    r"\bmuert[oa] de (?:risa|hambre|sueno|cansancio|miedo|verguenza)|\bme (?:esta|estan) matando\b|"
    r"(?<!dijo que )(?<!dice que )\bme va a matar (?:si|cuando)\b|\bme mata(?:n)? (?:el|la|los|este|esta)\b",
    r"\bje meurs de (?:faim|soif|rire|froid|chaud|sommeil|envie|ennui)|\bmort(?:e)? de (?:rire|"
    r"faim|fatigue|peur|honte)|\b(?:ca|ce \w+|il|elle|tu) me tue\b",
    r"\bsterbe vor (?:hunger|langeweile|durst|lachen|hitze)|\btotgelacht\b|"
    r"(?<!\ber )(?<!\bsie )\bbringt mich "
    r"(?:\w+ ){0,1}um\b|\bzum sterben (?:langweilig|mude)|\bmit (?:ihm|ihr|\w+) schluss",
    r"\bmorrendo de (?:fome|rir|sono|calor|frio|vontade|saudade|medo|tedio)|\bmorri de (?:rir|"
    r"vergonha|fome|medo)|\bme matando\b|"
    r"(?<!disse que )(?<!falou que )(?<!ameacou )(?<!jurou que )(?<!\bele )(?<!\bela )(?<!gritando que )"
    r"(?<!grita que )(?<!gritou que )(?<!dizendo que )(?<!jurando que )\bvai me matar\b|"
    r"\bmort[oa] de (?:cansaco|"
    r"fome|sono|rir)",
    r"\b(?:morrer|morrendo|morri|morro|morir|morirme|muero|muriendo|mourir|meurs|sterben|sterbe|"
    r"morire|morendo|muoio) (?:de|di|vor|d) (?:\w+)",
    r"\bheart (?:\w+ ){0,1}(?:racing|pounding) (?:\w+ ){0,2}(?:about|over|because)",
    r"\b(?:choking|choked) (?:on|up) (?:my |the )?(?:words|tears|laughter|water|coffee)",
    r"想死你|笑死|累死|饿死|热死|冷死|困死|烦死|气死|忙死|吓死|痛死|无聊死|逼疯",
    r"\bsto morendo di (?:fame|sonno|caldo|noia|freddo)|\bmorto di (?:fame|sonno)|\bmuoio dal ridere",
    r"\bik ga dood van (?:de )?(?:honger|hitte|verveling|dorst|het lachen)",
    r"умираю от (?:скуки|голода|смеха|жары)",
    r"死ぬほど|死にそう",
    r"죽겠어|죽겠다|죽겠네",
    r"\bumieram z (?:nudow|glodu|smiechu)",
    r"\b(?:acliktan|sicaktan|uykudan|gulmekten) oluyorum",
    # crying babies are exhausting, not in danger; short supervised absences; routine medication
    r"\b(?:wont|will not|doesnt|cant|does not) stop crying\b|\bkeeps crying\b",
    r"\balone (?:for )?(?:an hour|half an hour|a few hours|a couple of hours|a bit|\d+ (?:min|mins|"
    r"minutes|hours?))\b|\bold enough (?:to|for)\b",
    r"\b(?:taking|take|takes|took) (?:all )?(?:my|her|his|their) (?:meds|medication|medications|pills|"
    r"tablets) (?:\w+ ){0,2}(?:on time|as prescribed|regularly|every day|properly|like (?:i|she|he) should)",
    r"\basked (?:me )?(?:if|whether) (?:\w+ ){0,8}(?:and i said no|i said no|i told (?:her|him|them) no)",
    r"\bcould (?:sleep|nap) (?:forever|for a week|for days)",
    r"\bdelete myself from\b",
    r"\b(?:go on|keep going|continue|live|living) like this\b",
    r"\b(?:shot|shoots|shooting|shoot) (?:me|him|her|us) (?:a |an )?(?:dirty )?"
    r"(?:look|glance|smile|wink|grin)",
    r"\b(?:id|i would|ill|i will|i could) never (?:\w+ ){0,2}(?:kill|hurt|harm|touch|hit|do)\b",
    # round 6: "I'm not going to jump", "I wouldn't take all my pills", and the same in es/fr/de/pt/zh
    r"\b(?:not|never|wont|wouldnt|would not|will not|arent|isnt|didnt|did not|havent|have not)"
    r"(?: going| gonna| about| planning)?(?: to)? (?:\w+ ){0,2}(?:jump|take (?:the pills|my pills|them|all|"
    r"every|the whole|too many|"
    r"that many)|took (?:too many|all)|hurt (?:him|her|them|anyone|anybody|myself|my \w+)|"
    r"(?:kill|touch|hit) (?:him|her|them|anyone|anybody|my \w+)|do (?:it|anything))\b",
    r"\bno (?:voy a|pienso|quiero|me voy a|le voy a) (?:\w+ ){0,2}(?:matarme|morir|hacerme dano|suicidarme|"
    r"hacer dano|danar|matar\w*|lastimar\w*|tirarme)|\b(?:nunca|jamas) (?:\w+ ){0,2}(?:haria|hare|voy a) "
    r"(?:\w+ ){0,2}(?:dano|matar\w*|lastimar\w*)",
    r"\bje (?:ne )?(?:vais|veux|compte|pense) pas (?:\w+ ){0,2}(?:me foutre en lair|en finir|"
    r"passer a lacte|me tuer|"
    r"mourir|me faire|sauter|le tuer|"
    r"la tuer|me suicider)|\bje nai (?:pas|jamais) (?:pris|avale)|\bje ne (?:ferai|feraj) jamais",
    r"\b(?:will|werde|wurde|mochte) (?:\w+ ){0,3}(?:nicht|nie|niemals|nichts) (?:\w+ ){0,3}(?:springen|"
    r"sterben|"
    r"umbringen|antun|tun)\b|\bnichts antun\b|\bnichts tun\b",
    r"\b(?:nao|nunca|jamais) (?:vou|quero|faria|penso em|pretendo) (?:\w+ ){0,2}(?:me matar|morrer|"
    r"me machucar|me jogar|pular|fazer mal|matar\w*|machucar\w*)",
    r"不想死|不会(?:伤害|杀|自杀|跳|做傻事)|没有(?:想|打算)(?:自杀|死)|不是(?:想死|要自杀)",
    r"\b(?:before|after|since|when|until) (?:s?he|they|hes|shes) (?:died|passed)\b",
    r"\bmatar el tiempo\b|\btuer le temps\b|\bmatar o tempo\b|\bdie zeit totschlagen\b|\bmatar a saudade\b",
    r"\b(?:saute|sauter|jump|jumping|hop|hopping|springe|spring) (?:dans|on|in|into|in den|in die) "
    r"(?:le |la |the |a )?(?:train|bus|car|taxi|plane|avion|voiture|call|shower|douche|zug|auto)\b",
    r"\bbleed (?:the )?(?:radiators?|brakes)|\bbreathing down my neck\b|\brunning on empty\b|"
    r"\brope swing\b|\bskipping rope\b|\bjump rope\b|\brope ladder\b",
    # the encoder head reads "door" as the abuser's door; "a foot in the door" is job hunting
    r"\b(?:foot|feet) in the door\b",
    r"\b(?:mon|ma|mes) \w+ (?:va|vont) me tuer\b|\b(?:mi|mis) (?:jefe|jefa|madre|mama|padre|papa|profe|"
    r"profesor|profesora|hermana|hermano|novia|novio) (?:me va|me van) a matar\b",
    r"(?:老板|我妈|妈妈|老师|我爸|爸爸)\w{0,6}会杀了我",
    # round 11: "this job will kill me", "I'm not going to end it", "not going to the bridge",
    # an urge that passed
    r"\b(?:ce|cette|ces|le|la|les) (?:\w+ ){0,1}(?:va|vont) me tuer\b",
    r"\b(?:not|never|wont|im not|am not) (?:going to |gonna |about to )?(?:end it|end my life|end things)\b",
    r"\bnot going (?:to|near) the (?:bridge|tracks|roof|edge|cliff|river)\b",
    r"\b(?:had|felt|got) (?:the|an) urges? to (?:cut|self harm|hurt myself) (?:\w+ ){0,12}(?:passed|"
    r"went away|"
    r"is gone|faded)\b",
    r"\baccidentally (?:took|taken|take|had) (?:\w+ ){0,2}(?:double|two|an extra|twice|extra)\b",
    r"\bgoes to whoever\b|\bwhoever survives\b|\bif you hear (?:\w+ ){0,3}(?:screaming|screams|a scream)",
    r"\bused to (?:\w+ ){0,3}(?:save up|hoard|stockpile|collect) (?:\w+ ){0,2}(?:pills|tablets) (?:\w+ ){0,4}"
    r"(?:threw|gave|got rid)",
)
CANCELS: tuple[re.Pattern[str], ...] = tuple(compile_rule(p) for p in _CANCEL_SOURCES)

# ---------------------------------------------------------------------------- dampers -------
# A clause about the past, unless it also speaks of now.
PAST = compile_rule(
    r"\b(?:(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|several|few|many|couple of) "
    r"(?:years?|months?|decades?) ago|years ago|used to|when i was|as a (?:kid|child|teen|teenager)|"
    r"back (?:then|when|in (?:the day|(?:19|20)\d\d|high school|college|school|uni))|"
    r"in (?:19|20)\d\d|in (?:high school|college|uni|university|middle "
    r"school)|last (?:year|winter|summer|spring|fall|autumn)|at (?:1[0-9]|sixteen|seventeen|"
    r"fifteen|fourteen)\b|clean for|sober (?:for|from)|no longer|havent (?:\w+ ){0,1}in \d+|"
    r"since (?:then|i was)|one year since|years? since|anniversary|looking back|there was a time|"
    r"once (?:threatened|tried|attempted)|grew up|growing up|"
    r"in my childhood|as children|hace (?:\w+ ){0,2}(?:anos|meses)|il y a (?:\w+ ){0,2}"
    r"(?:ans|mois)|ha (?:\w+ ){0,2}(?:anos|meses)|vor (?:\w+ ){0,2}jahren|when (?:we|they) were "
    r"kids|in (?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)|last month|fruher|damals|als kind|als ich \w+ war|seit (?:\w+ ){0,2}jahren nicht mehr|"
    r"autrefois|quand jetais|quand j etais|cuando era|de pequen[oa]|cuando tenia|quando eu era|"
    r"na adolescencia|en la adolescencia|vor (?:einem|zwei|drei|vier|funf) (?:jahr|jahren|monat|monaten)|"
    r"hace un ano|il y a un an|faz um ano|ha um ano|faz (?:\w+ ){0,1}anos|i once|once wrote|"
    r"ja faz (?:\w+ ){0,1}anos|faz (?:\w+ ){0,1}anos que|died by suicide|"
    r"took (?:her|his|their) own life|killed (?:herself|himself|themselves)|"
    r"\w+s suicide|after my attempt|my last suicide attempt|in prison now|since (?:i|my) last|"
    r"\d+ (?:days|weeks|months|years) (?:since|clean|free)|(?:i )?remember when|there (?:were|was) "
    r"(?:days|times|a period) when)\b"
    r"|以前|几年前|曾经|小时候|那时候|年前|去年"
)
NOW = compile_rule(
    r"\b(?:tonight|right now|(?<!dating )(?<!smiling )(?<!laughing )(?<!working )(?<!living )(?<!happy )"
    r"(?<!trusting )(?<!sleeping )(?<!running )(?<!hoping )(?<!singing )(?<!painting )(?<!walking )"
    r"(?<!talking )(?<!eating )(?<!driving )(?<!home )again|going to|"
    r"gonna|(?<!told me )(?<!said )today|this morning|just now|an hour ago|"
    r"last night|still want|(?<!used to )want to|wanna|tomorrow|relapsed|now im|about to|plan to)\b"
)
RECOVERED = compile_rule(
    r"\b(?:(?:im|i am) (?:in a )?(?:much )?(?:better|okay|ok|fine|good|safe|doing (?:well|better|"
    r"okay|ok|good))|in a (?:much )?better place|so glad (?:i|that)|proud of myself|recovered|recovery|"
    r"survivor|survived|saved my life|clean for|volunteer|getting married|i got help|therapy "
    r"(?:really )?helped|not there anymore|gone for a long time|celebrating|ahora estoy (?:\w+ ){0,1}"
    r"(?:mejor|bien)|aujourdhui (?:je vais|ca va) (?:bien|mieux)|hoje estou bem|heute geht es mir gut|"
    r"remarried|happy now|happily|"
    r"recovering|on the mend|walking again|doing well|estoy bien|je vais bien|"
    r"maintenant (?:je vais|ca va) (?:bien|mieux)|ca va (?:beaucoup )?mieux|bin in sicherheit|in sicherheit|"
    r"estou bem|sai dessa|ja me separei|that was (?:\w+ ){0,2}(?:years?|months?|decades?) ago|"
    r"called a helpline instead|(?:s?he|they|it|shes|hes|theyre|its|im|i am) (?:is |are |s )?(?:ok|okay|fine|"
    r"safe|better) now|but fine now|in therapy (?:about|for) it|hoje sou feliz|"
    r"(?:ahora )?esta (?:en terapia|mejor)|ya esta bien|feel safe)\b|好多了|已经好了|过得很好|现在很好"
)
# Fiction, study, news, games: talk about danger, not danger. Applied to the whole message.
FRAME = compile_rule(
    r"\b(?:novel|poem|screenplay|script|my character|the character|main character|characters|"
    r"episode|movie|film|tv show|the show|series|anime|manga|song|lyrics|the play|a play|school "
    r"play|drama club|dnd|d d|fanfic|fan fiction|comic|podcast|true crime|villain|protagonist|"
    r"documentary|13 reasons why|romeo and juliet|my story|a story|the story|in the book|a book|"
    r"thesis|dissertation|research|researching suicide|a study|studies|studying|lecture|paper|"
    r"essay|presentation|statistics|rates|prevalence|article|the news|news said|headline|"
    r"training|first aid|warning signs|prevention|awareness|criminology|psychology|homework|"
    r"assignment|curriculum|safeguarding|crisis counselor|crisis counsellor|paramedic|im a nurse|"
    r"a celebrity|the war|game|games|boss fight|the boss|final boss|ranked|respawn|respawned|"
    r"mario kart|among us|minecraft|fortnite|zombies|controller|squad|raid|npc|pvp|quest|"
    r"headshot|the match|elden ring|chemistry|my \w+ class|call of duty|dark souls|next round|team killing|"
    r"teamkilling|team kill|lobby|valorant|overwatch|apex|gta|roblox|halo|pubg|counter strike|"
    r"warzone|dota|league of legends|permadeath|speedrun|one shot|one shotted|uninstall|lvl|"
    r"(?:by a|reached|got to) level \d+|level \d+ (?:boss|dungeon|character|player|quest)|"
    r"xp|loot|gg|nerfed|playthrough|checkpoint|save file|my run|the run|noob|our class|in class|"
    r"for class|tesis|investigacion|estudio|"
    r"prevencion|articulo|novela|pelicula|serie|libro|hausarbeit|suizidpravention|studie|"
    r"forschung|roman|memoire|these|artigo|pesquisa|thriller|detective|plot twist|the twist|opening line|"
    r"first line|cliche|the curtain|audience|on stage|staging|stage it|the scene|a scene|roleplay|"
    r"roleplaying|"
    r"obra de teatro|la obra|la pelicula|el libro|mi novela|en el libro|dans le film|le film|mon roman|"
    r"le livre|la piece|im buch|in dem buch|im film|krimi|theaterstuck|no meu livro|no livro|no filme|"
    r"o filme|a novela|aux infos|les infos|infos|noticias|noticiero|nachrichten|jornal)\b|"
    r"论文|研究|预防|电影|小说|新闻|游戏|剧里|书里"
)
# A goodbye that is only for now: travel, bedtime, a move, a donation.
BENIGN = compile_rule(
    r"\b(?:flying|flight|vacation|holiday|trip|travelling|traveling|camping|conference|going to "
    r"(?:sleep|bed)|off to (?:bed|sleep)|(?:message|messages|post) for (?:tonight|today|now)|"
    r"talk (?:tomorrow|later|soon|on "
    r"\w+day)|can we talk|see you|charity|declutter|decluttering|donate|donated|donating|thrift|"
    r"moving (?:house|out|abroad|to)|new (?:job|city|flat|apartment|place)|offline for|"
    r"signing off|logging off|for a (?:few days|week|while)|back (?:on \w+day|next|in (?:a|an|\d+) \w+)|"
    r"photos|sunset|sunrise|"
    r"the view|selfie|gorgeous|beautiful|fishing|tourist|sightseeing|climbing|anyone want|for free|"
    r"free to a good home|selling|garage sale|yard sale|bungee|zipline|skydiving|skydive|cliff diving|"
    r"high dive|parachute|paragliding|last day (?:at|of) (?:work|my job|school|the job)|bittersweet|"
    r"farewell party|leaving do|retiring|retirement|graduation|graduating|lawyer|solicitor|notary|"
    r"estate planning|adulting|fixing|repairing|gutters?|shingles|antenna|satellite dish|solar panels|"
    r"leaving the company|leaving for|any tips|now that (?:the baby|we|i)|mortgage|bought a house|"
    r"bbq|barbecue|concert|me mudo|mudar de emprego|vou mudar|fotos?|vista|"
    r"paisaje|la vue|wunderschon|consertando|arreglando|reparer|tomando el sol|sunbathing|picnic|"
    r"mit (?:meinem|einem) buch|reading|leyendo|lisant|lendo|transito|trafico|traffic|stau|bouchon|"
    r"marathon|cheer|parade|festival|back on the \d+\w*|while (?:im|i am|were|we are) (?:in|at|away)|"
    r"tent|clothesline|washing line|climbing wall|the boat|while (?:i|we) (?:travel|am away|are away)|"
    r"cheating|cheated on me|break up with|breaking up with|"
    r"dump (?:him|her))\b|拍|夜景|风景|晒太阳|看书|堵车"
)
# Hypotheticals and how-to questions: "what should I do if I find someone unconscious?"
HYPOTHETICAL = compile_rule(
    r"\bwhat (?:should|do|would|can) (?:i|you|we|someone|people) do (?:if|when)\b|\bwhat if\b|"
    r"\bhypothetically\b|\bin case\b|\bhow (?:do|can|should) (?:i|you|we) (?:help|support)\b|"
    r"\bhow (?:can|do|should) i (?:get|convince|encourage|persuade) (?:him|her|them) to (?:see|get|talk|go)"
)
# Exertion and anxiety explain many body sensations that are not emergencies.
EXERTION = compile_rule(
    r"\b(?:gym|workout|leg day|hike|hiking|marathon|run|running|training|sore|anxious|anxiety|"
    r"panic|nervous|stressed|worried|exam|interview|presentation)\b"
)
JOKE = compile_rule(
    r"\b(?:lol|lmao|lmfao|haha|hahaha|hehe|jk|xd|rofl|kidding|not literally|ja(?:ja)+|je(?:je)+|jsjs\w*|"
    r"mdr+|ptdr+|kk+|rs(?:rs)+|hihi|je rigole|je plaisante|es broma|"
    r"nur spass|nur ein witz|brincadeira|to brincando)\b|哈哈|开玩笑|開玩笑"
)
JOKE_EMOJI = re.compile("[\U0001f602\U0001f923\U0001f480\U0001f605\U0001f643\U0001f61c\U0001f92a]")
NOT_JOKING = compile_rule(
    r"\bnot (?:joking|kidding)\b|\bi mean it\b|\bim serious\b|\b(?:lol|haha|jk|lmao) but (?:not|im not|"
    r"seriously|for real)\b|\bnot even joking\b|\bhalf joking\b|\bfor real\b|\bno cap\b|"
    r"\bnot (?:actually |really )?(?:lol|lmao)\b"
)
# Information questions about health make the softer medical signals weaker.
QUESTION = compile_rule(
    r"^(?:is|are|can|should|could|do|does|what|whats|how|why|when|which)\b|\b(?:is (?:it|that|this) "
    r"(?:normal|dangerous|bad|okay|ok|safe)|should i|can i)\b"
)
# Self-reported age of a child: danger to them is a child-protection matter.
CHILD_SELF = compile_rule(
    r"\b(?:im|i am) (?:only )?(?:[4-9]|1[0-5]|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen)\b(?! (?:minutes|hours|days|weeks|months|years ago|pounds|kg|"
    r"times|percent))"
)
THIRD_PARTY = compile_rule(
    r"\b(?:my (?:friend|best friend|sister|brother|mom|mum|mother|dad|father|son|daughter|"
    r"girlfriend|boyfriend|wife|husband|partner|roommate|coworker|cousin|classmate|neighbou?r|"
    r"grandma|grandpa|grandmother|grandfather|aunt|uncle|niece|nephew|kid|child|baby|toddler)|"
    r"she|he|they|hes|shes|theyre|herself|himself|themselves|a (?:guy|girl|friend|kid)|someone)\b"
)
INJECTION = compile_rule(
    r"\b(?:ignore|disregard|forget|override|bypass) (?:\w+ ){0,3}(?:previous|prior|above|earlier|"
    r"all|your|the|system) (?:\w+ ){0,2}(?:instructions?|prompts?|rules|messages|guidelines|"
    r"directions)|\byou are now\b|\bfrom now on you (?:are|will)\b|\bact as (?:a|an|my)\b|"
    r"\bpretend (?:to be|you are)\b|\b(?:developer|dan|god|jailbreak) mode\b|\bjailbreak\b|"
    r"\b(?:reveal|show|print|repeat|tell me) (?:\w+ ){0,2}(?:system prompt|instructions|your "
    r"prompt|initial prompt)|\bnew (?:instructions|rules|system prompt)\b|^(?:system|assistant|"
    r"supporter|user|developer)\b|\bim_start\b|\bendoftext\b"
)
