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
        assert spec.license and spec.source.type in ("pypi-wheel", "package", "composite")
        if spec.source.type in ("pypi-wheel", "package") and spec.format == "gguf":
            assert spec.sha256 and len(spec.sha256) == 64 and spec.size
        if spec.source.type == "package":  # shipped files are pinned too
            assert spec.sha256 and len(spec.sha256) == 64 and spec.size and spec.file
        if spec.source.type == "composite":  # base + adapter, both pinned
            assert registry.get(spec.base or "").sha256 and registry.get(spec.adapter or "").sha256


ONNX_BYTES = b"onnx-model" * 300


def _package_registry(payload: bytes = ONNX_BYTES):  # type: ignore[no-untyped-def]
    return parse({
        "defaults": {"policy": None, "planner": "shipped"},
        "models": {"shipped": {
            "role": "planner", "file": "planner.int8.onnx", "format": "onnx", "size": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(), "license": "CC-BY-NC-4.0",
            "source": {"type": "package", "path": "planner/model"},
        }},
    })  # fmt: skip


@pytest.fixture
def package_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "pkg"
    monkeypatch.setattr("esc_edge.models.store.package_path", lambda rel: root / rel)
    model_dir = root / "planner" / "model"
    model_dir.mkdir(parents=True)
    (model_dir / "planner.int8.onnx").write_bytes(ONNX_BYTES)
    return model_dir


def test_package_model_resolves_to_its_verified_directory(tmp_path: Path, package_root: Path) -> None:
    fetcher = WheelFetcher()
    store = ModelStore(tmp_path / "cache", _package_registry(), fetcher)
    assert store.location("shipped") == package_root
    assert store.is_installed("shipped") and store.path("shipped") == package_root
    assert store.pull("shipped") == package_root and fetcher.calls == 0
    # The installed package is not written to (it may be read-only).
    assert sorted(p.name for p in package_root.iterdir()) == ["planner.int8.onnx"]


def test_damaged_package_model_is_refused_not_pulled(tmp_path: Path, package_root: Path) -> None:
    fetcher = WheelFetcher()
    store = ModelStore(tmp_path / "cache", _package_registry(), fetcher)
    onnx = package_root / "planner.int8.onnx"
    onnx.write_bytes(ONNX_BYTES[:-1] + b"X")  # same size, other bytes
    assert not store.is_installed("shipped")
    with pytest.raises(ModelCorruptError, match="sha256") as info:
        store.path("shipped", pull=True)
    assert "reinstall esc-edge" in str(info.value.hint)
    onnx.write_bytes(ONNX_BYTES[:10])
    with pytest.raises(ModelCorruptError, match="expected"):
        store.pull("shipped")
    onnx.unlink()
    with pytest.raises(ModelNotFoundError, match=r"planner\.int8\.onnx does not exist"):
        store.path("shipped")
    assert fetcher.calls == 0


