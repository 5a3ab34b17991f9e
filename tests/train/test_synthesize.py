"""Synthesis with a scripted teacher and task model and the real sandbox: trajectories, DPO
pairs from resampled turns, SFT from correct runs, resuming without running an item twice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codesteer.errors import UserError
from codesteer.local.sandbox import Limits, Sandbox
from codesteer.local.scripted import ScriptedBackend
from codesteer.symbench.seeds import (
    TRAINING_SEED_START,
    SeedRangeError,
    check_evaluation_seed,
    check_training_seed,
)
from codesteer.train.synthesis_config import SynthesisConfig
from codesteer.train.synthesis_folder import read_records, synthesis_status
from codesteer.train.synthesize import (
    ContinuationFinished,
    ItemFinished,
    Models,
    Synthesis,
    SynthesisEvent,
    SynthesisFinished,
)
from tests.train.data_helpers import CHECKER, product_program

SEED = TRAINING_SEED_START


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(Limits(timeout_s=20)) as box:
        yield box


def config(**changes: Any) -> SynthesisConfig:
    values: dict[str, Any] = {
        "tasks": ("number_multiply",),
        "n": 1,
        "seed": SEED,
        "complexity": 1,
        "rounds": 1,
        "dpo_samples": 1,
    }
    return SynthesisConfig(**{**values, **changes})


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def run(synthesis: Synthesis, events: list[SynthesisEvent] | None = None) -> dict[str, Any]:
    return asyncio.run(synthesis.run(events.append if events is not None else None))


def test_a_better_resampled_turn_becomes_a_pair_and_its_run_sft(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    # The teacher's own run says Text, the task model answers 0: wrong in 2 turns (-2).
    # Resampled at turn 0 it says Code: the code computes the product, right in 2 turns (13).
    # Resampled at turn 1 it says Terminate: still wrong in 2 turns (-2), no better.
    teacher = ScriptedBackend(
        [
            "Decision: Text\nGuidance: think it through",
            "Decision: Return Answer\nGuidance: done",
            "Decision: Code\nGuidance: multiply with Python",
            "Decision: Return Answer\nGuidance: the program computed it",
            "Decision: Terminate\nGuidance: stop here",
        ],
        name="teacher",
    )
    program = product_program(SEED, 0)
    task = ScriptedBackend(["The product is <<<0>>>.", CHECKER, program, CHECKER], name="task")
    out = tmp_path / "data"
    synthesis = Synthesis.create(out, config(), models=Models(teacher, task, sandbox))
    events: list[SynthesisEvent] = []
    summary = run(synthesis, events)

    # every scripted reply was used once: the replayed prefixes cost no model call
    assert len(teacher.requests) == 5 and len(task.requests) == 4
    temperatures = [options.temperature for _, options in teacher.requests]
    assert temperatures == [0.0, 0.0, 0.95, 0.95, 0.95]
    seeds = {options.seed for _, options in teacher.requests[2:]}
    assert len(seeds) == 2 and all(seed is not None for seed in seeds)  # one per continuation

    (pair,) = lines(out / "dpo.jsonl")
    assert pair["chosen"] == [
        {"role": "assistant", "content": "Decision: Code\nGuidance: multiply with Python"}
    ]
    assert pair["rejected"] == [
        {"role": "assistant", "content": "Decision: Text\nGuidance: think it through"}
    ]
    assert [m["role"] for m in pair["prompt"]] == ["system", "user"]
    assert pair["prompt"][1]["content"] == teacher.requests[0][0][1].content

    (sft,) = lines(out / "sft.jsonl")
    assert [m["content"] for m in sft["messages"] if m["role"] == "assistant"] == [
        "Decision: Code\nGuidance: multiply with Python",
        "Decision: Return Answer\nGuidance: the program computed it",
    ]

    (record,) = lines(out / "trajectories.jsonl")
    assert record["transcript"]["score"]["value"] == 0.0
    assert [(c["turn"], c["sample"], c["error"]) for c in record["continuations"]] == [
        (0, 0, None),
        (1, 0, None),
    ]
    # a continuation keeps the rounds from its turn on; the earlier ones are the original's
    assert [r["index"] for r in record["continuations"][1]["transcript"]["rounds"]] == [1]

    expected: dict[str, Any] = {"done": 1, "correct": 0, "continuations": 2}
    expected |= {"continuations_correct": 1, "sft_examples": 1, "dpo_pairs": 1, "errors": 0}
    expected |= {"status": "complete"}
    assert {key: summary[key] for key in expected} == expected
    assert json.loads((out / "summary.json").read_text()) == summary
    assert [type(e).__name__ for e in events].count("ContinuationFinished") == 2
    finished = [e for e in events if isinstance(e, ItemFinished)]
    assert finished[0].counts.dpo_pairs == 1 and finished[0].counts.sft_examples == 1
    continued = [e for e in events if isinstance(e, ContinuationFinished)]
    assert [(e.done, e.planned, e.correct) for e in continued] == [(1, 2, True), (2, 2, False)]
    info = json.loads((out / "synthesis.json").read_text())
    assert info["status"] == "complete" and info["models"]["teacher"] == "scripted:teacher"


def one_turn_models(sandbox: Sandbox, indices: list[int]) -> Models:
    """Models for ``rounds=0`` runs of these items: Code, and a right program, each."""
    teacher = ScriptedBackend(["Decision: Code\nGuidance: compute"] * len(indices))
    programs = [product_program(SEED, i) for i in indices]
    return Models(teacher, ScriptedBackend(programs), sandbox)


def test_an_interrupted_synthesis_resumes_without_running_an_item_twice(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    out = tmp_path / "data"
    settings = config(n=3, rounds=0, dpo_samples=0)
    first = Synthesis.create(out, settings, models=one_turn_models(sandbox, [0, 1, 2]))

    async def interrupted() -> None:
        jobs: list[asyncio.Future[dict[str, Any]]] = []

        def stop_after_first(event: SynthesisEvent) -> None:
            if isinstance(event, ItemFinished):
                jobs[0].cancel()  # as Ctrl-C does to the running synthesis

        jobs.append(asyncio.ensure_future(first.run(stop_after_first)))
        with pytest.raises(asyncio.CancelledError):
            await jobs[0]

    asyncio.run(interrupted())
    assert len(lines(out / "trajectories.jsonl")) == 1
    assert synthesis_status(out) == "interrupted"
    partial = json.loads((out / "summary.json").read_text())
    assert (partial["done"], partial["sft_examples"], partial["status"]) == (1, 1, "interrupted")
    assert len(lines(out / "sft.jsonl")) == 1

    # a process killed mid-write leaves a torn line: dropped, and the file repaired
    with (out / "trajectories.jsonl").open("a") as handle:
        handle.write('{"index": 1, "task": "number_multiply", "item_')
    models = one_turn_models(sandbox, [1, 2])
    second = Synthesis.resume(out, models=models)
    assert [index for index, _ in second.pending] == [1, 2]
    summary = run(second)
    assert len(models.teacher.requests) == 2  # type: ignore[attr-defined]
    records = lines(out / "trajectories.jsonl")
    assert sorted(r["index"] for r in records) == [0, 1, 2]
    assert len({r["item_id"] for r in records}) == 3
    assert (summary["done"], summary["correct"], summary["sft_examples"]) == (3, 3, 3)
    assert summary["status"] == "complete" and synthesis_status(out) == "complete"
    assert synthesis_status(tmp_path / "elsewhere") is None
    sessions = json.loads((out / "synthesis.json").read_text())["sessions"]
    assert [(s["done_before"], s["done_after"]) for s in sessions] == [(0, 1), (1, 3)]

    # resuming a finished synthesis runs nothing and rewrites the same data
    again = Synthesis.resume(out, models=one_turn_models(sandbox, []))
    assert again.pending == []
    assert run(again)["sft_examples"] == 3


def test_failed_runs_are_recorded_as_errors_not_wrong_answers(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    # The task model has nothing to say: each item's run fails; the synthesis goes on.
    models = Models(
        ScriptedBackend(["Decision: Code\nGuidance: go"] * 2), ScriptedBackend([]), sandbox
    )
    out = tmp_path / "data"
    events: list[SynthesisEvent] = []
    summary = run(Synthesis.create(out, config(n=2, rounds=0), models=models), events)
    assert (summary["done"], summary["errors"], summary["correct"]) == (2, 2, 0)
    assert summary["continuations"] == 0  # a failed run is not resampled
    assert all("no reply left" in (r["error"] or "") for r in lines(out / "trajectories.jsonl"))
    assert isinstance(events[-1], SynthesisFinished) and events[-1].status == "complete"


def test_training_seeds_and_evaluation_seeds_never_meet(tmp_path: Path) -> None:
    check_training_seed(TRAINING_SEED_START)
    check_evaluation_seed(TRAINING_SEED_START - 1)
    with pytest.raises(SeedRangeError, match="seed 999999 is an evaluation seed"):
        check_training_seed(TRAINING_SEED_START - 1)
    with pytest.raises(SeedRangeError, match="seed 1000000 is a training seed"):
        check_evaluation_seed(TRAINING_SEED_START)
    out = tmp_path / "data"
    with pytest.raises(SeedRangeError, match="evaluation seed"):
        Synthesis.create(out, config(seed=0))
    assert not out.exists()  # refused before anything was written


def test_folders_are_never_overwritten_or_shared(tmp_path: Path, sandbox: Sandbox) -> None:
    out = tmp_path / "data"
    synthesis = Synthesis.create(out, config(rounds=0), models=one_turn_models(sandbox, [0]))
    with pytest.raises(UserError, match="in use by a running codesteer train synthesize"):
        Synthesis.resume(out, models=one_turn_models(sandbox, []))
    run(synthesis)
    with pytest.raises(UserError, match=r"is not empty \(continue it with --resume\)"):
        Synthesis.create(out, config(rounds=0), models=one_turn_models(sandbox, [0]))
    with pytest.raises(UserError, match="not a synthesis folder"):
        Synthesis.resume(tmp_path, models=one_turn_models(sandbox, []))
    (out / "trajectories.jsonl").write_text("not json\n")
    with pytest.raises(UserError, match=r"trajectories.jsonl:1 is not a trajectory record"):
        read_records(out / "trajectories.jsonl")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n": 0}, "--n must be at least 1"),
        ({"tasks": ()}, "no tasks selected"),
        ({"top_p": 0.0}, "--top-p"),
        ({"dpo_samples": -1}, "--dpo-samples"),
        ({"max_tokens": 8}, "--max-tokens"),
    ],
)
def test_bad_settings_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message):
        config(**changes).validate()
