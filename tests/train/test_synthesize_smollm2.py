"""End to end with the real SmolLM2 GGUF as teacher and task model, through the command: a
synthesis killed after its first item continues with --resume; every recorded run replays
exactly; and trl renders the data with the model's own chat template."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from codesteer.local.loop import SteeringRun
from codesteer.local.sandbox import Limits, Sandbox
from codesteer.local.scripted import ScriptedBackend
from codesteer.local.transcript import transcript_to_dict
from codesteer.symbench import get_task
from codesteer.train.replay import resume_run, same_rounds
from codesteer.train.synthesis_config import SynthesisConfig
from codesteer.train.synthesis_folder import TrajectoryRecord
from codesteer.train.synthesize import Models, Synthesis
from codesteer.train.trajectories import is_correct, steering_turns, trajectory_score
from tests.train.data_cli import train_cli
from tests.train.data_helpers import CHECKER, product_program, timeless

pytestmark = pytest.mark.slow

ARGS = [
    "synthesize", "--teacher", "default", "--task-model", "default", "--tasks",
    "number_multiply", "--complexity", "1", "--n", "2", "--rounds", "1", "--dpo-samples", "1",
    "--max-tokens", "32", "--steer-max-tokens", "12",
]  # fmt: skip


async def drive(run: SteeringRun) -> None:
    async for _ in run:
        pass


def records(folder: Path) -> list[TrajectoryRecord]:
    text = (folder / "trajectories.jsonl").read_text()
    return [TrajectoryRecord.model_validate_json(line) for line in text.splitlines()]


def kill_and_resume(out: Path) -> None:
    """Two items, killed (SIGKILL) once the first is recorded, then resumed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.train.data_cli", *ARGS, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    log = out / "trajectories.jsonl"
    # Waits on the run itself, not on a clock: a run that ends before recording fails here.
    while not (log.exists() and log.read_text().count("\n") >= 1):
        assert process.poll() is None, process.communicate()
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    first = log.read_text().splitlines()
    assert len(first) == 1
    assert json.loads((out / "synthesis.json").read_text())["status"] == "running"

    resumed = train_cli("synthesize", "--resume", str(out), "--json")
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert (summary["status"], summary["done"], summary["planned"]) == ("complete", 2, 2)
    after = log.read_text().splitlines()
    assert len(after) == 2 and after[0] == first[0]  # the first item was not run again


def test_a_killed_synthesis_resumes_and_every_run_replays_exactly(
    tmp_path: Path, gguf: Path
) -> None:
    # One test, not several sharing a fixture: under xdist each would pay for the synthesis.
    synthesized = tmp_path / "data"
    kill_and_resume(synthesized)
    check_records(synthesized)
    check_replays(synthesized)


def check_records(synthesized: Path) -> None:
    summary = json.loads((synthesized / "summary.json").read_text())
    runs = records(synthesized)
    assert sorted(r.index for r in runs) == [0, 1]
    for record in runs:
        assert record.error is None
        original = record.original("test")
        assert original is not None and original.task_model.startswith("llamacpp:")
        assert original.steerer is not None and original.score is not None
        turns = steering_turns(original)
        assert all(turn.parse == "ok" for turn in turns)  # the grammar holds SmolLM2 to it
        if is_correct(original):
            assert record.continuations == []
            continue
        # one sampled continuation per steering turn (K = 1), each from the original prefix
        assert [(c.turn, c.sample) for c in record.continuations] == [
            (turn, 0) for turn in range(len(turns))
        ]
        for entry in record.continuations:
            continuation = entry.continuation(original, "test")
            assert continuation is not None
            whole = continuation.transcript
            assert same_rounds(whole.rounds[: entry.turn], original.rounds[: entry.turn])
            assert steering_turns(whole)[entry.turn].input == turns[entry.turn].input
            assert whole.options["steer"]["temperature"] == 0.95
            assert whole.options["steer"]["seed"] == entry.seed
    pairs = [json.loads(line) for line in (synthesized / "dpo.jsonl").read_text().splitlines()]
    sft = [json.loads(line) for line in (synthesized / "sft.jsonl").read_text().splitlines()]
    assert (summary["dpo_pairs"], summary["sft_examples"]) == (len(pairs), len(sft))
    assert summary["continuations"] == sum(len(r.continuations) for r in runs)


def check_replays(synthesized: Path) -> None:
    items = {
        item.id: item
        for item in get_task("number_multiply").generate_many(2, 1_000_000, complexity=1)
    }
    for record in records(synthesized):
        original = record.original("test")
        assert original is not None
        item = items[record.item_id]

        def grade(text: str, item: Any = item) -> Any:
            return get_task("number_multiply").score(text, item)

        replay = resume_run(
            original, len(original.rounds), steerer=None, task_model=None, sandbox=None, grade=grade
        )
        asyncio.run(drive(replay))
        assert timeless(transcript_to_dict(replay.transcript)) == timeless(
            transcript_to_dict(original)
        )
        assert trajectory_score(replay.transcript) == trajectory_score(original)


def test_trl_renders_the_data_with_the_models_chat_template(tmp_path: Path, gguf: Path) -> None:
    """A scripted synthesis makes one SFT conversation and one pair for certain; trl's own
    data utilities read them and SmolLM2's tokenizer renders them."""
    from transformers import AutoTokenizer
    from trl.data_utils import apply_chat_template, is_conversational

    teacher = ScriptedBackend(
        [
            "Decision: Text\nGuidance: think it through",
            "Decision: Return Answer\nGuidance: done",
            "Decision: Code\nGuidance: multiply with Python",
            "Decision: Return Answer\nGuidance: computed",
            "Decision: Terminate\nGuidance: stop",
        ]
    )
    program = product_program(1_000_000, 0)
    task = ScriptedBackend(["It is <<<0>>>.", CHECKER, program, CHECKER])
    settings = SynthesisConfig(
        tasks=("number_multiply",), n=1, complexity=1, rounds=1, dpo_samples=1
    )
    with Sandbox(Limits(timeout_s=20)) as sandbox:
        synthesis = Synthesis.create(
            tmp_path / "d", settings, models=Models(teacher, task, sandbox)
        )
        summary = asyncio.run(synthesis.run())
    assert (summary["sft_examples"], summary["dpo_pairs"]) == (1, 1)

    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    (sft,) = [json.loads(line) for line in (tmp_path / "d" / "sft.jsonl").read_text().splitlines()]
    (pair,) = [json.loads(line) for line in (tmp_path / "d" / "dpo.jsonl").read_text().splitlines()]
    assert is_conversational(sft) and is_conversational(pair)
    text = apply_chat_template(sft, tokenizer)["text"]
    assert text.count("<|im_start|>assistant\nDecision: ") == 2
    rendered = apply_chat_template(pair, tokenizer)
    assert rendered["prompt"].endswith("<|im_start|>assistant\n")
    assert rendered["chosen"].startswith("Decision: Code\nGuidance: multiply with Python")
    assert rendered["rejected"].startswith("Decision: Text\nGuidance: think it through")
