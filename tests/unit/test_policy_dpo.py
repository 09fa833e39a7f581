"""The DPO step: pair selection, grouping, the loss, and cached reply log-probs on a tiny model."""

from __future__ import annotations

import math
from typing import Any

import pytest

from export.policy.build_pairs import Pair, closeness, is_formulaic, mismatched, select_pairs

torch = pytest.importorskip("torch")
pytest.importorskip("rouge_score")
pytest.importorskip("nltk")

PHRASES = ["i am sorry to hear", "i understand how you feel"]


def _record(samples: list[str], greedy: str, wrong: str = "Do you like cats?") -> dict[str, Any]:
    return {
        "index": 0,
        "strategy": "Reflection of feelings",
        "reference": "you feel lonely since your sister moved away",
        "reference_turn": "you feel lonely since your sister moved away. Is that right?",
        "samples": samples,
        "greedy": greedy,
        "mismatch": {"strategy": "Question", "text": wrong},
    }


def test_closeness_prefers_the_reply_nearer_the_human_one() -> None:
    ref = "you feel lonely since your sister moved away"
    assert closeness(ref, ref) == pytest.approx(1.0)
    assert closeness("you feel lonely now", ref) > closeness("the weather is nice", ref) == 0.0


def test_rank_pair_takes_the_closest_and_the_farthest_candidate() -> None:
    near = "it sounds like you feel lonely since your sister moved away"
    far = "what do you do for work"
    pairs = select_pairs(_record([far, "you feel sad", near], greedy="you feel sad"), PHRASES)
    rank = [p for p in pairs if p["kind"] == "rank"]
    assert len(rank) == 1
    assert rank[0]["chosen"] == near and rank[0]["rejected"] == far
    ref = "you feel lonely since your sister moved away"
    assert rank[0]["gap"] == pytest.approx(closeness(near, ref) - closeness(far, ref), abs=1e-3)


def test_mismatch_and_formulaic_pairs() -> None:
    near = "you feel lonely since your sister moved away"
    stock = "I am sorry to hear that, it is hard"
    pairs = {p["kind"]: p for p in select_pairs(_record([near, stock], greedy=stock), PHRASES)}
    assert pairs["mismatch"]["rejected"] == "Do you like cats?"
    assert pairs["human"]["chosen"].endswith("Is that right?") and pairs["human"]["rejected"] == stock
    assert pairs["formulaic"] == {**pairs["formulaic"], "chosen": near, "rejected": stock}


def test_no_pair_when_the_candidates_are_equally_close() -> None:
    same = "you feel lonely"
    record = _record([same, same], greedy=same, wrong=same) | {"reference_turn": same}
    assert select_pairs(record, PHRASES) == []
    # A gap below the threshold is not a preference either.
    close = select_pairs(
        _record(["you feel lonely now", "you feel lonely"], greedy="you feel lonely"), PHRASES, 0.15
    )
    assert all(p["kind"] != "rank" for p in close)


def test_formulaic_detection_ignores_case_spacing_and_curly_quotes() -> None:
    assert is_formulaic("I  AM sorry to hear that", PHRASES)
    assert is_formulaic("I understand how you feel.", ["i understand how you feel"])
    assert is_formulaic("I\u2019m here for you", ["i'm here for you"])
    assert not is_formulaic("I am glad you told me", PHRASES)


def test_mismatched_strategy_is_never_the_gold_one() -> None:
    import random

    rng = random.Random(0)
    for gold in ("Question", "Others", "Self-disclosure"):
        picks = {mismatched(gold, rng) for _ in range(50)}
        assert gold not in picks and picks


def _pair(prompt: list[int], chosen: list[int], rejected: list[int], kind: str = "rank") -> Pair:
    return Pair(kind, prompt, chosen, rejected, "c", "r", 0.5, "d", 1)


