"""Safety-specific normalisation: one spelling for the many ways people write about danger.

People in crisis type fast, misspell, use slang ("kms", "unalive") and sometimes hide words on
purpose ("k i l l", "su1c1de"). Everything downstream (rules and classifier) sees the output of
:func:`fold` and :func:`clauses`, so a pattern is written once, in plain lowercase words without
accents or apostrophes, and matches every variant. All steps are single regex passes or table
lookups: linear in the length of the text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from esc_edge.text import normalise as base_normalise

# Accent stripping only for Latin/Greek/Cyrillic: NFD would also split Japanese kana and Hangul,
# which changes their meaning.
_FOLD_LIMIT = 0x0530


def _accent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x00C0, _FOLD_LIMIT):
        ch = chr(cp)
        if unicodedata.category(ch) == "Mn":
            table[cp] = ""
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
        if base != ch:
            table[cp] = base
    for quote in "\u2018\u2019\u201b\u02bc\u00b4`":
        table[ord(quote)] = "'"
    for dquote in "\u201c\u201d\u201e\u00ab\u00bb":
        table[ord(dquote)] = '"'
    # Ligatures NFKC keeps: "sœur", "Æ".
    for lig, plain in (("\u0153", "oe"), ("\u0152", "oe"), ("\u00e6", "ae"), ("\u00c6", "ae")):
        table[ord(lig)] = plain
    # Arabic alef with hamza or madda is typed both ways: one letter for the rules.
    for alef in "\u0622\u0623\u0625":
        table[ord(alef)] = "\u0627"
    return table


_ACCENTS = _accent_table()
# Arabic sits above the accent range; fold its alef forms separately.
_ARABIC_ALEF = str.maketrans({"\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627"})

# Leetspeak inside a word that also has letters: "k1ll", "su1c1d3", "h@rm", "$uicide".
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_TOKEN = re.compile(r"[a-z0-9@$]*[a-z][a-z0-9@$]*")
_NOT_LEET = re.compile(r"\d+(?:[a-z]{1,3})|[a-z]{1,2}\d+|\d+[a-z]*\d+")
_BANG_IN_WORD = re.compile(r"(?<=[a-z])!(?=[a-z])")
_HAS_LEET = re.compile(r"[013457@$]")
_REPEATS = re.compile(r"([^\W\d])\1{2,}")
# "k i l l", "s.u.i.c.i.d.e", "k-i-l-l": three or more single letters with tiny separators.
_SPACED = re.compile(r"(?<![\w])(?:[a-z][ .\-_*]{1,2}){2,}[a-z](?![\w])")
_SEPARATORS = re.compile(r"[ .\-_*]")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_WORD = re.compile(r"\w+")
# A colon or dot between digits is a time or a number ("the 8:15 train", "2.5 mg"), not a break.
_CLAUSE_SPLIT = re.compile(
    r"(?:[!?;\n。！？；…]|(?<!\d)[.:]|[.:](?!\d))+|\s+-\s+|,\s*(?=but\b|and then\b|then\b)"
)

# Word-level rewrites: slang, euphemisms and frequent misspellings -> the words the rules use.
_REWRITES: dict[str, str] = {
    "wanna": "want to",
    "wana": "want to",
    "wnat": "want",
    "gonna": "going to",
    "gunna": "going to",
    "finna": "going to",
    "tryna": "trying to",
    "imma": "im going to",
    "ima": "im going to",
    "u": "you",
    "ur": "your",
    "rn": "right now",
    "tn": "tonight",
    "tonite": "tonight",
    "2nite": "tonight",
    "2night": "tonight",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrow": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "b4": "before",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "idk": "i dont know",
    "kms": "kill myself",
    "kys": "kill yourself",
    "unalive": "kill",
    "unaliving": "killing",
    "unalived": "killed",
    "sewerslide": "suicide",
    "sucide": "suicide",
    "suicde": "suicide",
    "suiside": "suicide",
    "sucicide": "suicide",
    "suicied": "suicide",
    "suacide": "suicide",
    "sucidal": "suicidal",
    "suicdal": "suicidal",
    "suicidial": "suicidal",
    "suisidal": "suicidal",
    "sucicidal": "suicidal",
    "myslef": "myself",
    "mysef": "myself",
    "myslf": "myself",
    "meself": "myself",
    "myselfe": "myself",
    "kil": "kill",
    "kiling": "killing",
    "dieing": "dying",
    "diee": "die",
    "pils": "pills",
    "pillz": "pills",
    "ded": "dead",
    "sh": "self harm",
    "selfharm": "self harm",
    "od": "overdose",
    "oded": "overdosed",
    "odd": "odd",
    "cuttin": "cutting",
    "killin": "killing",
    "dyin": "dying",
    "nothin": "nothing",
    "cant": "cant",
    "wont": "wont",
    "tho": "though",
    "pls": "please",
    "plz": "please",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "urself": "yourself",
    "tooke": "took",
    "2day": "today",
    "thru": "through",
    "cud": "could",
    "shud": "should",
    "abt": "about",
    "ppl": "people",
    "bcs": "because",
    "bcuz": "because",
    "istg": "i swear to god",
    "ngl": "not going to lie",
    "fr": "for real",
    "frfr": "for real",
    "mum": "mom",
    "mam": "mom",
    "nan": "grandma",
    "nana": "grandma",
    "yr": "year",
    "yrs": "years",
}
_REWRITE_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _REWRITES), key=len, reverse=True)) + r")\b")
_PHRASE_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bod'?d\b"), "overdosed"),
    (re.compile(r"\bo\.d\.?(?=\s|$)"), "overdose"),
    (re.compile(r"\bsewer ?slide\b"), "suicide"),
    (re.compile(r"\bself[- ]?delete\b"), "kill myself"),
    (re.compile(r"\bself[- ]?deleting\b"), "killing myself"),
    (re.compile(r"\bself[- ]harm"), "self harm"),
    (re.compile(r"\bs[*\-.]?u?[*\-.]?i?[*\-.]?c[*\-.]?i?[*\-.]?d[*\-.]?e\b"), "suicide"),
    (re.compile(r"\bk[*.]ll"), "kill"),
    (re.compile(r"\bd[*.]e\b"), "die"),
    # "wanna dye" is "want to die" unless something is being dyed.
    (
        re.compile(
            r"\b(want to|wanna|gonna|going to|just|i|ill|to|and|or|should|could) dye\b"
            r"(?! (?:my|your|his|her|their|it|the|them|this|that|a|some|hair|clothes))"
        ),
        r"\1 die",
    ),
    (re.compile(r"\brite (now|away|here)\b"), r"right \1"),
    (re.compile(r"\b(\d{1,2}) ?(?:yo|y o|yr old|yrs old)\b"), r"\1 year old"),
    (re.compile(r"\b(?:a|the) hole (bottle|box|pack|packet|strip|jar|tub|load|lot|thing)\b"), r"a whole \1"),
    (re.compile(r"\bo\.?d\.?ing\b|\boding\b"), "overdosing"),
)


# Danger words that people misspell in a hurry ("suicidel", "beatting", "overdossed"). A word of
# five or more letters one typing slip away (a letter missing, doubled or swapped, or one vowel for
# another) is read as the danger word, unless it is an everyday word that happens to be that close.
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FUZZY_VOCAB = _wordset(
    "suicide suicidal myself overdose overdosed overdosing bleeding beating hitting punching "
    "choking strangled strangling stabbing stabbed paracetamol tylenol ibuprofen tonight "
    "tomorrow killing tablets razor blades bridge hanging jumping cutting wrists goodbye "
    "unalive breathing unconscious seizure threatened threatening punched kicked choked "
    "beaten murder antifreeze medication medications anymore poison poisoned "
)
_FUZZY_GUARD = _wordset(
    "boating eating changing mediation battle skills skill heating seating sitting fitting "
    "putting gutting cutlery bridges bridget brides banging ranging hunting jumpier razors "
    "poisons tablet tablets wrist blade beat beaten overdoses murders murdered cutting "
    "killings strangle strangler eaten tables cables stables wrest wrestle ridge bride razer "
)
_VOWELS = "aeiouy"
_FUZZY_TOKEN = re.compile(r"\b[a-z]{5,16}\b")


def _one_slip(word: str) -> frozenset[str]:
    out: set[str] = set()
    for i in range(len(word)):
        out.add(word[:i] + word[i + 1 :])  # one letter too many
        if word[i] in _VOWELS:
            out.update(word[:i] + v + word[i + 1 :] for v in _VOWELS)
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    for i in range(len(word) + 1):
        out.update(word[:i] + c + word[i:] for c in "abcdefghijklmnopqrstuvwxyz")  # one missing
    return frozenset(out)


def _typo_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for right in sorted(_FUZZY_VOCAB):
        for wrong in _one_slip(right):
            # A letter added at the end is grammar ("goodbyes", "suicider"), not a slip.
            if wrong.startswith(right) or wrong in _FUZZY_VOCAB or wrong in _FUZZY_GUARD:
                continue
            if len(wrong) >= 5:
                table.setdefault(wrong, right)
    return table


_TYPOS = _typo_table()


def _untypo(match: re.Match[str]) -> str:
    word = match.group(0)
    return _TYPOS.get(word, word)


# Small vocabulary to re-split words glued together by the spacing trick ("killmyself").
_SPLIT_VOCAB = frozenset(
    [
        "i",
        "im",
        "want",
        "to",
        "die",
        "kill",
        "killing",
        "my",
        "myself",
        "self",
        "me",
        "end",
        "ending",
        "life",
        "it",
        "all",
        "suicide",
        "harm",
        "cut",
        "cutting",
        "hang",
        "hanging",
        "going",
        "gonna",
        "tonight",
        "overdose",
        "do",
        "wanna",
        "just",
        "hurt",
        "hurting",
        "dead",
        "be",
        "not",
        "alive",
        "wake",
        "up",
    ]
)


@lru_cache(maxsize=4096)
def _segment(word: str) -> str:
    """Split a glued word into vocabulary words when it can be fully split, else return it."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 9), end):
            prev = best[start]
            if prev is not None and word[start:end] in _SPLIT_VOCAB:
                best[end] = [*prev, word[start:end]]
                break
    result = best[n]
    return " ".join(result) if result and len(result) > 1 else word


