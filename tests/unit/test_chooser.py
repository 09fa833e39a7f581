"""The learned reply chooser: features, the linear ranker, its file, and the Supporter path on fakes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from esc_edge.config import Settings, load_settings
from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import ConfigError
from esc_edge.generation.base import (
    CancelToken,
    DecodeOptions,
    GenerationStats,
    LogitsProcessor,
    NoConstraints,
)
from esc_edge.generation.rerank import (
    CHOOSER_FILE,
    FEATURES,
    Candidate,
    ConsensusChooser,
    LearnedChooser,
    candidate_features,
    choosers,
)
from esc_edge.runtime import select_runtime
from esc_edge.supporter import Supporter
from tests.fakes import FakeGenerator, FakePlanner, FakeSafety

SEEKER = "I lost my job and I feel so anxious about money."
TURNS = [Turn("supporter", "Hi, how are you today?"), Turn("seeker", SEEKER)]


def test_features_are_reference_free_and_as_documented() -> None:
    candidates = [
        Candidate(
            "That sounds hard. Are you anxious about money?", greedy=True, logprob=-20.0, logprob_tokens=10
        ),
        Candidate("Bananas grow yellow", logprob=-30.0, logprob_tokens=5),
        Candidate("It sounds hard to lose a job.", logprob=None),
    ]
    rows = candidate_features(candidates, TURNS)
    assert set(rows[0]) == FEATURES
    assert rows[0]["greedy"] == 1.0 and rows[1]["greedy"] == 0.0
    assert rows[0]["mean_logprob"] == pytest.approx(-2.0) and rows[1]["logprob"] == -30.0
    assert rows[2]["logprob"] == 0.0  # a backend without log-probabilities: a constant, no effect
    assert rows[0]["words"] == 8 and rows[0]["questions"] == 1 and rows[0]["sentences"] == 2
    assert rows[0]["seeker_unigram"] > rows[1]["seeker_unigram"] == 0.0
    assert rows[1]["consensus"] < rows[0]["consensus"]
    assert rows[1]["context_precision"] == 0.0 < rows[0]["context_precision"]


def test_learned_chooser_takes_the_highest_score_and_never_an_empty_reply() -> None:
    candidates = [
        Candidate("short one here", greedy=True),
        Candidate("a much longer reply than that"),
        Candidate(""),
    ]
    longer = LearnedChooser(weights={"words": 1.0})
    assert longer.choose(candidates, TURNS) == 1
    assert LearnedChooser(weights={"greedy": 1.0}).choose(candidates, TURNS) == 0
    assert LearnedChooser(weights={"words": -1.0}).choose(candidates, TURNS) == 0  # "" has 0 words
    assert LearnedChooser(weights={}).choose(candidates, TURNS) == 0  # ties: the earliest
    assert LearnedChooser(weights={"words": 1.0}).choose([Candidate(""), Candidate("")], TURNS) == 0
    with pytest.raises(ValueError):
        longer.choose([], TURNS)


def test_chooser_file_loads_and_bad_files_fail_clearly(tmp_path: Path) -> None:
    packaged = LearnedChooser.load()
    assert set(packaged.weights) <= FEATURES and packaged.weights
    assert packaged.include_greedy and packaged.needs_logprobs
    assert packaged.sample_temperature is not None and packaged.sample_temperature > 0
    assert json.loads(CHOOSER_FILE.read_text())["weights"] == packaged.weights
    bad = tmp_path / "chooser.json"
    bad.write_text(json.dumps({"weights": {"shoe_size": 1.0}}))
    with pytest.raises(ConfigError, match="shoe_size"):
        LearnedChooser.load(bad)
    bad.write_text("{not json")
    with pytest.raises(ConfigError):
        LearnedChooser.load(bad)
    with pytest.raises(ConfigError):
        LearnedChooser.load(tmp_path / "missing.json")


def test_choosers_are_registered_by_name() -> None:
    assert {"consensus", "learned"} <= set(choosers.names())
    assert isinstance(choosers.get("consensus")(), ConsensusChooser)
    assert isinstance(choosers.get("learned")(), LearnedChooser)
    with pytest.raises(ConfigError, match="known: consensus, learned"):
        choosers.get("vibes")
    assert load_settings(environ={"ESC_EDGE_CHOOSER": "learned"}, config_path=None).chooser == "learned"


# -- the Supporter path -----------------------------------------------------------------------------
@dataclass
class ScriptedGenerator(FakeGenerator):
    """The i-th call writes the i-th reply and reports a log-probability when asked for one."""

    replies: Sequence[str] = ("greedy reply, the usual one", "sampled reply number one", "sampled two")
    logprobs: Sequence[float] = (-10.0, -50.0, -5.0)
    calls: list[DecodeOptions] = field(default_factory=list)

    def stream(
        self,
        prompt_tokens: Sequence[int],
        options: DecodeOptions,
        processor: LogitsProcessor | None,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        i = len(self.calls) % len(self.replies)
        self.calls.append(options)
        self.reply = self.replies[i]
        if stats is not None and options.logprobs:
            stats.logprob, stats.logprob_tokens = self.logprobs[i], 5
        return super().stream(prompt_tokens, options, processor, cancel, stats)


def _supporter(generator: FakeGenerator, use: LearnedChooser | None = None, **settings: object) -> Supporter:
    return Supporter(
        Settings(**settings),  # type: ignore[arg-type]
        runtime=select_runtime("cpu"),
        safety=FakeSafety(),  # type: ignore[arg-type]
        planner=FakePlanner(),  # type: ignore[arg-type]
        generator=generator,
        constraints=NoConstraints(),
        chooser=use,
    )


def test_learned_chooser_draws_greedy_then_samples_with_logprobs_and_yields_the_pick_whole() -> None:
    generator = ScriptedGenerator()
    by_logprob = LearnedChooser(weights={"logprob": 1.0}, sample_temperature=0.6)
    supporter = _supporter(generator, by_logprob, chooser="learned", candidates=3, seed=4)
    stream = supporter.stream("I lost my job")
    chunks = list(stream)
    assert chunks == ["sampled two"] and stream.reply is not None and stream.reply.text == "sampled two"
    assert [o.temperature for o in generator.calls] == [0.0, 0.6, 0.6]
    assert [o.seed for o in generator.calls] == [4, 5, 6]
    assert all(o.logprobs for o in generator.calls)
    assert supporter.conversation.turns[-1].text == "sampled two"


def test_learned_chooser_samples_even_when_the_policy_decodes_greedily() -> None:
    generator = ScriptedGenerator()
    # temperature 0: the registry policy's greedy default; consensus would draw once.
    _supporter(generator, chooser="learned", candidates=3, temperature=0.0).reply("hi")
    assert len(generator.calls) == 3 and generator.calls[0].temperature == 0.0
    assert generator.calls[1].temperature == LearnedChooser.load().sample_temperature
    single = ScriptedGenerator()
    _supporter(single, chooser="learned", candidates=1, temperature=0.0).reply("hi")
    assert len(single.calls) == 1 and not single.calls[0].logprobs


def test_consensus_chooser_is_unchanged_no_greedy_draw_no_logprobs() -> None:
    generator = ScriptedGenerator()
    _supporter(generator, candidates=3, temperature=0.7, seed=0).reply("hi")
    assert [o.temperature for o in generator.calls] == [0.7, 0.7, 0.7]
    assert not any(o.logprobs for o in generator.calls)


def test_unknown_chooser_fails_at_construction() -> None:
    with pytest.raises(ConfigError):
        _supporter(ScriptedGenerator(), chooser="vibes", candidates=3)


def test_learned_chooser_is_safe_across_conversations_in_threads() -> None:
    generator = ScriptedGenerator(replies=("one two", "three four five six", "seven"), logprobs=(-1, -2, -3))
    supporter = _supporter(generator, LearnedChooser(weights={"words": 1.0}), chooser="learned", candidates=3)
    results: list[str] = []

    def chat() -> None:
        results.append(supporter.reply("hello", conversation=Conversation()).text)

    threads = [threading.Thread(target=chat) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The fake serves one request at a time; each turn draws its three candidates in order.
    assert len(generator.calls) == 12 and len(results) == 4
    assert all(text in ("one two", "three four five six", "seven") for text in results)
