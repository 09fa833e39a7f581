"""Vetted safety replies: numbers from the locale table only, wording by category and language."""

from __future__ import annotations

import re

import pytest

from esc_edge.errors import ConfigError
from esc_edge.safety.base import Assessment
from esc_edge.safety.replies import (
    LANGUAGES,
    guess_language,
    helpline_for,
    helplines,
    injection_reply,
    parse_locale,
    safety_reply,
    validate_locale,
    wording,
)

SUICIDE = Assessment(crisis=True, category="suicide", score=1.0)


@pytest.mark.parametrize(
    ("locale", "numbers"),
    [
        ("en-US", ["988", "911"]),
        ("en-GB", ["116 123", "999"]),
        ("en_IE.UTF-8", ["116 123", "112"]),
        ("en-CA", ["988", "911"]),
        ("en-AU", ["13 11 14", "000"]),
        ("de-DE", ["0800 111 0 111", "112"]),
        ("fr-FR", ["3114", "112"]),
        ("es-ES", ["024", "112"]),
        ("pt-BR", ["188"]),
    ],
)
def test_locale_chooses_the_numbers(locale: str, numbers: list[str]) -> None:
    message = safety_reply(SUICIDE, locale)
    for number in numbers:
        assert number in message


@pytest.mark.parametrize("locale", ["en", "xx-ZZ", "", None, "not a locale"])
def test_unknown_locale_falls_back_to_the_international_directory(locale: str | None) -> None:
    message = safety_reply(SUICIDE, locale)
    assert "findahelpline.com" in message
    assert "local emergency number" in message


def _digit_runs(text: str) -> set[str]:
    return set(re.findall(r"\d[\d \-]*\d|\d", text))


@pytest.mark.parametrize(
    "category", ["suicide", "self_harm", "medical", "abuse", "harm_others", "child_risk", "unknown"]
)
@pytest.mark.parametrize("locale", ["en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "pt-BR", "zh-CN", "xx"])
def test_every_number_in_a_reply_comes_from_the_helpline_table(category: str, locale: str) -> None:
    entry = helpline_for(locale)
    allowed = " ".join(str(v) for v in _flatten(entry))
    message = safety_reply(Assessment(crisis=True, category=category), locale)
    for run in _digit_runs(message):
        assert run in allowed, f"{run!r} is not in the helpline table for {locale}"


def _flatten(value: object) -> list[object]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _flatten(v)]
    return [value]


def test_medical_puts_the_emergency_number_first() -> None:
    message = safety_reply(Assessment(crisis=True, category="medical"), "en-US")
    assert message.index("911") < message.index("988")


def test_abuse_adds_the_domestic_violence_line_where_known() -> None:
    message = safety_reply(Assessment(crisis=True, category="abuse"), "en-US")
    assert "1-800-799-7233" in message
    assert "safer place" in message


def test_child_risk_adds_the_child_protection_line_where_known() -> None:
    message = safety_reply(Assessment(crisis=True, category="child_risk"), "en-GB")
    assert "0808 800 5000" in message


def test_third_party_wording_addresses_the_person_helping() -> None:
    message = safety_reply(Assessment(crisis=True, category="suicide", subject="third_party"), "en-US")
    assert "stay with them" in message


def test_reply_language_follows_the_message_then_the_locale() -> None:
    spanish = safety_reply(Assessment(crisis=True, category="suicide", lang="es"), "en-US")
    assert "llama al 911" in spanish
    german = safety_reply(Assessment(crisis=True, category="suicide"), "de-DE")
    assert "TelefonSeelsorge" in german and "ruf" in german


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_piece(lang: str) -> None:
    english = wording()["en"]
    words = wording()[lang]
    assert set(words) == set(english)
    assert set(words["action"]) == set(english["action"])


def test_helpline_table_has_an_emergency_and_crisis_line_everywhere() -> None:
    for country, entry in helplines().items():
        assert entry["emergency"], country
        assert entry["crisis"]["number"], country


@pytest.mark.parametrize(
    ("locale", "parsed"),
    [
        ("en-US", ("en", "US")),
        ("en_GB.UTF-8", ("en", "GB")),
        ("fr", ("fr", None)),
        ("GB", ("en", "GB")),
        ("en-UK", ("en", "GB")),
    ],
)
def test_parse_locale(locale: str, parsed: tuple[str, str | None]) -> None:
    assert parse_locale(locale) == parsed


def test_validate_locale_says_what_to_use() -> None:
    assert validate_locale("en-GB") == "en-GB"
    with pytest.raises(ConfigError, match="en-US"):
        validate_locale("!!")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ya no quiero vivir, estoy muy cansada de todo", "es"),
        ("Je ne veux pas être seule ce soir", "fr"),
        ("Ich will nicht mehr und ich bin so müde", "de"),
        ("Eu não quero mais viver, estou cansado", "pt"),
        ("我不想活了", "zh"),
        ("I want to talk to someone", "en"),
        ("ok", None),
    ],
)
def test_guess_language(text: str, lang: str | None) -> None:
    assert guess_language(text) == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_injection_reply_is_supportive_and_on_task(lang: str) -> None:
    message = injection_reply("en-US", lang=lang)
    assert message and not _digit_runs(message)
