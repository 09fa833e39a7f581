"""The rule layer: find situations of danger clause by clause, then weigh them.

A message is split into clauses. In each clause every rule of :mod:`esc_edge.safety.lexicon` is
tried; a match that overlaps an idiom or a negation is dropped, and the rest are scaled by the
clause's dampers (past and recovered, fiction or study, jokes, health questions). Evidence is then
combined with a noisy-OR, so two independent weak signs ("I bought a rope" + "I know where")
make a strong one, while boosters (immediacy, hopelessness) only strengthen other evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from esc_edge.safety import lexicon as lx
from esc_edge.safety.concepts import combos_in
from esc_edge.safety.normalise import clauses, fold

FIRST_PERSON = lx.compile_rule(r"\b(?:i|im|ive|ill|id|me|my|myself)\b")
SPEAKER_ACTS = lx.compile_rule(r"\b(?:i|im|ive|ill|id|myself)\b")
# Weights of evidence below this are noise and are not reported.
_MIN_WEIGHT = 0.05
# Boosters count only next to primary evidence at least this strong.
_BOOST_FLOOR = 0.4
_IDIOM_DAMPING = 0.5
_NO_PATTERN = lx.compile_rule(r"(?!)")
# A message that says the danger is over ("that was two years ago", "I'm safe now") softens these.
_RECOVERED_DAMPS = frozenset({"act", "intent", "ideation", "emergency", "goodbye", "danger"})


@dataclass(frozen=True)
class Signal:
    category: str
    signal: str
    weight: float
    third_party: bool
    text: str


@dataclass
class RuleResult:
    score: float = 0.0
    category: str | None = None
    third_party: bool = False
    signals: list[Signal] = field(default_factory=list)
    injection: bool = False
    # Raw evidence including boosters: what this message adds to the context of the next ones.
    context_level: float = 0.0
    # How much other layers' evidence should count given the message's framing (past, fiction,
    # jokes, travel): the classifier cannot see these, the rules can.
    damping: float = 1.0


def noisy_or(weights: Iterable[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - min(max(weight, 0.0), 1.0)
    return 1.0 - remaining


@dataclass(frozen=True)
class _MessageFlags:
    joke: bool
    recovered: bool
    child_self: bool
    framed: bool
    benign: bool

    @classmethod
    def of(cls, folded: str, parts: list[str]) -> _MessageFlags:
        joined = " ".join(parts)
        joke = bool(lx.JOKE.search(joined) or lx.JOKE_EMOJI.search(folded))
        return cls(
            joke=joke and not lx.NOT_JOKING.search(joined),
            recovered=bool(lx.RECOVERED.search(joined)),
            child_self=bool(lx.CHILD_SELF.search(joined)),
            framed=bool(lx.FRAME.search(joined)),
            benign=bool(lx.BENIGN.search(joined)),
        )


# In a message of more clauses than this, a "lol", a story or a trip colours only the clauses
# next to it: "the cat knocked my plant over lol" must not soften "I counted the pills" two
# sentences later.
_LOCAL_FLAGS_FROM = 4


def _clause_flags(flags: _MessageFlags, folded: str, parts: list[str], i: int) -> _MessageFlags:
    if len(parts) < _LOCAL_FLAGS_FROM:
        return flags
    near = parts[max(0, i - 1) : i + 2]
    local = _MessageFlags.of(" ".join(near), near)
    # A "lol" laughs at its own sentence; "I'm 11" anywhere still says who the child is.
    own = _MessageFlags.of(parts[i], [parts[i]])
    return _MessageFlags(own.joke, local.recovered, flags.child_self, local.framed, local.benign)


def _message_damping(flags: _MessageFlags, parts: list[str]) -> float:
    factor = 1.0
    if flags.joke and len(parts) < _LOCAL_FLAGS_FROM:
        factor *= 0.3
    if flags.framed:
        factor *= 0.5
    if flags.benign:
        factor *= 0.5
    if flags.recovered or any(lx.PAST.search(p) and not lx.NOW.search(p) for p in parts):
        factor *= 0.4
    return factor


def _cancel_spans(clause: str) -> list[tuple[int, int]]:
    return [m.span() for pattern in lx.CANCELS for m in pattern.finditer(clause)]


def _overlaps(span: tuple[int, int], cancels: list[tuple[int, int]]) -> bool:
    start, end = span
    return any(c_start < end and start < c_end for c_start, c_end in cancels)


def _damping(rule: lx.Rule, clause: str, flags: _MessageFlags) -> float:
    """How much of a rule's weight survives the clause's context (1.0 = all of it)."""
    factor = 1.0
    speaks_of_now = bool(lx.NOW.search(clause))
    if lx.PAST.search(clause) and not speaks_of_now:
        factor *= 0.2
    elif flags.recovered and not speaks_of_now and rule.signal in _RECOVERED_DAMPS:
        factor *= 0.4
    if lx.FRAME.search(clause):
        factor *= 0.3
    elif flags.framed and not FIRST_PERSON.search(clause):
        factor *= 0.5
    if rule.signal in {"goodbye", "vague", "means", "plan"} and flags.benign:
        factor *= 0.3
    if lx.HYPOTHETICAL.search(clause):
        factor *= 0.4
    if flags.joke:
        factor *= 0.3
    if rule.signal in {"emergency", "means"} and rule.weight < 0.9 and lx.QUESTION.search(clause):
        factor *= 0.5
    if rule.signal == "emergency" and rule.weight < 0.9 and lx.EXERTION.search(clause):
        factor *= 0.5
    return factor


def _clause_signals(clause: str, flags: _MessageFlags, cancels: list[tuple[int, int]]) -> list[Signal]:
    third = bool(lx.THIRD_PARTY.search(clause))
    found: list[Signal] = []
    for rule in lx.RULES:
        for match in rule.pattern.finditer(clause):
            if _overlaps(match.span(), cancels):
                continue
            weight = rule.weight * _damping(rule, clause, flags)
            if weight >= _MIN_WEIGHT:
                category = rule.category
                if flags.child_self and category == "abuse":
                    category = "child_risk"
                found.append(Signal(category, rule.signal, weight, third, match.group(0)))
            break
    found.extend(_combo_signals(clause, cancels, flags, third, message=False))
    return found


def _combo_signals(
    text: str, cancels: list[tuple[int, int]], flags: _MessageFlags, third: bool, *, message: bool
) -> list[Signal]:
    """Concept combinations: the same situation in words no phrase rule anticipated. One per kind
    of evidence, so two combinations of one situation do not count twice."""
    best: dict[tuple[str, str], Signal] = {}
    # The broad net is not cast over jokes and stories: the phrase rules judge those alone.
    netted = not flags.joke and not lx.FRAME.search(text)
    # A story told in the third person ("she stood on the edge") is not netted either.
    netted = netted and not (flags.framed and not FIRST_PERSON.search(text))
    for combo in combos_in(text, cancels, message=message) if netted else ():
        pseudo = lx.Rule(combo.category, combo.signal, combo.weight, _NO_PATTERN)
        weight = combo.weight * _damping(pseudo, text, flags)
        category = "child_risk" if flags.child_self and combo.category == "abuse" else combo.category
        key = (category, combo.signal)
        if weight >= _MIN_WEIGHT and (key not in best or best[key].weight < weight):
            best[key] = Signal(category, combo.signal, weight, third, "concept:" + combo.name)
    return list(best.values())


def _third_party(best: Signal) -> bool:
    if best.category == "harm_others":
        return True
    if best.category == "child_risk":
        # "my uncle touches me" is the child speaking: the person at risk is the speaker.
        return not FIRST_PERSON.search(best.text)
    # "texted me that she's going to jump" is about her: only "I"/"myself" make the speaker the actor.
    speaker_acts = bool(SPEAKER_ACTS.search(best.text))
    return best.third_party and not speaker_acts


def combine(signals: list[Signal], extra: Iterable[float] = ()) -> tuple[float, float]:
    """(score, context level) of a message's signals; ``extra`` is outside evidence (context)."""
    primary: dict[tuple[str, str], float] = {}
    boosters: dict[str, float] = {}
    for sig in signals:
        if sig.signal in lx.BOOSTERS:
            boosters[sig.signal] = max(boosters.get(sig.signal, 0.0), sig.weight)
        else:
            key = (sig.signal, sig.text)
            primary[key] = max(primary.get(key, 0.0), sig.weight)
    # Earlier turns only colour a message that itself says something; "ok thanks" stays safe.
    outside = [w for w in extra if w > 0] if signals else []
    strongest = max([*primary.values(), *outside], default=0.0)
    weights = [*primary.values(), *outside]
    if strongest >= _BOOST_FLOOR:
        weights.extend(boosters.values())
    hopeless = boosters.get("hopeless", 0.0)
    return noisy_or(weights), noisy_or([*primary.values(), hopeless])


