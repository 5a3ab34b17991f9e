"""The steering loop's own cost per review round, with instant scripted models.

Everything but model time is measured: prompt building, strict parsing, streaming events, the
first-block extraction, the sandboxed run of the answer's code (and of the self-check's code),
the symbolic check, the transcript. Each run is a 5-round steering conversation whose models
answer instantly; the per-round figure is (run time - round 0) / 5, printed against the 50 ms
aim as a ratio measured in this one run, with and without the self-check (which runs a second
program per round), and with the sandbox's share shown apart.

    python bench/round_overhead.py [--runs 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

from codesteer.local.events import RoundStarted, SandboxFinished
from codesteer.local.loop import SteeringOptions, SteeringRun
from codesteer.local.sandbox import Sandbox
from codesteer.local.scripted import ScriptedBackend

AIM_MS = 50.0
ROUNDS = 5
ANSWER = (
    "Search every split.\n```python\nfrom itertools import permutations\n"
    "best = max(p[0] * 10 + p[1] for p in permutations(range(10), 2))\nprint(f'<<<{best}>>>')\n```"
)
CHECKER = "```python\nprint('Correct' if 98 == 98 else 'wrong')\n```"


async def one_run(sandbox: Sandbox, self_check: bool) -> dict[str, float]:
    steer = ScriptedBackend(["Decision: Code\nGuidance: search"] * (ROUNDS + 1))
    replies = [ANSWER, CHECKER] * ROUNDS + [ANSWER] if self_check else [ANSWER] * (ROUNDS + 1)
    task = ScriptedBackend(replies)
    options = SteeringOptions(rounds=ROUNDS, self_check=self_check)
    run = SteeringRun("q", task_model=task, steerer=steer, sandbox=sandbox, options=options)
    start = time.perf_counter()
    round_one = 0.0
    sandbox_s = 0.0
    async for event in run:
        if isinstance(event, RoundStarted) and event.round == 1:
            round_one = time.perf_counter()
        elif isinstance(event, SandboxFinished) and round_one:
            sandbox_s += event.result.wall_s
    end = time.perf_counter()
    if self_check:  # the self-check's own runs are inside the rounds too
        sandbox_s += sum(
            r.self_check.sandbox.wall_s
            for r in run.transcript.rounds[1:]
            if r.self_check and r.self_check.sandbox
        )
    return {
        "per_round_ms": (end - round_one) / ROUNDS * 1000,
        "sandbox_per_round_ms": sandbox_s / ROUNDS * 1000,
        "first_round_ms": (round_one - start) * 1000,
    }


async def measure(runs: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with Sandbox() as sandbox:
        await one_run(sandbox, self_check=False)  # warm the sandbox
        for self_check in (False, True):
            rows = [await one_run(sandbox, self_check) for _ in range(runs)]
            per_round = statistics.median(r["per_round_ms"] for r in rows)
            in_sandbox = statistics.median(r["sandbox_per_round_ms"] for r in rows)
            results["with_self_check" if self_check else "without_self_check"] = {
                "per_round_ms_p50": per_round,
                "sandbox_ms_p50": in_sandbox,
                "loop_only_ms_p50": per_round - in_sandbox,
                "ratio_to_aim": per_round / AIM_MS,
            }
        results["sandbox_level"] = sandbox.level.value
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(measure(args.runs))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"sandbox level: {results['sandbox_level']}; {args.runs} runs of {ROUNDS} rounds each")
    print(f"{'':22} {'per round':>10} {'sandbox':>10} {'loop only':>10} {'vs 50 ms':>9}")
    for name in ("without_self_check", "with_self_check"):
        row = results[name]
        print(
            f"{name.replace('_', ' '):22} {row['per_round_ms_p50']:8.1f}ms "
            f"{row['sandbox_ms_p50']:8.1f}ms {row['loop_only_ms_p50']:8.1f}ms "
            f"{row['ratio_to_aim']:8.2f}x"
        )


if __name__ == "__main__":
    main()
