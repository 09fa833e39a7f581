"""The CLI on fake engine parts: JSON per turn, errors as one line, exit codes."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from esc_edge.cli import cli
from esc_edge.generation.base import generators
from esc_edge.planner.base import planners
from esc_edge.safety.base import safety_checks
from tests.fakes import FakeGenerator, FakePlanner, FakeSafety


@pytest.fixture
def fake_env(tmp_path: Path) -> dict[str, str]:
    generators.add("fake", FakeGenerator.from_options)
    planners.add("fake", FakePlanner)
    safety_checks.add("fake", lambda locale: FakeSafety())
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 64)
    return {
        "ESC_EDGE_GENERATOR": "fake",
        "ESC_EDGE_PLANNER": "fake",
        "ESC_EDGE_SAFETY": "fake",
        "ESC_EDGE_MODEL": str(model),
        "ESC_EDGE_CONSTRAINTS": "false",
        "ESC_EDGE_CONFIG": str(tmp_path / "none.yaml"),
    }


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_chat_json_one_object_per_turn(fake_env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["chat", "--json"], input="I lost my job\nDANGER\n", env=fake_env)
    assert result.exit_code == 0, result.output
    first, second = _lines(result.stdout)
    assert first["reply"] and first["strategy"] == "Question" and first["crisis"] is False
    timings = first["timings"]
    assert isinstance(timings, dict) and {"plan_ms", "ttft_ms", "total_ms", "tokens"} <= set(timings)
    assert second["crisis"] is True and second["strategy"] is None


def test_chat_bad_lines_get_an_error_object_and_the_session_goes_on(fake_env: dict[str, str]) -> None:
    stdin = b"\n" + b"x" * 500_000 + b"\n" + b"caf\xe9 is closed\n"
    result = CliRunner().invoke(cli, ["chat", "--json"], input=stdin, env=fake_env)
    rows = _lines(result.stdout)
    assert [("error" in r) for r in rows] == [True, True, False]
    assert result.exit_code == 2


def test_chat_history_and_strategy_flag(fake_env: dict[str, str], tmp_path: Path) -> None:
    history = tmp_path / "h.json"
    history.write_text(json.dumps({"turns": [{"speaker": "seeker", "text": "hi", "strategy": None}]}))
    result = CliRunner().invoke(
        cli, ["chat", "--json", "--history", str(history), "--strategy", "info"], input="more\n", env=fake_env
    )
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout)[0]["strategy"] == "Information"


def test_missing_history_file_is_a_clean_error(fake_env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["chat", "--json", "--history", str(tmp_path / "nope.json")], env=fake_env
    )
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_config_shows_sources(fake_env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["config", "--json"], env={**fake_env, "ESC_EDGE_LOCALE": "en-GB"})
    data = json.loads(result.stdout)
    assert data["settings"]["locale"] == {"value": "en-GB", "source": "env ESC_EDGE_LOCALE"}


def test_a_named_config_file_that_does_not_exist_is_an_error_not_ignored(
    fake_env: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        cli, ["chat", "--json", "--config", str(tmp_path / "typo.yaml")], input="hi\n", env=fake_env
    )
    assert result.exit_code == 2 and "does not exist" in result.output
    assert "reply" not in result.stdout


def test_chat_situation_flag_reaches_the_prompt(fake_env: dict[str, str]) -> None:
    generator = FakeGenerator()
    generators.add("fake", lambda options: generator)
    result = CliRunner().invoke(
        cli, ["chat", "--json", "--situation", "my dog died last week"], input="hi\n", env=fake_env
    )
    assert result.exit_code == 0, result.output
    prompt = bytes(t - 16 for t in generator.prompts[-1] if t >= 16).decode()
    assert "before the chat: my dog died last week" in prompt
