"""``llamacpp:PATH.gguf``: a GGUF model run in-process by llama-cpp-python.

One :class:`SharedModel` per (file, n_ctx, n_threads) lives for the whole process, so every
round of a conversation reuses the KV cache of the previous one: llama-cpp-python keeps the
tokens it evaluated and, given a prompt that extends them, evaluates only the new suffix.

Several conversations on one model (the steerer and the task model both ``default``, or
parallel runs) would each evict the other's KV cache. So before a request throws away a long
evaluated prefix, the KV cells of that sequence are copied out (``llama_state_seq_get_data``,
~23 KB a token for SmolLM2) into a small LRU keyed by the tokens; a later request whose prompt
extends a stored prefix further than the live one loads it back (``llama_state_seq_set_data``)
and evaluates only its new suffix. llama-cpp-python's own ``LlamaRAMCache`` does the same job
but also copies a ``n_batch x n_vocab`` float array per entry (~100 MB for SmolLM2), so it costs
more than it saves; ``bench/kv_reuse.py`` measures both paths.

A ``Llama`` is not thread-safe: every request runs on the model's own single worker thread,
under its lock, and streams its pieces back to the event loop. Cancelling the consuming task
(or closing the iterator) sets a flag that a stopping criterion checks after every token.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import random
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import llama_cpp
import numpy as np
import numpy.typing as npt
from llama_cpp import Llama, StoppingCriteriaList
from llama_cpp.llama_chat_format import Jinja2ChatFormatter
from llama_cpp.llama_grammar import LlamaGrammar
from llama_cpp.llama_types import CreateCompletionStreamResponse

from codesteer.errors import BackendError, ModelNotFoundError
from codesteer.local.backends._spec import check_gguf
from codesteer.local.backends._types import (
    Backend,
    Completion,
    Delta,
    GenerationOptions,
    Message,
    ModelSpec,
    Usage,
)
from codesteer.local.config import Config

__all__ = ["KVStats", "LlamaCppBackend", "SharedModel", "shared_model"]

#: Bytes of saved KV sequences kept per model (LRU beyond that).
STATE_CACHE_BYTES = 1 << 30
#: A live prefix is saved before being dropped only when it is at least this long: shorter
#: ones are cheaper to re-evaluate than to copy.
MIN_SAVED_TOKENS = 64
# Used only for a GGUF without a chat template in its metadata (ChatML is what most small
# instruction-tuned models were trained on).
_CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
_SEQ = 0


@dataclass
class KVStats:
    """Counters of one shared model, for tests and benchmarks: how much of the prompts the KV
    cache already held (live or restored), and how often sequences were saved and restored."""

    requests: int = 0
    prompt_tokens: int = 0
    reused_tokens: int = 0
    saves: int = 0
    restores: int = 0
    last_reused: int = 0
    last_prompt: int = 0


@dataclass
class _Snapshot:
    tokens: tuple[int, ...]
    data: bytes


def _common_prefix(a: Sequence[int] | npt.NDArray[np.intc], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    if n == 0:
        return 0
    left = np.asarray(a[:n], dtype=np.int64)
    right = np.asarray(b[:n], dtype=np.int64)
    differ = np.flatnonzero(left != right)
    return int(differ[0]) if differ.size else n


class _StateCache:
    """Saved KV sequences, least recently used first, within a byte budget."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[int, ...], _Snapshot] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def best(self, prompt: Sequence[int]) -> tuple[_Snapshot | None, int]:
        best, best_len = None, 0
        for snapshot in self._items.values():
            length = _common_prefix(snapshot.tokens, prompt)
            if length > best_len:
                best, best_len = snapshot, length
        if best is not None:
            self._items.move_to_end(best.tokens)
        return best, best_len

    def holds(self, tokens: tuple[int, ...]) -> bool:
        return tokens in self._items

    def put(self, snapshot: _Snapshot) -> None:
        # A stored prefix of this sequence is the same conversation, earlier: superseded.
        for key in [k for k in self._items if snapshot.tokens[: len(k)] == k]:
            self._bytes -= len(self._items.pop(key).data)
        self._items[snapshot.tokens] = snapshot
        self._bytes += len(snapshot.data)
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= len(dropped.data)


@functools.lru_cache(maxsize=64)
def _grammar(text: str) -> LlamaGrammar:
    return LlamaGrammar.from_string(text, verbose=False)


