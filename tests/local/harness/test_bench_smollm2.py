"""A small real benchmark: the SmolLM2 GGUF in llama.cpp, in-process, as task model and steering
model, in every mode of the paper's table, on 3 tasks x 2 items; the run folders are complete
and agree with their samples; ``codesteer report`` compares them."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest

from codesteer.local.harness import Bench, BenchConfig, Mode
from tests.cli.helpers import codesteer
from tests.local.harness.helpers import sample_lines
from tests.servers import make_config

pytestmark = pytest.mark.slow

TASKS = ("number_multiply", "game24", "string_insertion")


@pytest.fixture(scope="module")
def runs(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[Mode, Path]:
    folder = tmp_path_factory.mktemp("bench")
    app = make_config(n_ctx=4096)
    paths = {}
    for mode in Mode:
        config = BenchConfig(
            tasks=TASKS,
            mode=mode,
            n=2,
            seed=3,
            task_model="default",
            steerer="default" if mode.steered else None,
            rounds=1,
            self_check=False,
            max_tokens=96,
            # two conversations at once share the one in-process model
            concurrency=2 if mode is Mode.CODESTEER else 1,
        )
        paths[mode] = folder / mode.value
        summary = asyncio.run(Bench.create(paths[mode], config, app).run())
        assert summary.done == 6, summary
    return paths


def _mean(values: list[float]) -> float:
    return round(100 * sum(values) / len(values), 2)


@pytest.mark.parametrize("mode", list(Mode))
def test_every_mode_writes_a_complete_consistent_run(
    runs: dict[Mode, Path], mode: Mode, gguf: Path
) -> None:
    path = runs[mode]
    info = json.loads((path / "run.json").read_text())
    summary = json.loads((path / "summary.json").read_text())
    samples = sample_lines(path)
    assert info["status"] == "complete" and info["items"] == info["done"] == 6
    assert info["sandbox_level"] and info["versions"]["llama_cpp_python"]
    assert info["models"]["task"]["sha256"] == hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert ("steerer" in info["models"]) == mode.steered
    assert info["git_revision"] is None or re.fullmatch(
        r"[0-9a-f]{40}(\+dirty)?", info["git_revision"]
    )
    # the same items in every mode
    assert sorted(s["item_id"] for s in samples) == sorted(
        s["item_id"] for s in sample_lines(runs[Mode.ONLY_QUESTION])
    )
    assert all(s["error"] is None and s["mode"] == mode.value for s in samples)
    for task in summary["tasks"]:
        mine = [s for s in samples if s["task"] == task["task"]]
        assert task["done"] == len(mine) == 2
        assert task["score"] == _mean([s["score"]["value"] for s in mine])
    tokens: dict[str, Any] = {"prompt": 0, "completion": 0}
    for s in samples:
        for key in tokens:
            tokens[key] += s["task_tokens"][key]
    assert summary["task_tokens"] == info["task_tokens"] == tokens
    assert summary["task_tokens"]["completion"] > 0
    steered = sum(s["steerer_tokens"]["completion"] for s in samples)
    assert (steered > 0) == mode.steered
    # what each mode is: rounds and methods as the paper's columns define them
    for s in samples:
        first = s["rounds"][0]
        if mode.steered:
            assert first["steering"]["decision"] in ("Code", "Text")
        else:
            assert first["steering"] is None and len(s["rounds"]) == 1
        if mode is Mode.ALL_CODE:
            assert "python" in first["task"]["prompt"].lower()
        if mode is Mode.ONLY_QUESTION:
            assert first["task"]["prompt"].strip() == first["task"]["prompt"].strip()
    assert "| Number Multiply |" in (path / "summary.md").read_text()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_report_compares_runs_with_a_table_and_a_png(
    runs: dict[Mode, Path], tmp_path: Path
) -> None:
    png = tmp_path / "report.png"
    baseline, steered = runs[Mode.ONLY_QUESTION], runs[Mode.CODESTEER]
    result = codesteer("report", str(baseline), str(steered), "--paper", "--png", str(png))
    assert result.returncode == 0, result.stderr
    for text in ("only-question", "codesteer", "Number Multiply", "Game 24", "String Insertion",
                 "GPT-4o+CodeSteer", "total average", "Ave. Norm. total"):  # fmt: skip
        assert text in result.stdout
    # 3 task rows and no sweep fit the smallest figure: 12 x 3 inches at 100 dpi
    assert png_size(png) == (1200, 300)
    data = json.loads(codesteer("report", str(baseline), str(steered), "--json", "--no-png").stdout)
    assert [row["task"] for row in data["rows"]] == [
        "Game 24",
        "String Insertion",
        "Number Multiply",
    ]
    summary = json.loads((steered / "summary.json").read_text())
    assert data["averages"]["codesteer"]["total"] == summary["averages"]["total"]
