"""The OpenAI chat-completions wire format, without any web framework: parse requests, build replies.

Requests are checked field by field so a bad body gets a 400 that names the field. The ``messages``
array *is* the conversation (the server keeps nothing between requests unless a ``session`` is
named): system/developer messages are ignored (the supporter's own system prompt is fixed), user
messages are the seeker's turns, assistant messages the supporter's; the last message must be from
the user. Sampling fields (temperature, max_tokens, ...) are accepted for compatibility, type
checked and ignored: decoding is set per strategy by the engine.

Our additions sit in one field, ``esc_edge``, on the response (and on the first and last stream
chunks): the planned strategy, the seeker's emotion, the crisis flag and category, timings.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import InputError
from esc_edge.history import MAX_ID_CHARS
from esc_edge.planner import strategies
from esc_edge.safety.base import SafetyCheck
from esc_edge.supporter import Reply
from esc_edge.text import normalise

EXTRAS_FIELD = "esc_edge"
MAX_MESSAGES = 1000
IGNORED_ROLES = ("system", "developer")
ROLES = {"user": "seeker", "assistant": "supporter"}
UNSUPPORTED = ("tools", "functions", "tool_choice", "function_call")


class ApiError(Exception):
    """An error answered to the client as ``{"error": {...}}`` with ``status``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return error_body(self.message, self.type, self.code, self.param)


