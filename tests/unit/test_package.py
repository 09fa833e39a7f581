"""Package-level promises: a light import, a clean CLI surface, lint and types."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]


def test_import_is_light() -> None:
    code = (
        "import sys, esc_edge, esc_edge.supporter;"
        "names = ('torch', 'transformers', 'click', 'llama_cpp', 'onnxruntime');"
        "heavy = [m for m in names if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api() -> None:
    import esc_edge

    for name in ("Supporter", "Conversation", "Reply", "Plan", "Assessment", "EscEdgeError", "__version__"):
        assert hasattr(esc_edge, name), name


def test_cli_help_lists_the_commands() -> None:
    from esc_edge.cli import cli

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("chat", "pull", "models", "config"):
        assert command in result.output


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(),
                    reason="ruff is not installed (pip install -e '.[test]')")  # fmt: skip
def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_is_clean() -> None:
    pytest.importorskip("mypy")
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