@dataclass
class _Request:
    messages: list[dict[str, str]]
    options: GenerationOptions
    emit: Callable[[Any], None]
    cancel: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)


class SharedModel:
    """One loaded GGUF, its worker thread, its lock and its saved KV sequences."""

    def __init__(self, path: Path, n_ctx: int, n_threads: int | None) -> None:
        self.path = path
        try:
            self.llama = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelNotFoundError(f"llama.cpp cannot load {path}: {exc}") from None
        self.n_ctx = int(self.llama.n_ctx())
        self.lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llamacpp")
        self.states = _StateCache(STATE_CACHE_BYTES)
        #: False turns saving and restoring off (the benchmark's baseline).
        self.keep_states = True
        self.stats = KVStats()
        eos, bos = self.llama.token_eos(), self.llama.token_bos()
        self._formatter = Jinja2ChatFormatter(
            template=str(self.llama.metadata.get("tokenizer.chat_template") or _CHATML),
            eos_token=self._token_text(eos),
            bos_token=self._token_text(bos),
            stop_token_ids=[eos],
        )

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self.llama.detokenize([token], special=True).decode("utf-8", errors="ignore")

    def prompt_tokens(self, messages: list[dict[str, str]]) -> tuple[list[int], list[str]]:
        """The prompt as the GGUF's chat template renders it, tokenised, and its stop strings."""
        result = self._formatter(messages=messages)  # type: ignore[arg-type]
        tokens = self.llama.tokenize(
            result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
        )
        stop = (
            result.stop if isinstance(result.stop, list) else [result.stop] if result.stop else []
        )
        return tokens, [s for s in stop if s]

    # --- KV prefix management (worker thread, lock held) -------------------------------

    def _live(self) -> npt.NDArray[np.intc]:
        return self.llama.input_ids[: self.llama.n_tokens]

    def _save_live(self) -> None:
        tokens = tuple(int(t) for t in self._live())
        if self.states.holds(tokens):
            return
        ctx = self.llama.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, _SEQ)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, _SEQ)
        if written:
            self.states.put(_Snapshot(tokens, bytes(buffer)[:written]))
            self.stats.saves += 1

    def _restore(self, snapshot: _Snapshot) -> bool:
        data = (ctypes.c_uint8 * len(snapshot.data)).from_buffer_copy(snapshot.data)
        if not llama_cpp.llama_state_seq_set_data(self.llama.ctx, data, len(snapshot.data), _SEQ):
            self.llama.reset()  # type: ignore[no-untyped-call]
            return False
        n = len(snapshot.tokens)
        self.llama.input_ids[:n] = snapshot.tokens
        self.llama.n_tokens = n
        # The restored KV has no logits behind it: make llama-cpp-python re-decode at least
        # one token before sampling (its own load_state sets the same flag).
        self.llama._requires_eval = True
        self.stats.restores += 1
        return True

    def prepare(self, prompt: list[int]) -> int:
        """Put the longest known prefix of ``prompt`` into the KV cache; return its length."""
        live = self._live()
        live_len = _common_prefix(live, prompt)
        if not self.keep_states:
            return live_len
        snapshot, saved_len = self.states.best(prompt)
        if len(live) - live_len >= MIN_SAVED_TOKENS:
            self._save_live()  # about to be overwritten: another conversation's state
        if snapshot is not None and saved_len > live_len and self._restore(snapshot):
            return saved_len
        return live_len

    # --- generation (worker thread) -----------------------------------------------------

    def run(self, request: _Request) -> None:
        request.started.set()
        with self.lock:
            if request.cancel.is_set():
                return
            try:
                request.emit(self._generate(request))
            except BackendError as exc:
                request.emit(exc)
            except Exception as exc:  # llama-cpp-python raises bare ValueError/RuntimeError
                request.emit(BackendError(f"llama.cpp failed on {self.path.name}: {exc}"))

    def _generate(self, request: _Request) -> Completion | None:
        start = time.perf_counter()
        options = request.options
        prompt, template_stop = self.prompt_tokens(request.messages)
        room = self.n_ctx - len(prompt)
        if room < 1:
            raise BackendError(
                f"the prompt ({len(prompt)} tokens) does not fit the context of {self.n_ctx} "
                "tokens: raise backends.n_ctx in the config"
            )
        reused = min(self.prepare(prompt), len(prompt))
        seen = len(prompt) - 1

        def stop_when_cancelled(ids: npt.NDArray[np.intc], _logits: npt.NDArray[np.single]) -> bool:
            # Called after each sampled token with the tokens before it (and once more at the
            # end with all evaluated ones): the longest length seen counts the samples.
            nonlocal seen
            seen = max(seen, len(ids))
            return request.cancel.is_set()

        stream = self.llama.create_completion(
            prompt,
            max_tokens=min(options.max_tokens, room),
            temperature=options.temperature,
            top_p=options.top_p,
            # Only temperature and top_p shape sampling, as with the server backends.
            top_k=0,
            min_p=0.0,
            repeat_penalty=1.0,
            seed=options.seed if options.seed is not None else random.getrandbits(31),
            stop=[*template_stop, *options.stop],
            grammar=_grammar(options.grammar) if options.grammar else None,
            stopping_criteria=StoppingCriteriaList([stop_when_cancelled]),
            stream=True,
        )
        chunks = cast("Generator[CreateCompletionStreamResponse, None, None]", stream)
        pieces: list[str] = []
        finish: str | None = None
        try:
            for chunk in chunks:
                choice = chunk["choices"][0]
                finish = choice["finish_reason"] or finish
                if choice["text"]:
                    pieces.append(choice["text"])
                    request.emit(Delta(choice["text"]))
                if request.cancel.is_set():
                    return None
        finally:
            chunks.close()
        self.stats.requests += 1
        self.stats.prompt_tokens += len(prompt)
        self.stats.reused_tokens += reused
        self.stats.last_prompt, self.stats.last_reused = len(prompt), reused
        # The stream carries no usage: the prompt is what was fed; every sampled token is
        # reply except a final end-of-generation token (or the one completing a stop string).
        sampled = seen - len(prompt) + 1
        completion = max(sampled - (1 if finish == "stop" else 0), 0)
        usage = Usage(len(prompt), completion)
        return Completion("".join(pieces), usage, finish, time.perf_counter() - start)

    def kv_tokens(self) -> tuple[int, ...]:
        """The tokens whose KV is live now (for tests: a grown conversation extends them)."""
        with self.lock:
            return tuple(int(t) for t in self._live())