def test_components_build_the_registry_default_planner_from_the_package(
    tmp_path: Path, package_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import esc_edge.planner.onnx  # noqa: F401  (registers the real "onnx" planner, replaced below)
    from esc_edge._components import Components
    from esc_edge.config import load_settings
    from esc_edge.planner.base import Plan, planners
    from esc_edge.runtime import select_runtime

    opened: list[Path] = []

    class FakePlanner:
        def plan(self, conversation: object) -> Plan:
            return Plan(strategy="Question")

    def factory(model_dir: Path, **options: object) -> FakePlanner:
        opened.append(model_dir)
        return FakePlanner()

    monkeypatch.setitem(planners._factories, "onnx", factory)
    store = ModelStore(tmp_path / "cache", _package_registry(), WheelFetcher())
    settings = load_settings({"planner": "onnx"}, config_path=tmp_path / "none.yaml", environ={})
    planner = Components(settings, select_runtime("cpu"), store=store).planner()
    assert isinstance(planner, FakePlanner) and opened == [package_root]
    (package_root / "planner.int8.onnx").write_bytes(b"tampered")
    with pytest.raises(ModelCorruptError):
        Components(settings, select_runtime("cpu"), store=store).planner()


ADAPTER_BYTES = b"GGUF-lora" * 200


def _composite_registry(**policy: object):  # type: ignore[no-untyped-def]
    models = dict({
        "tiny": {
            "role": "policy", "file": "tiny.gguf", "size": len(PAYLOAD),
            "sha256": hashlib.sha256(PAYLOAD).hexdigest(), "license": "MIT",
            "source": {"type": "pypi-wheel", "package": "tiny-model", "version": "1.0",
                       "wheel": "tiny_model-1.0-py3-none-any.whl", "member": "tiny_model/tiny.gguf"},
        },
        "tiny-lora": {
            "role": "adapter", "base": "tiny", "file": "tiny-lora.gguf", "size": len(ADAPTER_BYTES),
            "sha256": hashlib.sha256(ADAPTER_BYTES).hexdigest(), "license": "CC-BY-NC-4.0",
            "source": {"type": "package", "path": "models/adapters/tiny-lora.gguf"},
        },
        "tiny-tuned": {"role": "policy", "base": "tiny", "adapter": "tiny-lora", "license": "CC-BY-NC-4.0",
                       **policy},
    })  # fmt: skip
    return parse({"defaults": {"policy": "tiny-tuned"}, "models": models})


@pytest.fixture
def shipped_adapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "pkg"
    monkeypatch.setattr("esc_edge.models.store.package_path", lambda rel: root / rel)
    adapter = root / "models" / "adapters" / "tiny-lora.gguf"
    adapter.parent.mkdir(parents=True)
    adapter.write_bytes(ADAPTER_BYTES)
    return adapter


def test_composite_policy_pulls_the_base_and_verifies_the_shipped_adapter(
    tmp_path: Path, shipped_adapter: Path
) -> None:
    fetcher = WheelFetcher()
    store = ModelStore(tmp_path / "cache", _composite_registry(), fetcher)
    assert store.registry.get("tiny-tuned").source.type == "composite"
    assert store.parts("tiny-tuned") == ["tiny", "tiny-lora"]
    assert store.is_installed("tiny-lora") and not store.is_installed("tiny-tuned")  # base missing
    with pytest.raises(ModelNotFoundError, match="esc-edge pull tiny"):
        store.path("tiny-tuned")
    assert store.pull("tiny-tuned") == shipped_adapter and fetcher.calls == 1
    assert store.is_installed("tiny-tuned") and store.path("tiny-tuned") == shipped_adapter
    shipped_adapter.write_bytes(ADAPTER_BYTES[:-1] + b"X")  # a tampered adapter is refused
    assert not store.is_installed("tiny-tuned")
    with pytest.raises(ModelCorruptError, match="sha256"):
        store.path("tiny-tuned", pull=True)


def test_components_open_the_base_with_the_adapter(tmp_path: Path, shipped_adapter: Path) -> None:
    from esc_edge._components import Components
    from esc_edge.config import load_settings
    from esc_edge.runtime import select_runtime

    store = ModelStore(tmp_path / "cache", _composite_registry(), WheelFetcher())
    settings = load_settings({}, config_path=tmp_path / "none.yaml", environ={})
    components = Components(settings, select_runtime("cpu"), pull=True, store=store)
    assert components.missing_models() == ["tiny"]
    files = components.policy_files()
    assert files.model == store.location("tiny") and files.lora == shipped_adapter
    assert files.name == "tiny-tuned" and components.missing_models() == []


@pytest.mark.parametrize(
    ("policy", "message"),
    [({"base": "nope"}, "plain policy"), ({"adapter": "tiny"}, "adapter entry")],
)
def test_composite_policy_must_name_a_real_base_and_adapter(policy: dict, message: str) -> None:
    from esc_edge.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        _composite_registry(**policy)


def test_a_policy_brings_its_own_decoding_under_the_users(tmp_path: Path) -> None:
    from esc_edge._components import Components
    from esc_edge.config import load_settings
    from esc_edge.runtime import select_runtime

    registry = _composite_registry(decoding={"defaults": {"temperature": 0.0, "top_k": 20}})
    store = ModelStore(tmp_path / "cache", registry, WheelFetcher())

    def options(**flags: object):  # type: ignore[no-untyped-def]
        config = tmp_path / "config.yaml"
        config.write_text("decoding: {defaults: {top_k: 5}}\n" if flags.pop("user_top_k", False) else "")
        settings = load_settings(flags, config_path=config, environ={})
        return Components(settings, select_runtime("cpu"), store=store).decode_options("Question")

    assert options().temperature == 0.0 and options().top_k == 20  # the policy's own settings
    assert options(user_top_k=True).top_k == 5 and options(user_top_k=True).temperature == 0.0
    assert options(temperature=0.7).temperature == 0.7  # the temperature setting wins
    # The untuned base has no decoding of its own: the packaged decoding.yaml (sampling).
    assert options(policy="tiny").temperature > 0
    # A local file is unknown to the registry: packaged decoding too.
    assert options(model=str(tmp_path / "local.gguf")).temperature > 0


def test_policy_decoding_must_be_a_mapping() -> None:
    from esc_edge.errors import ConfigError

    with pytest.raises(ConfigError, match="decoding must be a mapping"):
        _composite_registry(decoding=["greedy"])
