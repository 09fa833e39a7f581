"""Vetted safety replies, with the emergency number and crisis line chosen by locale.

The reply is assembled from ``data/replies.yaml`` (wording, six languages) and
``data/helplines.yaml`` (numbers): the model never generates a phone number or a URL. The locale
picks the country's numbers ("en-GB" -> Samaritans 116 123 and 999); the message language is the
language the seeker wrote in when it is one we have vetted wording for, else the locale's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from esc_edge.errors import ConfigError
from esc_edge.safety.base import Assessment

LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt", "zh")
_LOCALE = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}))?(?:[.@].*)?$")
# A country given without a language still tells us which language to answer in.
_COUNTRY_LANGUAGE = {
    "US": "en",
    "CA": "en",
    "GB": "en",
    "UK": "en",
    "IE": "en",
    "AU": "en",
    "NZ": "en",
    "IN": "en",
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "FR": "fr",
    "BE": "fr",
    "ES": "es",
    "MX": "es",
    "PT": "pt",
    "BR": "pt",
    "CN": "zh",
    "TW": "zh",
    "HK": "zh",
}
_STOPWORDS: dict[str, frozenset[str]] = {
    "es": frozenset(
        [
            "que",
            "el",
            "la",
            "los",
            "las",
            "de",
            "y",
            "en",
            "un",
            "una",
            "no",
            "me",
            "mi",
            "es",
            "por",
            "con",
            "para",
            "estoy",
            "quiero",
            "ya",
        ]
    ),
    "fr": frozenset(
        [
            "je",
            "le",
            "la",
            "les",
            "de",
            "et",
            "un",
            "une",
            "ne",
            "pas",
            "me",
            "mon",
            "est",
            "pour",
            "avec",
            "suis",
            "veux",
            "ce",
            "tout",
        ]
    ),
    "de": frozenset(
        [
            "ich",
            "der",
            "die",
            "das",
            "und",
            "nicht",
            "ein",
            "eine",
            "mich",
            "mir",
            "ist",
            "mit",
            "zu",
            "auf",
            "will",
            "bin",
            "mein",
        ]
    ),
    "pt": frozenset(
        [
            "que",
            "o",
            "a",
            "os",
            "as",
            "de",
            "e",
            "em",
            "um",
            "uma",
            "não",
            "me",
            "meu",
            "é",
            "por",
            "com",
            "para",
            "estou",
            "quero",
            "eu",
        ]
    ),
    "en": frozenset(
        [
            "i",
            "the",
            "a",
            "to",
            "and",
            "is",
            "of",
            "my",
            "me",
            "it",
            "in",
            "that",
            "you",
            "not",
            "have",
            "im",
            "want",
            "this",
        ]
    ),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _load(name: str) -> dict[str, Any]:
    text = (resources.files("esc_edge.safety.data") / name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigError(f"safety data file {name} is not a mapping", hint="reinstall esc-edge")
    return data


@lru_cache(maxsize=1)
def helplines() -> dict[str, Any]:
    return _load("helplines.yaml")


@lru_cache(maxsize=1)
def wording() -> dict[str, Any]:
    return _load("replies.yaml")


def parse_locale(locale: str | None) -> tuple[str | None, str | None]:
    """("en", "GB") from "en-GB", "en_GB.UTF-8", "GB" or "en"; (None, None) when unusable."""
    if not locale:
        return None, None
    match = _LOCALE.match(locale.strip())
    if not match:
        return None, None
    first, second = match.group(1), match.group(2)
    if second is None and first.isupper() and first in _COUNTRY_LANGUAGE:
        return _COUNTRY_LANGUAGE[first], first
    language = first.lower()
    country = second.upper() if second else None
    if country == "UK":
        country = "GB"
    return language, country


def validate_locale(locale: str) -> str:
    """Return ``locale`` if it can be parsed, else raise :class:`ConfigError` saying what to use."""
    language, _ = parse_locale(locale)
    if language is None:
        raise ConfigError(
            f"unusable locale {locale!r}",
            hint="use a language-COUNTRY code such as en-US, en-GB, fr-FR, de-DE, pt-BR or zh-CN",
        )
    return locale


def helpline_for(locale: str | None) -> dict[str, Any]:
    """The numbers for ``locale``'s country; the international directory when it is unknown."""
    _, country = parse_locale(locale)
    table = helplines()
    return dict(table.get(country or "", table["international"]))


def guess_language(text: str) -> str | None:
    """A cheap guess among the languages we have vetted wording for; None when unsure."""
    if _CJK.search(text):
        return "zh"
    tokens = re.findall(r"[^\W\d_]+", text.casefold())[:200]
    if len(tokens) < 2:
        return None
    counts = {lang: sum(t in words for t in tokens) for lang, words in _STOPWORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    ranked = sorted(counts.values(), reverse=True)
    if ranked[0] == 0 or ranked[0] == ranked[1]:
        return None
    return best


def reply_language(assessment: Assessment, locale: str | None) -> str:
    if assessment.lang in LANGUAGES:
        return assessment.lang
    language, _ = parse_locale(locale)
    return language if language in LANGUAGES else "en"


def _how(words: dict[str, Any], line: dict[str, Any]) -> str:
    how = line.get("how")
    return str(words["how"]).format(how=how) if how else ""


def _line(words: dict[str, Any], key: str, line: dict[str, Any] | None) -> str:
    if not line:
        return ""
    return str(words[key]).format(name=line["name"], number=line["number"], how=_how(words, line))


def safety_reply(assessment: Assessment, locale: str | None = "en-US") -> str:
    """The vetted message for a crisis ``assessment``, in the seeker's language where we can."""
    words = wording()[reply_language(assessment, locale)]
    numbers = helpline_for(locale)
    international = numbers.get("crisis", {}).get("number") == "findahelpline.com"
    emergency = words["local_emergency"] if international else numbers["emergency"]
    category = assessment.category if assessment.category in words["action"] else "unknown"
    third = assessment.subject == "third_party" and category in {"suicide", "self_harm", "unknown"}
    parts = [
        words["third_party" if assessment.subject == "third_party" else "self"],
        (words["third_party_action"] if third else words["action"][category]).format(emergency=emergency),
    ]
    if category == "abuse":
        parts.append(_line(words, "abuse_line", numbers.get("abuse")))
    if category == "child_risk":
        parts.append(_line(words, "child_line", numbers.get("child")))
    parts.append(words["directory"] if international else _line(words, "line", numbers["crisis"]))
    parts.append(words["close"])
    separator = "" if reply_language(assessment, locale) == "zh" else " "
    return separator.join(p for p in parts if p)


def injection_reply(locale: str | None = "en-US", lang: str | None = None) -> str:
    """A supportive, on-task answer to "ignore previous instructions..." style messages."""
    language = lang if lang in LANGUAGES else reply_language(Assessment(crisis=False), locale)
    return str(wording()[language]["injection"])
