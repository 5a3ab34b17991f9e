"""Quantise a float GGUF with llama.cpp's own quantiser (``llama_model_quantize``).

K-quants (``Q4_K_M``, ``Q6_K``...) pack 256 columns per block, so a tensor whose row width is
not a multiple of 256 cannot take them. llama.cpp then falls back per tensor, never for the
whole file: Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, Q2_K/Q3_K -> Q4_0, IQ4_XS -> IQ4_NL (all
32-column blocks), and F16 for a width not divisible by 32 either. SmolLM2-135M is such a model
(hidden size 576 = 2.25 x 256). Measured: its Q4_K_M holds 166 Q5_0 and 15 Q8_0 tensors (the
576-wide ones) and only 30 K-quants (the 1536-wide ``ffn_down``), 101 MB against 138 MB for
Q8_0; its Q6_K is 181 Q8_0 tensors and 30 Q6_K.
:func:`~codesteer.convert.gguf_meta.tensor_type_counts` shows what each tensor became.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
from collections.abc import Iterator
from pathlib import Path

from codesteer.convert._paths import temporary_file_beside
from codesteer.convert.errors import ConversionError
from codesteer.convert.gguf_meta import (
    FLOAT_FILE_TYPES,
    file_type_name,
    read_gguf_meta,
    require_gguf,
)

__all__ = ["QUANT_TYPES", "quantize"]

#: The target types offered: those llama.cpp makes without an importance matrix.
QUANT_TYPES = (
    "Q8_0",
    "Q6_K",
    "Q5_K_M",
    "Q5_K_S",
    "Q5_1",
    "Q5_0",
    "Q4_K_M",
    "Q4_K_S",
    "Q4_1",
    "Q4_0",
    "IQ4_NL",
    "IQ4_XS",
    "Q3_K_L",
    "Q3_K_M",
    "Q3_K_S",
    "Q2_K",
)


def quantize(gguf_in: Path, out: Path, kind: str = "Q4_K_M", *, threads: int = 0) -> Path:
    """Write ``gguf_in`` (an F32, F16 or BF16 GGUF) quantised to ``kind`` as ``out``.

    ``kind`` is one of :data:`QUANT_TYPES` (case-insensitive). ``threads=0`` lets llama.cpp use
    every core. Returns ``out``, written atomically.
    """
    import llama_cpp

    name = kind.upper()
    if name not in QUANT_TYPES:
        raise ConversionError(
            f"unknown quantisation type {kind!r}; choose one of {', '.join(QUANT_TYPES)}"
        )
    gguf_in = require_gguf(gguf_in)
    file_type = read_gguf_meta(gguf_in).metadata.get("general.file_type")
    if file_type is not None and file_type.isdigit() and int(file_type) not in FLOAT_FILE_TYPES:
        raise ConversionError(
            f"{gguf_in} is already quantised (file type {file_type_name(int(file_type))}); "
            "quantise from the F16, BF16 or F32 GGUF instead (codesteer convert gguf)"
        )
    out = Path(out).expanduser()
    if out.resolve() == gguf_in.resolve():
        raise ConversionError("the output would overwrite the input; choose another --out")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{name}")
    params.nthread = threads
    with temporary_file_beside(out, require_gguf) as tmp, _captured_llama_log() as log:
        code = llama_cpp.llama_model_quantize(
            str(gguf_in).encode(), str(tmp).encode(), ctypes.byref(params)
        )
        if code != 0:
            raise ConversionError(
                f"llama.cpp could not quantise {gguf_in} to {name}: {_last_error(log.getvalue())}"
            )
    return out


@contextlib.contextmanager
def _captured_llama_log() -> Iterator[io.StringIO]:
    """llama.cpp's warnings and errors during the block, kept rather than printed (its log
    callback in llama-cpp-python prints to whatever ``sys.stderr`` is at the time)."""
    buffer = io.StringIO()
    logger = logging.getLogger("llama-cpp-python")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with contextlib.redirect_stderr(buffer):
            yield buffer
    finally:
        logger.setLevel(level)


def _last_error(log: str) -> str:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() or "failed" in line.lower()]
    return (errors or lines or ["no reason given"])[-1]
