"""The layered safety check: rules + learned classifier + recent context, failing safe.

Layers and how they combine (see docs/safety.md):

1. :mod:`~esc_edge.safety.rules` finds situations of danger clause by clause and weighs them
   (idioms, negation, past, fiction, jokes are handled there).
2. The learned layer adds evidence only when it is confident: the hashed n-gram model
   (:mod:`~esc_edge.safety.classifier`) and the static-encoder head
   (:mod:`~esc_edge.safety.embedding`) are mixed on the logit scale; above ``CLF_FLOOR`` the mix
   tips weak rule evidence over, and from ``CLF_ALONE`` it raises a crisis by itself. When the
   rules and this mix see a little risk (the gate), the planner's sentence encoder reads the
   message in context and its head (:mod:`~esc_edge.safety.encoder_head`) joins the mix as a
   third member, with its own levels.
3. Context: the risk carried by the last seeker turns (and a crisis reply among the last turns)
   is added as outside evidence, so "I have the pills here" after "everyone would be better off
   without me" is a crisis while the same words after "my doctor gave me sleeping pills" are not.

Any exception inside a layer is logged and turns into a needs-care result (``category="unknown"``,
``reason="detector failure"``): a broken detector must never let a crisis through silently.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from esc_edge.conversation import Conversation
from esc_edge.safety.base import INJECTION, Assessment, safety_checks
from esc_edge.safety.classifier import HashedLogReg
from esc_edge.safety.embedding import EmbeddingHead
from esc_edge.safety.encoder_head import DEFAULT_GATE, Encoder, EncoderHead, EncoderLayer
from esc_edge.safety.replies import guess_language, injection_reply, safety_reply
from esc_edge.safety.rules import RuleResult, assess_rules, noisy_or

log = logging.getLogger("esc_edge.safety")

DEFAULT_THRESHOLD = 0.5
# After a crisis the conversation stays in careful mode for a few turns, with a lower bar.
CAREFUL_THRESHOLD = 0.3
CONTEXT_TURNS = 3
# The most that earlier turns can contribute: context alone never makes a crisis.
MAX_CONTEXT = 0.45
# Learned evidence: nothing below CLF_FLOOR, rising linearly so that a prediction of CLF_ALONE
# reaches the crisis threshold by itself, at most CLF_WEIGHT. Blind rounds showed word rules
# missing a quarter to a half of new phrasings; the learned blend is what generalises. The levels
# and the blend weight were chosen on data the models had not seen: out-of-fold predictions on the
# hand-written corpus (4 folds, batches 1-6), ESConv validation turns and the eval set's holdout
# split. Round 6 moved CLF_ALONE from 0.97 to 0.9 and the n-gram share from 0.5 to 0.7: +5.4 points
# of out-of-fold recall for +0.6 points of false alarms on the corpus' look-alikes (docs/safety.md).
# At 0.9 short support openers ("I've been better") became crises. The models are now retrained with
# screened, weighted everyday talk and decide alone from 0.95: out of fold 78.0% / 4.8% (round 6:
# 80.9% / 5.1%), 7 of 2,689 ESConv validation turns flagged (round 6: 18).
CLF_FLOOR = 0.5
CLF_ALONE = 0.95
CLF_WEIGHT = 0.6
# Share of the hashed n-gram logit in the blend with the encoder head (see Blend): the n-grams read
# every language we cover, the English encoder's static vectors mostly English.
HASHED_WEIGHT = 0.7
# How the encoder head's refined blend evidence meets the cheap blend's (round 8): "never" lets it
# replace it (round 7: the head can lower a score as well as raise it), "careful" keeps the larger of
# the two in careful mode only (after a crisis the head never vetoes what the cheap layers saw),
# "always" keeps the larger everywhere. Measured leaving each spent holdout out (5-10, careful
# threshold 0.3): "never" 93.5% / 5.7% and 7 crises the cheap layers caught dropped by the head;
# "careful" 94.8% / 6.5%, none dropped; normal mode unchanged (90.1% / 2.1%, 7 of 2,689 ESConv
# validation turns). "always" had the same leave-out numbers but flagged 9 ESConv turns. Round 9
# (models retrained with corpus batch 7, the encoder head with hard everyday ESConv train turns
# weighted up): "always" 91.0% / 2.3% at threshold 0.5 (careful 94.4% / 6.7%, none dropped), 10
# ESConv validation turns; "careful" 90.9% / 2.3%, 8 turns.
NEVER_LOWER_MODES = ("never", "careful", "always")
NEVER_LOWER = "always"
# Texts longer than this are assessed on their head and tail windows plus a sampled middle:
# keeps a 500k-character paste linear and bounded in time.
MAX_ASSESSED_CHARS = 20_000
CHUNK_CHARS = 1_000
# Stems that make a chunk of a very long text worth a full look (any language we cover).
TRIGGERS = re.compile(
    r"kill|die\b|dying|dead|death|suicid|pill|tablet|overdos|hang|rope|jump|cut|blood|bleed|"
    r"breath|hit|beat|rape|stab|shoot|gun|knife|threat|goodbye|hurt|harm|end it|end my|"
    r"morir|matar|mourir|tuer|sterben|umbring|toten|morrer|suizid|"
    r"死|杀|跳|药|血|打|умер|убь|жить"
)


class Layer(Protocol):
    """A detector layer: evidence in [0, 1] for one message (rules get context separately)."""

    name: str

    def score(self, text: str) -> float: ...


class Model(Protocol):
    def predict(self, text: str) -> float: ...


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


@dataclass
class Blend:
    """Hashed n-grams (exact words, typos, other scripts) and the encoder head (meaning),
    mixed on the logit scale. Without a head it is the hashed model alone."""

    hashed: Model
    head: Model | None = None
    hashed_weight: float = HASHED_WEIGHT

    def logit(self, text: str) -> float:
        z = _logit(self.hashed.predict(text))
        if self.head is None:
            return z
        return self.hashed_weight * z + (1.0 - self.hashed_weight) * _logit(self.head.predict(text))

    def predict(self, text: str) -> float:
        return _sigmoid(self.logit(text))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(z, -30.0), 30.0)))


def evidence(p: float, floor: float = CLF_FLOOR, alone: float = CLF_ALONE) -> float:
    """A learned probability as detector evidence: none below ``floor``, rising linearly so that
    ``alone`` reaches the crisis threshold by itself, at most ``CLF_WEIGHT``."""
    if p < floor:
        return 0.0
    return min(CLF_WEIGHT, DEFAULT_THRESHOLD * (p - floor) / (alone - floor))


@dataclass
class ClassifierLayer:
    model: Model
    name: str = "classifier"
    floor: float = CLF_FLOOR
    alone: float = CLF_ALONE

    def score(self, text: str) -> float:
        return evidence(self.model.predict(text), self.floor, self.alone)


def _bounded(text: str) -> str:
    """Text of at most MAX_ASSESSED_CHARS: a long paste keeps its riskiest chunks.

    One cheap pass ranks fixed-size chunks by danger words, so a risk sentence buried in the
    middle of 500k characters is still assessed, at a cost linear in the length.
    """
    if len(text) <= MAX_ASSESSED_CHARS:
        return text
    size = CHUNK_CHARS
    chunks = [text[i : i + size] for i in range(0, len(text), size)]
    ranked = sorted(range(len(chunks)), key=lambda i: -len(TRIGGERS.findall(chunks[i].casefold())))
    keep = sorted({0, len(chunks) - 1, *ranked[: MAX_ASSESSED_CHARS // size - 2]})
    return "\n".join(chunks[i] for i in keep)


class LayeredSafetyCheck:
    """Rules + classifier + context. Thread-safe: holds no per-call state."""

    def __init__(
        self,
        *,
        locale: str = "en-US",
        threshold: float = DEFAULT_THRESHOLD,
        careful_threshold: float = CAREFUL_THRESHOLD,
        layers: Sequence[Layer] = (),
        context_turns: int = CONTEXT_TURNS,
        encoder: EncoderLayer | None = None,
        never_lower: str = NEVER_LOWER,
    ) -> None:
        if never_lower not in NEVER_LOWER_MODES:
            raise ValueError(f"never_lower must be one of {NEVER_LOWER_MODES}, not {never_lower!r}")
        self.locale = locale
        self.threshold = threshold
        self.careful_threshold = careful_threshold
        self.layers = list(layers)
        self.context_turns = context_turns
        # The sentence-encoder head joins the first Blend layer (see _with_encoder).
        self.encoder = encoder
        self.never_lower = never_lower

    @classmethod
    def create(
        cls,
        *,
        locale: str = "en-US",
        encoder: Encoder | None = None,
        use_encoder: bool = True,
        encoder_gate: float = DEFAULT_GATE,
        **options: object,
    ) -> LayeredSafetyCheck:
        """The shipped configuration: rules, the packaged classifier and encoder head, three turns
        of context. ``encoder`` (e.g. the chat's HierPlanner) serves the encoder head; without one
        the packaged planner's encoder is loaded on first use. ``use_encoder=False`` leaves the
        encoder head out (rules + n-gram blend only, no ONNX)."""
        layers: list[Layer] = []
        try:
            hashed = HashedLogReg.load()
        except Exception:  # a missing or broken model file: rules still protect
            log.exception("safety classifier unavailable; continuing with rules and context only")
            return cls(locale=locale, layers=layers, **options)  # type: ignore[arg-type]
        head: EmbeddingHead | None = None
        try:
            head = EmbeddingHead.load()
        except Exception:  # the n-gram model alone still generalises somewhat
            log.exception("safety embedding head unavailable; continuing with the n-gram model")
        layers.append(ClassifierLayer(Blend(hashed, head)))
        encoder_layer: EncoderLayer | None = None
        if use_encoder:
            try:
                encoder_layer = EncoderLayer(EncoderHead.load(), gate=encoder_gate)
            except Exception:  # the cheap layers still protect as before
                log.exception("safety encoder head unavailable; continuing without it")
            if encoder_layer is not None and encoder is not None:
                encoder_layer.share(encoder)
        return cls(locale=locale, layers=layers, encoder=encoder_layer, **options)  # type: ignore[arg-type]

    def share_encoder(self, encoder: Encoder) -> bool:
        """Let the encoder head use ``encoder`` (the chat's planner): each seeker message is then
        encoded once, for safety first and from the cache for the planner. False if refused."""
        return self.encoder is not None and self.encoder.share(encoder)

    # -- public ------------------------------------------------------------------------------
    def assess(self, conversation: Conversation | None, text: str, *, careful: bool = False) -> Assessment:
        """Assess ``text``, the newest seeker message, with ``conversation`` as recent context.

        ``careful`` lowers the threshold (use it while ``conversation.careful_turns_left > 0``).
        Never raises: a failure inside the detector returns a needs-care Assessment.
        """
        try:
            return self._assess(conversation, text, careful)
        except Exception:
            log.exception("safety detector failed; treating the message as needing care")
            return Assessment(crisis=True, category="unknown", score=1.0, reason="detector failure")

    def reply(self, assessment: Assessment, locale: str | None = None) -> str:
        """The vetted message for ``assessment``: a safety message for a crisis (numbers for
        ``locale``, else our own), an on-task answer for an instruction-injection attempt."""
        if not assessment.crisis and assessment.reason == INJECTION:
            return injection_reply(locale or self.locale, assessment.lang)
        return safety_reply(assessment, locale or self.locale)

    def threshold_for(self, careful: bool) -> float:
        return self.careful_threshold if careful else self.threshold

    # -- internals ---------------------------------------------------------------------------
    def _assess(self, conversation: Conversation | None, text: str, careful: bool) -> Assessment:
        text = _as_text(text)
        if not text.strip():
            return Assessment(crisis=False, reason="empty")
        text = _bounded(text)
        context = self._context(conversation, text)
        rules = assess_rules(text, context=context)
        extra = [layer.score(text) * rules.damping for layer in self.layers]
        score = noisy_or([rules.score, *extra])
        if self.encoder is not None and score >= self.encoder.gate:
            refined = self._with_encoder(text, self.encoder)
            if refined is not None:
                index, value = refined[0], refined[1] * rules.damping
                if self.never_lower == "always" or (careful and self.never_lower == "careful"):
                    value = max(value, extra[index])
                extra = [e if i != index else value for i, e in enumerate(extra)]
                score = noisy_or([rules.score, *extra])
        threshold = self.threshold_for(careful)
        crisis = score >= threshold
        reason = _reason(rules, extra, context, crisis)
        category = rules.category if crisis else None
        if crisis and category is None:
            category = self._context_category(conversation, text) or "suicide"
        subject = "third_party" if rules.third_party else "self"
        if not crisis and rules.injection:
            reason = INJECTION
        return Assessment(crisis, category, round(score, 4), subject, reason, guess_language(text))

    def _with_encoder(self, text: str, encoder: EncoderLayer) -> tuple[int, float] | None:
        """(index, evidence) of the first Blend layer with the encoder head as a third member, or
        None when there is no blend or no encoder could be loaded."""
        for i, layer in enumerate(self.layers):
            if isinstance(layer, ClassifierLayer) and isinstance(layer.model, Blend):
                p = encoder.probability(text)
                if p is None:
                    return None
                head = encoder.head
                z = (1.0 - head.weight) * layer.model.logit(text) + head.weight * _logit(p)
                return i, evidence(_sigmoid(z), head.floor, head.alone)
        return None

    def _recent(self, conversation: Conversation | None, text: str) -> list[str]:
        if conversation is None:
            return []
        recent = conversation.recent_seeker_texts(self.context_turns + 1)
        if recent and recent[-1] == text:
            recent = recent[:-1]
        return recent[-self.context_turns :]

    def _context(self, conversation: Conversation | None, text: str) -> float:
        recent = self._recent(conversation, text)
        level = max((assess_rules(_bounded(t)).context_level for t in recent), default=0.0)
        if conversation is not None and any(t.crisis for t in conversation.snapshot()[-4:]):
            level = max(level, MAX_CONTEXT)
        return min(level, MAX_CONTEXT)

    def _context_category(self, conversation: Conversation | None, text: str) -> str | None:
        for earlier in reversed(self._recent(conversation, text)):
            category = assess_rules(_bounded(earlier)).category
            if category:
                return category
        return None


def _as_text(text: object) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray)):
        return bytes(text).decode("utf-8", errors="replace")
    return "" if text is None else str(text)


def _reason(rules: RuleResult, extra: list[float], context: float, crisis: bool) -> str:
    if not crisis:
        return ""
    parts = sorted({s.signal for s in rules.signals if s.weight >= 0.3})
    if any(e > 0 for e in extra):
        parts.append("classifier")
    if context > 0:
        parts.append("context")
    return "+".join(parts) or "rules"


safety_checks.add("layered", LayeredSafetyCheck.create)
