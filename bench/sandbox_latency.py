"""Latency of a sandboxed ``print(1)`` against a cold ``python3 -I -c pass``.

Times N runs of each, one after the other in this one process, and prints p50 and p95 with the
sandboxed figures as ratios of the cold interpreter's. The aim: a warm sandboxed ``print(1)``
at <= 0.25x a cold interpreter start (about 125 ms on the 2-core reference machines). Also
shows a cold sandbox (a fresh isolated interpreter per run) for scale. All figures come from
this one run, so machine load affects both sides alike.

    python bench/sandbox_latency.py [--n 50] [--level bubblewrap] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from codesteer.local.sandbox import IsolationLevel, Sandbox

AIM = 0.25


def _time(action: Callable[[], object], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000}


def run(n: int, level: IsolationLevel | None) -> dict[str, dict[str, float]]:
    def cold_python() -> None:
        subprocess.run([sys.executable, "-I", "-c", "pass"], check=True)

    with Sandbox(level=level) as warm:
        first = warm.run("print(1)")  # waits for the warm zygote; not timed
        assert first.stdout == "1\n", first

        def warm_run() -> None:
            result = warm.run("print(1)")
            assert result.stdout == "1\n", result

        rows = {
            "cold python3 -I -c pass": _summary(_time(cold_python, n)),
            f"sandbox print(1), warm ({warm.level.value})": _summary(_time(warm_run, n)),
        }
    with Sandbox(level=level, warm=False) as cold:
        rows[f"sandbox print(1), cold ({cold.level.value})"] = _summary(
            _time(lambda: cold.run("print(1)"), max(n // 5, 3))
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--level", choices=[level.value for level in IsolationLevel])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = run(args.n, IsolationLevel(args.level) if args.level else None)
    base = next(iter(rows.values()))
    for row in rows.values():
        row["p50_ratio"] = row["p50_ms"] / base["p50_ms"]
        row["p95_ratio"] = row["p95_ms"] / base["p95_ms"]
    if args.json:
        print(json.dumps({"rows": rows, "aim_p50_ratio": AIM}, indent=2))
        return
    print(f"{'':44} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>7} {'p95 x':>7}")
    for name, row in rows.items():
        print(
            f"{name:44} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} "
            f"{row['p50_ratio']:7.2f} {row['p95_ratio']:7.2f}"
        )
    warm = list(rows.values())[1]
    verdict = "meets" if warm["p50_ratio"] <= AIM else "misses"
    print(
        f"\nwarm sandboxed print(1) at p50 = {warm['p50_ratio']:.2f}x a cold interpreter "
        f"({verdict} the aim of <= {AIM}x)"
    )


if __name__ == "__main__":
    main()
