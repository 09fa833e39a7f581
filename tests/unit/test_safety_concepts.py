"""Concept combinations: a situation found from its ideas in any order and wording."""

from __future__ import annotations

import pytest

from esc_edge.conversation import Conversation
from esc_edge.safety.concepts import combos_in
from esc_edge.safety.detector import LayeredSafetyCheck
from esc_edge.safety.normalise import clauses, fold


def names(text: str) -> set[str]:
    return {combo.name for clause in clauses(fold(text)) for combo in combos_in(clause, [])}


@pytest.mark.parametrize(
    ("text", "combo"),
    [
        ("downed a full bottle of my antidepressants", "overdose_taken"),
        ("tomei uma caixa inteira de remedio", "overdose_taken"),
        ("mi papa le esta pegando a mi mama ahora mismo", "violence_now"),
        ("mon père frappe ma petite sœur", "child_violence"),
        ("meu marido esta me ameacando com uma faca", "weapon_on_me"),
        ("carving words into my arm for the last hour", "selfharm"),
        ("theres a man in my house, i can hear him downstairs", "intruder"),
    ],
)
def test_the_same_situation_in_other_words_and_languages(text: str, combo: str) -> None:
    assert combo in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "i took my whole course of antibiotics",
        "i burned myself on the stove cooking dinner",
        "were going to the shooting range with my dad on sunday",
        "my dad gave me a knife for my birthday today",
        "the guy downstairs plays loud music every night",
    ],
)
def test_look_alikes_make_no_combination(text: str) -> None:
    assert not names(text)


def test_jokes_and_stories_are_left_to_the_phrase_rules() -> None:
    check = LayeredSafetyCheck()
    assert not check.assess(Conversation(), "in my novel he hits her and she hides in the closet").crisis
    assert check.assess(
        Conversation(), "he hits me every night and now hes home, im hiding in the closet"
    ).crisis


@pytest.mark.parametrize(
    ("text", "combo"),
    [
        ("mi vecino dejo a sus dos ninos solos desde el viernes, lloran", "child_alone"),
        ("deixei o gas do fogao aberto, to tonta e com dor de cabeca", "carbon_monoxide"),
        ("我妈突然半边身子不能动", "stroke_signs"),
        ("我老公拿着菜刀追我", "weapon_on_me"),
        ("ma coloc s'est ouvert les poignets, il y a du sang partout", "selfharm_blood"),
    ],
)
def test_round_10_words_in_other_languages(text: str, combo: str) -> None:
    # concepts that had their words only in English (or fewer languages) before round 10
    assert combo in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "我妈突然说不出话，因为她太感动了",
        "我老公拿着菜刀在厨房切西瓜",
        "esqueci o gas do fogao aberto por um minuto, ja abri as janelas",
        "tengo dolor de cabeza y estoy mareada, sera la gripe",
        "los ninos lloran porque se acabo el helado",
    ],
)
def test_round_10_look_alikes_make_no_combination(text: str) -> None:
    assert not names(text)
