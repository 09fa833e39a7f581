"""Fit the learned reply chooser on ``build_chooser.py`` candidates and evaluate it on held-out turns.

Every candidate gets the runtime's reference-free features (``esc_edge.generation.rerank.
candidate_features``) and, as its label, the ESC-literature ROUGE-L against the human reply (the
first supporter message, the issue's metric). The ranker is linear: a pairwise logistic model on
feature differences of candidates of the same turn whose labels differ by at least ``--min-gap``
(L2-regularised, features standardised for the fit and the scale folded back into the weights), so
the shipped file is a handful of floats and the runtime needs no numerical library beyond Python.

    python export/policy/fit_chooser.py RUN/train_t07.jsonl --valid RUN/valid_t07.jsonl \\
        --weights esc_edge/generation/chooser.json --report bench/results/policy_chooser_valid.json

The report compares, on the held-out turns, the chosen reply with the greedy one, the consensus
(MBR) choice and an oracle that reads the reference, with paired bootstrap intervals.
``compare A B`` prints the same paired differences for two ``esc-edge eval generation --replies``
files over the same turns.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: make `export.policy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from esc_edge.conversation import Turn
from esc_edge.generation.rerank import FEATURES, Candidate, candidate_features, consensus_index

NAMES = sorted(FEATURES)
MIN_GAP = 0.02
L2 = 1.0


class Turns:
    """The candidates of many turns as arrays: features X, labels y, turn id g, greedy flag."""

    def __init__(self, records: Sequence[dict[str, Any]], max_samples: int | None = None) -> None:
        from export.policy.build_pairs import closeness

        self.records = list(records)
        self.texts: list[list[str]] = []
        rows, labels, groups = [], [], []
        for g, record in enumerate(self.records):
            raw = record["candidates"]
            if max_samples is not None:
                raw = [c for c in raw if c["greedy"]] + [c for c in raw if not c["greedy"]][:max_samples]
            candidates = [Candidate(c["text"], c["greedy"], c["logprob"], c["logprob_tokens"]) for c in raw]
            turns = [Turn(speaker, text) for speaker, text in record["turns"]]
            for features in candidate_features(candidates, turns):
                rows.append([features[n] for n in NAMES])
            labels += [closeness(c.text, record["reference"]) for c in candidates]
            groups += [g] * len(candidates)
            self.texts.append([c.text for c in candidates])
        self.X = np.asarray(rows, dtype=np.float64)
        self.y = np.asarray(labels, dtype=np.float64)
        self.g = np.asarray(groups)
        self.starts = np.searchsorted(self.g, np.arange(len(self.records)))
        self.ends = np.append(self.starts[1:], len(self.g))

    def subset(self, turns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        idx = np.concatenate([np.arange(self.starts[t], self.ends[t]) for t in turns])
        return self.X[idx], self.y[idx], self.g[idx]

    def pick(self, score: Callable[[int, np.ndarray], int]) -> list[int]:
        """Per turn, the index (within the turn) that ``score(turn, X_turn)`` picks."""
        return [score(t, self.X[self.starts[t] : self.ends[t]]) for t in range(len(self.records))]

    def chosen_texts(self, picks: Sequence[int]) -> list[str]:
        return [self.texts[t][k] for t, k in enumerate(picks)]

    def labels(self, picks: Sequence[int]) -> np.ndarray:
        return np.asarray([self.y[self.starts[t] + k] for t, k in enumerate(picks)])


def pairs(X: np.ndarray, y: np.ndarray, g: np.ndarray, min_gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Feature differences (better - worse, and the mirror) of same-turn pairs a gap apart."""
    diffs = []
    for turn in np.unique(g):
        idx = np.flatnonzero(g == turn)
        for a in idx:
            for b in idx:
                if y[a] - y[b] >= min_gap:
                    diffs.append(X[a] - X[b])
    D = np.asarray(diffs)
    return np.vstack([D, -D]), np.concatenate([np.ones(len(D)), np.zeros(len(D))])


def fit_pairwise(
    X: np.ndarray, y: np.ndarray, g: np.ndarray, columns: Sequence[int], l2: float, min_gap: float
) -> np.ndarray:
    """Weights over all features (zero outside ``columns``) in raw feature units."""
    D, t = pairs(X[:, columns], y, g, min_gap)
    scale = D.std(axis=0)
    scale[scale == 0] = 1.0
    Z = D / scale
    w = np.zeros(Z.shape[1])
    for _ in range(50):  # Newton steps on the L2-regularised logistic loss (no intercept: symmetric)
        p = 1.0 / (1.0 + np.exp(-Z @ w))
        grad = Z.T @ (p - t) / len(t) + l2 * w / len(t)
        hess = (Z * (p * (1 - p))[:, None]).T @ Z / len(t) + l2 * np.eye(len(w)) / len(t)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    full = np.zeros(X.shape[1])
    full[list(columns)] = w / scale
    return full


