import hashlib
import zipfile
from pathlib import Path

import pytest

from esc_edge.errors import ModelCorruptError, ModelNotFoundError, PullError
from esc_edge.models.registry import ModelSpec, load_registry, parse
from esc_edge.models.store import ModelStore

PAYLOAD = b"GGUF" + bytes(range(256)) * 64


def _registry(payload: bytes = PAYLOAD):  # type: ignore[no-untyped-def]
    return parse({
        "defaults": {"policy": "tiny"},
        "models": {"tiny": {
            "role": "policy", "file": "tiny.gguf", "size": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(), "license": "MIT",
            "source": {"type": "pypi-wheel", "package": "tiny-model", "version": "1.0",
                       "wheel": "tiny_model-1.0-py3-none-any.whl", "member": "tiny_model/tiny.gguf"},
        }},
    })  # fmt: skip


class WheelFetcher:
    def __init__(self, payload: bytes = PAYLOAD, fail: bool = False) -> None:
        self.payload, self.fail, self.calls = payload, fail, 0

    def __call__(self, spec: ModelSpec, dest_dir: Path) -> Path:
        self.calls += 1
        if self.fail:
            raise PullError("could not download tiny-model==1.0 from the package index: no network")
        wheel = dest_dir / "tiny_model-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr("tiny_model/tiny.gguf", self.payload)
        return wheel


def test_pull_extracts_verifies_and_caches(tmp_path: Path) -> None:
    fetcher = WheelFetcher()
    store = ModelStore(tmp_path, _registry(), fetcher)
    assert not store.is_installed("tiny")
    path = store.pull("tiny")
    assert path.read_bytes() == PAYLOAD and store.is_installed("tiny")
    assert store.path("tiny") == path and fetcher.calls == 1
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".pull-*"))


def test_missing_model_without_pull_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="esc-edge pull tiny"):
        ModelStore(tmp_path, _registry(), WheelFetcher()).path("tiny")


def test_corrupt_and_partial_files_are_repaired(tmp_path: Path) -> None:
    fetcher = WheelFetcher()
    store = ModelStore(tmp_path, _registry(), fetcher)
    path = store.pull("tiny")
    path.write_bytes(PAYLOAD[:100])  # partial
    assert not store.is_installed("tiny")
    assert store.path("tiny", pull=True).read_bytes() == PAYLOAD
    path.write_bytes(PAYLOAD[:-1] + b"X")  # same size, wrong bytes
    assert not store.is_installed("tiny")
    assert store.path("tiny", pull=True).read_bytes() == PAYLOAD
    assert fetcher.calls == 3


def test_a_wrong_checksum_from_the_index_is_refused(tmp_path: Path) -> None:
    bad = PAYLOAD[:-1] + b"Y"
    store = ModelStore(tmp_path, _registry(), WheelFetcher(payload=bad))
    with pytest.raises(ModelCorruptError, match="fails its checksum"):
        store.pull("tiny")
    assert not (tmp_path / "tiny.gguf").exists()


def test_no_network_is_a_clear_pull_error(tmp_path: Path) -> None:
    store = ModelStore(tmp_path, _registry(), WheelFetcher(fail=True))
    with pytest.raises(PullError, match="no network"):
        store.path("tiny", pull=True)


def test_shipped_registry_is_consistent() -> None:
    registry = load_registry()
    policy = registry.default("policy")
    assert policy is not None and registry.get(policy).role == "policy"
    for spec in registry.models.values():
        assert spec.license and spec.source.type in ("pypi-wheel", "package")
        if spec.source.type == "pypi-wheel":
            assert spec.sha256 and len(spec.sha256) == 64 and spec.size
