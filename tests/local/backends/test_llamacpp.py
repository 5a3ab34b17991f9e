"""The in-process llama.cpp backend on the real SmolLM2-135M-Instruct GGUF.

No timing assertions: KV reuse is checked through the shared model's counters and its live
tokens; speed is measured in ``bench/kv_reuse.py``.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from codesteer.local.backends import (
    Completion,
    Delta,
    GenerationOptions,
    Message,
    open_backend,
)
from codesteer.local.backends._llamacpp import LlamaCppBackend, SharedModel
from codesteer.local.config import Config
from tests.servers import make_config

pytestmark = pytest.mark.slow

SHORT = GenerationOptions(max_tokens=24)
DECISION = 'root ::= "Decision: " ("Code" | "Text") "\\n"'


def backend_for(gguf: Path, config: Config | None = None) -> LlamaCppBackend:
    backend = open_backend(f"llamacpp:{gguf}", config or make_config())
    assert isinstance(backend, LlamaCppBackend)
    return backend


def ask(text: str, system: str = "You are a concise assistant.") -> list[Message]:
    return [Message("system", system), Message("user", text)]


async def collect(backend: LlamaCppBackend, messages: list[Message], options: GenerationOptions):
    pieces: list[Delta | Completion] = []
    async for piece in backend.stream(messages, options):
        pieces.append(piece)
    return pieces


def test_stream_yields_deltas_then_one_completion(gguf: Path) -> None:
    backend = backend_for(gguf)
    pieces = asyncio.run(collect(backend, ask("Name three colours."), SHORT))
    *deltas, last = pieces
    assert deltas and all(isinstance(p, Delta) for p in deltas)
    assert isinstance(last, Completion)
    assert last.text == "".join(d.text for d in deltas)  # type: ignore[union-attr]
    assert last.text.strip()
    assert last.usage.prompt_tokens > 10
    assert 0 < last.usage.completion_tokens <= SHORT.max_tokens
    assert last.finish_reason in {"stop", "length"}


def test_chat_returns_the_same_text_as_stream(gguf: Path) -> None:
    backend = backend_for(gguf)
    messages = ask("What is 2 + 2?")
    streamed = asyncio.run(collect(backend, messages, SHORT))[-1]
    chatted = asyncio.run(backend.chat(messages, SHORT))
    assert isinstance(streamed, Completion)
    assert chatted.text == streamed.text


def test_max_tokens_is_a_hard_limit(gguf: Path) -> None:
    backend = backend_for(gguf)
    reply = asyncio.run(backend.chat(ask("Write a long story."), GenerationOptions(max_tokens=5)))
    assert reply.finish_reason == "length"
    assert reply.usage.completion_tokens == 5


@pytest.mark.parametrize("question", ["What is 17*23?", "Write a poem.", "Sort [3,1,2]."])
def test_grammar_constrains_the_output(gguf: Path, question: str) -> None:
    backend = backend_for(gguf)
    assert backend.supports_grammar
    options = GenerationOptions(max_tokens=16, grammar=DECISION, temperature=0.8, seed=None)
    reply = asyncio.run(backend.chat(ask(question), options))
    assert re.fullmatch(r"Decision: (Code|Text)\n", reply.text), reply.text


def test_cancellation_stops_and_frees_the_model(gguf: Path) -> None:
    backend = backend_for(gguf)
    long = GenerationOptions(max_tokens=400)

    async def scenario() -> tuple[int, Completion]:
        seen = 0

        async def consume() -> None:
            nonlocal seen
            async for piece in backend.stream(ask("Count from 1 to 200."), long):
                if isinstance(piece, Delta):
                    seen += 1

        task = asyncio.create_task(consume())
        while seen < 3:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        model = await backend.model()
        assert not model.lock.locked()  # the worker stopped and let go
        after = await asyncio.wait_for(backend.chat(ask("Say hi."), SHORT), timeout=60)
        return seen, after

    seen, after = asyncio.run(scenario())
    assert seen >= 3
    assert after.text.strip()


def test_closing_the_iterator_stops_generation(gguf: Path) -> None:
    backend = backend_for(gguf)

    async def scenario() -> str:
        stream = backend.stream(ask("Count from 1 to 200."), GenerationOptions(max_tokens=400))
        first = await anext(stream)
        assert isinstance(first, Delta)
        await stream.aclose()  # type: ignore[attr-defined]
        model = await backend.model()
        assert not model.lock.locked()
        return (await backend.chat(ask("Say hi."), SHORT)).text

    assert asyncio.run(scenario()).strip()


def test_concurrent_conversations_match_solo_runs(gguf: Path) -> None:
    backend = backend_for(gguf)
    first = ask("What is the capital of France?")
    second = ask("Give one word that rhymes with cat.", system="You answer in one line.")
    alone = [asyncio.run(backend.chat(m, SHORT)).text for m in (first, second)]

    async def together() -> list[str]:
        replies = await asyncio.gather(*(backend.chat(m, SHORT) for m in (first, second) * 2))
        return [r.text for r in replies]

    assert asyncio.run(together()) == alone * 2


def test_one_model_object_per_file(gguf: Path) -> None:
    a, b = backend_for(gguf), backend_for(gguf)

    async def models() -> tuple[SharedModel, SharedModel]:
        return await a.model(), await b.model()

    model_a, model_b = asyncio.run(models())
    assert model_a is model_b
    assert model_a.llama is model_b.llama


def test_next_round_reuses_the_kv_prefix(gguf: Path) -> None:
    backend = backend_for(gguf)
    messages = ask("Should 17*23 be computed with code or text? Explain briefly.")

    async def rounds() -> None:
        model = await backend.model()
        first = await backend.chat(messages, SHORT)
        live = model.kv_tokens()
        grown = [*messages, Message("assistant", first.text), Message("user", "Now do it.")]
        await backend.chat(grown, SHORT)
        stats = backend.kv_stats()
        # Round 2 found round 1's prompt (and most of its reply) already evaluated ...
        assert stats.last_reused >= first.usage.prompt_tokens
        assert stats.last_reused > stats.last_prompt // 2
        # ... and its live tokens extend round 1's.
        assert model.kv_tokens()[: first.usage.prompt_tokens] == live[: first.usage.prompt_tokens]

    asyncio.run(rounds())


def test_interleaved_conversations_restore_saved_state(gguf: Path) -> None:
    backend = backend_for(gguf)
    padding = " ".join(
        f"Fact {i}: the number {i} is {'even' if i % 2 == 0 else 'odd'}." for i in range(40)
    )
    a = ask(f"{padding}\nIs 12 even?", system="Conversation A.")
    b = ask(f"{padding}\nIs 7 odd?", system="Conversation B.")

    async def interleave() -> None:
        reply_a = await backend.chat(a, SHORT)
        reply_b = await backend.chat(b, SHORT)  # evicts A's KV: A's is saved first
        before = backend.kv_stats()
        grown_a = [*a, Message("assistant", reply_a.text), Message("user", "And 14?")]
        await backend.chat(grown_a, SHORT)
        after = backend.kv_stats()
        assert after.restores == before.restores + 1
        assert after.last_reused >= reply_a.usage.prompt_tokens
        grown_b = [*b, Message("assistant", reply_b.text), Message("user", "And 9?")]
        await backend.chat(grown_b, SHORT)
        assert backend.kv_stats().restores == before.restores + 2

    asyncio.run(interleave())


def test_restored_state_gives_the_same_reply(gguf: Path) -> None:
    backend = backend_for(gguf)
    padding = " ".join(f"Item {i} costs {i * 3} coins." for i in range(40))
    a = ask(f"{padding}\nWhat does item 5 cost?", system="Shop A.")
    b = ask(f"{padding}\nWhat does item 9 cost?", system="Shop B.")

    async def run() -> tuple[str, str]:
        first = await backend.chat(a, SHORT)
        grown = [*a, Message("assistant", first.text), Message("user", "And item 6?")]
        straight = (await backend.chat(grown, SHORT)).text
        await backend.chat(b, SHORT)  # switch away, then come back through the saved state
        restored = (await backend.chat(grown, SHORT)).text
        return straight, restored

    straight, restored = asyncio.run(run())
    assert restored == straight


def test_overlong_prompt_is_a_clear_error(gguf: Path) -> None:
    from codesteer.errors import BackendError

    backend = backend_for(gguf, make_config(n_ctx=512))
    with pytest.raises(BackendError, match="n_ctx"):
        asyncio.run(backend.chat(ask("word " * 800), SHORT))