def argmax_first(values: np.ndarray) -> int:
    return int(np.flatnonzero(values == values.max())[0])


def linear_picker(w: np.ndarray, data: Turns) -> list[int]:
    return data.pick(lambda t, Xt: argmax_first(Xt @ w))


def greedy_picks(data: Turns) -> list[int]:
    col = NAMES.index("greedy")
    return data.pick(lambda t, Xt: argmax_first(Xt[:, col]))


def consensus_picks(data: Turns) -> list[int]:
    return [consensus_index(texts) for texts in data.texts]


def oracle_picks(data: Turns) -> list[int]:
    return data.pick(lambda t, Xt: argmax_first(data.y[data.starts[t] : data.ends[t]]))


def grouped_cv(data: Turns, columns: Sequence[int], l2: float, min_gap: float, folds: int = 5) -> float:
    """Mean label of the chosen candidate, out of fold, folds by dialogue."""
    dialogues = sorted({r["dialogue_id"] for r in data.records})
    fold_of = {d: i % folds for i, d in enumerate(dialogues)}
    turn_fold = np.asarray([fold_of[r["dialogue_id"]] for r in data.records])
    chosen = np.zeros(len(data.records))
    for f in range(folds):
        train = np.flatnonzero(turn_fold != f)
        w = fit_pairwise(*data.subset(train), columns, l2, min_gap)
        for t in np.flatnonzero(turn_fold == f):
            Xt = data.X[data.starts[t] : data.ends[t]]
            chosen[t] = data.y[data.starts[t] + argmax_first(Xt @ w)]
    return float(chosen.mean())


# -- reporting -------------------------------------------------------------------------------------
def corpus_scores(texts: Sequence[str], references: Sequence[str]) -> dict[str, Any]:
    from esc_edge.eval.metrics import esc_literature_report, mean_words

    lit = esc_literature_report(texts, references)
    return {
        "bleu2": lit["bleu2"],
        "rouge_l": lit["rouge_l"],
        "distinct2": lit["distinct2"]["value"],
        "mean_words": round(mean_words(texts), 1),
    }


