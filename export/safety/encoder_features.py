"""Encoder vectors and cheap-layer scores of every labelled safety message, for the encoder head.

    OMP_NUM_THREADS=1 python export/safety/encoder_features.py --out /work/runs/safety-enc

For each set (the hand-written corpus files, the spent blind holdouts 5-10, the eval set, the probe
sets, synthetic templates, ESConv train and valid seeker turns) it writes ``<set>.npz`` with:

- ``vec``: the planner encoder's mean-pooled vector of the message exactly as a chat turn encodes
  it (``HierPlanner.encode`` of ``utterance_text``: "[seeker] " + text, one message per run, so the
  int8 activation scales are the same as at run time);
- ``rules``, ``damping``: the rule layer's score (with the row's context) and damping;
- ``hashed``, ``static``: the n-gram model's and the static-vector head's probabilities;
- ``label`` (1 = crisis) and the row's text, kind, language, split as JSON in ``meta``.

Those are everything the detector combines, so heads and operating points can be compared offline
(``export/safety/train_encoder_head.py``) without running the encoder again.

After the cheap models are retrained, ``--models DIR --reuse OLD_DIR`` rescores every set with the
models in DIR and takes the encoder vectors from OLD_DIR where a set there has the same texts (the
encoder did not change), so only new sets pass through the encoder.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from esc_edge.conversation import Conversation, Turn  # noqa: E402
from esc_edge.planner.hier import HierPlanner, utterance_text  # noqa: E402
from esc_edge.safety.classifier import HashedLogReg  # noqa: E402
from esc_edge.safety.detector import LayeredSafetyCheck, _bounded  # noqa: E402
from esc_edge.safety.embedding import EmbeddingHead  # noqa: E402
from esc_edge.safety.rules import assess_rules  # noqa: E402
from export.safety.synth import generate  # noqa: E402
from export.safety.train_classifier import (  # noqa: E402
    CORPUS,
    everyday_turns,
    read_rows,
    seeker_turns,
    variants,
)

BENCH = REPO / "bench" / "safety"
BENCH_SETS = (
    "holdout5",
    "holdout6",
    "holdout7",
    "holdout8",
    "holdout9",
    "holdout10",
    "eval_set",
    "probe4",
    "probe5",
)


def sets(esconv: Path, n_synth: int) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for path in sorted(CORPUS.glob("*.jsonl")):
        out["corpus_" + path.stem] = read_rows(path)
    for name in BENCH_SETS:
        out[name] = read_rows(BENCH / f"{name}.jsonl")
    train = seeker_turns(esconv / "train.jsonl")
    everyday = set(everyday_turns(train))
    out["esconv_train"] = [
        {"text": t, "crisis": False, "kind": "esconv", "everyday": t in everyday} for t in train
    ]
    out["esconv_valid"] = [
        {"text": t, "crisis": False, "kind": "esconv"} for t in seeker_turns(esconv / "valid.jsonl")
    ]
    filler = [t for t in everyday_turns(train) if 4 <= len(t.split()) <= 25][:3000]
    # Two variants of each corpus message (buried in small talk or with typing noise), as for the
    # n-gram model; "parent" and "row" name the message, so a fold leaves its variants out too.
    out["variants"] = [
        {"text": t, "crisis": bool(y), "kind": "variant", "parent": name, "row": i // 2}
        for name in [n for n in out if n.startswith("corpus_")]
        for i, (t, y) in enumerate(variants(out[name], filler, seed=7 + len(name)))
    ]
    out["synth"] = [
        {"text": t, "crisis": bool(y), "kind": "synth"}
        for t, y in generate(n_synth // 2, n_synth // 2, filler, seed=13)
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esconv", type=Path, default=REPO.parent / "shared" / "data" / "esconv")
    parser.add_argument("--out", type=Path, default=Path("/work/runs/safety-enc"))
    parser.add_argument("--n-synthetic", type=int, default=12000)
    parser.add_argument("--only", nargs="*", default=None, help="set names to (re)compute")
    parser.add_argument("--models", type=Path, default=None, help="cheap models from here (default: package)")
    parser.add_argument("--reuse", type=Path, default=None, help="encoder vectors from this features dir")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    planner = HierPlanner.from_dir(threads=1)
    if args.models:
        hashed = HashedLogReg.load(args.models / "classifier.npz")
        static = EmbeddingHead.load(args.models / "embedding_head.npz")
    else:
        hashed, static = HashedLogReg.load(), EmbeddingHead.load()
    check = LayeredSafetyCheck()
    for name, rows in sets(args.esconv, args.n_synthetic).items():
        if args.only and name not in args.only:
            continue
        target = args.out / f"{name}.npz"
        if target.exists() and not args.only:
            continue
        start = time.time()
        old: dict[str, np.ndarray] = {}
        if args.reuse and (args.reuse / f"{name}.npz").exists():
            with np.load(args.reuse / f"{name}.npz") as data:
                texts = [str(json.loads(m)["text"]) for m in data["meta"]]
                if texts == [str(r["text"]) for r in rows]:
                    old = {"vec": data["vec"]}
        vec, rules, damping, p_hashed, p_static, labels = [], [], [], [], [], []
        for i, row in enumerate(rows):
            text = str(row["text"])
            if old:
                vec.append(old["vec"][i])
            else:
                vec.append(planner.encode([utterance_text(Turn("seeker", text))])[0])
            conversation = Conversation()
            for earlier in row.get("context") or []:  # type: ignore[attr-defined]
                conversation.add_seeker(str(earlier))
            bounded = _bounded(text)
            result = assess_rules(bounded, context=check._context(conversation, bounded))
            rules.append(result.score)
            damping.append(result.damping)
            p_hashed.append(hashed.predict(bounded))
            p_static.append(static.predict(bounded))
            labels.append(int(bool(row["crisis"])))
        planner.cache.clear()
        np.savez_compressed(
            target,
            vec=np.stack(vec).astype(np.float32),
            rules=np.array(rules, np.float32),
            damping=np.array(damping, np.float32),
            hashed=np.array(p_hashed, np.float32),
            static=np.array(p_static, np.float32),
            label=np.array(labels, np.int8),
            meta=np.array([json.dumps(r, ensure_ascii=False) for r in rows]),
        )
        reused = " (vectors reused)" if old else ""
        print(f"{name:24} {len(rows):6} rows  {time.time() - start:6.1f} s{reused}", flush=True)


if __name__ == "__main__":
    main()
