"""GGUF weight bytes (for the memory-bandwidth bound) and quantised variants derived at bench time.

Decoding one token of a small model on a CPU streams every weight matrix from memory once, so
``bandwidth / bytes read per token`` is the speed limit. The token-embedding table is only gathered
one row per token, *unless* the model ties its output projection to it (no ``output.weight``), as
SmolLM2 does: then the whole table is read again for the logits of every token.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# GGUF metadata value types -> struct format of a scalar (8 = string, 9 = array).
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9
DEFAULT_ALIGNMENT = 32

# Variants the quantisation comparison derives (llama_ftype values of llama.cpp).
FTYPES = {"Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "Q4_K_M": 15}


@dataclass(frozen=True)
class WeightBytes:
    total: int  # all tensor bytes in the file
    token_embd: int
    tied_output: bool  # no output.weight: the embedding table doubles as the output projection
    n_tensors: int

    @property
    def per_token(self) -> int:
        """Bytes streamed from memory per decoded token (KV cache and activations excluded)."""
        return self.total if self.tied_output else self.total - self.token_embd

    def to_dict(self) -> dict[str, int | bool]:
        return {
            "total_tensor_bytes": self.total,
            "token_embd_bytes": self.token_embd,
            "tied_output": self.tied_output,
            "bytes_read_per_token": self.per_token,
            "n_tensors": self.n_tensors,
        }


class GGUFError(ValueError):
    pass


def _read(fh: BinaryIO, fmt: str) -> int | float | bool:
    size = struct.calcsize("<" + fmt)
    data = fh.read(size)
    if len(data) != size:
        raise GGUFError("truncated GGUF header")
    value: int | float | bool = struct.unpack("<" + fmt, data)[0]
    return value


def _read_string(fh: BinaryIO) -> str:
    length = int(_read(fh, "Q"))
    return fh.read(length).decode("utf-8", errors="replace")


def _skip_value(fh: BinaryIO, kind: int) -> int | float | bool | str | None:
    """Read a metadata value; scalars and strings are returned, arrays skipped (None)."""
    if kind in _SCALARS:
        return _read(fh, _SCALARS[kind])
    if kind == _STRING:
        return _read_string(fh)
    if kind == _ARRAY:
        item, count = int(_read(fh, "I")), int(_read(fh, "Q"))
        if item in _SCALARS:
            fh.seek(struct.calcsize("<" + _SCALARS[item]) * count, os.SEEK_CUR)
        else:
            for _ in range(count):
                _skip_value(fh, item)
        return None
    raise GGUFError(f"unknown GGUF value type {kind}")


def tensor_sizes(path: Path) -> dict[str, int]:
    """Bytes of every tensor, from the offsets in the header (no tensor data is read)."""
    file_size = path.stat().st_size
    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise GGUFError(f"{path} is not a GGUF file")
        version = int(_read(fh, "I"))
        if version < 2:
            raise GGUFError(f"GGUF version {version} is not supported")
        n_tensors, n_kv = int(_read(fh, "Q")), int(_read(fh, "Q"))
        alignment = DEFAULT_ALIGNMENT
        for _ in range(n_kv):
            key = _read_string(fh)
            value = _skip_value(fh, int(_read(fh, "I")))
            if key == "general.alignment" and isinstance(value, int):
                alignment = value
        offsets: list[tuple[int, str]] = []
        for _ in range(n_tensors):
            name = _read_string(fh)
            n_dims = int(_read(fh, "I"))
            fh.seek(8 * n_dims + 4, os.SEEK_CUR)  # dims, type
            offsets.append((int(_read(fh, "Q")), name))
        data_start = -(-fh.tell() // alignment) * alignment
    offsets.sort()
    ends = [o for o, _ in offsets[1:]] + [file_size - data_start]
    return {name: end - start for (start, name), end in zip(offsets, ends, strict=True)}


def weight_bytes(path: Path) -> WeightBytes:
    sizes = tensor_sizes(path)
    return WeightBytes(
        total=sum(sizes.values()),
        token_embd=sizes.get("token_embd.weight", 0),
        tied_output="output.weight" not in sizes,
        n_tensors=len(sizes),
    )


def _file_key(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]


def variant_path(base: Path, ftype: str, cache_dir: Path) -> Path:
    """Where the ``ftype`` variant of ``base`` is cached (keyed by the base's path, size and mtime)."""
    if ftype not in FTYPES:
        raise ValueError(f"unknown quantisation {ftype!r}; known: {', '.join(FTYPES)}")
    return cache_dir / f"{base.stem}.{_file_key(base)}.{ftype}.gguf"


def derive_variant(base: Path, ftype: str, cache_dir: Path) -> Path:
    """Requantise ``base`` to ``ftype`` once (cached). Measures speed, not a fresh quantisation's quality.

    The shipped base is already Q4_1, so the other types are quantised from dequantised Q4_1
    weights (``allow_requantize``): their file size and speed are what a fresh export would give,
    their accuracy is not.
    """
    out = variant_path(base, ftype, cache_dir)
    if out.is_file():
        return out
    cache_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES[ftype]
    params.nthread = 1
    params.allow_requantize = True
    tmp = out.with_suffix(".tmp")
    status = llama_cpp.llama_model_quantize(str(base).encode(), str(tmp).encode(), ctypes.byref(params))
    if status != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"llama_model_quantize to {ftype} failed with status {status}")
    tmp.replace(out)
    return out
