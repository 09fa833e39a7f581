"""HierPlanner on the tiny toy encoder (tests/unit/fixtures/tiny_planner) with a random seeded head."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import EscEdgeError, InputError, ModelCorruptError, ModelNotFoundError
from esc_edge.planner.base import planners
from esc_edge.planner.features import FEATURES_VERSION, feature_names
from esc_edge.planner.hier import CONFIG_FORMAT, HierPlanner, UtteranceCache, utterance_text
from esc_edge.planner.strategies import NAMES

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny_planner"
WIDTH = 4  # the toy encoder's output width
HIDDEN = 5
K = 4


def _write_head(target: Path, members: int = 2) -> None:
    rng = np.random.default_rng(0)
    n_feat = len(feature_names())
    shapes = {
        "proj_W": (WIDTH, HIDDEN),
        "proj_b": (HIDDEN,),
        "spk": (3, HIDDEN),
        "strat": (10, HIDDEN),
        "pos": (K, HIDDEN),
        "gru_Wih": (3 * HIDDEN, HIDDEN),
        "gru_Whh": (3 * HIDDEN, HIDDEN),
        "gru_bih": (3 * HIDDEN,),
        "gru_bhh": (3 * HIDDEN,),
        "mix_W": (HIDDEN + n_feat, HIDDEN),
        "mix_b": (HIDDEN,),
        "s_W": (HIDDEN, 8),
        "s_b": (8,),
        "e_W": (HIDDEN, 6),
        "e_b": (6,),
    }
    arrays: dict[str, np.ndarray] = {
        "emb_mean": np.zeros(WIDTH, dtype=np.float32),
        "emb_std": np.ones(WIDTH, dtype=np.float32),
        "strategy_adjust": np.zeros(8),
        "n_members": np.array(members),
    }
    for i in range(members):
        for name, shape in shapes.items():
            arrays[f"m{i}.{name}"] = rng.normal(0.0, 1.0, shape).astype(np.float32)
    np.savez(target / "hier_head.npz", **arrays)
    config = {
        "format": CONFIG_FORMAT,
        "labels": list(NAMES),
        "emotion_labels": ["anxiety", "depression", "sadness", "anger", "fear", "other"],
        "k": K,
        "max_tokens": 64,
        "onnx_file": "planner.int8.onnx",
        "tokenizer_file": "tokenizer.json",
        "head_file": "hier_head.npz",
        "features_version": FEATURES_VERSION,
    }
    (target / "hier.json").write_text(json.dumps(config))


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(TINY, target)
    _write_head(target)
    return target


@pytest.fixture
def planner(model_dir: Path) -> HierPlanner:
    return HierPlanner.from_dir(model_dir)


def _dialogue(n: int) -> list[Turn]:
    return [
        Turn("seeker", f"i feel sad about day {i}")
        if i % 2 == 0
        else Turn("supporter", f"tell me about day {i}", NAMES[i % 8])
        for i in range(n)
    ]


def test_plan_returns_distributions_over_all_labels(planner: HierPlanner) -> None:
    plan = planner.plan(Conversation(turns=_dialogue(3)))
    assert set(plan.probs) == set(NAMES)
    assert sum(plan.probs.values()) == pytest.approx(1.0)
    assert plan.strategy == max(plan.probs, key=lambda k: plan.probs[k])
    assert sum(plan.emotion_probs.values()) == pytest.approx(1.0)
    assert plan.emotion == max(plan.emotion_probs, key=lambda k: plan.emotion_probs[k])


def test_plan_depends_on_text_and_strategy(planner: HierPlanner) -> None:
    base = _dialogue(3)
    other_text = [*base[:2], Turn("seeker", "my dog died yesterday")]
    other_strategy = [base[0], Turn("supporter", base[1].text, "Information"), base[2]]
    probs = [planner.predict(d).probs for d in (base, other_text, other_strategy)]
    assert probs[0] != probs[1] and probs[0] != probs[2]


def test_a_turn_encodes_only_the_new_utterance(planner: HierPlanner) -> None:
    turns = _dialogue(3)
    planner.predict(turns)
    assert (planner.cache.hits, planner.cache.misses) == (0, 3)
    planner.predict([*turns, Turn("supporter", "that is hard", "Question"), Turn("seeker", "yes")])
    # the window is k = 4 turns: turns[1], turns[2] hit, the two new ones miss
    assert (planner.cache.hits, planner.cache.misses) == (2, 5)


def test_cached_and_uncached_plans_agree(model_dir: Path, planner: HierPlanner) -> None:
    turns = _dialogue(7)
    for n in range(1, 8):
        planner.predict(turns[:n])
    warm = planner.predict(turns).probs
    cold = HierPlanner.from_dir(model_dir).predict(turns).probs
    assert warm == pytest.approx(cold, abs=1e-6)


def test_identical_texts_of_different_speakers_are_different_keys(planner: HierPlanner) -> None:
    seeker = utterance_text(Turn("seeker", "okay"))
    supporter = utterance_text(Turn("supporter", "okay"))
    assert seeker != supporter
    vectors = planner.encode([seeker, supporter, seeker])
    assert planner.cache.misses == 3 and len(planner.cache) == 2
    assert np.array_equal(vectors[0], vectors[2])


def test_cache_is_bounded_lru() -> None:
    cache = UtteranceCache(capacity=2)
    for key in "abc":
        cache.put(key, np.zeros(2, dtype=np.float32))
    assert len(cache) == 2 and cache.get("a") is None and cache.get("c") is not None
    with pytest.raises(ValueError):
        UtteranceCache(capacity=0)


def test_small_cache_still_plans(model_dir: Path) -> None:
    small = HierPlanner.from_dir(model_dir, cache_size=1)
    full = HierPlanner.from_dir(model_dir)
    turns = _dialogue(6)
    assert small.predict(turns).probs == pytest.approx(full.predict(turns).probs, abs=1e-6)
    assert len(small.cache) == 1


def test_registered_under_hier(model_dir: Path) -> None:
    assert isinstance(planners.get("hier")(model_dir), HierPlanner)


def test_empty_dialogue_is_an_input_error(planner: HierPlanner) -> None:
    with pytest.raises(InputError, match="empty"):
        planner.plan(Conversation())


def test_dialogue_without_seeker_turn_is_an_input_error(planner: HierPlanner) -> None:
    with pytest.raises(InputError, match="no seeker"):
        planner.plan(Conversation(turns=[Turn("supporter", "hello", "Question")]))


def test_unknown_speaker_is_an_input_error(planner: HierPlanner) -> None:
    turns = [Turn("seeker", "hi"), Turn("bot", "x")]  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown speaker"):
        planner.plan(Conversation(turns=turns))
    assert len(planner.cache) == 0


def test_empty_context_predicts_for_evaluation(planner: HierPlanner) -> None:
    assert planner.predict([]).strategy in NAMES


@pytest.mark.timeout(20)
def test_ten_thousand_turn_history_encodes_only_the_window(planner: HierPlanner) -> None:
    turns = [
        Turn("seeker" if i % 2 else "supporter", f"i feel sad {i} " * 30, None if i % 2 else "Question")
        for i in range(10_000)
    ]
    assert planner.plan(Conversation(turns=turns)).strategy in NAMES
    assert planner.cache.misses == K


def test_concurrent_plans_agree(model_dir: Path) -> None:
    planner = HierPlanner.from_dir(model_dir, cache_size=3)
    dialogues = [_dialogue(n) for n in range(1, 9)]
    expected = [HierPlanner.from_dir(model_dir).predict(d).probs for d in dialogues]
    results: dict[int, list[dict[str, float]]] = {i: [] for i in range(8)}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(5):
                results[i].append(planner.predict(dialogues[i]).probs)
        except BaseException as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i in range(8):
        for probs in results[i]:
            assert probs == pytest.approx(expected[i], abs=1e-6)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        HierPlanner.from_dir(tmp_path / "nope")


def test_missing_config(model_dir: Path) -> None:
    (model_dir / "hier.json").unlink()
    with pytest.raises(ModelNotFoundError, match=r"hier\.json missing"):
        HierPlanner.from_dir(model_dir)


@pytest.mark.parametrize("name", ["planner.int8.onnx", "hier_head.npz", "tokenizer.json"])
def test_missing_files(model_dir: Path, name: str) -> None:
    (model_dir / name).unlink()
    with pytest.raises(ModelNotFoundError, match="missing"):
        HierPlanner.from_dir(model_dir)


def test_corrupt_onnx_file(model_dir: Path) -> None:
    (model_dir / "planner.int8.onnx").write_bytes(b"\x00not an onnx model" * 10)
    with pytest.raises(ModelCorruptError, match="cannot be loaded") as info:
        HierPlanner.from_dir(model_dir)
    assert "rebuild" in str(info.value)


def test_corrupt_config(model_dir: Path) -> None:
    (model_dir / "hier.json").write_text("{not json")
    with pytest.raises(ModelCorruptError, match="unreadable"):
        HierPlanner.from_dir(model_dir)


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("format", "other/1", "format"),
        ("labels", list(reversed(NAMES)), "labels"),
        ("features_version", FEATURES_VERSION + 1, "features"),
        ("k", 0, "out-of-range"),
    ],
)
def test_config_mismatch(model_dir: Path, key: str, value: object, match: str) -> None:
    config = json.loads((model_dir / "hier.json").read_text())
    config[key] = value
    (model_dir / "hier.json").write_text(json.dumps(config))
    with pytest.raises(ModelCorruptError, match=match):
        HierPlanner.from_dir(model_dir)


def test_corrupt_head(model_dir: Path) -> None:
    (model_dir / "hier_head.npz").write_bytes(b"garbage")
    with pytest.raises(ModelCorruptError, match="unreadable"):
        HierPlanner.from_dir(model_dir)


def test_head_of_the_wrong_shape(model_dir: Path) -> None:
    with np.load(model_dir / "hier_head.npz") as data:
        arrays = {k: data[k] for k in data}
    arrays["m1.pos"] = arrays["m1.pos"][:2]
    np.savez(model_dir / "hier_head.npz", **arrays)
    with pytest.raises(ModelCorruptError, match="pos has shape"):
        HierPlanner.from_dir(model_dir)


def test_head_width_must_match_the_encoder(model_dir: Path) -> None:
    with np.load(model_dir / "hier_head.npz") as data:
        arrays = {k: data[k] for k in data}
    arrays["emb_mean"] = np.zeros(WIDTH + 1, dtype=np.float32)
    arrays["emb_std"] = np.ones(WIDTH + 1, dtype=np.float32)
    for i in range(2):
        arrays[f"m{i}.proj_W"] = np.zeros((WIDTH + 1, HIDDEN), dtype=np.float32)
    np.savez(model_dir / "hier_head.npz", **arrays)
    with pytest.raises(ModelCorruptError, match="width"):
        HierPlanner.from_dir(model_dir)


def test_non_finite_head_is_refused(model_dir: Path) -> None:
    with np.load(model_dir / "hier_head.npz") as data:
        arrays = {k: data[k] for k in data}
    arrays["m0.s_b"][0] = np.nan
    np.savez(model_dir / "hier_head.npz", **arrays)
    with pytest.raises(EscEdgeError, match="non-finite"):
        HierPlanner.from_dir(model_dir)


def test_components_build_the_hier_planner_from_the_registry_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esc_edge._components import Components
    from esc_edge.config import load_settings
    from esc_edge.models.store import ModelStore
    from esc_edge.planner.onnx import DEFAULT_MODEL_DIR
    from esc_edge.runtime import select_runtime

    opened: list[Path] = []

    def factory(model_dir: Path, **options: object) -> str:
        opened.append(model_dir)
        return "hier planner"

    monkeypatch.setitem(planners._factories, "hier", factory)
    settings = load_settings(
        {"planner": "hier", "planner_model": "esconv-planner-hier-int8"},
        config_path=tmp_path / "none.yaml",
        environ={},
    )
    store = ModelStore(cache_dir=tmp_path / "cache")
    assert Components(settings, select_runtime("cpu"), store=store).planner() == "hier planner"
    assert opened == [DEFAULT_MODEL_DIR]


def test_remember_warms_the_cache_for_the_next_plan(planner: HierPlanner) -> None:
    turns = _dialogue(3)
    planner.remember(turns[:2])
    assert planner.cache.misses == 2
    planner.predict(turns)
    assert (planner.cache.hits, planner.cache.misses) == (2, 3)
    with pytest.raises(InputError, match="unknown speaker"):
        planner.remember([Turn("bot", "x")])  # type: ignore[arg-type]


def test_an_encoder_other_than_the_validated_one_is_refused(model_dir: Path) -> None:
    import hashlib

    config = json.loads((model_dir / "hier.json").read_text())
    config["encoder_sha256"] = hashlib.sha256((model_dir / "planner.int8.onnx").read_bytes()).hexdigest()
    (model_dir / "hier.json").write_text(json.dumps(config))
    assert HierPlanner.from_dir(model_dir).predict([]).strategy in NAMES
    config["encoder_sha256"] = "0" * 64
    (model_dir / "hier.json").write_text(json.dumps(config))
    with pytest.raises(ModelCorruptError, match="validated with"):
        HierPlanner.from_dir(model_dir)


def _set_bias(model_dir: Path, bias: object) -> None:
    config = json.loads((model_dir / "hier.json").read_text())
    config["strategy_bias"] = bias
    (model_dir / "hier.json").write_text(json.dumps(config))


def test_strategy_bias_reweights_the_distribution(model_dir: Path) -> None:
    turns = _dialogue(5)
    before = HierPlanner.from_dir(model_dir).predict(turns)
    bias = {name: 0.1 * i - 0.3 for i, name in enumerate(NAMES)}
    bias["Information"] = 6.0
    _set_bias(model_dir, bias)
    after = HierPlanner.from_dir(model_dir).predict(turns)
    weighted = np.array([before.probs[n] * np.exp(bias[n]) for n in NAMES])
    expected = weighted / weighted.sum()
    assert [after.probs[n] for n in NAMES] == pytest.approx(expected.tolist(), abs=1e-6)
    assert after.strategy == "Information" != before.strategy
    assert after.emotion_probs == before.emotion_probs  # the bias is for strategies only


def test_zero_strategy_bias_equals_no_bias(model_dir: Path) -> None:
    turns = _dialogue(5)
    before = HierPlanner.from_dir(model_dir).predict(turns)
    _set_bias(model_dir, dict.fromkeys(NAMES, 0.0))
    assert HierPlanner.from_dir(model_dir).predict(turns).probs == pytest.approx(before.probs)


@pytest.mark.parametrize(
    "bias",
    [
        [0.0] * 8,
        {name: 0.0 for name in NAMES[:-1]},
        {**dict.fromkeys(NAMES, 0.0), "Humour": 0.0},
        {**dict.fromkeys(NAMES, 0.0), "Question": "high"},
        {**dict.fromkeys(NAMES, 0.0), "Question": True},
        {**dict.fromkeys(NAMES, 0.0), "Question": float("nan")},
        {**dict.fromkeys(NAMES, 0.0), "Question": 11.0},
    ],
)
def test_malformed_strategy_bias_is_refused(model_dir: Path, bias: object) -> None:
    _set_bias(model_dir, bias)
    with pytest.raises(ModelCorruptError, match="strategy_bias"):
        HierPlanner.from_dir(model_dir)
