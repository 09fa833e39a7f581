"""PEFT adapter -> llama.cpp LoRA GGUF, validated against the torch model before it is written.

Uses llama.cpp's own ``convert_lora_to_gguf.py`` from the llama-cpp-python 0.3.36 sdist (the
version the runtime is built from), run from inside its tree so it picks up the vendored gguf-py
(the PyPI ``gguf`` is older and fails, P6). Get the sdist once with

    pip download --no-deps --no-binary :all: llama-cpp-python==0.3.36 -d DIR

then

    python export/policy/export_gguf.py --adapter RUN/train/best --hf-base RUN/hf_base \\
        --base-gguf SmolLM2-135M-Instruct.Q4_1.gguf --data RUN/data \\
        --sdist DIR/llama_cpp_python-0.3.36.tar.gz --out esc_edge/models/adapters/NAME.gguf

Validation (exit 1 and no output file when it fails): the base GGUF has
``tokenizer.ggml.model == gpt2`` and ``tokenizer.ggml.pre == smollm``, and the mean reply NLL of
``--n-valid`` valid examples under llama-cpp-python (Q4_1 base + adapter) is within ``--tolerance``
(relative) of the torch PEFT model. ``--compare`` also builds a merged Q8_0 for the size/speed/
quality table and measures decode speed of base, base + adapter and merged Q8_0 in one process.
Never merge and requantise to Q4_1: the Q4_1 step is ~40x the LoRA delta and rounds it away.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `export.policy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from export.policy.build_data import Example, read_examples
from export.policy.common import IM_END_ID, gguf_fields, log

VENDOR = "vendor/llama.cpp/"
SDIST_NAME = "llama_cpp_python-0.3.36.tar.gz"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--adapter", type=Path, required=True, help="PEFT adapter dir")
    ap.add_argument("--hf-base", type=Path, required=True, help="HF base dir (config + tokenizer)")
    ap.add_argument("--base-gguf", type=Path, required=True, help="the Q4_1 base the runtime uses")
    ap.add_argument("--data", type=Path, required=True, help="dir with valid.jsonl (build_data)")
    ap.add_argument("--sdist", type=Path, default=Path(SDIST_NAME))
    ap.add_argument("--work", type=Path, default=Path("export/runs/policy-export"))
    ap.add_argument("--out", type=Path, required=True, help="adapter GGUF to write")
    ap.add_argument("--n-valid", type=int, default=120)
    ap.add_argument("--tolerance", type=float, default=0.03)
    ap.add_argument("--compare", action="store_true", help="also merged Q8_0 + speed table")
    return ap.parse_args(argv)


# -- conversion --------------------------------------------------------------------------------
def unpack_converters(sdist: Path, work: Path) -> Path:
    """The converter scripts, ``conversion/`` and ``gguf-py/`` of the sdist, kept together."""
    if not sdist.is_file():
        raise SystemExit(
            f"{sdist} not found: pip download --no-deps --no-binary :all: llama-cpp-python==0.3.36"
        )
    tree = work / "llama.cpp"
    if (tree / "convert_lora_to_gguf.py").exists():
        return tree
    tmp = work / "unpack"
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(sdist) as tar:
        wanted = []
        for member in tar.getmembers():
            rel = member.name.split(VENDOR, 1)[-1] if VENDOR in member.name else None
            if rel and (
                ("/" not in rel and rel.endswith(".py")) or rel.startswith(("conversion/", "gguf-py/"))
            ):
                wanted.append(member)
        tar.extractall(tmp, members=wanted, filter="data")
    shutil.rmtree(tree, ignore_errors=True)
    next(tmp.glob(f"*/{VENDOR}")).rename(tree)
    shutil.rmtree(tmp)
    return tree


def run_converter(tree: Path, script: str, args: Sequence[str]) -> None:
    """Run a converter from its own tree; NO_LOCAL_GGUF unset so it uses the vendored gguf-py."""
    env = {k: v for k, v in os.environ.items() if k != "NO_LOCAL_GGUF"}
    cmd = [sys.executable, script, *args]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
        raise SystemExit(f"{script} failed with exit code {done.returncode}")


def convert_adapter(tree: Path, adapter: Path, hf_base: Path, out: Path) -> None:
    # --base is required offline: PEFT stored an absolute base path and the converter would
    # otherwise try the hub (P9).
    run_converter(
        tree,
        "convert_lora_to_gguf.py",
        [
            "--base",
            str(hf_base.resolve()),
            "--outtype",
            "f16",
            "--outfile",
            str(out.resolve()),
            str(adapter.resolve()),
        ],
    )


def merged_q8(tree: Path, adapter: Path, hf_base: Path, work: Path) -> Path:
    """Merged fp32 -> f16 GGUF -> Q8_0, for the comparison only (145 MB, not shipped)."""
    import ctypes

    import llama_cpp
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    merged_dir = work / "merged"
    base = AutoModelForCausalLM.from_pretrained(str(hf_base), dtype=torch.float32)
    PeftModel.from_pretrained(base, str(adapter)).merge_and_unload().save_pretrained(merged_dir)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"):
        if (hf_base / name).exists():
            shutil.copy(hf_base / name, merged_dir / name)
    f16 = work / "merged-f16.gguf"
    run_converter(
        tree,
        "convert_hf_to_gguf.py",
        [str(merged_dir.resolve()), "--outfile", str(f16.resolve()), "--outtype", "f16"],
    )
    q8 = work / "merged-q8_0.gguf"
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0
    params.nthread = 1
    if llama_cpp.llama_model_quantize(str(f16).encode(), str(q8).encode(), ctypes.byref(params)):
        raise SystemExit("quantising the merged model to Q8_0 failed")
    check_tokenizer_meta(q8)
    return q8


def check_tokenizer_meta(path: Path) -> None:
    meta = gguf_fields(path)
    model, pre = meta.get("tokenizer.ggml.model"), meta.get("tokenizer.ggml.pre")
    if model != "gpt2" or pre != "smollm":
        raise SystemExit(f"{path.name}: tokenizer {model}/{pre}, expected gpt2/smollm (P3)")


# -- NLL ---------------------------------------------------------------------------------------
def torch_nll(adapter: Path, hf_base: Path, examples: Sequence[Example]) -> float:
    """Mean NLL per reply token (incl. <|im_end|>) under the fp32 torch PEFT model."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from export.policy.train import collate, reply_loss_module

    torch.set_num_threads(1)
    base = AutoModelForCausalLM.from_pretrained(str(hf_base), dtype=torch.float32)
    module = reply_loss_module(PeftModel.from_pretrained(base, str(adapter))).eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(examples), 8):
            loss_sum, n = module(**collate(examples[start : start + 8]))
            total += float(loss_sum)
            count += int(n)
    return total / count