def paired(
    a: Sequence[str], b: Sequence[str], references: Sequence[str], resamples: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """a - b: ESC ROUGE-L (mean of per-turn differences) and corpus BLEU-2, paired bootstrap."""
    from esc_edge.eval.metrics import esc_bleu, esc_tokens, rouge_l_beta

    ta, tb, tr = ([esc_tokens(x) for x in texts] for texts in (a, b, references))
    ra = np.asarray([100 * rouge_l_beta(h, r) for h, r in zip(ta, tr, strict=True)])
    rb = np.asarray([100 * rouge_l_beta(h, r) for h, r in zip(tb, tr, strict=True)])
    rng = np.random.default_rng(seed)
    n = len(tr)

    def bleu_diff(idx: np.ndarray) -> float:
        refs = [tr[i] for i in idx]
        return esc_bleu([ta[i] for i in idx], refs, 2) - esc_bleu([tb[i] for i in idx], refs, 2)

    rl, bl = [], []
    for _ in range(resamples):
        idx = rng.integers(0, n, n)
        rl.append(float((ra[idx] - rb[idx]).mean()))
        bl.append(bleu_diff(idx))
    everything = np.arange(n)
    return {
        "rouge_l": {
            "value": round(float((ra - rb).mean()), 2),
            "ci95": [round(float(v), 2) for v in np.percentile(rl, [2.5, 97.5])],
            "p_le_0": round(float(np.mean(np.asarray(rl) <= 0)), 3),
        },
        "bleu2": {
            "value": round(bleu_diff(everything), 2),
            "ci95": [round(float(v), 2) for v in np.percentile(bl, [2.5, 97.5])],
        },
        "same_reply": int(sum(x == y for x, y in zip(a, b, strict=True))),
    }


def formulaic_share(texts: Sequence[str]) -> float:
    from export.policy.build_pairs import is_formulaic, stock_phrases

    phrases = stock_phrases()
    return round(100 * float(np.mean([is_formulaic(t, phrases) for t in texts])), 1)


def evaluate(w: np.ndarray, data: Turns) -> dict[str, Any]:
    references = [r["reference"] for r in data.records]
    picks = {
        "greedy": greedy_picks(data),
        "consensus": consensus_picks(data),
        "learned": linear_picker(w, data),
        "oracle": oracle_picks(data),
    }
    texts = {name: data.chosen_texts(p) for name, p in picks.items()}
    out: dict[str, Any] = {"turns": len(references)}
    for name, chosen in texts.items():
        out[name] = corpus_scores(chosen, references)
        out[name]["formulaic_pct"] = formulaic_share(chosen)
        out[name]["questions_pct"] = round(100 * float(np.mean(["?" in t for t in chosen])), 1)
    out["learned"]["picked_greedy_pct"] = round(
        100 * float(np.mean([a == b for a, b in zip(picks["learned"], picks["greedy"], strict=True)])), 1
    )
    out["learned_minus_greedy"] = paired(texts["learned"], texts["greedy"], references)
    out["learned_minus_consensus"] = paired(texts["learned"], texts["consensus"], references)
    return out


def load(paths: Sequence[Path]) -> list[dict[str, Any]]:
    records = [json.loads(line) for path in paths for line in path.open() if line.strip()]
    return sorted(records, key=lambda r: (r["dialogue_id"], r["turn_index"]))


def compare_main(a: Path, b: Path) -> int:
    """Paired a - b of two ``esc-edge eval generation --replies`` files over the same turns."""
    ra = [json.loads(line) for line in a.open() if line.strip()]
    rb = [json.loads(line) for line in b.open() if line.strip()]
    if [r["reference"] for r in ra] != [r["reference"] for r in rb]:
        raise SystemExit("the two files do not cover the same turns in the same order")
    print(
        json.dumps(paired([r["reply"] for r in ra], [r["reply"] for r in rb], [r["reference"] for r in ra]))
    )
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("train", type=Path, nargs="+", help="build_chooser.py sample files (train turns)")
    ap.add_argument("--valid", type=Path, help="held-out turns to report on (never fitted on)")
    ap.add_argument("--features", default=",".join(NAMES), help="comma-separated subset to use")
    ap.add_argument("--l2", type=float, default=L2)
    ap.add_argument("--min-gap", type=float, default=MIN_GAP)
    ap.add_argument("--max-samples", type=int, default=None, help="use only the first N samples per turn")
    ap.add_argument("--temperature", type=float, default=0.7, help="what the samples were drawn at")
    ap.add_argument("--weights", type=Path, help="write the fitted chooser JSON here")
    ap.add_argument("--report", type=Path, help="write the CV / valid report JSON here")
    ap.add_argument("--ablate", action="store_true", help="CV of each feature left out")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from export.policy.common import log

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["compare"]:  # fit_chooser.py compare A.replies.jsonl B.replies.jsonl
        return compare_main(Path(argv[1]), Path(argv[2]))
    args = parse_args(argv)
    columns = [NAMES.index(n) for n in args.features.split(",")]
    train = Turns(load(args.train), args.max_samples)
    log(f"{len(train.records)} train turns, {len(train.y)} candidates")
    baseline = {
        "greedy": float(train.labels(greedy_picks(train)).mean()),
        "consensus": float(train.labels(consensus_picks(train)).mean()),
        "oracle": float(train.labels(oracle_picks(train)).mean()),
    }
    cv = grouped_cv(train, columns, args.l2, args.min_gap)
    report: dict[str, Any] = {
        "train_turns": len(train.records),
        "features": [NAMES[c] for c in columns],
        "l2": args.l2,
        "min_gap": args.min_gap,
        "max_samples": args.max_samples,
        "train_rouge_l_x100": {k: round(100 * v, 2) for k, v in baseline.items()},
        "train_cv_learned_rouge_l_x100": round(100 * cv, 2),
    }
    log(f"train (x100): {report['train_rouge_l_x100']}, learned out of fold {round(100 * cv, 2)}")
    if args.ablate:
        report["ablation_cv"] = {}
        for c in columns:
            rest = [k for k in columns if k != c]
            score = round(100 * grouped_cv(train, rest, args.l2, args.min_gap), 2)
            report["ablation_cv"][f"without {NAMES[c]}"] = score
            log(f"  without {NAMES[c]}: {score}")
    w = fit_pairwise(train.X, train.y, train.g, columns, args.l2, args.min_gap)
    weights = {NAMES[c]: round(float(w[c]), 6) for c in columns}
    report["weights"] = weights
    log(f"weights: {weights}")
    if args.valid:
        valid = Turns(load([args.valid]), args.max_samples)
        report["valid"] = evaluate(w, valid)
        v = report["valid"]
        for name in ("greedy", "consensus", "learned", "oracle"):
            log(f"valid {name}: {v[name]}")
        log(f"learned - greedy: {v['learned_minus_greedy']}")
        log(f"learned - consensus: {v['learned_minus_consensus']}")
    if args.weights:
        args.weights.write_text(
            json.dumps(
                {
                    "about": "linear ranker over esc_edge.generation.rerank.candidate_features; "
                    "fitted by export/policy/fit_chooser.py",
                    "include_greedy": True,
                    "sample_temperature": args.temperature,
                    "weights": weights,
                },
                indent=2,
            )
            + "\n"
        )
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