_MODELS: dict[tuple[str, int, int | None], SharedModel] = {}
_MODELS_LOCK = threading.Lock()


def shared_model(path: Path, n_ctx: int, n_threads: int | None = None) -> SharedModel:
    """The process-wide model for this file and context size, loading it on first use."""
    key = (str(path.resolve()), n_ctx, n_threads)
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is None:
            check_gguf(path)
            model = _MODELS[key] = SharedModel(path, n_ctx, n_threads)
        return model


class LlamaCppBackend(Backend):
    supports_grammar = True

    def __init__(self, spec: ModelSpec, config: Config) -> None:
        super().__init__(spec)
        self.path = Path(spec.model)
        self._n_ctx = config.backends.n_ctx
        self._n_threads = config.backends.n_threads

    async def model(self) -> SharedModel:
        """The shared model (loaded off the event loop on first use)."""
        return await asyncio.to_thread(shared_model, self.path, self._n_ctx, self._n_threads)

    def kv_stats(self) -> KVStats:
        key = (str(self.path.resolve()), self._n_ctx, self._n_threads)
        model = _MODELS.get(key)
        return replace(model.stats) if model else KVStats()

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[Delta | Completion]:
        model = await self.model()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()

        def emit(item: Any) -> None:
            # A closed loop means the consumer is gone: nothing to tell.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, item)

        request = _Request(
            [{"role": m.role, "content": m.content} for m in messages], options, emit
        )
        future: Future[None] = model.executor.submit(model.run, request)
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                if item is None:  # cancelled in the worker: cannot happen while we listen
                    raise BackendError(f"{self.spec}: generation stopped without a reply")
                yield item
                if isinstance(item, Completion):
                    return
        finally:
            request.cancel.set()
            if request.started.is_set() and not future.done():
                # Wait (a token or so) for the worker to stop, so the model is free and its
                # KV state settled when the caller moves on.
                # (The worker's own errors were already sent, or nobody listens any more.)
                with contextlib.suppress(BaseException):
                    await asyncio.shield(asyncio.wrap_future(future))
