"""Train the safety classifier (hashed n-gram logistic regression) and write it into the package.

    python export/safety/train_classifier.py --esconv ../shared/data/esconv \
        --with-dev bench/safety/eval_set.jsonl      # how the shipped model was trained

Data: synthetic situation templates (export/safety/synth.py) for both classes, plus ESConv
seeker turns from the *train* split as everyday negatives (turns the rule layer flags are left
out, since a few seekers do describe danger). ``--with-dev`` adds the hand-written *dev* split
of the evaluation set (realistic chat wording the templates lack); its holdout split and the
blind holdout files in bench/safety/ are never read.
Writes esc_edge/safety/data/classifier.npz and a model card next to it. Because ESConv is CC BY-NC
4.0, a model trained with it inherits the non-commercial restriction; ``--no-esconv`` trains on
the synthetic data alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from esc_edge.safety.classifier import DEFAULT_BITS, MODEL_FILE, features, windows  # noqa: E402
from esc_edge.safety.rules import assess_rules  # noqa: E402
from export.safety.synth import generate  # noqa: E402


def seeker_turns(path: Path) -> list[str]:
    turns: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            dialogue = json.loads(line)
            turns.extend(t["text"] for t in dialogue["turns"] if t["speaker"] == "seeker")
    return [t for t in turns if len(t.split()) >= 3]


def matrix(texts: list[str], bits: int):  # type: ignore[no-untyped-def]
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        for w in windows(text)[:1] or [""]:
            for idx, value in features(w, bits).items():
                rows.append(i)
                cols.append(idx)
                vals.append(value)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), 1 << bits), dtype=np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esconv", type=Path, default=REPO.parent / "shared" / "data" / "esconv")
    parser.add_argument("--no-esconv", action="store_true", help="train on synthetic data only")
    parser.add_argument("--out", type=Path, default=REPO / "esc_edge" / "safety" / "data" / MODEL_FILE)
    parser.add_argument("--bits", type=int, default=DEFAULT_BITS)
    parser.add_argument("--n-synthetic", type=int, default=12000)
    parser.add_argument("--c", type=float, default=4.0, help="inverse L2 strength")
    parser.add_argument(
        "--with-dev",
        type=Path,
        default=None,
        help="also train on the dev split of this labelled JSONL (never the holdout split)",
    )
    parser.add_argument("--dev-weight", type=float, default=3.0)
    args = parser.parse_args()

    from sklearn.linear_model import LogisticRegression

    start = time.time()
    train_neg: list[str] = []
    valid_neg: list[str] = []
    if not args.no_esconv:
        train_neg = [t for t in seeker_turns(args.esconv / "train.jsonl") if assess_rules(t).score < 0.5]
        valid_neg = seeker_turns(args.esconv / "valid.jsonl")
    filler = [t for t in train_neg if 4 <= len(t.split()) <= 25][:3000]
    synth = generate(args.n_synthetic // 2, args.n_synthetic // 2, filler, seed=13)
    held = generate(1000, 1000, filler, seed=99)
    dev: list[tuple[str, int]] = []
    if args.with_dev:
        for line in args.with_dev.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if row and row.get("split") == "dev":
                dev.append((row["text"], int(bool(row["crisis"]))))
    texts = [t for t, _ in synth] + train_neg + [t for t, _ in dev]
    labels = np.array([y for _, y in synth] + [0] * len(train_neg) + [y for _, y in dev], dtype=np.int8)
    # Everyday turns are many; weigh them so they do not drown the synthetic hard negatives.
    weights = np.array(
        [1.0] * len(synth) + [0.5] * len(train_neg) + [args.dev_weight] * len(dev), dtype=np.float32
    )

    x = matrix(texts, args.bits)
    model = LogisticRegression(C=args.c, max_iter=2000, class_weight="balanced")
    model.fit(x, labels, sample_weight=weights)
    coef = model.coef_[0].astype(np.float16)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out, weights=coef, bias=np.float32(model.intercept_[0]), bits=np.int32(args.bits)
    )

    from esc_edge.safety.classifier import HashedLogReg

    clf = HashedLogReg.load(args.out)
    held_p = np.array([clf.predict(t) for t, _ in held])
    held_y = np.array([y for _, y in held])
    valid_p = np.array([clf.predict(t) for t in valid_neg]) if valid_neg else np.array([])
    card = {
        "model": "hashed word 1-2-gram + char 3-5-gram logistic regression",
        "bits": args.bits,
        "train": {
            "synthetic": len(synth),
            "esconv_train_seeker_turns": len(train_neg),
            "hand_written_dev": len(dev),
            "hand_written_dev_file": args.with_dev.name if args.with_dev else None,
            "C": args.c,
        },
        "synthetic_heldout": {
            "recall@0.5": float((held_p[held_y == 1] >= 0.5).mean()),
            "fpr@0.5": float((held_p[held_y == 0] >= 0.5).mean()),
        },
        "esconv_valid_seeker_fpr@0.5": float((valid_p >= 0.5).mean()) if valid_p.size else None,
        "esconv_valid_seeker_fpr@0.8": float((valid_p >= 0.8).mean()) if valid_p.size else None,
        "licence_note": (
            "trained with ESConv (CC BY-NC 4.0): non-commercial use only"
            if not args.no_esconv
            else "synthetic data only"
        ),
        "sha256": hashlib.sha256(args.out.read_bytes()).hexdigest(),
        "bytes": args.out.stat().st_size,
        "seconds": round(time.time() - start, 1),
    }
    args.out.with_suffix(".card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(card, indent=2))


if __name__ == "__main__":
    main()
