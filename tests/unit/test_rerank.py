"""Best-of-N replies by consensus: the choice itself, and the Supporter path on a fake backend."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest

from esc_edge.config import Settings
from esc_edge.generation.base import (
    CancelToken,
    DecodeOptions,
    GenerationStats,
    LogitsProcessor,
    NoConstraints,
)
from esc_edge.generation.rerank import consensus_index, lcs_length, words
from esc_edge.runtime import select_runtime
from esc_edge.supporter import Supporter
from tests.fakes import FakeGenerator, FakePlanner, FakeSafety

TYPICAL = "That sounds so hard. How are you coping with it?"
CLOSE = "That sounds really hard. How are you coping?"
OUTLIER = "Bananas are a good source of potassium, you know."


def test_words_split_punctuation_and_keep_apostrophes() -> None:
    assert words("I don't KNOW, really?") == ["i", "don't", "know", ",", "really", "?"]


def test_lcs_length() -> None:
    assert lcs_length(["a", "b", "c", "d"], ["a", "c", "d", "x"]) == 3
    assert lcs_length([], ["a"]) == 0


def test_consensus_drops_the_outlier_and_prefers_the_typical_reply() -> None:
    assert consensus_index([OUTLIER, CLOSE, TYPICAL]) in (1, 2)
    assert consensus_index([OUTLIER, TYPICAL, CLOSE, TYPICAL]) == 1


def test_consensus_edge_cases() -> None:
    assert consensus_index(["only one"]) == 0
    assert consensus_index(["", "", "something"]) == 2
    assert consensus_index(["", ""]) == 0
    with pytest.raises(ValueError):
        consensus_index([])


@dataclass
class SeededGenerator(FakeGenerator):
    """Draws the i-th scripted reply on the i-th call; records the seed of each call."""

    replies: Sequence[str] = (OUTLIER, CLOSE, TYPICAL)
    seeds: list[int | None] = field(default_factory=list)
    cancel_on_call: int | None = None

    def stream(
        self,
        prompt_tokens: Sequence[int],
        options: DecodeOptions,
        processor: LogitsProcessor | None,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        self.reply = self.replies[len(self.seeds) % len(self.replies)]
        self.seeds.append(options.seed)
        if self.cancel_on_call == len(self.seeds):
            cancel.cancel()
        return super().stream(prompt_tokens, options, processor, cancel, stats)


def _supporter(generator: SeededGenerator, **settings: object) -> Supporter:
    # Sampling explicitly: the registry's default policy decodes greedily, which draws once.
    settings.setdefault("temperature", 0.7)
    return Supporter(
        Settings(**settings),  # type: ignore[arg-type]
        runtime=select_runtime("cpu"),
        safety=FakeSafety(),  # type: ignore[arg-type]
        planner=FakePlanner(),  # type: ignore[arg-type]
        generator=generator,
        constraints=NoConstraints(),
    )


def test_supporter_draws_n_candidates_from_one_prompt_and_keeps_the_consensus() -> None:
    generator = SeededGenerator()
    reply = _supporter(generator, candidates=3, seed=7).reply("I lost my job")
    assert reply.text in (CLOSE, TYPICAL)
    assert generator.seeds == [7, 8, 9]
    assert len(generator.prompts) == 3 and generator.prompts[0] == generator.prompts[2]
    drawn = sum(len(text.split(" ")) for text in (OUTLIER, CLOSE, TYPICAL))
    assert reply.timings.tokens == drawn
    assert reply.timings.ttft_ms > 0 and not reply.cancelled


def test_one_candidate_or_greedy_decoding_draws_once() -> None:
    single = SeededGenerator()
    assert _supporter(single).reply("hi").text == OUTLIER
    assert single.seeds == [None]
    greedy = SeededGenerator()
    _supporter(greedy, candidates=4, temperature=0.0).reply("hi")
    assert len(greedy.seeds) == 1
    default_policy = SeededGenerator()  # its registry entry decodes greedily
    _supporter(default_policy, candidates=4, temperature=None).reply("hi")
    assert len(default_policy.seeds) == 1


def test_cancel_stops_drawing_and_keeps_the_conversation() -> None:
    generator = SeededGenerator(cancel_on_call=2)
    supporter = _supporter(generator, candidates=5)
    reply = supporter.reply("hi")
    assert len(generator.seeds) == 2 and reply.cancelled
    assert supporter.conversation.turns[0].speaker == "seeker"


def test_candidates_setting_is_validated() -> None:
    from esc_edge.config import load_settings
    from esc_edge.errors import ConfigError

    assert load_settings(environ={"ESC_EDGE_CANDIDATES": "4"}, config_path=None).candidates == 4
    with pytest.raises(ConfigError):
        load_settings(environ={"ESC_EDGE_CANDIDATES": "0"})
