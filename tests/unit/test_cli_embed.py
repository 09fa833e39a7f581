"""`esc-edge serve` start-up errors and `esc-edge history` on fakes (the live server: integration).

The click runner sees the raised EscEdgeError; `esc-edge` itself turns it into one stderr line and
its exit code (tested for every command in test_cli_core)."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from esc_edge.cli import cli
from esc_edge.conversation import Conversation
from esc_edge.errors import BackendUnavailableError, ConfigError, InputError
from esc_edge.generation.base import generators
from esc_edge.history import HistoryStore
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


# -- serve ---------------------------------------------------------------------------------------------
def test_serve_without_the_extra_names_the_pip_command(
    fake_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now fails
    result = CliRunner().invoke(cli, ["serve"], env=fake_env)
    assert isinstance(result.exception, BackendUnavailableError)
    assert "pip install 'esc-edge[serve]'" in str(result.exception)


def test_serve_refuses_a_taken_port_in_one_line(fake_env: dict[str, str]) -> None:
    pytest.importorskip("uvicorn")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)], env=fake_env)
    assert isinstance(result.exception, ConfigError) and "cannot listen on 127.0.0.1" in str(result.exception)


def test_serve_rejects_a_bad_port(fake_env: dict[str, str]) -> None:
    pytest.importorskip("uvicorn")
    result = CliRunner().invoke(cli, ["serve", "--port", "70000"], env=fake_env)
    assert isinstance(result.exception, ConfigError) and "invalid port" in str(result.exception)


def test_serve_settings_come_from_the_config_file(tmp_path: Path) -> None:
    from esc_edge.config import load_settings
    from esc_edge.server.app import LOOPBACK_HOSTS, ServerOptions

    config = tmp_path / "c.yaml"
    config.write_text("host: 0.0.0.0\nport: 9000\nmax_pending: 3\nmax_body_bytes: 5000\n")
    settings = load_settings(config_path=config, environ={})
    options = ServerOptions.from_settings(settings, api_token="t")
    assert (settings.host, settings.port) == ("0.0.0.0", 9000)
    assert (options.max_pending, options.max_body_bytes, options.allowed_hosts) == (3, 5000, None)
    local = ServerOptions.from_settings(load_settings(config_path=tmp_path / "none.yaml", environ={}))
    assert local.allowed_hosts == LOOPBACK_HOSTS and local.api_token is None


# -- history -------------------------------------------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite3"
    conversation = Conversation()
    conversation.add_seeker("I lost my job")
    conversation.add_supporter("That sounds hard.", strategy="Reflection of feelings")
    with HistoryStore(path) as store:
        store.save("work", conversation)
    return path


def test_history_list_show_export_import_delete(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["history", "list", "--db", str(db), "--json"])
    assert json.loads(listed.stdout)["id"] == "work" and json.loads(listed.stdout)["turns"] == 2
    shown = runner.invoke(cli, ["history", "show", "work", "--db", str(db)])
    assert "supporter [Reflection of feelings]: That sounds hard." in shown.stdout
    out = tmp_path / "work.json"
    assert runner.invoke(cli, ["history", "export", "work", "--db", str(db), "-o", str(out)]).exit_code == 0
    assert Conversation.load(out).turns[0].text == "I lost my job"
    imported = runner.invoke(cli, ["history", "import", str(out), "--db", str(db), "--id", "copy"])
    assert imported.stdout.strip() == "copy"
    assert runner.invoke(cli, ["history", "delete", "work", "--db", str(db)], input="n\n").exit_code != 0
    assert runner.invoke(cli, ["history", "delete", "work", "--db", str(db), "--yes"]).exit_code == 0
    with HistoryStore(db) as store:
        assert [s.id for s in store.list()] == ["copy"]


def test_history_errors_are_one_line(db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["history", "show", "nope", "--db", str(db)])
    assert isinstance(missing.exception, InputError) and "no saved conversation 'nope'" in str(
        missing.exception
    )
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    result = runner.invoke(cli, ["history", "import", str(bad), "--db", str(db)])
    assert isinstance(result.exception, InputError) and "not valid JSON" in str(result.exception)