def _unspace(match: re.Match[str]) -> str:
    return _segment(_SEPARATORS.sub("", match.group(0)))


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    if not _HAS_LEET.search(token) or _NOT_LEET.fullmatch(token):
        return token
    return token.translate(_LEET)


def fold(text: str) -> str:
    """Lowercase, accent-free, apostrophe-free text with slang and obfuscation undone."""
    text = base_normalise(text).casefold().translate(_ACCENTS).translate(_ARABIC_ALEF)
    for pattern, replacement in _PHRASE_REWRITES[:2]:
        text = pattern.sub(replacement, text)
    text = _BANG_IN_WORD.sub("i", text)
    text = _LEET_TOKEN.sub(_unleet, text)
    text = _REPEATS.sub(r"\1\1", text)
    text = _SPACED.sub(_unspace, text)
    text = _APOSTROPHE.sub("", text)
    for pattern, replacement in _PHRASE_REWRITES[2:]:
        text = pattern.sub(replacement, text)
    text = _FUZZY_TOKEN.sub(_untypo, text)
    return _REWRITE_RE.sub(lambda m: _REWRITES[m.group(1)], text)


def words(text: str) -> str:
    """Folded text as words separated by single spaces (the form every rule is written for)."""
    return " ".join(_WORD.findall(text))


def clauses(folded: str) -> list[str]:
    """Split folded text into clauses (sentences, mostly), each reduced to :func:`words`."""
    parts = (words(part) for part in _CLAUSE_SPLIT.split(folded))
    return [part for part in parts if part]


def fold_pattern(pattern: str) -> str:
    """Apply the character-level folding to a rule so it is written once, with accents."""
    return pattern.translate(_ACCENTS).replace("'", "")
