"""A PEFT LoRA adapter merged into its full-precision base: one ordinary model folder.

The merge is done in float32 on the full-precision base, never on a 4-bit one (QLoRA trains
on a quantised base, but merging into it would bake the quantisation error into every merged
weight), then stored in the base's own dtype. The folder gets the base's tokenizer and its
*inference* chat template: a training template carries ``{% generation %}`` markers for
assistant-only loss, which llama.cpp's template engine does not know.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from codesteer.convert._paths import adapter_folder, model_folder, temporary_dir_beside
from codesteer.convert._runners import quiet_transformers
from codesteer.convert.errors import ConversionError

__all__ = ["inference_template", "merge_adapter"]

_GENERATION_TAG = re.compile(r"\{%(-?)\s*(end)?generation\s*(-?)%\}")


def inference_template(template: str) -> str:
    """``template`` without transformers' ``{% generation %}`` markers.

    Each marker becomes an always-true block tag rather than nothing, so the template's
    whitespace control (``trim_blocks`` eats the newline after a block tag, ``-`` strips around
    one) renders exactly as before.
    """

    def replace(match: re.Match[str]) -> str:
        left, end, right = match.groups()
        body = "endif" if end else "if true"
        return f"{{%{left} {body} {right}%}}"

    return _GENERATION_TAG.sub(replace, template)


def merge_adapter(base: Path, adapter: Path, out_dir: Path) -> Path:
    """Merge the LoRA adapter in ``adapter`` into the model folder ``base``; save the merged
    model (safetensors), the base's tokenizer and its inference chat template to ``out_dir``
    (replaced atomically). Returns ``out_dir``.
    """
    base = model_folder(base)
    adapter = adapter_folder(adapter)
    if Path(out_dir).expanduser().resolve() in (base, adapter):
        raise ConversionError(f"--out {out_dir} would replace an input; choose a new folder")
    _require_full_precision(base)
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
        try:
            merged = PeftModel.from_pretrained(model, adapter).merge_and_unload()
        except (RuntimeError, ValueError, KeyError) as exc:
            raise ConversionError(
                f"the adapter in {adapter} does not fit the base model {base}: {_first_line(exc)}"
            ) from exc
        stored_dtype = _stored_dtype(base)
        if stored_dtype in ("float16", "bfloat16"):
            merged = merged.to(getattr(torch, stored_dtype))
        tokenizer = AutoTokenizer.from_pretrained(base)
        template = tokenizer.chat_template or _adapter_template(adapter)
        if isinstance(template, str):
            tokenizer.chat_template = inference_template(template)
        with temporary_dir_beside(Path(out_dir)) as tmp:
            merged.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
    return Path(out_dir)


def _require_full_precision(base: Path) -> None:
    config = _config(base)
    quantization = config.get("quantization_config")
    if quantization:
        method = (
            quantization.get("quant_method", "quantised") if isinstance(quantization, dict) else ""
        )
        raise ConversionError(
            f"{base} holds a {method or 'quantised'} model; merge the adapter into the "
            "full-precision base model instead (the one QLoRA loaded in 4 bits)"
        )


def _stored_dtype(base: Path) -> str:
    config = _config(base)
    value = config.get("dtype") or config.get("torch_dtype") or "float32"
    return str(value)


def _config(folder: Path) -> dict[str, Any]:
    try:
        loaded = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConversionError(f"cannot read {folder / 'config.json'}: {exc}") from exc
    if not isinstance(loaded, dict):
        raise ConversionError(f"{folder / 'config.json'} is not a JSON object")
    return loaded


def _adapter_template(adapter: Path) -> str | None:
    """The chat template saved with the adapter, for a base that has none of its own."""
    path = adapter / "chat_template.jinja"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    config = adapter / "tokenizer_config.json"
    if config.is_file():
        try:
            template = json.loads(config.read_text(encoding="utf-8")).get("chat_template")
        except (OSError, ValueError, AttributeError):
            return None
        return template if isinstance(template, str) else None
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
