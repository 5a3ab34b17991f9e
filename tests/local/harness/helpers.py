"""Item files whose answers an echo server gives back: llm-katan's echo backend replies with the
prompt it got, so an item whose question ends with ``<<<answer>>>`` is answered right, one that
ends with a wrong answer is answered wrong. Deterministic scores from a real server."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from codesteer.symbench import get_task
from codesteer.symbench.items_io import write_items

#: The fields of a summary that must not depend on how the run was scheduled or interrupted.
STABLE_TASK_FIELDS = ("task", "planned", "done", "errors", "score", "correct", "tokens_per_item")


def echo_items(path: Path, n: int, *, task: str = "number_multiply") -> Path:
    """``n`` items of ``task``; the even ones carry their right answer, the odd ones a wrong one."""
    source = get_task(task)
    items = []
    for index in range(n):
        item = source.generate(7, index, 1)
        answer = item.answer if index % 2 == 0 else "0"
        items.append(dataclasses.replace(item, question=f"{item.question}\n\n<<<{answer}>>>"))
    write_items(path, items)
    return path


def stable_summary(run_dir: Path) -> dict[str, Any]:
    """``summary.json`` without what timing and scheduling change."""
    summary = json.loads((run_dir / "summary.json").read_text())
    return {
        "tasks": [{k: t[k] for k in STABLE_TASK_FIELDS} for t in summary["tasks"]],
        "averages": summary["averages"],
        "ave_norm_vs_paper": summary["ave_norm_vs_paper"],
        "planned": summary["planned"],
        "done": summary["done"],
        "errors": summary["errors"],
        "task_tokens": summary["task_tokens"],
        "steerer_tokens": summary["steerer_tokens"],
    }


def sample_lines(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
