"""The whole pipeline on the real SmolLM2, on the CPU: SFT and DPO (a few LoRA steps each) on
trajectory data built with the protocol's own text, merge, GGUF f16 and Q8_0, the fidelity
check, the Ollama Modelfile; run again, every stage is skipped; and the exported steering model
steers a round through the runtime."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from codesteer.local.backends import open_backend
from codesteer.local.loop import SteeringOptions, SteeringRun
from codesteer.local.protocol import Action
from codesteer.local.sandbox import Limits, Sandbox
from codesteer.local.scripted import ScriptedBackend
from codesteer.train.dpo_data import Continuation, dpo_pairs, write_dpo
from codesteer.train.sft_data import sft_examples, write_sft
from tests.cli.helpers import codesteer
from tests.servers import make_config
from tests.train.data_helpers import hand_transcript

pytestmark = pytest.mark.slow

CORRECT = [
    [("Code", "multiply the numbers in Python and print the product"), ("Return Answer", "ok")],
    [("Code", "use exact integer arithmetic"), ("Return Answer", "the output is exact")],
    [("Text", "count step by step"), ("Code", "now compute it"), ("Return Answer", "done")],
]
WRONG = [("Text", "guess"), ("Text", "guess again"), ("Return Answer", "fine")]


def write_data(folder: Path) -> tuple[Path, Path]:
    originals = [
        hand_transcript(decisions, correct=True, item=f"item-{n}")
        for n, decisions in enumerate(CORRECT)
    ]
    sft = folder / "sft.jsonl"
    write_sft(sft, sft_examples(originals))
    failed = hand_transcript(WRONG, correct=False, item="item-9")
    better = hand_transcript(
        [*WRONG[:1], ("Code", "compute it exactly"), ("Return Answer", "ok")],
        correct=True,
        item="item-9",
    )
    dpo = folder / "dpo.jsonl"
    assert write_dpo(dpo, dpo_pairs(failed, [Continuation(1, 0, better)])) == 1
    return sft, dpo


def test_pipeline_trains_exports_checks_and_steers(tmp_path: Path, gguf: Path) -> None:
    sft, dpo = write_data(tmp_path)
    config = tmp_path / "pipeline.toml"
    config.write_text(
        f"""
out = "out"
base = "default"

[sft]
data = "{sft}"
max_steps = 3
batch_size = 1
grad_accumulation = 1
max_length = 1024
learning_rate = 1e-3
logging_steps = 1
lora = {{ r = 8, alpha = 16 }}

[dpo]
data = "{dpo}"
max_steps = 2
batch_size = 1
grad_accumulation = 1
max_length = 1024
logging_steps = 1
lora = {{ r = 8, alpha = 16 }}

[export]
outtype = "f16"
quantize = ["Q8_0"]
check = true
num_ctx = 2048
"""
    )
    result = codesteer("train", "pipeline", str(config), "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    out = tmp_path / "out"
    assert [s["stage"] for s in summary["stages"]] == [
        "sft", "dpo", "merge", "gguf", "quantize", "check", "modelfile"
    ]  # fmt: skip
    assert all(s["status"] == "done" for s in summary["stages"])
    f16, q8 = out / "steerer-f16.gguf", out / "steerer-Q8_0.gguf"
    assert f16.read_bytes()[:4] == q8.read_bytes()[:4] == b"GGUF"
    assert q8.stat().st_size < f16.stat().st_size
    reports = {Path(r["gguf"]).name: r for r in json.loads((out / "fidelity.json").read_text())}
    assert reports[f16.name]["ok"] and reports[q8.name]["ok"]
    modelfile = (out / "Modelfile").read_text()
    assert "FROM ./steerer-Q8_0.gguf" in modelfile and "PARAMETER num_ctx 2048" in modelfile
    assert summary["steerer"] == f"llamacpp:{q8}"

    again = codesteer("train", "pipeline", str(config), "--json")
    assert again.returncode == 0, again.stderr[-3000:]
    assert all(s["status"] == "skipped" for s in json.loads(again.stdout)["stages"])

    # the shipped steering model steers: its first decision is well formed (grammar-constrained)
    steerer = open_backend(summary["steerer"], make_config(n_ctx=2048))
    task = ScriptedBackend(["```python\nprint('<<<391>>>')\n```"])
    with Sandbox(Limits(timeout_s=20)) as sandbox:
        run = SteeringRun(
            "What is 17 * 23? Answer as <<<N>>>.",
            task_model=task,
            steerer=steerer,
            sandbox=sandbox,
            options=SteeringOptions(rounds=0, self_check=False),
        )

        async def go() -> None:
            async for _ in run:
                pass

        asyncio.run(go())
    first = run.transcript.rounds[0].steering
    assert first is not None and first.decision in (Action.CODE.value, Action.TEXT.value)
    assert first.parse == "ok"
