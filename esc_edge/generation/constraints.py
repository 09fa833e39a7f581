"""The constraint layer: short, human, on-strategy, fresh replies, at almost no cost in speed.

It knows nothing about a backend beyond its :class:`Vocabulary` (token id -> bytes). At load,
:func:`build_constraints` turns the vocabulary into per-token arrays with vectorised numpy (which
tokens start a word, end a sentence, hold a "?", a digit, a newline, a template character ...).
Per turn, :meth:`ReplyConstraints.processor` returns a logits processor that keeps a small state
(words, questions, sentence boundary, current word), updates it from the newest token only, and
masks or biases whole index arrays. No per-token Python loop ever touches the vocabulary.

Hard rules (masked, so they cannot be broken): the word budget, end of turn only at a sentence
boundary and after ``min_words``, at most ``max_questions`` question marks, no newline, no
template or markdown characters, no role prefix ("Seeker:"), no URL, e-mail or phone number.
Soft rules (logit penalties): stock phrases, openers and trigrams the supporter already used, and a
repetition penalty over the reply's own tokens that spares the seeker's words.

Settings come from the packaged ``decoding.yaml`` merged with the user's ``decoding:`` section.
"""

from __future__ import annotations

import functools
import re
import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from esc_edge.config import Settings
from esc_edge.errors import ConfigError, InputError
from esc_edge.generation.base import DecodeOptions, Logits, TokenIds, TurnSpec, Vocabulary
from esc_edge.planner import strategies

PACKAGED_DECODING = Path(__file__).with_name("decoding.yaml")

NEG_INF = np.float32(-np.inf)
# Pieces longer than this are runs of spaces, dashes or code; no reply needs them.
MAX_PIECE_BYTES = 24
WHITESPACE = b" \t\n\r\x0b\x0c"
SENTENCE_END = b".!?"
# Characters a supporter's chat reply has no use for, and which template tokens, markdown and
# code are made of ("<|im_end|>", "[Question]", "**", "#", "@" of an e-mail, "_", "=").
BANNED_CHARS = b"<>[]{}|#*_`\\@=~^$"
# Fragments of links and template words, wherever they appear inside a piece.
BANNED_FRAGMENTS = (b"://", b"//", b"www", b"http", b".com", b".org", b".net", b"im_start", b"im_end")
# A word followed by ":" that would start a speaker line ("Seeker: ..."), a leaked strategy
# label ("Question: ...") or an LLM answer label ("Response: ...").
ROLE_WORDS = frozenset(
    {
        b"seeker", b"user", b"supporter", b"assistant", b"human", b"system", b"ai", b"bot",
        b"therapist", b"counselor", b"counsellor", b"listener", b"helper", b"client", b"me",
        b"question", b"paraphrasing", b"feelings", b"self-disclosure", b"disclosure",
        b"reassurance", b"suggestions", b"information", b"others", b"strategy", b"response",
        b"reply", b"answer",
    }
)  # fmt: skip
CURLY_APOSTROPHE = "’".encode()
CLOSERS = (b'"', b"'", b")", "”".encode(), CURLY_APOSTROPHE)
# Stripped from both ends of a word before comparing words (phrases, openers, trigrams).
EDGE_PUNCTUATION = b".,!?;:\"()-'"
# Copy penalties stack over n-gram orders 3..NGRAM_MAX_ORDER (see add_ngrams).
NGRAM_MAX_ORDER = 5

BoolArray = npt.NDArray[np.bool_]
IdArray = npt.NDArray[np.intp]


# =============================================================================================
# Settings
# =============================================================================================

SAMPLING_KEYS = ("temperature", "top_p", "top_k", "min_p", "max_tokens", "repeat_penalty")
STRATEGY_KEYS = (*SAMPLING_KEYS, "max_questions", "lead")
TOP_LEVEL_KEYS = ("defaults", "strategies", "length", "formula", "stock_phrases", "safety")


@dataclass(frozen=True)
class LengthRules:
    wrap_up_words: int = 8
    wrap_up_bias: float = 1.0
    tail_tokens: int = 2
    tail_margin: float = 1.0
    min_sentence_words: int = 6
    end_bias: float = 2.0
    end_bias_per_word: float = 0.4


@dataclass(frozen=True)
class FormulaRules:
    opener_penalty: float = 6.0
    ngram_penalty: float = 3.0
    repetition_penalty: float = 1.15
    stock_penalty: float = 4.0
    lead_bias: float = 2.0


@dataclass(frozen=True)
class SafetyRules:
    max_digits: int = 4


@dataclass(frozen=True)
class StockPhrase:
    words: tuple[bytes, ...]
    penalty: float
    exempt: frozenset[str] = frozenset()  # strategies for which the phrase is a fair move