def test_group_pairs_shares_prompts_and_replies() -> None:
    from export.policy.train_dpo import group_pairs

    pairs = [
        _pair([1, 5, 6], [7, 2], [8, 2]),
        _pair([1, 5, 6], [7, 2], [9, 2], "mismatch"),
        _pair([1, 5, 4], [7, 2], [8, 2]),
    ]
    groups = group_pairs(pairs)
    assert [g.prompt_ids for g in groups] == [[1, 5, 6], [1, 5, 4]]
    assert groups[0].replies == [[7, 2], [8, 2], [9, 2]]
    assert groups[0].pairs == [(0, 1), (0, 2)] and groups[0].kinds == ["rank", "mismatch"]
    assert groups[1].pairs == [(0, 1)]


def test_dpo_loss_values() -> None:
    from export.policy.train_dpo import dpo_loss

    zero = torch.zeros(2)
    loss, chosen, rejected = dpo_loss(zero, zero, zero, zero, 0.1)
    assert loss.tolist() == pytest.approx([math.log(2)] * 2)
    # The chosen reply gained 2 nats over the reference, the rejected one lost 3: margin 0.5.
    loss, chosen, rejected = dpo_loss(
        torch.tensor([-8.0]), torch.tensor([-13.0]), torch.tensor([-10.0]), torch.tensor([-10.0]), 0.1
    )
    assert chosen.item() == pytest.approx(0.2) and rejected.item() == pytest.approx(-0.3)
    assert loss.item() == pytest.approx(math.log1p(math.exp(-0.5)))


def test_step_plan_is_seeded_and_covers_every_group_each_epoch() -> None:
    from export.policy.train_dpo import step_plan

    plan = step_plan(10, 3, 7, seed=0)
    assert plan == step_plan(10, 3, 7, seed=0) and plan != step_plan(10, 3, 7, seed=1)
    assert all(len(b) == 3 for b in plan)
    assert sorted(i for b in plan[:3] for i in b) == sorted(set(i for b in plan[:3] for i in b))


def _tiny_lm() -> Any:
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=32,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=64,
    )
    lora = LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    return get_peft_model(LlamaForCausalLM(config), lora)


def _full_logp(lm: Any, prompt: list[int], reply: list[int]) -> float:
    ids = torch.tensor([prompt + reply])
    logits = lm(input_ids=ids).logits[0, len(prompt) - 1 : -1]
    return float(torch.log_softmax(logits, -1).gather(1, torch.tensor(reply)[:, None]).sum())


def test_cached_reply_logps_match_a_full_forward_and_carry_gradient() -> None:
    from export.policy.train_dpo import reply_logps

    peft_model = _tiny_lm()
    causal_lm = peft_model.get_base_model()
    prompt, replies = [1, 5, 9, 3, 4], [[7, 8, 2], [6, 2], [10, 11, 12, 13, 2]]
    logps = reply_logps(causal_lm, prompt, replies)
    with torch.no_grad():
        expected = [_full_logp(causal_lm, prompt, r) for r in replies]
    assert logps.tolist() == pytest.approx(expected, abs=1e-4)
    logps.sum().backward()
    lora = [p for n, p in peft_model.named_parameters() if "lora_" in n]
    assert lora and all(p.grad is not None and p.grad.abs().sum() > 0 for p in lora)


def test_a_few_dpo_steps_raise_the_margin_on_a_tiny_model() -> None:
    from export.policy.train_dpo import Group, group_loss, reply_logps

    peft_model = _tiny_lm()
    causal_lm = peft_model.get_base_model()
    group = Group([1, 5, 9], replies=[[7, 8, 2], [6, 6, 2]], pairs=[(0, 1)], kinds=["rank"])
    with torch.no_grad():
        ref = reply_logps(causal_lm, group.prompt_ids, group.replies).tolist()
    params = [p for p in peft_model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=0.5)
    margins = []
    for _ in range(5):
        loss, stats = group_loss(causal_lm, group, ref, beta=0.5)
        margins.append(stats["margin"])
        loss.backward()
        opt.step()
        opt.zero_grad()
    assert margins[0] == pytest.approx(0.0, abs=1e-5)
    assert margins[-1] > 0.05
