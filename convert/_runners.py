"""The two sides of a fidelity check, each behind a small interface: the Hugging Face model
run by transformers, and the GGUF run by llama.cpp (F32 KV cache, logits for every position).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from codesteer.convert.chat_format import Message
from codesteer.convert.errors import ConversionError
from codesteer.convert.gguf_meta import quiet_llama

__all__ = ["HFRunner", "LlamaRunner", "quiet_transformers", "torch_threads"]


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """No transformers progress bars ("Loading weights", "Writing model shards") and no
    deprecation notices between the libraries during the block: the caller draws its own
    progress, and the user can act on neither."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        if bars:
            hf_logging.enable_progress_bar()


class HFRunner:
    """The HF model and tokenizer, float32 on the CPU."""

    def __init__(self, folder: Path) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        try:
            with quiet_transformers():
                self.tokenizer = AutoTokenizer.from_pretrained(folder)
                self.model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
        except (OSError, ValueError, KeyError) as exc:
            raise ConversionError(f"transformers cannot load {folder}: {exc}") from exc
        self.model.eval()
        self.torch = torch
        self.stop_ids = hf_stop_ids(self.model)

    @property
    def vocab_size(self) -> int:
        """Width of the logits (the output layer, which may be padded past the tokenizer)."""
        return int(self.model.get_output_embeddings().weight.shape[0])

    @property
    def has_template(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    def render(self, messages: Sequence[Message], generation: bool) -> str:
        text = self.tokenizer.apply_chat_template(
            [dict(m) for m in messages], tokenize=False, add_generation_prompt=generation
        )
        return str(text)

    def prompt_ids(self, prompt: str) -> list[int]:
        if self.has_template:
            text = self.render([{"role": "user", "content": prompt}], True)
            return self.encode(text, special=False)
        return self.encode(prompt, special=True)

    def encode(self, text: str, *, special: bool) -> list[int]:
        return [int(i) for i in self.tokenizer(text, add_special_tokens=special)["input_ids"]]

    def decode(self, ids: Sequence[int]) -> str:
        return str(
            self.tokenizer.decode(
                list(ids), skip_special_tokens=False, clean_up_tokenization_spaces=False
            )
        )

    def logits(self, ids: Sequence[int]) -> Any:
        with self.torch.no_grad():
            output = self.model(self.torch.tensor([list(ids)]))
        return output.logits[0].double().numpy()

    def greedy(self, ids: Sequence[int], max_new_tokens: int) -> list[int]:
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # no warnings about sampling fields of the config
        try:
            with self.torch.no_grad():
                output = self.model.generate(
                    self.torch.tensor([list(ids)]),
                    attention_mask=self.torch.ones(1, len(ids), dtype=self.torch.long),
                    max_new_tokens=max_new_tokens,
                    do_sample=False,
                    eos_token_id=sorted(self.stop_ids) or None,
                    pad_token_id=_pad_id(self.tokenizer, self.stop_ids),
                )
        finally:
            hf_logging.set_verbosity(verbosity)
        return [int(i) for i in output[0][len(ids) :]]


def _pad_id(tokenizer: Any, stop_ids: set[int]) -> int | None:
    pad = getattr(tokenizer, "pad_token_id", None)
    if isinstance(pad, int):
        return pad
    return min(stop_ids) if stop_ids else None


def hf_stop_ids(model: Any) -> set[int]:
    """The ids transformers' ``generate`` stops at: the generation config's EOS (one or a
    list), else the model config's."""
    for config in (getattr(model, "generation_config", None), model.config):
        value = getattr(config, "eos_token_id", None) if config is not None else None
        if isinstance(value, int):
            return {value}
        if isinstance(value, list | tuple) and value:
            return {int(v) for v in value}
    return set()


class LlamaRunner:
    """A GGUF loaded by llama.cpp for comparison: every position's logits kept, F32 KV cache
    (the default F16 cache alone would add ~3e-3 to logit differences)."""

    def __init__(self, llm: Any) -> None:
        self.llm = llm

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path, n_ctx: int, n_threads: int | None) -> Iterator[LlamaRunner]:
        import llama_cpp
        from llama_cpp import Llama

        with quiet_llama():
            try:
                llm = Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_batch=min(n_ctx, 512),
                    n_threads=n_threads,
                    n_threads_batch=n_threads,
                    logits_all=True,
                    type_k=llama_cpp.GGML_TYPE_F32,
                    type_v=llama_cpp.GGML_TYPE_F32,
                    n_gpu_layers=0,
                    verbose=False,
                )
            except ValueError as exc:
                raise ConversionError(f"llama.cpp cannot load {path}: {exc}") from exc
            try:
                yield cls(llm)
            finally:
                llm.close()

    def tokens(self, text: str, *, add_bos: bool = False) -> list[int]:
        """``text``'s ids, chat markup parsed as special tokens."""
        ids = self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)
        return [int(t) for t in ids]

    def text(self, ids: Sequence[int]) -> str:
        data: bytes = self.llm.detokenize(list(ids), special=True)
        return data.decode("utf-8", "replace")

    def greedy(self, ids: Sequence[int], max_new_tokens: int, stop: frozenset[int]) -> list[int]:
        """Argmax decoding after ``ids``, up to and including a token of ``stop``."""
        import numpy as np

        self.llm.reset()
        self.llm.eval(list(ids))
        generated: list[int] = []
        for _ in range(max_new_tokens):
            token = int(np.argmax(self.llm.scores[self.llm.n_tokens - 1]))
            generated.append(token)
            if token in stop:
                break
            self.llm.eval([token])
        return generated

    def logits(self, ids: Sequence[int]) -> Any:
        """Next-token logits at every position of ``ids``, ``(len(ids), vocab)`` float64."""
        self.llm.reset()
        self.llm.eval(list(ids))
        return self.evaluated(len(ids))

    def evaluated(self, count: int) -> Any:
        """The logits of the first ``count`` positions already evaluated."""
        import numpy as np

        return np.array(self.llm.scores[:count], dtype=np.float64)


@contextlib.contextmanager
def torch_threads(n_threads: int | None) -> Iterator[None]:
    """Run torch on ``n_threads`` for the block: its spinning worker threads slow down many
    times over on a machine whose cores are busy, so a caller that knows can ask for fewer."""
    if n_threads is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
