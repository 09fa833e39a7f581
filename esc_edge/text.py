"""Normalise seeker text before anything else sees it.

NFKC folds look-alike forms (full-width letters, ligatures) so that safety rules and the tokenizer
see one spelling; invisible characters (zero-width, bidi overrides, C0/C1 controls) are removed
because they can hide words from the safety layer; chat-template markers typed by a user are
neutralised so they never read as a role switch, even to a human reading the transcript.
"""

from __future__ import annotations

import re
import unicodedata

from esc_edge.errors import InputError

DEFAULT_MAX_CHARS = 4000

_INVISIBLE = re.compile(
    "["
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # arabic letter mark
    "\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f"  # zero-width space/joiners, LRM/RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064\u2066-\u206f"  # word joiner, invisible operators, bidi isolates
    "\ufeff"  # BOM / zero-width no-break space
    "\ufe00-\ufe0f"  # variation selectors
    "]"
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# <|im_start|>, <|endoftext|>, <|eot_id|>, <|user|>... and their spaced variants.
_TEMPLATE_TOKEN = re.compile(r"<\s*\|[^<>|\n]{0,40}\|\s*>")
_ROLE_HEADER = re.compile(r"(?im)^\s*(system|assistant|user)\s*\n")
_SPACES = re.compile(r"[ \t\f\v]+")
_NEWLINES = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """Return ``text`` in NFKC with invisible/control characters removed and template markers defused."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = text.replace("\ufffd", " ")
    text = _TEMPLATE_TOKEN.sub(" ", text)
    text = _ROLE_HEADER.sub(lambda m: m.group(1) + ": ", text)
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n\n", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def clean(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Normalise a seeker message; empty or overlong messages raise :class:`InputError`."""
    if not isinstance(text, str):
        raise InputError(f"a message must be text, not {type(text).__name__}")
    cleaned = normalise(text)
    if not cleaned:
        raise InputError("the message is empty", hint="type what is on your mind")
    if len(cleaned) > max_chars:
        raise InputError(
            f"the message is too long ({len(cleaned):,} characters; the limit is {max_chars:,})",
            hint="send it in shorter parts or raise max_message_chars",
        )
    return cleaned


def decode_line(raw: bytes) -> tuple[str, bool]:
    """Decode bytes read from a stream; invalid UTF-8 is replaced, and the flag says so."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def word_count(text: str) -> int:
    return len(text.split())