@dataclass(frozen=True)
class StrategyRules:
    sampling: Mapping[str, Any]
    max_questions: int
    lead: tuple[str, ...] = ()  # typical first words of the strategy, favoured at the reply start


@dataclass(frozen=True)
class DecodingConfig:
    defaults: StrategyRules
    strategies: Mapping[str, StrategyRules]
    length: LengthRules
    formula: FormulaRules
    safety: SafetyRules
    stock_phrases: tuple[StockPhrase, ...]

    def for_strategy(self, strategy: str | None) -> StrategyRules:
        return self.strategies.get(strategy or "", self.defaults)


@functools.lru_cache(maxsize=1)
def _packaged() -> dict[str, Any]:
    data = yaml.safe_load(PACKAGED_DECODING.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (numbers, lists) replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def merge_decoding(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Two ``decoding:`` mappings as one, ``override`` winning key by key (as the YAML layers do)."""
    return _merge(base, override)


def _check_keys(section: str, data: Any, allowed: Sequence[str]) -> Mapping[str, Any]:
    where = f"decoding.{section}" if section else "decoding"
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where} must be a mapping, got {type(data).__name__}")
    unknown = sorted(set(map(str, data)) - set(allowed))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}",
            hint="known: " + ", ".join(allowed),
        )
    return data


def _dataclass_from(cls: Any, section: str, data: Any) -> Any:
    names = list(cls.__dataclass_fields__)
    values = _check_keys(section, data, names)
    defaults = cls()
    try:
        return cls(**{n: type(getattr(defaults, n))(values[n]) for n in values})
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"decoding.{section}: {exc}") from None


def _strategy_rules(section: str, data: Mapping[str, Any]) -> StrategyRules:
    values = dict(_check_keys(section, data, STRATEGY_KEYS))
    lead = values.pop("lead", None) or []
    if not isinstance(lead, list) or not all(isinstance(x, str) for x in lead):
        raise ConfigError(f"decoding.{section}.lead must be a list of phrases")
    try:
        max_questions = int(values.pop("max_questions", 1))
        sampling = {k: (int(v) if k in ("top_k", "max_tokens") else float(v)) for k, v in values.items()}
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"decoding.{section}: {exc}") from None
    if max_questions < 0:
        raise ConfigError(f"decoding.{section}.max_questions must be 0 or more")
    return StrategyRules(sampling=sampling, max_questions=max_questions, lead=tuple(lead))


def _canonical_strategy(name: Any, where: str) -> str:
    try:
        return strategies.canonical(str(name))
    except InputError as exc:
        raise ConfigError(f"decoding.{where}: {exc.message}", hint=exc.hint) from None


def _stock_phrase(entry: Any, default_penalty: float) -> StockPhrase:
    if isinstance(entry, str):
        entry = {"text": entry}
    data = _check_keys("stock_phrases[]", entry, ("text", "penalty", "except"))
    text = data.get("text")
    if not isinstance(text, str) or not text.split():
        raise ConfigError("decoding.stock_phrases: every entry needs a non-empty text")
    exempt = frozenset(_canonical_strategy(s, "stock_phrases.except") for s in data.get("except") or ())
    try:
        penalty = float(data.get("penalty", default_penalty))
    except (TypeError, ValueError):
        raise ConfigError(f"decoding.stock_phrases: bad penalty for {text!r}") from None
    return StockPhrase(words=words_of(text), penalty=penalty, exempt=exempt)


def load_decoding(user: Mapping[str, Any] | None = None) -> DecodingConfig:
    """The packaged ``decoding.yaml`` merged with a user's ``decoding:`` mapping, validated."""
    data = _merge(_packaged(), _check_keys("", user or {}, TOP_LEVEL_KEYS))
    defaults_raw = dict(_check_keys("defaults", data.get("defaults"), STRATEGY_KEYS))
    defaults = _strategy_rules("defaults", defaults_raw)
    per_strategy: dict[str, StrategyRules] = {}
    section = data.get("strategies") or {}
    if not isinstance(section, Mapping):
        raise ConfigError("decoding.strategies must map strategy names to settings")
    for name, values in section.items():
        canonical = _canonical_strategy(name, "strategies")
        merged = _merge(defaults_raw, _check_keys(f"strategies.{name}", values, STRATEGY_KEYS))
        per_strategy[canonical] = _strategy_rules(f"strategies.{name}", merged)
    formula = _dataclass_from(FormulaRules, "formula", data.get("formula"))
    phrases = data.get("stock_phrases") or []
    if not isinstance(phrases, list):
        raise ConfigError("decoding.stock_phrases must be a list")
    return DecodingConfig(
        defaults=defaults,
        strategies=per_strategy,
        length=_dataclass_from(LengthRules, "length", data.get("length")),
        formula=formula,
        safety=_dataclass_from(SafetyRules, "safety", data.get("safety")),
        stock_phrases=tuple(_stock_phrase(p, formula.stock_penalty) for p in phrases),
    )


def decode_options(settings: Settings, strategy: str | None) -> DecodeOptions:
    """Sampling settings for one reply: decoding.yaml < user ``decoding:`` < temperature/seed."""
    rules = load_decoding(settings.decoding).for_strategy(strategy)
    values = dict(rules.sampling)
    if settings.temperature is not None:
        values["temperature"] = settings.temperature
    return DecodeOptions(**values, seed=settings.seed)


# =============================================================================================
# Words
# =============================================================================================


def normalise_word(raw: bytes) -> bytes:
    """Lower case, straight apostrophes, no punctuation at either end: how words are compared."""
    return raw.lower().replace(CURLY_APOSTROPHE, b"'").strip(EDGE_PUNCTUATION)


def words_of(text: str) -> tuple[bytes, ...]:
    words = (normalise_word(w) for w in text.encode("utf-8").split())
    return tuple(w for w in words if w)


# =============================================================================================
# Token tables (built once per vocabulary)
# =============================================================================================


# Byte classes, one bit each, looked up once for every byte of every piece.
SPACE, WORD, BANNED, END, QUESTION, DIGIT, APOSTROPHE, COLON = (1 << i for i in range(8))
MATRIX_WIDTH = 32  # bytes kept per piece; anything longer is banned anyway (> MAX_PIECE_BYTES)
_FNV_OFFSET, _FNV_PRIME, _MASK64 = 14695981039346656037, 1099511628211, (1 << 64) - 1


def _byte_classes() -> npt.NDArray[np.uint8]:
    table = np.zeros(256, dtype=np.uint8)
    for flag, chars in (
        (SPACE, WHITESPACE),
        (BANNED, BANNED_CHARS),
        (END, SENTENCE_END),
        (QUESTION, b"?"),
        (APOSTROPHE, b"'"),
        (COLON, b":"),
    ):
        table[list(chars)] |= flag
    letters = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    table[list(letters)] |= WORD
    table[list(b"0123456789")] |= WORD | DIGIT
    table[0x80:] |= WORD  # UTF-8 bytes: letters of other scripts, accents, emoji
    return table


_CLASSES = _byte_classes()


def _rows_any(mask: npt.NDArray[np.bool_]) -> BoolArray:
    if mask.shape[1] % 8 == 0:  # eight bytes at a time: several times faster on wide rows
        packed = np.ascontiguousarray(mask).view(np.uint64)
        return np.asarray(packed.any(axis=1), dtype=bool)
    return np.asarray(mask.any(axis=1), dtype=bool)


def _rows_all(mask: npt.NDArray[np.bool_]) -> BoolArray:
    return ~_rows_any(~mask)


def _ends_sentence(piece: bytes) -> bool:
    core = piece
    while core.endswith(CLOSERS):
        core = next(core[: -len(c)] for c in CLOSERS if core.endswith(c))
    # An ellipsis trails off ("I'm not here to tell you to..."): the sentence is not finished.
    return core[-1:] != b"" and core[-1] in SENTENCE_END and not core.endswith(b"..")


def _find_all(haystack: bytes, needle: bytes) -> Iterator[int]:
    at = haystack.find(needle)
    while at >= 0:
        yield at
        at = haystack.find(needle, at + 1)


def _ids(mask: BoolArray) -> IdArray:
    return np.flatnonzero(mask)


def _fnv64(key: bytes) -> int:
    """The hash :func:`_row_hashes` gives a matrix row holding ``key``, zero padded."""
    h = _FNV_OFFSET
    for (word,) in struct.iter_unpack("<Q", key.ljust(MATRIX_WIDTH, b"\0")):
        h = ((h ^ word) * _FNV_PRIME) & _MASK64
    return h


def _row_hashes(matrix: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    words = np.ascontiguousarray(matrix).view("<u8")
    h = np.full(matrix.shape[0], _FNV_OFFSET, dtype=np.uint64)
    for column in range(words.shape[1]):
        h ^= words[:, column]
        h *= np.uint64(_FNV_PRIME)
    return h


class _Pieces:
    """The vocabulary as a zero-padded byte matrix with a class bit-set for every byte."""

    def __init__(self, vocab: Vocabulary) -> None:
        fixed = np.array(vocab.pieces, dtype=f"S{MATRIX_WIDTH}")
        self.matrix = fixed.view(np.uint8).reshape(len(vocab.pieces), MATRIX_WIDTH)
        self.lengths = np.fromiter(map(len, vocab.pieces), dtype=np.int64, count=len(vocab.pieces))
        self.classes = np.take(_CLASSES, self.matrix)
        self.lead_space = (self.matrix[:, 0] == ord(" ")) & (self.lengths > 1)
        self.vocab = vocab

    def has(self, flag: int) -> npt.NDArray[np.bool_]:
        return (self.classes & flag) != 0

    def banned(self) -> BoolArray:
        """Tokens no reply may contain: control, odd white space, template/markdown/link bytes."""
        space = self.has(SPACE)
        control = np.zeros(len(self.lengths), dtype=bool)
        control[list(self.vocab.control_ids)] = True
        # White space only as one leading space before a word, or as a lone space (SmolLM2 has
        # no " 2" or " 😊": a number or emoji after a space needs it). No newlines, no runs.
        lone_space = (self.matrix[:, 0] == ord(" ")) & (self.lengths == 1)
        odd_space = _rows_any(space) & ~(self.lead_space & ~_rows_any(space[:, 1:])) & ~lone_space
        banned = control | odd_space | (self.lengths == 0) | (self.lengths > MAX_PIECE_BYTES)
        banned |= _rows_any(self.has(BANNED)) | self._with_fragments() | self._spaced_punctuation()
        banned[self.vocab.eos_id] = False
        return banned

    def _spaced_punctuation(self) -> BoolArray:
        """Punctuation after a space: " .", " ,", " ?" (openers like ' "' or " (" stay)."""
        found = np.zeros(len(self.lengths), dtype=bool)
        no_word = ~_rows_any(self.has(WORD))
        for token in _ids(self.lead_space & no_word).tolist():
            found[token] = set(self.vocab.pieces[token][1:]) <= set(b".,!?;:")
        return found

    def _with_fragments(self) -> BoolArray:
        """Pieces containing a link or template fragment, found with bytes.find over all pieces."""
        joined = b"\n".join(self.vocab.pieces).lower()  # "\n" is part of no fragment
        starts = np.concatenate([[0], np.cumsum(self.lengths + 1)[:-1]])
        hits = [at for fragment in BANNED_FRAGMENTS for at in _find_all(joined, fragment)]
        found = np.zeros(len(self.lengths), dtype=bool)
        found[np.searchsorted(starts, hits, side="right") - 1] = True
        return found

    def sentence_ends(self) -> BoolArray:
        """Pieces after which the text ends a sentence: ".", "!", "?", '."', "?)", not "..."."""
        ends = np.zeros(len(self.lengths), dtype=bool)
        for token in _ids(_rows_any(self.has(END))).tolist():
            ends[token] = _ends_sentence(self.vocab.pieces[token])
        return ends


class TokenTables:
    """Per-token facts: numpy arrays for masking, small Python lists for O(1) state updates."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.size = vocab.size
        self.eos_id = vocab.eos_id
        self.pieces = vocab.pieces
        b = _Pieces(vocab)
        valid = np.arange(MATRIX_WIDTH)[None, :] < np.minimum(b.lengths, MATRIX_WIDTH)[:, None]
        space, word = b.has(SPACE), b.has(WORD)
        solid = valid & ~space
        has_word = _rows_any(word)
        banned = b.banned()
        ends = b.sentence_ends()
        rows = np.arange(self.size)
        inner_starts = np.count_nonzero(solid[:, 1:] & space[:, :-1], axis=1)
        first = np.where(b.lead_space, b.matrix[:, 1], b.matrix[:, 0])
        first_word = np.where(b.lead_space, word[:, 1], word[:, 0])
        digits = np.count_nonzero(b.has(DIGIT), axis=1)
        questions = np.count_nonzero(b.has(QUESTION), axis=1)
        clean_end = ends & ~banned & ~b.lead_space & _rows_all(b.has(END) | ~valid)
        word_tail = _rows_all(b.has(WORD | APOSTROPHE) | ~valid)
        tail = ~banned & ~b.lead_space & (b.lengths > 0) & word_tail
        last = np.clip(b.lengths - 1, 0, MATRIX_WIDTH - 1)

        # Python lists: indexing them per token is several times faster than numpy scalars.
        self.new_words_after_space: list[int] = (inner_starts + solid[:, 0]).tolist()
        self.new_words_after_word: list[int] = inner_starts.tolist()
        self.ends_space: list[bool] = (space[rows, last] & (b.lengths > 0)).tolist()
        self.has_solid: list[bool] = _rows_any(solid).tolist()
        self.ends_sentence: list[bool] = ends.tolist()
        self.question_count: list[int] = questions.tolist()
        self.digit_count: list[int] = digits.tolist()
        self.punctuation_only: list[bool] = (~has_word).tolist()
        bare_punctuation = ~has_word & _rows_any(solid) & ~banned
        self.bare_punctuation: list[bool] = bare_punctuation.tolist()

        # Index arrays (small sets) and bias vectors (large sets, one vector add) for masking.
        self.banned_ids = _ids(banned)
        self.question_ids = _ids(questions > 0)
        self.multi_question_ids = _ids(questions > 1)
        self.digit_ids = _ids(digits > 0)
        self.colon_ids = _ids(first == ord(":"))
        self.clean_end_ids = _ids(clean_end)
        self.no_word_ids = _ids(~has_word)  # a reply cannot open with bare punctuation
        self.bare_punctuation_ids = _ids(bare_punctuation)
        # After ".", "!" or "?" a new sentence needs its space ("Hello.How", "example.com").
        self.glued_after_end = self._bias(~b.lead_space & first_word)
        # After a lone space only a word, number or emoji: no second space, no punctuation.
        self.space_after_space = self._bias(space[:, 0] | ~word[:, 0])
        self.wrap_tail = self._bias(~(clean_end | tail))
        self.wrap_end = self._bias(~clean_end)
        self.only_eos = self._bias(rows != vocab.eos_id)
        self._build_lookup(b)

    def _bias(self, mask: BoolArray) -> Logits:
        bias = np.zeros(self.size, dtype=np.float32)
        bias[mask] = NEG_INF
        return bias

    def _build_lookup(self, b: _Pieces) -> None:
        """Lower-cased piece -> ids via sorted 64-bit hashes (sorting the strings is 5x slower)."""
        upper = (b.matrix >= ord("A")) & (b.matrix <= ord("Z"))
        lowered = b.matrix + (upper * 32).astype(np.uint8)
        hashes = _row_hashes(lowered)
        self._order = np.argsort(hashes)
        self._hashes = hashes[self._order]
        self._curly: dict[bytes, list[int]] = {}
        for token in _ids(_rows_any(b.matrix == CURLY_APOSTROPHE[0])).tolist():
            key = self.pieces[token].lower().replace(CURLY_APOSTROPHE, b"'")
            if key != self.pieces[token].lower():
                self._curly.setdefault(key, []).append(token)

    def lookup(self, key: bytes) -> IdArray:
        """Ids of the tokens whose lower-cased piece equals ``key`` (curly apostrophes as ')."""
        return self.lookup_many([key])

    def lookup_many(self, keys: Sequence[bytes]) -> IdArray:
        """Ids of the tokens whose lower-cased piece equals any of ``keys``."""
        keys = [k for k in keys if 0 < len(k) <= MAX_PIECE_BYTES]
        hashes = np.array([_fnv64(k) for k in keys], dtype=np.uint64)
        lo = np.searchsorted(self._hashes, hashes, side="left").tolist()
        hi = np.searchsorted(self._hashes, hashes, side="right").tolist()
        found: list[int] = []
        for key, start, stop in zip(keys, lo, hi, strict=True):
            # A hash match is checked against the piece itself: collisions are possible.
            found += [t for t in self._order[start:stop].tolist() if self.pieces[t].lower() == key]
            found += self._curly.get(key, [])
        return np.unique(np.asarray(found, dtype=np.intp))


# =============================================================================================
# Patterns: "after these words, (do not) write that word"
# =============================================================================================

Context = tuple[bytes, ...]
Targets = dict[Context, list[tuple[bytes, float]]]  # context -> (next word, penalty; < 0 favours)


def _add(table: Targets, context: Context, word: bytes, penalty: float) -> None:
    table.setdefault(context, []).append((word, penalty))


def stock_targets(phrases: Iterable[StockPhrase], strategy: str | None) -> Targets:
    table: Targets = {}
    for phrase in phrases:
        if strategy in phrase.exempt:
            continue
        for k in range(1, len(phrase.words)):
            _add(table, phrase.words[:k], phrase.words[k], phrase.penalty)
    return table


def add_ngrams(
    table: Targets, words: Sequence[bytes], end: int, penalty: float, spared: frozenset[bytes]
) -> None:
    """Penalise ``words[end]`` after the 2, 3 and 4 words before it, ``penalty`` per order.

    The orders stack: copying a fifth word in a row costs 3x a third, so a reply can share a
    short phrase with an earlier one but cannot replay a whole sentence of it.
    """
    word = words[end]
    if word in spared:
        return
    for order in range(3, NGRAM_MAX_ORDER + 1):
        if end - order + 1 < 0:
            break
        _add(table, tuple(words[end - order + 1 : end]), word, penalty)


def ngram_targets(replies: Iterable[str], penalty: float, spared: frozenset[bytes]) -> Targets:
    table: Targets = {}
    for reply in replies:
        words = words_of(reply)
        for end in range(2, len(words)):
            add_ngrams(table, words, end, penalty, spared)
    return table


def opener_targets(replies: Iterable[str], penalty: float) -> Targets:
    """Anchored at the reply start: after an earlier opener's first word(s), its next word."""
    table: Targets = {}
    for reply in replies:
        words = words_of(reply)[:3]
        for k in range(1, len(words)):
            _add(table, words[:k], words[k], penalty)
    return table


def lead_targets(leads: Iterable[str], bias: float) -> Targets:
    """Anchored at the reply start, favoured: a strategy's typical first words ("have you")."""
    pairs = {(words[:k], words[k]) for lead in leads for words in [words_of(lead)] for k in range(len(words))}
    table: Targets = {}
    for context, word in sorted(pairs):
        _add(table, context, word, -bias)
    return table


# =============================================================================================
# The per-turn processor
# =============================================================================================


@dataclass
class _State:
    words: int = 0
    after_space: bool = True  # the reply start counts as white space: its first piece starts a word
    at_boundary: bool = False
    glued_end: bool = False  # the last piece ended a sentence with no space after it
    punctuation: bool = False  # the last piece was bare punctuation (",", ".", "!?")
    questions: int = 0
    digits: int = 0
    tail: int = 0  # tokens written since the word budget was reached
    current: bytes = b""  # the word being written, lower-cased raw bytes
    current_word: bytes = b""  # ... normalised
    done: list[bytes] = field(default_factory=list)  # finished words, normalised
    tokens: int = 0


class ReplyProcessor:
    """Steers one reply. Call it with (prompt + reply ids so far, next-token logits)."""

    def __init__(self, owner: ReplyConstraints, spec: TurnSpec) -> None:
        config = owner.config
        self.t = owner.tables
        self.spec = spec
        self.length = config.length
        self.formula = config.formula
        self.max_digits = config.safety.max_digits
        rules = config.for_strategy(spec.strategy)
        self.max_questions = rules.max_questions
        self.budget = max(1, spec.word_budget)
        self.min_words = max(0, min(spec.min_words, self.budget))
        self.state = _State()
        self._seen = spec.prompt_length
        self._ids = owner.ids_cache
        self._seeker_words = frozenset(words_of(spec.seeker_text))
        self._spared = set(self.t.lookup_many([b" " + w for w in self._seeker_words]).tolist())
        self._anywhere: Targets = {k: list(v) for k, v in owner.stock_for(spec.strategy).items()}
        penalty = self.formula.ngram_penalty
        for context, items in ngram_targets(spec.earlier_replies, penalty, self._seeker_words).items():
            self._anywhere.setdefault(context, []).extend(items)
        self._anchored = opener_targets(spec.earlier_replies, self.formula.opener_penalty)
        for context, items in owner.leads_for(spec.strategy).items():
            self._anchored.setdefault(context, []).extend(items)
        self._longest = max((len(c) for c in self._anywhere), default=0)
        self._repeated: list[int] = []
        self._repeated_set: set[int] = set()

    # -- state ------------------------------------------------------------------------------------
    def advance(self, token: int) -> None:
        """Fold one generated token into the state (O(length of one piece))."""
        t, s = self.t, self.state
        s.tokens += 1
        if not 0 <= token < t.size:
            return
        piece = t.pieces[token]
        added = t.new_words_after_space[token] if s.after_space else t.new_words_after_word[token]
        if s.words >= self.budget:
            s.tail += 1
        if added:
            self._finish_word()
            parts = piece.split()
            s.current = parts[-1].lower() if parts else b""
        else:
            s.current += piece.lower()
        s.current_word = normalise_word(s.current)
        s.words += added
        if piece:
            s.after_space = t.ends_space[token]
        if t.has_solid[token]:
            s.punctuation = t.bare_punctuation[token]
            s.at_boundary = t.ends_sentence[token]
        s.glued_end = s.at_boundary and not s.after_space
        s.questions += t.question_count[token]
        s.digits += t.digit_count[token]
        if token not in self._repeated_set and not t.punctuation_only[token] and token not in self._spared:
            self._repeated_set.add(token)
            self._repeated.append(token)

    def _finish_word(self) -> None:
        s = self.state
        if not s.current_word:
            return
        s.done.append(s.current_word)
        # This reply's own n-grams count as "already said" from now on.
        add_ngrams(self._anywhere, s.done, len(s.done) - 1, self.formula.ngram_penalty, self._seeker_words)
        self._longest = max(self._longest, min(len(s.done) - 1, NGRAM_MAX_ORDER - 1))

    # -- masking ----------------------------------------------------------------------------------
    def __call__(self, input_ids: TokenIds, scores: Logits) -> Logits:
        n = len(input_ids)
        if n > self._seen:
            for token in input_ids[self._seen : n].tolist():
                self.advance(token)
            self._seen = n
        scores[self.t.banned_ids] = NEG_INF
        if self._length(scores):
            return scores
        self._content(scores)
        self._formula(scores)
        return scores

    def _length(self, scores: Logits) -> bool:
        """Word budget, minimum and sentence-boundary endings. True when the reply must end now."""
        t, s, rules = self.t, self.state, self.length
        left = self.budget - s.words
        eos = t.eos_id
        if s.tokens == 0:
            scores[t.no_word_ids] = NEG_INF
        if s.at_boundary:
            if left <= 0 or (left < rules.min_sentence_words and s.words >= self.min_words):
                scores += t.only_eos
                return True
            if s.words >= self.min_words:
                scores[eos] += rules.end_bias + rules.end_bias_per_word * (s.words - self.min_words)
            else:
                scores[eos] = NEG_INF
            return False
        scores[eos] = NEG_INF
        if left <= 0:
            scores += t.wrap_tail if self._finishing_a_word(scores) else t.wrap_end
        elif left < rules.wrap_up_words:
            scores[t.clean_end_ids] += rules.wrap_up_bias * (rules.wrap_up_words - left)
        return False

    def _finishing_a_word(self, scores: Logits) -> bool:
        """At the budget, may the current word take another piece ("understa" + "nding")?

        Only when the model itself prefers that piece nearly as much as anything else: when it
        wanted a new word, a continuation piece would glue two words ("tofulfill").
        """
        if self.state.tail >= self.length.tail_tokens:
            return False
        best = float(scores.max())
        best_tail = float((scores + self.t.wrap_tail).max())
        return best_tail >= best - self.length.tail_margin

    def _content(self, scores: Logits) -> None:
        t, s = self.t, self.state
        if s.questions >= self.max_questions:
            scores[t.question_ids] = NEG_INF
        elif self.max_questions - s.questions < 2:
            scores[t.multi_question_ids] = NEG_INF
        if s.punctuation and s.words < self.budget:
            # No ".." or ", ," runs: below the minimum the model would otherwise print dots
            # forever. (At the budget only a sentence end is left, so it stays allowed there.)
            scores[t.bare_punctuation_ids] = NEG_INF
        if s.digits >= self.max_digits:
            scores[t.digit_ids] = NEG_INF
        if s.glued_end:
            scores += t.glued_after_end
        if s.after_space and s.tokens > 0:
            scores += t.space_after_space
        if _names_a_role(s.current_word):
            scores[t.colon_ids] = NEG_INF

    def _formula(self, scores: Logits) -> None:
        s = self.state
        if s.tokens == 0:
            for word, bias in self._anchored.get((), []):
                scores[self._first_word_ids(word)] -= bias
        current = s.current_word
        if current:
            # The next piece may start a new word: the current one is then finished ...
            for word, penalty in self._targets(s.done, current):
                scores[self._start_ids(word, penalty)] -= penalty
            # ... or it may continue the current word towards a targeted one.
            for word, penalty in self._targets(s.done, None):
                if penalty > 0 and len(word) > len(current) and word.startswith(current):
                    scores[self._continue_ids(word[len(current) :])] -= penalty
        if self._repeated and self.formula.repetition_penalty != 1.0:
            ids = np.fromiter(self._repeated, dtype=np.intp, count=len(self._repeated))
            values = scores[ids]
            p = self.formula.repetition_penalty
            scores[ids] = np.where(values > 0, values / p, values * p)

    def _targets(self, done: list[bytes], current: bytes | None) -> list[tuple[bytes, float]]:
        """Targets after ``done`` (+ ``current`` as a finished word): anchored, then anywhere."""
        recent = max(self._longest, 2)
        words = (*done[-recent:], current) if current is not None else tuple(done[-recent:])
        found: list[tuple[bytes, float]] = []
        if 0 < len(done) + (current is not None) <= 2:  # still at the reply start
            found += self._anchored.get(words, [])
        for k in range(1, min(self._longest, len(words)) + 1):
            found += self._anywhere.get(words[-k:], [])
        return found

    def _start_ids(self, word: bytes, penalty: float) -> IdArray:
        """Tokens that start ``word`` after a space: " sorry", and " so" or " sor" when penalising."""
        key = (b" " + word, penalty > 0)
        if key not in self._ids:
            shortest = min(2, len(word)) if penalty > 0 else len(word)
            keys = [b" " + word[:k] for k in range(shortest, len(word) + 1)]
            self._ids[key] = self.t.lookup_many(keys)
        return self._ids[key]

    def _first_word_ids(self, word: bytes) -> IdArray:
        """The first word of the reply, with or without its leading space."""
        key = (word, False)
        if key not in self._ids:
            self._ids[key] = self.t.lookup_many([b" " + word, word])
        return self._ids[key]

    def _continue_ids(self, rest: bytes) -> IdArray:
        key = (rest, True)
        if key not in self._ids:
            self._ids[key] = self.t.lookup_many([rest[:k] for k in range(1, len(rest) + 1)])
        return self._ids[key]


# =============================================================================================
# The Constraints implementation
# =============================================================================================

# A whole template marker ends the reply's turn: what follows it belongs to another turn.
_TURN_MARKER = re.compile(r"<\|(?:im_start|im_end|endoftext)\|>|</s>", re.IGNORECASE)
_CHATML_ROLE = re.compile(r"^\s*(?:system|user|assistant)\b\s*", re.IGNORECASE)
_MARKERS = re.compile(r"<\|[a-z_]*\|?>?|\|>|</?s>", re.IGNORECASE)
# A bracketed tag anywhere ("[Question]"): the reply never needs brackets (they are masked).
_TAG = re.compile(r"\s*\[[^\]]{0,40}\]\s*")
_ROLE = re.compile(
    r"\b(seeker|user|supporter|assistant|human|system|therapist|counsel+or|listener|response|reply)\s*:",
    re.IGNORECASE,
)
# Role words long enough to be recognised at the end of a glued word ("itSeeker:"); the short
# ones ("ai", "me") only as whole words, or "said:" and "time:" would lose their colon.
_GLUED_ROLE_WORDS = tuple(w for w in ROLE_WORDS if len(w) >= 4)


def _names_a_role(word: bytes) -> bool:
    return word in ROLE_WORDS or word.endswith(_GLUED_ROLE_WORDS)


_SENTENCE_END = re.compile(r"(?:[!?]+|(?<!\.)\.)[\"'”’)]*(?=\s|$)")


class ReplyConstraints:
    """Built once per loaded model (:func:`build_constraints`); cheap per turn."""

    def __init__(self, vocabulary: Vocabulary, config: DecodingConfig) -> None:
        self.config = config
        self.tables = TokenTables(vocabulary)
        names = (None, *strategies.NAMES)
        self._stock = {name: stock_targets(config.stock_phrases, name) for name in names}
        self._leads = {
            name: lead_targets(config.for_strategy(name).lead, config.formula.lead_bias) for name in names
        }
        # Token ids per (word or word part, penalising?), shared by every turn of this model.
        self.ids_cache: dict[tuple[bytes, bool], IdArray] = {}

    def stock_for(self, strategy: str | None) -> Targets:
        return self._stock.get(strategy, self._stock[None])

    def leads_for(self, strategy: str | None) -> Targets:
        return self._leads.get(strategy, self._leads[None])

    def processor(self, spec: TurnSpec) -> ReplyProcessor:
        if len(self.ids_cache) > 20_000:  # bounded across a long session
            self.ids_cache.clear()
        return ReplyProcessor(self, spec)

    def finalize(self, text: str, spec: TurnSpec) -> str:
        return finalize_reply(text, spec.word_budget)


def finalize_reply(text: str, word_budget: int) -> str:
    """Last clean-up of a finished or cut reply; never empties a reply that has words."""
    segments = _TURN_MARKER.split(text)
    # The first segment with words is the reply; a role name right after "<|im_start|>" is the
    # template's, not the reply's.
    text = next((seg for seg in segments if seg.strip()), "")
    if len(segments) > 1 and not segments[0].strip():
        text = _CHATML_ROLE.sub("", text, count=1)
    text = _MARKERS.sub(" ", text)
    text = _TAG.sub(" ", text)
    role = _ROLE.search(text)
    if role is not None:
        # A speaker label: the model started writing a dialogue. Keep what came before it, or
        # just drop the label if it opened the reply.
        before = text[: role.start()].strip()
        text = before if before else text[role.end() :]
    words = text.split()
    if not words:
        return ""
    cut = " ".join(words[: max(1, word_budget)])
    ends = list(_SENTENCE_END.finditer(cut))
    if ends and ends[-1].end() == len(cut):
        return cut
    if ends:
        return cut[: ends[-1].end()]
    return cut.rstrip(",;:-–—") + "."


def build_constraints(vocabulary: Vocabulary, settings: Settings) -> ReplyConstraints:
    """Precompute every token set for ``vocabulary``; called once when the model loads."""
    return ReplyConstraints(vocabulary, load_decoding(settings.decoding))


__all__ = [
    "DecodingConfig",
    "ReplyConstraints",
    "ReplyProcessor",
    "TokenTables",
    "build_constraints",
    "decode_options",
    "finalize_reply",
    "load_decoding",
]