def error_body(message: str, type: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def _bad(message: str, param: str | None = None, code: str = "invalid_value") -> ApiError:
    return ApiError(400, message, code=code, param=param)


@dataclass(frozen=True)
class ChatRequest:
    model: str
    history: tuple[Turn, ...]  # every message before the last, as turns
    text: str  # the last user message: the one to answer
    stream: bool = False
    include_usage: bool = False
    session: str | None = None
    strategy: str | None = None


# -- parsing --------------------------------------------------------------------------------------
def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_stop(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


# Accepted for compatibility with OpenAI clients and ignored; a wrong type is still a 400.
_IGNORED_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "temperature": (_is_number, "a number"),
    "top_p": (_is_number, "a number"),
    "presence_penalty": (_is_number, "a number"),
    "frequency_penalty": (_is_number, "a number"),
    "max_tokens": (_is_int, "an integer"),
    "max_completion_tokens": (_is_int, "an integer"),
    "seed": (_is_int, "an integer"),
    "user": (lambda v: isinstance(v, str), "a string"),
    "stop": (_is_stop, "a string or a list of strings"),
}


def parse_chat_request(body: object, models: tuple[str, ...]) -> ChatRequest:
    """Validate a decoded JSON body; raises :class:`ApiError` (400, or 404 for an unknown model)."""
    if not isinstance(body, dict):
        raise _bad("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise _bad("'model' is required and must be a string", "model")
    if model not in models:
        raise ApiError(
            404,
            f"the model {model!r} does not exist; this server has: {', '.join(models)}",
            code="model_not_found",
            param="model",
        )
    _check_options(body)
    turns = _parse_messages(body.get("messages"))
    last = turns.pop()
    if last.speaker != "seeker":
        raise _bad("the last message must be a 'user' message (the one to answer)", "messages")
    return ChatRequest(
        model=model,
        history=tuple(turns),
        text=last.text,
        stream=_flag(body, "stream"),
        include_usage=_include_usage(body),
        session=_session(body),
        strategy=_strategy(body),
    )


def _check_options(body: Mapping[str, Any]) -> None:
    for name, (valid, kind) in _IGNORED_FIELDS.items():
        if body.get(name) is not None and not valid(body[name]):
            raise _bad(f"'{name}' must be {kind}", name)
    n = body.get("n")
    if n is not None and n != 1:
        raise _bad("'n' must be 1: one reply per request", "n")
    for name in UNSUPPORTED:
        if body.get(name):
            raise _bad(f"'{name}' is not supported by this server", name, code="unsupported")


def _flag(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _bad(f"'{name}' must be true or false", name)
    return value


def _include_usage(body: Mapping[str, Any]) -> bool:
    options = body.get("stream_options")
    if options is None:
        return False
    if not isinstance(options, dict):
        raise _bad("'stream_options' must be an object", "stream_options")
    return _flag(options, "include_usage")


def _session(body: Mapping[str, Any]) -> str | None:
    session = body.get("session")
    if session is None:
        return None
    if not isinstance(session, str) or not session.strip():
        raise _bad("'session' must be a non-empty string", "session")
    if len(session) > MAX_ID_CHARS or not session.isprintable():
        raise _bad(f"'session' must be up to {MAX_ID_CHARS} printable characters", "session")
    return session


def _strategy(body: Mapping[str, Any]) -> str | None:
    value = body.get("strategy")
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad("'strategy' must be a string", "strategy")
    return _canonical_strategy(value, "strategy")


def _canonical_strategy(name: str, param: str) -> str:
    try:
        return strategies.canonical(name)
    except InputError as exc:
        raise _bad(str(exc), param) from None


def _parse_messages(messages: object) -> list[Turn]:
    if not isinstance(messages, list) or not messages:
        raise _bad("'messages' must be a non-empty list", "messages")
    if len(messages) > MAX_MESSAGES:
        raise _bad(f"too many messages ({len(messages)}; at most {MAX_MESSAGES})", "messages")
    turns: list[Turn] = []
    for index, message in enumerate(messages):
        turn = _parse_message(message, f"messages[{index}]")
        if turn is not None:
            turns.append(turn)
    if not turns:
        raise _bad("'messages' holds no user message", "messages")
    return turns


def _parse_message(message: object, where: str) -> Turn | None:
    if not isinstance(message, dict):
        raise _bad(f"{where} must be an object with 'role' and 'content'", where)
    role = message.get("role")
    if not isinstance(role, str):
        raise _bad(f"{where}.role must be a string", f"{where}.role")
    content = _content(message.get("content"), f"{where}.content")
    if role in IGNORED_ROLES:
        return None
    if role not in ROLES:
        raise _bad(f"{where}.role {role!r} is not supported (use user, assistant or system)", f"{where}.role")
    if role == "user" and not content.strip():
        raise _bad(f"{where}.content is empty", f"{where}.content")
    speaker = "seeker" if role == "user" else "supporter"
    return Turn(speaker, normalise(content), strategy=_echoed_strategy(message, where))  # type: ignore[arg-type]


def _content(content: object, where: str) -> str:
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        texts = []
        for part in content:
            is_text = isinstance(part, dict) and part.get("type") == "text"
            if not is_text or not isinstance(part.get("text"), str):
                raise _bad(f"{where}: only text parts {{'type': 'text', 'text': ...}} are supported", where)
            texts.append(part["text"])
        return "\n".join(texts)
    raise _bad(f"{where} must be a string or a list of text parts", where)


def _echoed_strategy(message: Mapping[str, Any], where: str) -> str | None:
    """An assistant message may carry back the ``esc_edge.strategy`` we sent: the prompt then matches
    the one the reply was written from (better replies, and the KV cache is reused)."""
    extras = message.get(EXTRAS_FIELD)
    if message.get("role") != "assistant" or not isinstance(extras, dict) or extras.get("strategy") is None:
        return None
    strategy = extras["strategy"]
    if not isinstance(strategy, str):
        raise _bad(f"{where}.{EXTRAS_FIELD}.strategy must be a string", where)
    return _canonical_strategy(strategy, f"{where}.{EXTRAS_FIELD}.strategy")


# -- careful mode without server state ---------------------------------------------------------------
def restore_careful_mode(conversation: Conversation, safety: SafetyCheck, careful_turns: int) -> None:
    """Rebuild the post-crisis careful mode from the history a stateless client sent.

    The engine handles the ``careful_turns`` seeker turns after a crisis more cautiously; that count
    lives in the conversation, which a stateless request does not carry. Re-screening the last few
    seeker messages (the rule-based check is cheap) restores it. A failing check counts as a crisis.
    """
    turns = conversation.snapshot()
    seeker_at = [i for i, turn in enumerate(turns) if turn.speaker == "seeker"][-careful_turns:]
    for later, index in enumerate(reversed(seeker_at)):
        context = Conversation(turns=turns[:index])
        try:
            crisis = safety.assess(context, turns[index].text).crisis
        except Exception:
            crisis = True
        if crisis:
            conversation.careful_turns_left = careful_turns - later
            return


# -- responses ------------------------------------------------------------------------------------
def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def extras(reply: Reply | None, session: str | None, **known: Any) -> dict[str, Any]:
    data = {k: v for k, v in reply.to_dict().items() if k != "reply"} if reply is not None else known
    return {**data, "session": session}


def usage(reply: Reply) -> dict[str, int]:
    prompt, completion = reply.timings.prompt_tokens, reply.timings.tokens
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion(reply: Reply, *, id: str, model: str, session: str | None) -> dict[str, Any]:
    return {
        "id": id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": usage(reply),
        EXTRAS_FIELD: extras(reply, session),
    }


def chunk(
    *,
    id: str,
    model: str,
    created: int,
    delta: Mapping[str, Any] | None = None,
    finish_reason: str | None = None,
    extra: Mapping[str, Any] | None = None,
    usage_data: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": []
        if delta is None
        else [{"index": 0, "delta": dict(delta), "logprobs": None, "finish_reason": finish_reason}],
    }
    if usage_data is not None:
        data["usage"] = dict(usage_data)
    if extra is not None:
        data[EXTRAS_FIELD] = dict(extra)
    return data


def model_object(name: str, created: int) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": created, "owned_by": "esc-edge"}
