"""A Hugging Face model folder from a GGUF file, so a GGUF (the offline SmolLM2 default) can be
fine-tuned and used as the reference of a fidelity check without a hub download.

transformers reads GGUF itself (dequantised to float32); what it cannot do is save such a model
(it stays flagged as "quantized with gguf"), so the flag is dropped before saving: the weights
are plain tensors by then. Folders are cached by the GGUF's SHA-256 and written atomically.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from codesteer.errors import ModelNotFoundError, UserError

__all__ = ["hf_cache_dir", "materialize_hf"]


def hf_cache_dir() -> Path:
    """Where materialised folders live: ``$CODESTEER_CACHE`` or the platform cache dir."""
    from platformdirs import user_cache_dir

    return Path(os.environ.get("CODESTEER_CACHE") or user_cache_dir("codesteer")) / "hf"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def materialize_hf(gguf: Path, out_dir: Path | None = None) -> Path:
    """The HF folder (float32 safetensors, tokenizer, chat template) of ``gguf``; built once.

    ``out_dir`` defaults to a cache folder named by the file's hash. Raises
    :class:`ModelNotFoundError` for a missing file and :class:`UserError` for one transformers
    cannot read.
    """
    gguf = Path(gguf).expanduser().resolve()
    if not gguf.is_file():
        raise ModelNotFoundError(f"no such GGUF file: {gguf}")
    target = out_dir or hf_cache_dir() / _sha256(gguf)[:16]
    if (target / "config.json").is_file() and any(target.glob("*.safetensors")):
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    except (ValueError, OSError, KeyError, RuntimeError) as exc:
        raise UserError(f"transformers cannot read {gguf}: {exc}") from exc
    # The weights are dequantised float32 now; only the flag stops save_pretrained.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        try:
            tmp.rename(target)
        except OSError:
            # Another process finished the same folder first (rename onto a non-empty folder
            # fails): keep theirs, which a reader may already be using.
            if not (target / "config.json").is_file():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
