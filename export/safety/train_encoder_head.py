"""The contextual-meaning head on the planner's encoder: leave-one-set-out measurement and training.

    python export/safety/encoder_features.py --out /work/runs/safety-enc          # vectors, once
    python export/safety/train_encoder_head.py --features /work/runs/safety-enc \\
        --report bench/results/safety_encoder_loo.json [--write esc_edge/safety/data]

Inputs are the arrays of ``encoder_features.py``: the planner encoder's vector of each message (as a
chat turn encodes it) and the scores of the detector's cheap layers. The head is a small MLP (or a
logistic regression) on the standardised vector, crisis vs not.

Training data, weights as for the n-gram model: the hand-written corpus (5), the spent blind
holdouts 5-10, the probe sets and the eval set's dev split (3), synthetic templates (1), ESConv
*train* seeker turns fit to be everyday talk (1; 3 for <= 8 words). The eval set's holdout split is
never trained on. Since round 9 the everyday ESConv train turns that a head trained without any
holdout still reads as a crisis (p >= 0.5, about 200 of 12,600) weigh ``--mine`` (3) instead: hard
everyday negatives mined from training data only.

Measurement, all with the cheap layers as shipped:

- leave one set out: for each holdout h in 5..10 a head trained on everything except h (and any
  row whose text also appears in h) scores h;
- corpus out of fold: 4 folds of the corpus, heads trained without any holdout;
- ESConv *valid* seeker turns: everyday talk that must stay everyday.

The operating point (how the head's probability becomes evidence) is chosen on the corpus out of
fold predictions and ESConv valid only, never on the holdouts: the highest recall with ESConv valid
false alarms at most ``--max-esconv`` and corpus hard-negative false alarms at most ``--max-fpr``.
Corpus batch 7 is trained on and scored out of fold but left out of that choice by default
(``--select-skip``): its negatives are twins of its crises and with it no point keeps the corpus
false alarms under 5% (round 8).

The shipped head is rebuilt, byte for byte, from the package's cheap models (run
``encoder_features.py`` and ``cheap_oof.py`` after ``train_classifier.py``) by::

    python export/safety/train_encoder_head.py --features DIR --write esc_edge/safety/data
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from esc_edge.safety.detector import CLF_ALONE, CLF_FLOOR, CLF_WEIGHT, DEFAULT_THRESHOLD, HASHED_WEIGHT  # noqa: E402
from esc_edge.safety.encoder_head import DEFAULT_GATE, HEAD_FILE, EncoderHead  # noqa: E402
from export.safety.train_classifier import SHORT_WORDS, fit_weighted_bce, text_key  # noqa: E402

HOLDOUTS = tuple(f"holdout{i}" for i in range(5, 11))
Arrays = dict[str, np.ndarray]


def load(features: Path) -> dict[str, Arrays]:
    out: dict[str, Arrays] = {}
    for path in sorted(features.glob("*.npz")):
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
        metas = [json.loads(m) for m in arrays.pop("meta")]
        arrays["key"] = np.array([text_key(str(m["text"])) for m in metas])
        arrays["words"] = np.array([len(str(m["text"]).split()) for m in metas])
        arrays["kind"] = np.array([str(m.get("kind") or "-") for m in metas])
        arrays["lang"] = np.array([str(m.get("lang") or "-") for m in metas])
        arrays["split"] = np.array([str(m.get("split") or "-") for m in metas])
        arrays["text"] = np.array([str(m["text"]) for m in metas])
        if path.stem == "esconv_train":
            arrays["everyday"] = np.array([bool(m["everyday"]) for m in metas])
        if path.stem == "variants":
            arrays["parent"] = np.array([str(m["parent"]) for m in metas])
            arrays["row"] = np.array([int(m["row"]) for m in metas])
        out[path.stem] = arrays
    oof = features / "oof" / "cheap_oof.npz"
    if oof.exists():  # cheap_oof.py: the cheap models' out-of-fold scores and their folds
        with np.load(oof) as data:
            for name in [n for n in out if n.startswith("corpus_")]:
                out[name]["fold"] = data[f"{name}.fold"]
                out[name]["hashed_oof"] = data[f"{name}.hashed"]
                out[name]["static_oof"] = data[f"{name}.static"]
    return out


def weight_of(name: str, a: Arrays, esconv_short: float, variant_weight: float = 0.0) -> np.ndarray:
    n = len(a["label"])
    if name == "esconv_train" and "mined_weight" in a:  # --mine: hard everyday turns weigh more
        w = np.where(a["words"] <= SHORT_WORDS, esconv_short, 1.0)
        return np.where(a["everyday"], np.maximum(w, a["mined_weight"]), 0.0)
    if name == "variants":
        return np.full(n, variant_weight)
    if name.startswith("corpus_"):
        return np.full(n, 5.0)
    if name == "synth":
        return np.ones(n)
    if name == "esconv_train":
        w = np.where(a["words"] <= SHORT_WORDS, esconv_short, 1.0)
        return np.where(a["everyday"], w, 0.0)
    if name == "eval_set":
        return np.where(a["split"] == "dev", 3.0, 0.0)
    if name in HOLDOUTS or name.startswith("probe"):
        return np.full(n, 3.0)
    return np.zeros(n)  # esconv_valid and anything unknown: never trained on


def pool(
    data: dict[str, Arrays],
    *,
    leave_out: set[str],
    leave_keys: set[str],
    corpus_mask: dict[str, np.ndarray] | None = None,
    esconv_short: float = 3.0,
    synth: bool = True,
    variant_weight: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ys, ws = [], [], []
    for name, a in data.items():
        if name in leave_out or (name == "synth" and not synth):
            continue
        w = weight_of(name, a, esconv_short, variant_weight)
        if corpus_mask is not None and name in corpus_mask:
            w = np.where(corpus_mask[name], w, 0.0)
        if corpus_mask is not None and name == "variants":  # a left-out message's variants too
            kept = [
                corpus_mask[p][r] if p in corpus_mask else True
                for p, r in zip(a["parent"], a["row"], strict=True)
            ]
            w = np.where(np.array(kept, dtype=bool), w, 0.0)
        if leave_keys:
            w = np.where(np.isin(a["key"], list(leave_keys)), 0.0, w)
        keep = w > 0
        xs.append(a["vec"][keep])
        ys.append(a["label"][keep])
        ws.append(w[keep])
    return np.concatenate(xs), np.concatenate(ys).astype(np.float32), np.concatenate(ws).astype(np.float32)


def fit(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    *,
    hidden: int,
    epochs: int,
    seed: int,
    wd: float,
    members: int = 1,
) -> EncoderHead:
    """A head on standardised vectors: logistic regression (hidden 0) or one ReLU layer. Several
    seed members of an MLP average their logits, which is one MLP with all their hidden units."""
    if members > 1 and hidden:
        heads = [fit(x, y, w, hidden=hidden, epochs=epochs, seed=seed + i, wd=wd) for i in range(members)]
        return EncoderHead(
            np.concatenate([h.w1 for h in heads], axis=1),
            np.concatenate([h.b1 for h in heads]),
            np.concatenate([h.w2 for h in heads]) / members,
            float(np.mean([h.b2 for h in heads])),
        )
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    mean = x.mean(0)
    std = x.std(0) + 1e-6
    xt = torch.tensor((x - mean) / std, dtype=torch.float32)
    yt = torch.tensor(y)
    wt = torch.tensor(w)
    for label in (0.0, 1.0):  # balanced classes
        wt[yt == label] *= len(yt) / (2 * float(wt[yt == label].sum() / wt.mean()))
    wt /= wt.mean()
    dim = x.shape[1]
    if hidden:
        net = torch.nn.Sequential(torch.nn.Linear(dim, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
    else:
        net = torch.nn.Sequential(torch.nn.Linear(dim, 1))
    gen = torch.Generator().manual_seed(seed)
    fit_weighted_bce(net, xt, yt, wt, epochs=epochs, lr=2e-3, weight_decay=wd, generator=gen)
    layers = [m for m in net if isinstance(m, torch.nn.Linear)]
    if hidden:
        w1 = layers[0].weight.detach().numpy().T
        b1 = layers[0].bias.detach().numpy()
        w2 = layers[1].weight.detach().numpy().reshape(-1)
        b2 = float(layers[1].bias.item())
    else:  # a linear head is stored as a hidden layer of one unit that passes its input through
        w1 = layers[0].weight.detach().numpy().T
        b1 = layers[0].bias.detach().numpy()
        w2 = np.ones(1, np.float32)
        b2 = 0.0
    # fold the standardisation into the first layer
    w1 = w1 / std[:, None]
    b1 = b1 - mean @ w1
    return EncoderHead(
        w1.astype(np.float32), b1.astype(np.float32), w2.astype(np.float32), b2, linear=not hidden
    )


# -- combining with the shipped layers (vectorised copy of LayeredSafetyCheck._assess) ------------
def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def layer(p: np.ndarray, floor: float, alone: float) -> np.ndarray:
    return np.where(p < floor, 0.0, np.minimum(CLF_WEIGHT, DEFAULT_THRESHOLD * (p - floor) / (alone - floor)))


def cheap(a: Arrays) -> np.ndarray:
    z = HASHED_WEIGHT * logit(a["hashed"]) + (1 - HASHED_WEIGHT) * logit(a["static"])
    blend = 1 / (1 + np.exp(-z))
    return 1 - (1 - a["rules"]) * (1 - layer(blend, CLF_FLOOR, CLF_ALONE) * a["damping"])


def combined(
    a: Arrays,
    enc_p: np.ndarray,
    floor: float,
    alone: float,
    gate: float,
    weight: float = 0.0,
    never_lower: bool = False,
) -> np.ndarray:
    """The detector's score with the encoder head, run only where the cheap layers' score reaches
    ``gate``: as its own layer (``weight`` 0; floor .. alone like the blend), or as a third member
    of the blend with this share of the logit (the blend keeps its own floor and alone). With
    ``never_lower`` the blend's evidence is the larger of the cheap and the refined one (noisy-OR
    is monotone, so the score is the larger of the two scores)."""
    base = cheap(a)
    if weight == 0.0:
        extra = np.where(base >= gate, layer(enc_p, floor, alone) * a["damping"], 0.0)
        return 1 - (1 - base) * (1 - extra)
    z = HASHED_WEIGHT * logit(a["hashed"]) + (1 - HASHED_WEIGHT) * logit(a["static"])
    z3 = (1 - weight) * z + weight * logit(enc_p)
    p = 1 / (1 + np.exp(-z3))
    with_enc = 1 - (1 - a["rules"]) * (1 - layer(p, floor, alone) * a["damping"])
    if never_lower:
        with_enc = np.maximum(with_enc, base)
    return np.where(base >= gate, with_enc, base)


# Round 8, "never lower": how the refined blend evidence meets the cheap one. (i) replaces it, as in
# round 7; (ii) the larger of the two in careful mode only; (iii) the larger of the two always.
NEVER_LOWER = {"i": (False, False), "ii": (False, True), "iii": (True, True)}  # (normal, careful)


def grid_line(point: dict[str, Any]) -> str:
    """One operating point of the selection grid: weight, levels, corpus OOF and ESConv flags."""
    oof = point["corpus_oof"]
    return (f"{point['weight']} {point['floor']} {point['alone']} {oof['recall']} {oof['fpr']} "
            f"{point['esconv_valid_flagged']}")  # fmt: skip


def pool_rates(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Recall and FPR over several sets' counts (each row has tp, positives, fp, negatives)."""
    tp, pos = sum(r["tp"] for r in rows), sum(r["positives"] for r in rows)
    fp, neg = sum(r["fp"] for r in rows), sum(r["negatives"] for r in rows)
    return {"recall": round(tp / pos, 4), "fpr": round(fp / neg, 4), "tp": tp, "positives": pos,
            "fp": fp, "negatives": neg}  # fmt: skip


