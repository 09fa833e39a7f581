from pathlib import Path

import pytest

from esc_edge.config import load_settings
from esc_edge.errors import ConfigError


def test_precedence_file_then_env_then_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("locale: en-GB\nword_budget: 25\nthreads: 2\n")
    env = {"ESC_EDGE_WORD_BUDGET": "20", "ESC_EDGE_THREADS": "3"}
    settings = load_settings({"threads": 4, "seed": None}, config_path=cfg, environ=env)
    assert (settings.locale, settings.word_budget, settings.threads) == ("en-GB", 20, 4)
    sources = {name: source for name, _, source in settings.describe()}
    assert sources["locale"].startswith("file ")
    assert sources["word_budget"] == "env ESC_EDGE_WORD_BUDGET"
    assert sources["threads"] == "flag"
    assert sources["seed"] == "default"


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    settings = load_settings(config_path=tmp_path / "absent.yaml", environ={})
    assert settings.word_budget == 30 and settings.runtime == "auto"


@pytest.mark.parametrize(
    "content, message",
    [
        ("word_budget: -3\n", "invalid value for 'word_budget'"),
        ("colour: blue\n", "unknown setting"),
        ("- a list\n", "must hold a mapping"),
        ("a: [unclosed\n", "cannot read config file"),
    ],
)
def test_bad_config_files(tmp_path: Path, content: str, message: str) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(config_path=cfg, environ={})


def test_bad_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ESC_EDGE_CONSTRAINTS"):
        load_settings(config_path=tmp_path / "x.yaml", environ={"ESC_EDGE_CONSTRAINTS": "maybe"})