def assess_rules(text: str, *, context: float = 0.0) -> RuleResult:
    """Rule evidence for ``text``; ``context`` is the risk level carried over from earlier turns."""
    folded = fold(text)
    parts = clauses(folded)
    if not parts:
        return RuleResult()
    flags = _MessageFlags.of(folded, parts)
    signals: list[Signal] = []
    # Idioms and negations per clause, and the same spans in the joined message (offsets shifted).
    cancels: list[list[tuple[int, int]]] = []
    joined_cancels: list[tuple[int, int]] = []
    offset = 0
    for i, part in enumerate(parts):
        spans = _cancel_spans(part)
        cancels.append(spans)
        joined_cancels.extend((start + offset, end + offset) for start, end in spans)
        offset += len(part) + 1
        signals.extend(_clause_signals(part, _clause_flags(flags, folded, parts, i), spans))
    joined = " ".join(parts)
    signals += _combo_signals(
        joined, joined_cancels, flags, bool(lx.THIRD_PARTY.search(joined)), message=True
    )
    score, level = combine(signals, [context] if context > 0 else [])
    injection = bool(lx.INJECTION.search(parts[0]) or lx.INJECTION.search(" ".join(parts)))
    damping = _message_damping(flags, parts)
    primary = [s for s in signals if s.signal not in lx.BOOSTERS]
    # An idiom or a negation the rules recognised ("end it with him", "not suicidal") that leaves
    # no strong sign behind: the classifier only sees the danger words, so it counts for less.
    if max((s.weight for s in primary), default=0.0) < _BOOST_FLOOR and any(cancels):
        damping *= _IDIOM_DAMPING
    if not primary:
        return RuleResult(score, None, False, signals, injection, level, damping)
    best = max(primary, key=lambda s: s.weight)
    return RuleResult(score, best.category, _third_party(best), signals, injection, level, damping)