def rates_at(score: np.ndarray, label: np.ndarray, threshold: float) -> dict[str, Any]:
    return rates(score + (DEFAULT_THRESHOLD - threshold), label)


def rates(score: np.ndarray, label: np.ndarray) -> dict[str, Any]:
    pos, neg = label == 1, label == 0
    flagged = score >= DEFAULT_THRESHOLD
    return {
        "recall": round(float(flagged[pos].mean()), 4) if pos.any() else None,
        "fpr": round(float(flagged[neg].mean()), 4) if neg.any() else None,
        "tp": int(flagged[pos].sum()),
        "positives": int(pos.sum()),
        "fp": int(flagged[neg].sum()),
        "negatives": int(neg.sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--features", type=Path, default=Path("/work/runs/safety-enc"))
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--write", type=Path, default=None, help="train on everything, write the head here")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--wd", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--members", type=int, default=5, help="MLP seed members (logits averaged)")
    parser.add_argument("--no-synth", action="store_true")
    parser.add_argument("--in-sample", action="store_true", help="select with the shipped cheap models")
    parser.add_argument("--mode", choices=("layer", "blend", "any"), default="any")
    parser.add_argument("--esconv-short", type=float, default=3.0)
    parser.add_argument("--variants", type=float, default=0.0, help="weight of corpus variants (0: none)")
    parser.add_argument("--max-esconv", type=int, default=10, help="ESConv valid false alarms allowed")
    parser.add_argument("--max-fpr", type=float, default=0.05, help="corpus OOF hard-negative FPR allowed")
    parser.add_argument(
        "--select-skip",
        nargs="*",
        default=["corpus_crisis_7", "corpus_safe_7"],
        help="corpus sets left out of the operating-point choice (default: batch 7; none: pass it empty)",
    )
    parser.add_argument("--gates", type=float, nargs="*", default=[0.0, 0.01, DEFAULT_GATE, 0.05, 0.1, 0.2])
    parser.add_argument(
        "--select-never-lower",
        action="store_true",
        help="choose the operating point with the head never lowering the cheap blend (variant iii)",
    )
    parser.add_argument(
        "--mine",
        type=float,
        default=3.0,
        help="weight of mined hard everyday ESConv train turns (0: no mining, as in rounds 7-8)",
    )
    parser.add_argument("--mine-at", type=float, default=0.5, help="head probability that marks a mined turn")
    args = parser.parse_args()
    start = time.time()
    data = load(args.features)
    opts = {
        "hidden": args.hidden,
        "epochs": args.epochs,
        "seed": args.seed,
        "wd": args.wd,
        "members": args.members,
    }
    common = {"esconv_short": args.esconv_short, "synth": not args.no_synth, "variant_weight": args.variants}
    valid = data["esconv_valid"]
    mined: dict[str, Any] = {}
    if args.mine > 0:
        # Hard everyday negatives from ESConv *train* only: a head trained without any holdout scores
        # the everyday train turns it was trained on; those it still reads as a crisis weigh --mine.
        x, y, w = pool(data, leave_out=set(HOLDOUTS), leave_keys=set(), **common)
        train = data["esconv_train"]
        p_train = fit(x, y, w, **opts).predict_vectors(train["vec"])
        hard = train["everyday"] & (p_train >= args.mine_at)
        train["mined_weight"] = np.where(hard, args.mine, 0.0)
        mined = {
            "weight": args.mine,
            "at": args.mine_at,
            "turns": int(hard.sum()),
            "of_everyday": int(train["everyday"].sum()),
            "examples": [str(t) for t in train["text"][hard][:40]],
        }
        print("mined", mined["turns"], "of", mined["of_everyday"], "everyday ESConv train turns", flush=True)

    # Corpus out of fold (no holdout in training): chooses the operating point with ESConv valid.
    corpus = [n for n in data if n.startswith("corpus_")]
    rng = np.random.default_rng(args.seed)
    folds = {n: data[n].get("fold", rng.integers(0, 4, len(data[n]["label"]))) for n in corpus}
    oof_cheap = all("hashed_oof" in data[n] for n in corpus) and not args.in_sample
    print("corpus selection with", "out-of-fold" if oof_cheap else "shipped (in-sample)", "cheap models")
    oof = {n: np.zeros(len(data[n]["label"])) for n in corpus}
    valid_oof = []
    for k in range(4):
        keys = {key for n in corpus for key in data[n]["key"][folds[n] == k]}
        x, y, w = pool(
            data,
            leave_out=set(HOLDOUTS),
            leave_keys=keys,
            corpus_mask={n: folds[n] != k for n in corpus},
            **common,
        )
        head = fit(x, y, w, **opts)
        for n in corpus:
            p = head.predict_vectors(data[n]["vec"])
            oof[n][folds[n] == k] = p[folds[n] == k]
        valid_oof.append(head.predict_vectors(valid["vec"]))

    def corpus_arrays(names: list[str]) -> tuple[Arrays, np.ndarray]:
        c = {
            f: np.concatenate([data[n][f] for n in names])
            for f in ("rules", "damping", "hashed", "static", "label")
        }
        if oof_cheap:
            c["hashed"] = np.concatenate([data[n]["hashed_oof"] for n in names])
            c["static"] = np.concatenate([data[n]["static_oof"] for n in names])
        return c, np.concatenate([oof[n] for n in names])

    # The operating point is chosen on the corpus sets not named in --select-skip (all are trained
    # on and scored out of fold).
    selected = [n for n in corpus if n not in set(args.select_skip)]
    cat, cat_p = corpus_arrays(selected)
    cat_all, cat_p_all = corpus_arrays(corpus)
    valid_p = np.mean(valid_oof, axis=0)
    grid = []
    points = [
        (0.0, floor, alone)
        for floor in (0.5, 0.7, 0.9, 0.97, 0.99)
        for alone in (0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999, 0.99995, 0.99999)
        if alone > floor
    ] + [
        (weight, CLF_FLOOR, alone)
        for weight in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
        for alone in (0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)
    ]
    if args.mode == "layer":
        points = [p for p in points if p[0] == 0.0]
    elif args.mode == "blend":
        points = [p for p in points if p[0] > 0.0]
    for weight, floor, alone in points:
        keep = args.select_never_lower
        c = rates(combined(cat, cat_p, floor, alone, 0.0, weight, keep), cat["label"])
        v = int((combined(valid, valid_p, floor, alone, 0.0, weight, keep) >= DEFAULT_THRESHOLD).sum())
        grid.append(
            {"weight": weight, "floor": floor, "alone": alone, "corpus_oof": c, "esconv_valid_flagged": v}
        )
    ok = [
        g
        for g in grid
        if g["esconv_valid_flagged"] <= args.max_esconv and g["corpus_oof"]["fpr"] <= args.max_fpr
    ]
    best = max(ok, key=lambda g: (g["corpus_oof"]["recall"], -g["corpus_oof"]["fpr"])) if ok else None
    shipped_corpus = rates(cheap(cat), cat["label"])
    print("corpus OOF shipped", shipped_corpus, "esconv valid", int((cheap(valid) >= 0.5).sum()))
    print("chosen", best)
    for mode_ok in ([g for g in ok if g["weight"] == 0.0], [g for g in ok if g["weight"] > 0.0]):
        for g in sorted(mode_ok, key=lambda g: -g["corpus_oof"]["recall"])[:3]:
            print("  ok", grid_line(g))
    report: dict[str, Any] = {
        "options": {
            **opts,
            **common,
            "max_esconv": args.max_esconv,
            "max_fpr": args.max_fpr,
            "select_skip": args.select_skip,
            "select_never_lower": args.select_never_lower,
        },
        "mined": mined,
        "selection": {"grid": grid, "chosen": best, "shipped_corpus_oof": shipped_corpus},
    }
    if best is None:
        for g in grid:
            print(grid_line(g))
        raise SystemExit("no operating point meets the limits")
    floor, alone, weight = best["floor"], best["alone"], best["weight"]
    report["selection"]["selected_on"] = selected
    for label, (c, cp) in (("selected", (cat, cat_p)), ("all", (cat_all, cat_p_all))):
        report["selection"][f"corpus_oof_variants_{label}"] = {
            f"{variant}_{mode}": rates_at(
                combined(c, cp, floor, alone, DEFAULT_GATE, weight, keep), c["label"], threshold
            )
            for variant, (normal, careful) in NEVER_LOWER.items()
            for mode, keep, threshold in (("normal", normal, DEFAULT_THRESHOLD), ("careful", careful, 0.3))
        }
        report["selection"][f"corpus_oof_cheap_{label}"] = rates(cheap(c), c["label"])
    report["selection"]["corpus_oof_by_set"] = {
        n: rates(combined_n, data[n]["label"])
        for n, combined_n in zip(
            corpus,
            np.split(
                combined(cat_all, cat_p_all, floor, alone, DEFAULT_GATE, weight),
                np.cumsum([len(data[n]["label"]) for n in corpus])[:-1],
            ),
            strict=True,
        )
    }

    # Leave one holdout out.
    table = {}
    for h in HOLDOUTS:
        a = data[h]
        x, y, w = pool(data, leave_out={h}, leave_keys=set(a["key"]), **common)
        head = fit(x, y, w, **opts)
        p = head.predict_vectors(a["vec"])
        vp = head.predict_vectors(valid["vec"])
        row: dict[str, Any] = {
            "shipped": rates(cheap(a), a["label"]),
            "head_alone@0.5": rates(p, a["label"]),
            "esconv_valid_flagged_shipped": int((cheap(valid) >= 0.5).sum()),
        }
        for variant, (normal, careful) in NEVER_LOWER.items():
            for mode, keep, threshold in (("normal", normal, DEFAULT_THRESHOLD), ("careful", careful, 0.3)):
                score = combined(a, p, floor, alone, DEFAULT_GATE, weight, keep)
                row[f"variant_{variant}_{mode}"] = rates_at(score, a["label"], threshold)
                lost = (a["label"] == 1) & (cheap(a) >= threshold) & (score < threshold)
                row[f"variant_{variant}_{mode}"]["crises_lost_vs_cheap"] = [str(t) for t in a["text"][lost]]
            row[f"variant_{variant}_esconv_valid_flagged"] = int(
                (combined(valid, vp, floor, alone, DEFAULT_GATE, weight, normal) >= DEFAULT_THRESHOLD).sum()
            )
        for gate in args.gates:
            row[f"with_encoder_gate{gate}"] = rates(combined(a, p, floor, alone, gate, weight), a["label"])
            row[f"esconv_valid_flagged_gate{gate}"] = int(
                (combined(valid, vp, floor, alone, gate, weight) >= 0.5).sum()
            )
        hard = a["label"] == 0
        row["gate_pass"] = {
            str(g): {
                "crisis": round(float((cheap(a)[~hard] >= g).mean()), 4),
                "hard_negative": round(float((cheap(a)[hard] >= g).mean()), 4),
                "esconv_valid": round(float((cheap(valid) >= g).mean()), 4),
            }
            for g in args.gates
        }
        row["missed_still"] = [
            str(t) for t in a["text"][(a["label"] == 1) & (combined(a, p, floor, alone, 0.0, weight) < 0.5)]
        ][:40]
        row["new_false_alarms"] = [
            str(t)
            for t in a["text"][
                (a["label"] == 0) & (combined(a, p, floor, alone, 0.0, weight) >= 0.5) & (cheap(a) < 0.5)
            ]
        ]
        table[h] = row
        s, e = row["shipped"], row["with_encoder_gate0.0"]
        print(
            f"{h:10} shipped {s['recall']:.3f}/{s['fpr']:.3f}  +enc {e['recall']:.3f}/{e['fpr']:.3f}  "
            f"head alone {row['head_alone@0.5']['recall']:.3f}/{row['head_alone@0.5']['fpr']:.3f}  "
            f"esconv {row['esconv_valid_flagged_shipped']} -> {row['esconv_valid_flagged_gate0.0']}",
            flush=True,
        )
    report["leave_one_out"] = table
    # pooled over the six holdouts
    pooled: dict[str, Any] = {}
    for key in ["shipped", *[f"with_encoder_gate{g}" for g in args.gates]]:
        pooled[key] = pool_rates([table[h][key] for h in HOLDOUTS])
    for variant in NEVER_LOWER:
        for mode in ("normal", "careful"):
            key = f"variant_{variant}_{mode}"
            pooled[key] = pool_rates([table[h][key] for h in HOLDOUTS])
            pooled[key]["crises_lost_vs_cheap"] = sum(
                len(table[h][key]["crises_lost_vs_cheap"]) for h in HOLDOUTS
            )
    for threshold, mode in ((DEFAULT_THRESHOLD, "normal"), (0.3, "careful")):
        pooled[f"cheap_{mode}"] = rates_at(
            np.concatenate([cheap(data[h]) for h in HOLDOUTS]),
            np.concatenate([data[h]["label"] for h in HOLDOUTS]),
            threshold,
        )
    report["leave_one_out_pooled"] = pooled
    print(json.dumps(pooled))

    if args.write:
        if weight == 0.0:
            raise SystemExit("the chosen point adds the head as its own layer; run time reads a blend member")
        x, y, w = pool(data, leave_out=set(), leave_keys=set(), **common)
        head = fit(x, y, w, **opts)
        sha = json.loads((REPO / "esc_edge" / "planner" / "model" / "hier.json").read_text())[
            "encoder_sha256"
        ]
        head = EncoderHead(
            head.w1,
            head.b1,
            head.w2,
            head.b2,
            linear=head.linear,
            weight=weight,
            floor=floor,
            alone=alone,
            encoder_sha256=sha,
        )
        head.save(args.write / HEAD_FILE)
        head = EncoderHead.load(args.write / HEAD_FILE)
        vp = head.predict_vectors(valid["vec"])
        report["shipped_head"] = {
            "gate": DEFAULT_GATE,
            "esconv_valid_flagged": int(
                (combined(valid, vp, floor, alone, DEFAULT_GATE, weight) >= 0.5).sum()
            ),
            "esconv_valid_flagged_texts": [
                str(t) for t in valid["text"][combined(valid, vp, floor, alone, DEFAULT_GATE, weight) >= 0.5]
            ],
            "eval_set_holdout_split": rates(
                combined(
                    data["eval_set"],
                    head.predict_vectors(data["eval_set"]["vec"]),
                    floor,
                    alone,
                    DEFAULT_GATE,
                    weight,
                )[data["eval_set"]["split"] == "holdout"],
                data["eval_set"]["label"][data["eval_set"]["split"] == "holdout"],
            ),
        }
        ev = data["eval_set"]
        ev_p = head.predict_vectors(ev["vec"])
        for variant, (normal, careful) in NEVER_LOWER.items():
            report["shipped_head"][f"variant_{variant}"] = {
                "esconv_valid_flagged": int(
                    (
                        combined(valid, vp, floor, alone, DEFAULT_GATE, weight, normal) >= DEFAULT_THRESHOLD
                    ).sum()
                ),
                **{
                    f"eval_set_{split}_{mode}": rates_at(
                        combined(ev, ev_p, floor, alone, DEFAULT_GATE, weight, keep)[ev["split"] == split],
                        ev["label"][ev["split"] == split],
                        threshold,
                    )
                    for split in ("dev", "holdout")
                    for mode, keep, threshold in (
                        ("normal", normal, DEFAULT_THRESHOLD),
                        ("careful", careful, 0.3),
                    )
                },
            }
        print("written", report["shipped_head"])
    report["seconds"] = round(time.time() - start, 1)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
