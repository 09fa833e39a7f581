"""Train the safety layer's learned models and write them into the package.

    python export/safety/distill_static.py --out /work/runs/safety/static_full.npz   # once
    python export/safety/train_classifier.py --esconv ../shared/data/esconv \\
        --with-dev bench/safety/eval_set.jsonl --static /work/runs/safety/static_full.npz

Two models, both numpy at run time:

- ``classifier.npz``: logistic regression on hashed word 1-2-grams and character 3-5-grams.
- ``embedding_head.npz`` (with ``--static``): the encoder's static WordPiece vectors, reduced by
  PCA, down-weighted for frequent pieces, quantised (4 bits by default), and a one-hidden-layer
  MLP on their mean. Trained with torch here; the package reads plain arrays.

Data: the hand-written corpus in ``export/safety/corpus/`` (both classes, weighted up, plus
buried-in-small-talk and typing-noise variants of each message), synthetic situation templates
(``export/safety/synth.py``), ESConv *train* seeker turns as everyday negatives (turns with rule
evidence or a danger word are left out, since a few seekers do describe danger) and, with ``--with-dev``, the
*dev* split of the evaluation set. Its holdout split is never read; ``--exclude FILE`` also
leaves out dev rows whose text appears in FILE (to measure on those files out of sample).
Because ESConv is CC BY-NC 4.0, models trained with it inherit the non-commercial restriction;
``--no-esconv`` trains on the project's own data alone.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from esc_edge.safety.classifier import (  # noqa: E402
    DEFAULT_BITS,
    MODEL_FILE,
    HashedLogReg,
    features,
    windows,
)
from esc_edge.safety.embedding import MODEL_FILE as HEAD_FILE  # noqa: E402
from esc_edge.safety.embedding import EmbeddingHead, pack  # noqa: E402
from esc_edge.safety.normalise import fold  # noqa: E402
from esc_edge.safety.rules import assess_rules  # noqa: E402
from export.safety.synth import _slip, generate  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"
# Measured sets whose texts must never be trained on, even when a template happens to write one:
# the holdout split of the evaluation set and spent blind holdouts used as development data.
NEVER_TRAIN = (REPO / "bench" / "safety" / "holdout9.jsonl",)
DATA = REPO / "esc_edge" / "safety" / "data"
Item = tuple[str, int, float]


def seeker_turns(path: Path) -> list[str]:
    turns: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            dialogue = json.loads(line)
            turns.extend(t["text"] for t in dialogue["turns"] if t["speaker"] == "seeker")
    return [t for t in turns if len(t.split()) >= 3]


# ESConv seekers sometimes do say they want to die, are hurt or in danger; such a turn must never be
# taught as "safe". The rule layer misses some of them, so a wish to die, self-harm, abuse or danger
# in words also leaves a turn out. Only self-directed phrases: everyday "dead" ("my legs are dead",
# "my dad is dead") must stay everyday, or the layer learns the bare word as danger.
RISK_WORDS = re.compile(
    r"\b(suicid\w*|kill(ing)? (myself|me)|(want|wanna|wish|rather|ready) (to )?(be )?(die|dead)"
    r"|(wish|hope) i (was|were) dead|hat(e|ed|ing) (being )?alive|(want|wanna) to be alive"
    r"|better off (dead|without me)|end (it all|my life|things)|(want|wanna) to live|live anymore"
    r"|point (of|in) (living|being alive|life)|not (be )?here anymore|disappear forever"
    r"|hurt(ing)? myself|self[- ]?harm\w*|harm(ing)? myself|cut(ting)? myself|overdos\w*|abus\w*"
    r"|(hit|hits|hitting|beat|beats|beating|chok\w*) me|threat\w*|rap(e|ed|ist)|assault\w*"
    r"|weapon|gun|knife|violen\w*|unsafe|danger\w*|police|emergency|bleed\w*"
    r"|scared for my (life|safety)|hang(ing)? myself|jump(ing)? off)\b",
    re.IGNORECASE,
)
# Short openers ("I've been better", "i need to decide soon") are where a few n-grams or a
# handful of word vectors decide alone; they are weighted up so everyday talk anchors them.
SHORT_WORDS = 8


def everyday_turns(turns: list[str]) -> list[str]:
    """Seeker turns fit to be taught as everyday talk: no rule evidence worth a look (< 0.2) and
    no danger word."""
    return [t for t in turns if assess_rules(t).score < 0.2 and not RISK_WORDS.search(t)]


def esconv_items(turns: list[str], weight: float, short_weight: float) -> list[Item]:
    return [(t, 0, short_weight if len(t.split()) <= SHORT_WORDS else weight) for t in turns]


def text_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def held_out_keys(eval_set: Path | None) -> set[str]:
    """Keys of texts that stay out of training (see NEVER_TRAIN)."""
    keys = {text_key(str(r["text"])) for path in NEVER_TRAIN if path.exists() for r in read_rows(path)}
    if eval_set is not None:
        keys |= {text_key(str(r["text"])) for r in read_rows(eval_set) if r.get("split") == "holdout"}
    return keys


def read_rows(path: Path) -> list[dict[str, object]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def variants(rows: list[dict[str, object]], filler: list[str], seed: int = 7) -> list[tuple[str, int]]:
    """Two variants of each hand-written message: buried among everyday sentences (English
    only: the filler is English), and with typing noise."""
    rng = random.Random(seed)
    out: list[tuple[str, int]] = []
    for row in rows:
        text, label = str(row["text"]), int(bool(row["crisis"]))
        if row.get("lang") == "en":
            parts = rng.sample(filler, k=rng.randint(1, 3))
            parts.insert(rng.randrange(len(parts) + 1), text)
            out.append((". ".join(parts), label))
        else:
            out.append((_slip(text, rng), label))
        out.append((_slip(text, rng), label))
    return out


def corpus_items(
    rows: list[dict[str, object]], filler: list[str], weight: float, foreign: float = 1.0
) -> list[Item]:
    """The hand-written messages at ``weight`` and their two variants at half of it; messages not
    in English (and their variants) weigh ``foreign`` times more. Everyday ESConv negatives are all
    English, so without it the other languages have only the corpus' few hundred hard negatives and
    crises to set their n-grams against (round 10)."""
    factors = [foreign if row.get("lang") not in (None, "en") else 1.0 for row in rows]
    extra = variants(rows, filler)
    return [
        (str(r["text"]), int(bool(r["crisis"])), weight * f) for r, f in zip(rows, factors, strict=True)
    ] + [(text, label, weight / 2 * factors[i // 2]) for i, (text, label) in enumerate(extra)]


def first_window(text: str) -> str:
    return (windows(text)[:1] or [""])[0]


def hashed_matrix(texts: list[str], bits: int):  # type: ignore[no-untyped-def]
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        for idx, value in features(first_window(text), bits).items():
            rows.append(i)
            cols.append(idx)
            vals.append(value)
    return csr_matrix((vals, (rows, cols)), shape=(len(texts), 1 << bits), dtype=np.float32)


def train_hashed(items: list[Item], bits: int, c: float, out: Path) -> HashedLogReg:
    from sklearn.linear_model import LogisticRegression

    x = hashed_matrix([t for t, _, _ in items], bits)
    labels = np.array([y for _, y, _ in items], dtype=np.int8)
    weights = np.array([w for _, _, w in items], dtype=np.float32)
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit(x, labels, sample_weight=weights)
    np.savez_compressed(
        out,
        weights=model.coef_[0].astype(np.float16),
        bias=np.float32(model.intercept_[0]),
        bits=np.int32(bits),
    )
    return HashedLogReg.load(out)


def static_vectors(
    static: Path, kind: str, dim: int, bits: int, texts: list[str]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Vocabulary, quantised reduced vectors and row scales from the distilled encoder vectors."""
    raw = np.load(static)
    vocab = [str(v) for v in raw["vocab"]]
    vec = raw[kind].astype(np.float32)
    vec -= vec.mean(axis=0)
    _, _, vt = np.linalg.svd(vec, full_matrices=False)
    reduced = vec @ vt[:dim].T
    # Frequent pieces ("i", "the", "my") say little about danger: weigh them down like SIF.
    probe = EmbeddingHead.from_arrays(vocab, np.zeros((len(vocab), 2), np.int8), bits=8)
    counts: collections.Counter[int] = collections.Counter()
    for text in texts[::3]:
        counts.update(probe.pieces(first_window(text)))
    total = max(1, sum(counts.values()))
    freq = np.array([counts.get(i, 0) / total for i in range(len(vocab))], dtype=np.float32)
    reduced *= (1e-3 / (1e-3 + freq))[:, None]
    top = 127.0 if bits == 8 else 7.0
    scales = np.abs(reduced).max(axis=1) / top
    scales[scales == 0] = 1.0
    codes = np.clip(np.round(reduced / scales[:, None]), -top, top).astype(np.int8)
    return vocab, codes, scales.astype(np.float32)


