"""KV-cache reuse of the in-process llama.cpp backend on the local steering model (SmolLM2).

1. One 5-round steering conversation (a CodeSteer-style system prompt and a real SymBench
   question, ~500-800 tokens; each round adds the model's reply and ~150-300 tokens of feedback):
   round-5 latency when the KV prefix of rounds 1-4 is reused, against the same
   request on a cold state (KV cleared, no saved sequences). Target: >= 4x faster.
2. Eight such conversations interleaved round-robin on one model, each request adding a round:
   mean per-request latency with saved KV sequences (save on switch, restore on return)
   against the same schedule with saving turned off. Target: >= 3x faster.

All figures, and their ratios, come from this one run.

    python bench/kv_reuse.py [--rounds 5] [--conversations 8] [--max-tokens 16] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

from codesteer.local.backends import GenerationOptions, Message, default_gguf, open_backend
from codesteer.local.backends._llamacpp import STATE_CACHE_BYTES, LlamaCppBackend, _StateCache
from codesteer.local.config import BackendsConfig, Config
from codesteer.symbench import get_task

SYSTEM = (
    "You are CodeSteer. You guide another language model, the task model, through a problem "
    "over several rounds; you never solve the problem yourself. In the first round, read the "
    "question and decide whether the task model should answer by writing Python code (for "
    "search, counting, exact arithmetic, checking many constraints) or by reasoning in text "
    "(for short deductions and knowledge). In later rounds you see its last answer, the output "
    "of its code, and the reports of a symbolic checker (does the code search, compute "
    "symbolically or numerically, how complex is it) and of an answer checker. Then say whether "
    "the answer is final or what the task model should change: switch between code and text, "
    "write more symbolic code, handle a missed constraint, or print intermediate results. Be "
    "brief and concrete. End every reply with <<<Code>>>, <<<Text>>> or <<<Return Answer>>>."
)
# Real SymBench questions (300-600 tokens each), as the steerer sees them in round 1.
TASKS = (
    "path_plan",
    "boxlift",
    "boxnet",
    "logic_puzzle",
    "reversi",
    "light_puzzles",
    "game_2048",
    "string_synthesis",
)


def task(n: int) -> str:
    name = TASKS[n % len(TASKS)]
    item = next(iter(get_task(name).generate_many(1, n)))
    return f"Question:\n{item.question}"


def feedback(conversation: int, round_: int) -> str:
    """~150-300 tokens of deterministic round feedback (code output and checker notes)."""
    lines = [f"Round {round_} feedback for conversation {conversation}:"]
    for i in range(3 + (round_ + conversation) % 4):
        lines.append(
            f"- attempt {i}: tried ({conversation + i} * {round_ + i}) - {i + 2} = "
            f"{(conversation + i) * (round_ + i) - (i + 2)}, which is not 24; the checker "
            "rejected it and the sandbox printed no error."
        )
    lines.append("Decide: should the next answer use code or text?")
    return "\n".join(lines)


def chat(
    backend: LlamaCppBackend, messages: list[Message], options: GenerationOptions
) -> tuple[str, float]:
    start = time.perf_counter()
    reply = asyncio.run(backend.chat(messages, options))
    return reply.text, time.perf_counter() - start


def cold(backend: LlamaCppBackend) -> None:
    model = asyncio.run(backend.model())
    model.llama.reset()
    model.states = _StateCache(STATE_CACHE_BYTES)


def single(backend: LlamaCppBackend, rounds: int, options: GenerationOptions) -> dict[str, Any]:
    cold(backend)
    messages = [Message("system", SYSTEM), Message("user", task(0))]
    times = []
    for round_ in range(1, rounds + 1):
        text, seconds = chat(backend, messages, options)
        times.append(seconds)
        if round_ < rounds:
            messages += [Message("assistant", text), Message("user", feedback(0, round_))]
    warm = times[-1]
    prompt = backend.kv_stats().last_prompt
    cold(backend)
    _, cold_seconds = chat(backend, messages, options)
    return {
        "round_prompt_tokens": prompt,
        "warm_s": warm,
        "cold_s": cold_seconds,
        "speedup": cold_seconds / warm,
        "round_s": times,
    }


def interleaved(
    backend: LlamaCppBackend, n: int, rounds: int, options: GenerationOptions, keep: bool
) -> dict[str, Any]:
    cold(backend)
    model = asyncio.run(backend.model())
    model.keep_states = keep
    convs = [[Message("system", SYSTEM), Message("user", task(c))] for c in range(n)]
    latencies: list[float] = []
    try:
        for round_ in range(1, rounds + 1):
            for c, messages in enumerate(convs):
                text, seconds = chat(backend, messages, options)
                if round_ > 1:  # round 1 has nothing to reuse in either mode
                    latencies.append(seconds)
                messages += [Message("assistant", text), Message("user", feedback(c, round_))]
    finally:
        model.keep_states = True
    return {"mean_s": statistics.mean(latencies), "requests": len(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--n-threads", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    config = Config(backends=BackendsConfig(n_ctx=4096, n_threads=args.n_threads))
    backend = open_backend(f"llamacpp:{default_gguf()}", config)
    assert isinstance(backend, LlamaCppBackend)
    options = GenerationOptions(max_tokens=args.max_tokens)
    chat(backend, [Message("user", "warm up")], options)  # load the model outside the timings

    one = single(backend, args.rounds, options)
    with_states = interleaved(backend, args.conversations, args.rounds, options, keep=True)
    without = interleaved(backend, args.conversations, args.rounds, options, keep=False)
    result = {
        "single": one,
        "interleaved": {
            "conversations": args.conversations,
            "with_saved_states": with_states,
            "without": without,
            "speedup": without["mean_s"] / with_states["mean_s"],
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"single conversation, round {args.rounds} ({one['round_prompt_tokens']} prompt tokens):")
    print(f"  prefix reused {one['warm_s']:.3f} s   cold {one['cold_s']:.3f} s")
    print(f"  speedup {one['speedup']:.1f}x   (target >= 4x)")
    inter = result["interleaved"]
    print(
        f"{args.conversations} conversations round-robin, rounds 2-{args.rounds}, mean per request:"
    )
    print(f"  saved KV sequences {with_states['mean_s']:.3f} s   without {without['mean_s']:.3f} s")
    print(f"  speedup {inter['speedup']:.1f}x   (target >= 3x)")


if __name__ == "__main__":
    main()
