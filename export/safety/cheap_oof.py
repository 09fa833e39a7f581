"""Out-of-fold scores of the n-gram model and the static-vector head on the hand-written corpus.

    python export/safety/distill_static.py --out /work/runs/safety-enc/static_full.npz
    python export/safety/cheap_oof.py --static /work/runs/safety-enc/static_full.npz \\
        --out /work/runs/safety-enc/cheap_oof.npz

The shipped models were trained on the corpus, so their scores there are in sample: a new layer
added to them looks less useful on the corpus than on new wording. This retrains both models the
shipped way (``train_classifier.py``'s data, weights and options) four times, each without one
fold of the corpus (and that fold's variants), and scores the left-out fold. Folds: numpy
``default_rng(seed)``, ``integers(0, 4)`` per corpus file in sorted order; they are saved with the
scores so ``train_encoder_head.py`` uses the same ones.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from esc_edge.safety.detector import _bounded  # noqa: E402
from export.safety.synth import generate  # noqa: E402
from export.safety.train_classifier import (  # noqa: E402
    CORPUS,
    corpus_items,
    esconv_items,
    everyday_turns,
    held_out_keys,
    read_rows,
    seeker_turns,
    text_key,
    train_hashed,
    train_head,
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esconv", type=Path, default=REPO.parent / "shared" / "data" / "esconv")
    parser.add_argument("--static", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--foreign-weight", type=float, default=1.0, help="as train_classifier.py's (non-English corpus)"
    )
    args = parser.parse_args()
    start = time.time()
    eval_set = REPO / "bench" / "safety" / "eval_set.jsonl"
    train_neg = everyday_turns(seeker_turns(args.esconv / "train.jsonl"))
    filler = [t for t in train_neg if 4 <= len(t.split()) <= 25][:3000]
    never = held_out_keys(eval_set)
    synth = [(t, y) for t, y in generate(6000, 6000, filler, seed=13) if text_key(t) not in never]
    dev = [(str(r["text"]), int(bool(r["crisis"]))) for r in read_rows(eval_set) if r.get("split") == "dev"]
    files = sorted(CORPUS.glob("*.jsonl"))
    rows = {p.stem: read_rows(p) for p in files}
    rng = np.random.default_rng(args.seed)
    folds = {name: rng.integers(0, 4, len(r)) for name, r in rows.items()}
    hashed_p = {name: np.zeros(len(r), np.float32) for name, r in rows.items()}
    static_p = {name: np.zeros(len(r), np.float32) for name, r in rows.items()}
    for k in range(4):
        train_rows = [r for name, rs in rows.items() for r, f in zip(rs, folds[name], strict=True) if f != k]
        left = {
            text_key(str(r["text"]))
            for name, rs in rows.items()
            for r, f in zip(rs, folds[name], strict=True)
            if f == k
        }
        items = (
            [(t, y, 1.0) for t, y in synth if text_key(t) not in left]
            + esconv_items(train_neg, 1.0, 3.0)
            + [(t, y, 3.0) for t, y in dev if text_key(t) not in left]
            + corpus_items(train_rows, filler, 5.0, args.foreign_weight)
        )
        with tempfile.TemporaryDirectory() as tmp:
            hashed = train_hashed(items, 18, 4.0, Path(tmp) / "classifier.npz")
            head = train_head(items, args.static, "mean", 128, 4, 64, 40, Path(tmp) / "embedding_head.npz")
        for name, rs in rows.items():
            for i, (r, f) in enumerate(zip(rs, folds[name], strict=True)):
                if f == k:
                    text = _bounded(str(r["text"]))
                    hashed_p[name][i] = hashed.predict(text)
                    static_p[name][i] = head.predict(text)
        print(f"fold {k}: {len(items)} items, {time.time() - start:.0f} s", flush=True)
    arrays: dict[str, np.ndarray] = {}
    for name in rows:
        arrays[f"corpus_{name}.fold"] = folds[name]
        arrays[f"corpus_{name}.hashed"] = hashed_p[name]
        arrays[f"corpus_{name}.static"] = static_p[name]
    np.savez_compressed(args.out, **arrays)  # type: ignore[arg-type]
    print(f"-> {args.out} ({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
