"""LoRA against QLoRA SFT of the steering model (SmolLM2-135M, from its GGUF) on this CPU.

The same steering trajectories (the protocol's real system prompt, a SymBench question, a
review round; 550-1050 tokens each), the same LoRA (r=16, all linear layers), the same number of
steps, through codesteer's own trainer (``train_sft``): once on the full-precision base, once
on the 4-bit NF4 base (bitsandbytes' CPU library). Reported: input tokens per second of the
training loop, from step 2 on (step 1 pays one-off set-up), and the ratio of the two, measured
in this one run. Both runs see identical batches.

    python bench/train_cpu.py [--steps 6] [--examples 4] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from codesteer.local.protocol import (
    STEERER_SYSTEM,
    Action,
    Decision,
    ReviewInput,
    render_decision,
    steerer_first_input,
    steerer_review_input,
)
from codesteer.symbench import get_task
from codesteer.train.config import load_sft_config
from codesteer.train.progress import Logged, TrainEvent
from codesteer.train.sft import train_sft

TASKS = ("game24", "number_multiply", "boxlift", "letters", "string_synthesis", "path_plan")


def trajectory(index: int) -> dict[str, Any]:
    item = next(iter(get_task(TASKS[index % len(TASKS)]).generate_many(1, index)))
    review = ReviewInput(
        round=1,
        rounds=5,
        answer="I will search all cases.\n```python\nprint('<<<' + str(17 * 23) + '>>>')\n```",
        execution="<<<391>>>",
        symbolic="The code computes the answer with arithmetic; no search.",
        self_check="The check printed Correct.",
    )
    first = Decision(Action.CODE, "Enumerate the candidates in Python and check each one.")
    last = Decision(Action.RETURN_ANSWER, "The computed answer passes the checks.")
    return {
        "messages": [
            {"role": "system", "content": STEERER_SYSTEM},
            {"role": "user", "content": steerer_first_input(item.question)},
            {"role": "assistant", "content": render_decision(first)},
            {"role": "user", "content": steerer_review_input(review)},
            {"role": "assistant", "content": render_decision(last)},
        ]
    }


class StepClock:
    """When each step was logged, and the input tokens seen by then."""

    def __init__(self) -> None:
        self.marks: list[tuple[float, float]] = []

    def __call__(self, event: TrainEvent) -> None:
        if isinstance(event, Logged):
            self.marks.append((time.perf_counter(), event.metrics["num_input_tokens_seen"]))

    def tokens_per_second(self) -> float:
        """From the end of step 1 to the end of the last step."""
        (t0, n0), (t1, n1) = self.marks[0], self.marks[-1]
        return (n1 - n0) / (t1 - t0)


def measure(data: Path, out: Path, *, qlora: bool, steps: int) -> dict[str, Any]:
    config = load_sft_config(
        None,
        [
            f"max_steps={steps}",
            "batch_size=1",
            "grad_accumulation=1",
            "logging_steps=1",
            f"save_steps={steps}",
            "max_length=4096",
            f"qlora={'true' if qlora else 'false'}",
        ],
        values={"data": data, "out": out},
    )
    clock = StepClock()
    result = train_sft(config, clock)
    return {
        "method": "QLoRA (4-bit NF4 base)" if qlora else "LoRA (fp32 base)",
        "steps": result.steps,
        "tokens_per_second": round(clock.tokens_per_second(), 1),
        "tokens_per_second_with_step_1": round(result.tokens_per_second, 1),
        "final_loss": result.final_loss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=6, help="steps per method (>= 3)")
    parser.add_argument("--examples", type=int, default=4, help="distinct trajectories")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.steps < 3:
        parser.error("--steps must be at least 3 (step 1 is not timed)")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="codesteer-bench-") as tmp:
        folder = Path(tmp)
        data = folder / "sft.jsonl"
        rows = [json.dumps(trajectory(i)) for i in range(args.examples)]
        data.write_text("".join(row + "\n" for row in rows), encoding="utf-8")
        runs = [
            measure(data, folder / "lora", qlora=False, steps=args.steps),
            measure(data, folder / "qlora", qlora=True, steps=args.steps),
        ]
    ratio = runs[0]["tokens_per_second"] / runs[1]["tokens_per_second"]
    report = {"threads": _threads(), "runs": runs, "lora_over_qlora": round(ratio, 2)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"SmolLM2-135M SFT on this CPU ({report['threads']} torch threads), {args.steps} steps")
    for run in runs:
        print(
            f"  {run['method']:<24} {run['tokens_per_second']:8.1f} tokens/s "
            f"(final loss {run['final_loss']:.3f})"
        )
    print(f"  LoRA / QLoRA speed: {ratio:.2f}x")


def _threads() -> int:
    import torch

    return int(torch.get_num_threads())


if __name__ == "__main__":
    main()
