"""`esc-edge chat --json` end to end, as a user's script runs it, on the registry's default models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _chat(stdin: bytes, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    return subprocess.run(
        [sys.executable, "-m", "esc_edge.cli", "chat", "--json", "--yes", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
    )


def _rows(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_a_piped_message_gets_one_json_reply(base_gguf: Path) -> None:
    result = _chat(b"I lost my job today\n")
    assert result.returncode == 0, result.stderr.decode()
    (row,) = _rows(result)
    assert isinstance(row["reply"], str) and len(str(row["reply"]).split()) >= 3
    assert row["crisis"] is False and row["cancelled"] is False
    assert "<|im_" not in str(row["reply"])


def test_bad_lines_do_not_lose_the_conversation(base_gguf: Path) -> None:
    stdin = b"I feel so alone lately\n\n\xff\xfe not utf-8 \x00\x07\nI want to kill myself tonight\nthanks\n"
    result = _chat(stdin)
    rows = _rows(result)
    assert len(rows) == 5, result.stderr.decode()
    assert "reply" in rows[0] and rows[1]["error"]["type"] == "InputError"  # type: ignore[index]
    assert "reply" in rows[2]  # undecodable bytes are replaced, control characters dropped
    assert rows[3]["crisis"] is True and "988" in str(rows[3]["reply"])
    assert rows[4]["crisis"] is False and isinstance(rows[4]["reply"], str)


def test_a_corrupt_model_file_exits_4_with_a_hint(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(4096))
    result = _chat(b"hello\n", "--model", str(broken), timeout=120)
    assert result.returncode == 4
    err = result.stderr.decode()
    assert "broken.gguf" in err and "Traceback" not in err
    assert result.stdout == b""
