"""Shared pieces of the policy export: the GGUF-rebuilt tokenizer and the HF base directory.

The tokenizer that transformers builds from a GGUF is wrong for this model (eos, pad, a doubled
BOS, and a byte-fallback pre-tokenizer whose ids differ from llama.cpp's), and converting with it
writes a GGUF that crashes llama.cpp. So the tokenizer is rebuilt from the GGUF metadata; it then
tokenises exactly like llama.cpp (pre-tokenizer ``smollm``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "esconv"
BASE_GGUF_ENV = "ESC_EDGE_BASE_GGUF"
# Control tokens the prompt uses; a rebuilt tokenizer must map them to these single ids.
IM_START_ID = 1
IM_END_ID = 2


def log(message: str) -> None:
    """Progress goes to stderr with a wall-clock stamp, so a nohup log doubles as a timing record."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def default_base_gguf() -> Path | None:
    value = os.environ.get(BASE_GGUF_ENV)
    return Path(value) if value else None


def gguf_fields(path: Path) -> dict[str, Any]:
    """The tokenizer metadata of a GGUF file (read with the PyPI ``gguf`` package)."""
    import gguf

    reader = gguf.GGUFReader(str(path))
    keys = (
        "tokenizer.ggml.model",
        "tokenizer.ggml.pre",
        "tokenizer.ggml.tokens",
        "tokenizer.ggml.token_type",
        "tokenizer.ggml.merges",
        "tokenizer.chat_template",
    )
    return {k: reader.fields[k].contents() for k in keys if k in reader.fields}


def rebuild_tokenizer(gguf_path: Path) -> Any:
    """A ``PreTrainedTokenizerFast`` that tokenises like llama.cpp's ``smollm`` pre-tokenizer."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    meta = gguf_fields(gguf_path)
    tokens: list[str] = meta["tokenizer.ggml.tokens"]
    types: list[int] = meta["tokenizer.ggml.token_type"]
    merges = [tuple(m.split(" ", 1)) for m in meta["tokenizer.ggml.merges"]]
    model = models.BPE(
        vocab={t: i for i, t in enumerate(tokens)},
        merges=merges,
        byte_fallback=False,
        fuse_unk=False,
    )
    tk = Tokenizer(model)
    tk.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
        ]
    )
    tk.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    tk.post_processor = processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True)
    control = [tokens[i] for i, t in enumerate(types) if t == 3]  # CONTROL tokens, ids 0..16
    tk.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in control])
    named = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
    tok = PreTrainedTokenizerFast(
        tokenizer_object=tk,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        unk_token="<|endoftext|>",
        pad_token="<|im_end|>",
        additional_special_tokens=[s for s in control if s not in named],
        model_max_length=8192,
        clean_up_tokenization_spaces=False,
        # Without this, generate() fails on token_type_ids.
        model_input_names=["input_ids", "attention_mask"],
    )
    tok.chat_template = meta.get("tokenizer.chat_template")
    return tok


def hf_tokenize(tok: Any) -> Any:
    """The prompt module's ``Tokenize`` over an HF tokenizer: control tokens only when special."""

    def tokenize(text: str, special: bool) -> list[int]:
        if special:
            ids = tok.convert_tokens_to_ids([text])
            if ids[0] is None or ids[0] == tok.unk_token_id:
                raise ValueError(f"{text!r} is not a single control token")
            return [int(ids[0])]
        # split_special_tokens=True keeps user text such as "<|im_start|>" plain.
        return list(tok.encode(text, add_special_tokens=False, split_special_tokens=True))

    return tokenize


def check_tokenizer(tok: Any) -> None:
    """Fail loudly if the rebuilt tokenizer is not the one the runtime uses."""
    tokenize = hf_tokenize(tok)
    assert tokenize("<|im_start|>", True) == [IM_START_ID], "im_start must be id 1"
    assert tokenize("<|im_end|>", True) == [IM_END_ID], "im_end must be id 2"
    plain = tokenize("<|im_start|>user", False)
    assert IM_START_ID not in plain, "plain text must never become a control token"
    assert tok.eos_token_id == IM_END_ID and tok.pad_token_id == IM_END_ID


def ensure_hf_base(gguf_path: Path, out_dir: Path) -> Path:
    """Dequantise the GGUF into an fp32 HF directory with the rebuilt tokenizer (once; cached)."""
    marker = out_dir / "esc_edge_base.json"
    if marker.exists() and json.loads(marker.read_text()).get("gguf") == str(gguf_path):
        return out_dir
    import torch
    from transformers import AutoModelForCausalLM

    log(f"dequantising {gguf_path.name} into {out_dir} (about 30 s)")
    model = AutoModelForCausalLM.from_pretrained(
        str(gguf_path.parent), gguf_file=gguf_path.name, dtype=torch.float32
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tok = rebuild_tokenizer(gguf_path)
    check_tokenizer(tok)
    tok.save_pretrained(out_dir)
    # A GGUF-derived tokenizer would leave tokenizer.model, a 98 MB copy of the GGUF (P2).
    (out_dir / "tokenizer.model").unlink(missing_ok=True)
    marker.write_text(json.dumps({"gguf": str(gguf_path)}))
    return out_dir


def load_tokenizer(hf_base: Path) -> Any:
    from transformers import PreTrainedTokenizerFast

    tok = PreTrainedTokenizerFast.from_pretrained(str(hf_base))
    check_tokenizer(tok)
    return tok


def seed_everything(seed: int, threads: int) -> None:
    """Seed Python, numpy and torch and set torch's thread count: every trainer starts this way."""
    import random

    import numpy as np
    import torch

    torch.set_num_threads(threads)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
