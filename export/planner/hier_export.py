"""Export a trained hierarchical head (``hier_train.py``) next to the shipped planner, behind a gate.

The head goes to numpy (``hier_head.npz`` + ``hier.json``); the encoder is the shipped
``planner.int8.onnx``, shared with the whole-dialogue planner. The runtime ``HierPlanner``
(int8 ONNX encoder, numpy head, batch of one, utterance cache) is compared with the torch
reference (fp32 torch encoder + torch head, the probabilities ``hier_train.py`` saved) on every
VALID example; unless the strategy argmax agrees on >= 99 %, nothing is written (exit 1).

The strategy calibration is fitted on valid by ``calibrate.py`` (default rule: the best
cross-validated macro-F1 whose predicted strategy mix is within KL 0.05 of the gold mix) and
written as ``strategy_bias`` into ``hier.json``; the head file's ``strategy_adjust`` stays zero.
``--rule acc`` picks the best macro-F1 within ``--max-acc-drop`` accuracy of the uncalibrated head.

    python -m export.planner.hier_export --run /work/runs/planner_cal/k20_s5
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from export.planner.hier_embed import DEFAULT_DATA_DIR, MAX_TOKENS

REPO = Path(__file__).resolve().parents[2]
MODEL_DIR = REPO / "esc_edge" / "planner" / "model"
GATE = 0.99


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def member_arrays(state: dict[str, Any]) -> dict[str, np.ndarray]:
    def a(name: str) -> np.ndarray:
        return state[name].detach().cpu().numpy().astype(np.float32)

    return {
        "proj_W": a("proj.weight").T,
        "proj_b": a("proj.bias"),
        "spk": a("spk.weight"),
        "strat": a("strat.weight"),
        "pos": a("pos.weight"),
        "gru_Wih": a("rnn.weight_ih_l0"),
        "gru_Whh": a("rnn.weight_hh_l0"),
        "gru_bih": a("rnn.bias_ih_l0"),
        "gru_bhh": a("rnn.bias_hh_l0"),
        "mix_W": a("mix.weight").T,
        "mix_b": a("mix.bias"),
        "s_W": a("s_head.weight").T,
        "s_b": a("s_head.bias"),
        "e_W": a("e_head.weight").T,
        "e_b": a("e_head.bias"),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--run", type=Path, required=True, help="hier_train.py output directory")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--model-dir", type=Path, default=MODEL_DIR, help="where the shipped encoder lives")
    p.add_argument("--max-acc-drop", type=float, default=0.01)
    p.add_argument("--max-kl", type=float, default=0.05)
    p.add_argument("--rule", choices=("kl", "acc"), default="kl", help="calibration rule (calibrate.py)")
    p.add_argument("--seeds", default="", help="comma-separated seed positions to ship (default all)")
    p.add_argument("--limit", type=int, default=0, help="gate on the first N valid examples only (debug)")
    args = p.parse_args(argv)

    import torch

    from esc_edge.eval.metrics import classification_report
    from esc_edge.models.store import sha256_file
    from esc_edge.planner.features import FEATURES_VERSION
    from esc_edge.planner.hier import CONFIG_FILE, CONFIG_FORMAT, HierPlanner
    from esc_edge.planner.strategies import NAMES
    from export.planner.calibrate import calibrate, valid_labels
    from export.planner.data import EMOTIONS, load_examples

    summary = json.loads((args.run / "summary.json").read_text())
    train_args = summary["args"]
    if train_args["arch"] != "gru":
        raise SystemExit("only the GRU head has a numpy runtime")
    norm = np.load(args.run / "norm.npz")
    positions = [int(i) for i in args.seeds.split(",")] if args.seeds else list(range(len(summary["seeds"])))
    seeds = [summary["seeds"][i]["seed"] for i in positions]
    if (args.run / "valid_logp_seeds.npz").exists():
        per_seed = np.load(args.run / "valid_logp_seeds.npz")
        ref_logp = np.log(np.exp(per_seed["strategy"][positions]).mean(0))
        ref_e = np.exp(per_seed["emotion"][positions]).mean(0)
    elif args.seeds:
        raise SystemExit("--seeds needs RUN/valid_logp_seeds.npz (written by hier_train.py)")
    else:  # runs from before the per-seed file: the saved ensemble of all seeds
        reference = np.load(args.run / "valid_logp.npz")
        ref_logp, ref_e = reference["strategy"], np.exp(reference["emotion"])
    gold_valid, groups = valid_labels(args.data_dir)
    calibration = calibrate(ref_logp, gold_valid, groups, norm["prior"], args, log=log)
    (args.run / "calibration.json").write_text(json.dumps(calibration, indent=1) + "\n")
    chosen = calibration["chosen"]
    bias = np.asarray(chosen["bias"], dtype=np.float64)
    log(f"calibration {chosen['method']} ({calibration['rule']}): {json.dumps(chosen)}")

    arrays: dict[str, np.ndarray] = {
        "emb_mean": norm["mean"].astype(np.float32),
        "emb_std": norm["std"].astype(np.float32),
        # the calibration lives in hier.json (strategy_bias), where it can be read and edited
        "strategy_adjust": np.zeros(len(NAMES)),
    }
    for i, seed in enumerate(seeds):
        state = torch.load(args.run / f"head_seed{seed}.pt", map_location="cpu")
        for key, value in member_arrays(state).items():
            # float16 storage halves the file (the planner directory must stay <= 25 MB); the
            # runtime computes in float32 and the gate below measures the difference.
            arrays[f"m{i}.{key}"] = value.astype(np.float16)
    arrays["n_members"] = np.array(len(seeds))

    config = {
        "format": CONFIG_FORMAT,
        "labels": list(NAMES),
        "emotion_labels": list(EMOTIONS),
        "k": int(train_args["k"]),
        "max_tokens": MAX_TOKENS,
        "onnx_file": "planner.int8.onnx",
        "tokenizer_file": "tokenizer.json",
        "head_file": "hier_head.npz",
        "encoder_sha256": sha256_file(args.model_dir / "planner.int8.onnx"),
        "features_version": FEATURES_VERSION,
        "utterance_text": "[speaker] text (whitespace-normalised, 600 chars), encoded alone, mean pooled",
        "head": f"GRU (hidden {train_args['hidden']}) over the last k utterances + strategy_features; "
        f"{len(seeds)} seed members averaged",
        "strategy_bias": {name: float(b) for name, b in zip(NAMES, bias, strict=True)},
        "calibration": {
            "method": chosen["method"],
            "rule": calibration["rule"],
            "valid": chosen["valid"],
            "valid_cv": chosen["valid_cv"],
        },
        "train_args": train_args,
        "seeds": seeds,
        "licence": "CC BY-NC 4.0 (trained on ESConv): non-commercial use only",
    }
    ref_s = ref_logp + bias
    ref_s = np.exp(ref_s - ref_s.max(1, keepdims=True))
    ref_s /= ref_s.sum(1, keepdims=True)

    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        for name in ("planner.int8.onnx", "tokenizer.json"):
            (stage / name).symlink_to(args.model_dir / name)
        np.savez_compressed(stage / "hier_head.npz", **arrays)
        (stage / CONFIG_FILE).write_text(json.dumps(config, indent=1) + "\n")
        planner = HierPlanner.from_dir(stage, threads=1, cache_size=1 << 16)
        examples = load_examples(args.data_dir / "valid.jsonl")
        if args.limit:
            examples = examples[: args.limit]
        start = time.time()
        got_s = np.zeros((len(examples), len(NAMES)))
        got_e = np.zeros((len(examples), len(EMOTIONS)))
        for i, ex in enumerate(examples):
            got_s[i], got_e[i] = planner.probabilities(ex.context)
        seconds = time.time() - start
        n = len(examples)
        agree = float((got_s.argmax(1) == ref_s[:n].argmax(1)).mean())
        emo_agree = float((got_e.argmax(1) == ref_e[:n].argmax(1)).mean())
        diff = np.abs(got_s - ref_s[:n])
        gold = [ex.strategy for ex in examples]
        runtime_report = classification_report(gold, got_s, NAMES)
        emotion_report = classification_report([ex.emotion for ex in examples], got_e, EMOTIONS)
        validation = {
            "n": n,
            "argmax_agreement": agree,
            "emotion_argmax_agreement": emo_agree,
            "max_prob_diff": float(diff.max()),
            "mean_prob_diff": float(diff.mean()),
            "gate": GATE,
            "runtime_valid": {
                k: runtime_report[k]
                for k in ("accuracy", "macro_f1", "weighted_f1", "kl_pred_gold", "kl_meanprob_gold")
            },
            "runtime_valid_per_class_f1": runtime_report["per_class_f1"],
            "runtime_valid_emotion": {k: emotion_report[k] for k in ("accuracy", "macro_f1")},
            "torch_valid": {"calibration": chosen["method"], **chosen["valid"]},
            "seconds": round(seconds, 1),
            "cache": {"hits": planner.cache.hits, "misses": planner.cache.misses},
        }
        log(json.dumps({k: v for k, v in validation.items() if k != "runtime_valid_per_class_f1"}))
        (args.run / "hier_validation.json").write_text(json.dumps(validation, indent=1) + "\n")
        if agree < GATE or args.limit:
            log("gate failed: nothing written" if agree < GATE else "--limit given: nothing written")
            return 1
        config["validation"] = {k: validation[k] for k in ("n", "argmax_agreement", "max_prob_diff", "gate")}
        (stage / CONFIG_FILE).write_text(json.dumps(config, indent=1) + "\n")
        for name in ("hier_head.npz", CONFIG_FILE):
            shutil.copyfile(stage / name, args.model_dir / name)
        (args.model_dir / "hier_validation.json").write_text(json.dumps(validation, indent=1) + "\n")
    log(f"wrote {args.model_dir / 'hier_head.npz'} and {CONFIG_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
