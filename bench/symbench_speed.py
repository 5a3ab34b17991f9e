"""Generate and verify N items of every SymBench task at its default complexity.

Prints items per second per task (generation, verification of the reference answer, and of a
wrong answer) and the total, with the total as a ratio of the 10 s budget for 37 x 100 items on
a 2-core machine (ratio < 1 meets it). All figures come from this one run.

    python bench/symbench_speed.py [--n 100] [--seed 0] [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from codesteer.symbench import all_tasks

BUDGET_SECONDS = 10.0
BUDGET_ITEMS = 37 * 100


def run(n: int, seed: int) -> list[dict[str, Any]]:
    rows = []
    for task in all_tasks():
        start = time.perf_counter()
        items = list(task.generate_many(n, seed))
        generated = time.perf_counter()
        for item in items:
            if not task.score(f"<<<{item.answer}>>>", item).correct:
                raise SystemExit(f"{item.id}: reference answer rejected")
        verified = time.perf_counter()
        for item in items:
            task.score("<<<0>>>", item)
        rejected = time.perf_counter()
        rows.append(
            {
                "task": task.name,
                "generate_s": generated - start,
                "verify_s": verified - generated,
                "reject_s": rejected - verified,
                "total_s": verified - start,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = run(args.n, args.seed)
    total = sum(row["total_s"] for row in rows)
    items = args.n * len(rows)
    ratio = (total / items) / (BUDGET_SECONDS / BUDGET_ITEMS)
    if args.json:
        print(json.dumps({"tasks": rows, "total_s": total, "budget_ratio": ratio}, indent=2))
        return
    print(f"{'task':34} {'gen/s':>10} {'verify/s':>10} {'reject/s':>10} {'total s':>8}")
    for row in sorted(rows, key=lambda r: -r["total_s"]):
        print(
            f"{row['task']:34} {args.n / row['generate_s']:10.0f} "
            f"{args.n / row['verify_s']:10.0f} {args.n / row['reject_s']:10.0f} "
            f"{row['total_s']:8.3f}"
        )
    print(f"\n{items} items generated and verified in {total:.2f} s ({items / total:.0f} items/s)")
    print(f"time per item relative to the budget (10 s per 3700 items): {ratio:.2f}x")


if __name__ == "__main__":
    main()