def open_llama(model: Path, lora: Path | None, logits_all: bool) -> Any:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from llama_cpp import Llama

    return Llama(
        model_path=str(model),
        lora_path=str(lora) if lora else None,
        n_ctx=1024,
        n_threads=1,
        n_threads_batch=1,
        logits_all=logits_all,
        verbose=False,
        seed=0,
    )


def llama_nll(llm: Any, examples: Sequence[Example]) -> float:
    """The same mean reply NLL under llama.cpp, from the logits of every position."""
    import numpy as np

    total, count = 0.0, 0
    for e in examples:
        llm.reset()
        llm.eval(e.input_ids)
        logits = np.asarray(llm.scores[: len(e.input_ids) - 1], dtype=np.float64)
        rows = np.arange(e.n_prompt - 1, len(e.input_ids) - 1)
        z = logits[rows]
        logz = z.max(axis=1) + np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1))
        total += float((logz - z[np.arange(len(rows)), np.asarray(e.input_ids)[rows + 1]]).sum())
        count += len(rows)
    return total / count


# -- speed -------------------------------------------------------------------------------------
def decode_speed(llm: Any, prompt: Sequence[int], n_tokens: int = 64, repeats: int = 3) -> dict:
    """Prefill and decode tok/s, greedy, <|im_end|> blocked; medians of ``repeats`` after warm-up."""
    import numpy as np

    def no_eos(_ids: Any, scores: Any) -> Any:
        scores[IM_END_ID] = -np.inf
        return scores

    from llama_cpp import LogitsProcessorList

    prefill, decode = [], []
    for _ in range(repeats + 1):
        llm.reset()  # generate() would reuse the cached prefix (P8)
        t0 = time.perf_counter()
        stamps = []
        gen = llm.generate(
            list(prompt), temp=0.0, top_k=1, reset=True, logits_processor=LogitsProcessorList([no_eos])
        )
        for _token in gen:
            stamps.append(time.perf_counter())
            if len(stamps) == n_tokens:
                break
        prefill.append(len(prompt) / (stamps[0] - t0))
        decode.append((n_tokens - 1) / (stamps[-1] - stamps[0]))
    return {
        "prefill_tok_s": round(statistics.median(prefill[1:]), 1),
        "decode_tok_s": round(statistics.median(decode[1:]), 1),
        "prompt_tokens": len(prompt),
        "new_tokens": n_tokens,
    }