def fit_weighted_bce(  # type: ignore[no-untyped-def]
    net, x, y, w, *, epochs: int, lr: float, weight_decay: float, generator=None, batch_size: int = 256
) -> None:
    """Train ``net`` (torch, one logit per row) on weighted binary cross-entropy with AdamW, in
    shuffled batches; ``generator`` seeds the shuffles (None: torch's global generator)."""
    import torch

    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=generator)
        for start in range(0, len(y), batch_size):
            batch = order[start : start + batch_size]
            logits = net(x[batch]).squeeze(1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y[batch], reduction="none")
            opt.zero_grad()
            (loss * w[batch]).mean().backward()
            opt.step()


def train_head(
    items: list[Item], static: Path, kind: str, dim: int, bits: int, hidden: int, epochs: int, out: Path
) -> EmbeddingHead:
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    texts = [t for t, _, _ in items]
    vocab, codes, scales = static_vectors(static, kind, dim, bits, texts)
    base = EmbeddingHead.from_arrays(vocab, codes, bits=bits, scales=scales)
    x = torch.tensor(np.stack([base.embed(first_window(t)) for t in texts]))
    y = torch.tensor([float(label) for _, label, _ in items])
    w = torch.tensor([weight for _, _, weight in items], dtype=torch.float32)
    for label in (0.0, 1.0):  # balanced classes, as for the n-gram model
        w[y == label] *= len(y) / (2 * float((y == label).sum()))
    net = torch.nn.Sequential(torch.nn.Linear(dim, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
    fit_weighted_bce(net, x, y, w, epochs=epochs, lr=3e-3, weight_decay=1e-4)
    first, last = net[0], net[2]
    np.savez_compressed(
        out,
        vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        vectors=pack(codes, bits),
        bits=np.int32(bits),
        scales=scales.astype(np.float16),
        w1=first.weight.detach().numpy().T.astype(np.float32),
        b1=first.bias.detach().numpy().astype(np.float32),
        w2=last.weight.detach().numpy().reshape(-1).astype(np.float32),
        b2=np.float32(last.bias.item()),
    )
    return EmbeddingHead.load(out)


def rates(model: HashedLogReg | EmbeddingHead, held: list[tuple[str, int]], valid: list[str]) -> dict:
    held_p = np.array([model.predict(t) for t, _ in held])
    held_y = np.array([y for _, y in held])
    valid_p = np.array([model.predict(t) for t in valid]) if valid else np.array([])
    return {
        "synthetic_heldout_recall@0.5": float((held_p[held_y == 1] >= 0.5).mean()),
        "synthetic_heldout_fpr@0.5": float((held_p[held_y == 0] >= 0.5).mean()),
        "esconv_valid_seeker_fpr@0.5": float((valid_p >= 0.5).mean()) if valid_p.size else None,
        "esconv_valid_seeker_fpr@0.8": float((valid_p >= 0.8).mean()) if valid_p.size else None,
    }


def file_card(path: Path) -> dict[str, object]:
    return {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--esconv", type=Path, default=REPO.parent / "shared" / "data" / "esconv")
    parser.add_argument("--no-esconv", action="store_true", help="no ESConv turns as negatives")
    parser.add_argument("--out-dir", type=Path, default=DATA)
    parser.add_argument("--bits", type=int, default=DEFAULT_BITS)
    parser.add_argument("--n-synthetic", type=int, default=12000)
    parser.add_argument("--c", type=float, default=4.0, help="inverse L2 strength")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="hand-written *.jsonl files")
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("--corpus-weight", type=float, default=5.0)
    parser.add_argument(
        "--foreign-weight", type=float, default=1.0, help="multiplier for non-English corpus messages"
    )
    parser.add_argument(
        "--with-dev",
        type=Path,
        default=None,
        help="also train on the dev split of this labelled JSONL (never the holdout split)",
    )
    parser.add_argument("--dev-weight", type=float, default=3.0)
    parser.add_argument("--esconv-weight", type=float, default=1.0, help="per ESConv train turn")
    parser.add_argument(
        "--esconv-short-weight", type=float, default=3.0, help=f"turns of <= {SHORT_WORDS} words"
    )
    parser.add_argument(
        "--exclude", type=Path, nargs="*", default=[], help="leave out dev rows found in these files"
    )
    parser.add_argument("--static", type=Path, default=None, help="distill_static.py output")
    parser.add_argument("--static-kind", choices=("mean", "token"), default="mean")
    parser.add_argument("--emb-dim", type=int, default=128)
    parser.add_argument("--emb-bits", type=int, choices=(4, 8), default=4)
    parser.add_argument("--emb-hidden", type=int, default=64)
    parser.add_argument("--emb-epochs", type=int, default=40)
    args = parser.parse_args()

    start = time.time()
    train_neg: list[str] = []
    valid_neg: list[str] = []
    if not args.no_esconv:
        train_neg = everyday_turns(seeker_turns(args.esconv / "train.jsonl"))
        valid_neg = seeker_turns(args.esconv / "valid.jsonl")
    filler = [t for t in train_neg if 4 <= len(t.split()) <= 25][:3000]
    never = held_out_keys(args.with_dev or REPO / "bench" / "safety" / "eval_set.jsonl")
    synth = [
        (t, y)
        for t, y in generate(args.n_synthetic // 2, args.n_synthetic // 2, filler, seed=13)
        if text_key(t) not in never
    ]
    held = generate(1000, 1000, filler, seed=99)
    excluded = {str(r["text"]) for path in args.exclude for r in read_rows(path)}
    dev: list[tuple[str, int]] = []
    if args.with_dev:
        for row in read_rows(args.with_dev):
            if row.get("split") == "dev" and str(row["text"]) not in excluded:
                dev.append((str(row["text"]), int(bool(row["crisis"]))))
    corpus: list[dict[str, object]] = []
    if not args.no_corpus:
        for path in sorted(args.corpus.glob("*.jsonl")):
            corpus.extend(read_rows(path))
    cw = args.corpus_weight
    # Everyday turns are many; weigh them so they do not drown the hand-written hard negatives.
    items: list[Item] = (
        [(t, y, 1.0) for t, y in synth]
        + esconv_items(train_neg, args.esconv_weight, args.esconv_short_weight)
        + [(t, y, args.dev_weight) for t, y in dev]
        + corpus_items(corpus, filler or ["ok", "anyway"], cw, args.foreign_weight)
    )
    args.out_dir.mkdir(parents=True, exist_ok=True)
    hashed = train_hashed(items, args.bits, args.c, args.out_dir / MODEL_FILE)
    card: dict[str, object] = {
        "models": {
            MODEL_FILE: "hashed word 1-2-gram + char 3-5-gram logistic regression",
            HEAD_FILE: "static MiniLM-L6 WordPiece vectors (mean of [CLS] piece [SEP] outputs), "
            "PCA, frequency down-weighting, quantised; mean-pooled; MLP head",
        },
        "bits": args.bits,
        "train": {
            "synthetic": len(synth),
            "esconv_train_seeker_turns": len(train_neg),
            "hand_written_dev": len(dev),
            "hand_written_dev_file": args.with_dev.name if args.with_dev else None,
            "dev_rows_excluded_via": [p.name for p in args.exclude],
            "hand_written_corpus": len(corpus),
            "corpus_variants": 2 * len(corpus),
            "corpus_weight": cw,
            "foreign_weight": args.foreign_weight,
            "esconv_weight": args.esconv_weight,
            "esconv_short_weight": args.esconv_short_weight,
            "C": args.c,
        },
        MODEL_FILE: {**rates(hashed, held, valid_neg), **file_card(args.out_dir / MODEL_FILE)},
        "licence_note": (
            "trained with ESConv (CC BY-NC 4.0): non-commercial use only"
            if not args.no_esconv
            else "project data only"
        ),
    }
    if args.static:
        head_path = args.out_dir / HEAD_FILE
        head = train_head(
            items,
            args.static,
            args.static_kind,
            args.emb_dim,
            args.emb_bits,
            args.emb_hidden,
            args.emb_epochs,
            head_path,
        )
        card[HEAD_FILE] = {
            "dim": args.emb_dim,
            "bits": args.emb_bits,
            "hidden": args.emb_hidden,
            "epochs": args.emb_epochs,
            "static_kind": args.static_kind,
            **rates(head, held, valid_neg),
            **file_card(head_path),
        }
    card["seconds"] = round(time.time() - start, 1)
    card_path = args.out_dir / "classifier.card.json"
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(card, indent=2))


if __name__ == "__main__":
    main()
