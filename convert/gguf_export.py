"""Hugging Face folders and PEFT adapters to GGUF, with llama.cpp's own conversion scripts.

The scripts run as a subprocess of this interpreter (they need torch, transformers and
safetensors, which the ``train`` extra brings) with their vendored gguf-py first on the path.
Each writes to a temporary name beside the target, renamed over it only once it succeeded, so
an interrupted conversion never leaves a half-written ``.gguf`` that looks whole.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from codesteer.convert._paths import (
    adapter_folder,
    config_folder,
    model_folder,
    temporary_file_beside,
)
from codesteer.convert.errors import ConversionError
from codesteer.convert.gguf_meta import require_gguf
from codesteer.convert.llamacpp_source import converter_dir, converter_env

__all__ = ["OUTTYPES", "Progress", "convert_to_gguf", "lora_to_gguf"]

#: Output types the scripts write directly; smaller ones come from :func:`quantize`.
OUTTYPES = ("f32", "f16", "bf16", "q8_0")
#: Called with the fraction (0..1) of the file written so far.
Progress = Callable[[float], None]

_WRITING = re.compile(r"Writing:\s+(\d+)%")
_NO_MODULE = re.compile(r"No module named '([^']+)'")
_TAIL_LINES = 40


def convert_to_gguf(
    hf_dir: Path,
    out: Path,
    outtype: str = "f16",
    *,
    on_progress: Progress | None = None,
) -> Path:
    """Convert the Hugging Face model folder ``hf_dir`` to the GGUF file ``out``.

    ``outtype`` is one of :data:`OUTTYPES`. Returns ``out``. Raises
    :class:`~codesteer.errors.ModelNotFoundError` for a missing folder,
    :class:`ConversionError` when the folder is not a model or the script fails, and
    :class:`~codesteer.convert.errors.ConverterUnavailableError` when the script cannot be had.
    """
    hf_dir = model_folder(hf_dir)
    outtype = _outtype(outtype)
    with temporary_file_beside(Path(out), require_gguf) as tmp:
        _run_script(
            "convert_hf_to_gguf.py",
            [str(hf_dir), "--outfile", str(tmp), "--outtype", outtype],
            on_progress,
        )
    return Path(out)


def lora_to_gguf(
    adapter_dir: Path,
    base_hf: Path,
    out: Path,
    outtype: str = "f32",
    *,
    on_progress: Progress | None = None,
) -> Path:
    """Convert the PEFT LoRA adapter in ``adapter_dir`` to a GGUF adapter ``out`` for the base
    model folder ``base_hf`` (only its config is read). llama.cpp loads it with
    ``Llama(model_path=BASE.gguf, lora_path=out)``.

    ``outtype`` defaults to f32: adapters are small, and f32 keeps them exact.
    """
    adapter_dir = adapter_folder(adapter_dir)
    base_hf = config_folder(base_hf)
    outtype = _outtype(outtype)
    with temporary_file_beside(Path(out), require_gguf) as tmp:
        _run_script(
            "convert_lora_to_gguf.py",
            [str(adapter_dir), "--base", str(base_hf), "--outfile", str(tmp), "--outtype", outtype],
            on_progress,
        )
    return Path(out)


def _outtype(outtype: str) -> str:
    value = outtype.lower()
    if value not in OUTTYPES:
        raise ConversionError(
            f"unknown output type {outtype!r}; choose one of {', '.join(OUTTYPES)} "
            "(smaller types: convert to f16, then quantize)"
        )
    return value


def _run_script(script: str, args: Sequence[str], on_progress: Progress | None) -> None:
    folder = converter_dir()
    command = [sys.executable, str(folder / script), *args]
    tail: deque[str] = deque(maxlen=_TAIL_LINES)
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=converter_env(folder),
        cwd=folder,
    ) as process:
        assert process.stdout is not None
        for line in _lines(process.stdout):
            tail.append(line)
            match = _WRITING.search(line)
            if match and on_progress is not None:
                on_progress(int(match.group(1)) / 100)
        code = process.wait()
    if code != 0:
        raise ConversionError(_failure(script, code, list(tail)))


def _lines(stream: IO[bytes]) -> Iterator[str]:
    """Lines of a byte stream, split at ``\\n`` and at tqdm's ``\\r`` redraws."""
    read: Callable[[int], bytes] = getattr(stream, "read1", stream.read)
    pending = b""
    while chunk := read(65536):
        pending += chunk
        *done, pending = re.split(rb"[\r\n]", pending)
        for raw in done:
            if raw.strip():
                yield raw.decode("utf-8", "replace")
    if pending.strip():
        yield pending.decode("utf-8", "replace")


def _failure(script: str, code: int, tail: list[str]) -> str:
    """One line that says why the script failed, from its last lines of output."""
    text = "\n".join(tail)
    missing = _NO_MODULE.search(text)
    if missing:
        return (
            f"llama.cpp's {script} needs the Python package {missing.group(1)!r}; install the "
            "export dependencies: pip install 'codesteer[train,convert]'"
        )
    if "pre-tokenizer was not recognized" in text or "BPE pre-tokenizer" in text:
        return (
            f"llama.cpp's {script} does not know this model's tokenizer (its pre-tokenizer hash "
            "is not in the converter's list); a tokenizer trained from scratch needs support "
            "added to llama.cpp first"
        )
    reasons = [line for line in tail if _is_reason(line)]
    reason = reasons[-1].strip() if reasons else (tail[-1].strip() if tail else "no output")
    return f"llama.cpp's {script} failed (exit code {code}): {reason}"


def _is_reason(line: str) -> bool:
    return line.startswith("ERROR:") or bool(re.match(r"^[A-Za-z_.]*(Error|Exception)\b", line))