# -- main --------------------------------------------------------------------------------------
def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.time()
    args.work.mkdir(parents=True, exist_ok=True)
    check_tokenizer_meta(args.base_gguf)
    tree = unpack_converters(args.sdist, args.work)
    candidate = args.work / "adapter-f16.gguf"
    t0 = time.time()
    convert_adapter(tree, args.adapter, args.hf_base, candidate)
    report: dict[str, Any] = {
        "convert_s": round(time.time() - t0, 1),
        "adapter_bytes": candidate.stat().st_size,
    }
    log(f"converted: {candidate.stat().st_size / 1e6:.2f} MB in {report['convert_s']} s")

    examples = read_examples(args.data / "valid.jsonl")[: args.n_valid]
    report["n_valid"] = len(examples)
    report["nll_torch"] = torch_nll(args.adapter, args.hf_base, examples)
    tuned = open_llama(args.base_gguf, candidate, logits_all=True)
    report["nll_gguf"] = llama_nll(tuned, examples)
    rel = abs(report["nll_gguf"] - report["nll_torch"]) / report["nll_torch"]
    report["nll_rel_diff"] = rel
    log(
        f"mean reply NLL: torch {report['nll_torch']:.4f}, GGUF {report['nll_gguf']:.4f} "
        f"({100 * rel:.2f}% apart; limit {100 * args.tolerance:.0f}%)"
    )
    if not math.isfinite(rel) or rel > args.tolerance:
        log("validation FAILED: the GGUF adapter does not reproduce the torch model")
        return 1
    del tuned
    if args.compare:
        report.update(compare(args, candidate, examples))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(candidate, args.out)
    report.update(
        {"out": str(args.out), "sha256": sha256(args.out), "total_s": round(time.time() - started, 1)}
    )
    (args.work / "export_report.json").write_text(json.dumps(report, indent=2))
    log(json.dumps(report, indent=2))
    return 0


def compare(args: argparse.Namespace, adapter_gguf: Path, examples: Sequence[Example]) -> dict:
    """Base vs base + adapter vs merged Q8_0: size, reply NLL, speed, in one process."""
    tree = args.work / "llama.cpp"
    q8 = merged_q8(tree, args.adapter, args.hf_base, args.work)
    prompt = max(examples[:50], key=lambda e: e.n_prompt).input_ids
    prompt = prompt[: max(e.n_prompt for e in examples[:50])]
    out: dict[str, Any] = {}
    for name, model, lora in (
        ("base_q4_1", args.base_gguf, None),
        ("base_q4_1+adapter", args.base_gguf, adapter_gguf),
        ("merged_q8_0", q8, None),
    ):
        llm = open_llama(model, lora, logits_all=True)
        row = {
            "bytes": model.stat().st_size + (lora.stat().st_size if lora else 0),
            "nll": round(llama_nll(llm, examples), 4),
        }
        del llm
        row.update(decode_speed(open_llama(model, lora, logits_all=False), prompt))
        out[name] = row
        log(f"{name}: {row}")
    # Speed once more, interleaved, so a change in machine load hits every model alike.
    for name, model, lora in (
        ("base_q4_1", args.base_gguf, None),
        ("base_q4_1+adapter", args.base_gguf, adapter_gguf),
    ):
        out[name]["decode_tok_s_rerun"] = decode_speed(open_llama(model, lora, logits_all=False), prompt)[
            "decode_tok_s"
        ]
    return {"compare": out}


if __name__ == "__main__":
    sys.exit(main())
