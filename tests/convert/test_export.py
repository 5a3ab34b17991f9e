"""The real pipeline on SmolLM2: HF folder -> GGUF (f16) -> Q8_0 and Q4_K_M -> fidelity."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codesteer.convert.fidelity import DEFAULT_PROMPTS, check_fidelity
from codesteer.convert.gguf_meta import read_gguf_meta, tensor_type_counts
from codesteer.convert.quantize import quantize
from tests.convert.conftest import THREADS
from tests.convert.test_errors import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("convert-smollm2")]


def test_f16_conversion_keeps_tokenizer_and_template(f16_gguf: Path, hf_ref: Path) -> None:
    meta = read_gguf_meta(f16_gguf)
    assert meta.architecture == "llama"
    assert meta.metadata["general.file_type"] == "1"  # MOSTLY_F16
    assert meta.chat_template == (hf_ref / "chat_template.jinja").read_text()
    assert (meta.bos_id, meta.eos_id, meta.eos_text) == (1, 2, "<|im_end|>")
    assert set(tensor_type_counts(f16_gguf)) == {"F16", "F32"}  # norms stay F32
    weights = (hf_ref / "model.safetensors").stat().st_size
    assert 0.45 < f16_gguf.stat().st_size / weights < 0.55
    assert not list(f16_gguf.parent.glob(".*.part"))  # written under a temporary name


def test_f16_matches_transformers(f16_gguf: Path, hf_ref: Path) -> None:
    report = check_fidelity(f16_gguf, hf_ref, n_threads=THREADS)
    assert report.ok, json.dumps(report.to_dict(), indent=1)
    assert [c.name for c in report.checks] == [
        "tokenizer",
        "detokenizer",
        "chat template",
        "stop tokens",
        "logits",
        "greedy",
    ]
    assert set(report.skipped) == {"top-1", "KL"}
    assert report.file_type == "F16" and not report.quantized
    # f16 weights: logits within a tenth or so (measured 0.09), greedy replies identical.
    assert report.measurements["max_logit_diff"] <= 0.25
    assert all(prompt.identical for prompt in report.prompts), report.prompts
    stopped = [p for p in report.prompts if p.reference_stopped]
    assert stopped and all(p.gguf_stopped for p in stopped)  # both stop, at the same token


def test_q8_0_through_the_cli(q8_gguf: Path, f16_gguf: Path, hf_ref: Path) -> None:
    assert set(tensor_type_counts(q8_gguf)) == {"Q8_0", "F32"}
    assert 0.45 < q8_gguf.stat().st_size / f16_gguf.stat().st_size < 0.6
    result = run_cli(
        "check", str(q8_gguf), "--reference", str(hf_ref), "--json", "--threads", str(THREADS)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["file_type"] == "Q8_0" and report["quantized"]
    checks = {check["name"]: check for check in report["checks"]}
    assert set(checks) == {
        "tokenizer",
        "detokenizer",
        "chat template",
        "stop tokens",
        "top-1",
        "KL",
    }
    # Measured: top-1 0.96, mean KL 0.007 nats over ~220 positions.
    assert checks["top-1"]["value"] >= 0.9
    assert checks["KL"]["value"] <= 0.05
    assert set(report["skipped"]) == {"logits", "greedy"}


def test_k_quant_falls_back_per_tensor(f16_gguf: Path, hf_ref: Path) -> None:
    """SmolLM2's 576-wide rows cannot take 256-column K-quant blocks: llama.cpp gives those
    tensors Q5_0 (and Q8_0 for Q6_K), while 1536-wide ffn_down rows get true K-quants."""
    q4 = quantize(f16_gguf, f16_gguf.with_name("smollm2-Q4_K_M.gguf"), "Q4_K_M")
    counts = tensor_type_counts(q4)
    assert {"Q4_K", "Q5_0"} <= set(counts)
    assert counts["Q5_0"] > counts["Q4_K"]
    report = check_fidelity(q4, hf_ref, prompts=DEFAULT_PROMPTS[:2], n_threads=THREADS)
    assert report.ok, json.dumps(report.to_dict(), indent=1)
    assert report.check("top-1").value is not None and report.check("top-1").value >= 0.8


def test_wrong_eos_fails_the_stop_check(gguf: Path, hf_ref: Path, tmp_path: Path) -> None:
    """The original SmolLM2 file with its EOS id rewritten (by the gguf package's own editor)
    to <|endoftext|>: a runtime that stops at EOS would not stop at the end of a turn."""
    broken = tmp_path / "wrong-eos.gguf"
    shutil.copyfile(gguf, broken)
    editor = [sys.executable, "-m", "gguf.scripts.gguf_set_metadata"]
    subprocess.run(
        [*editor, str(broken), "tokenizer.ggml.eos_token_id", "0", "--force"],
        check=True,
        capture_output=True,
    )
    report = check_fidelity(broken, hf_ref, prompts=(), n_threads=THREADS)
    assert not report.ok
    stop = report.check("stop tokens")
    assert not stop.passed
    assert any("EOS is token 0" in line for line in stop.details), stop.details
    assert report.check("tokenizer").passed and report.check("chat template").passed

    result = run_cli(
        "check", str(broken), "--reference", str(hf_ref), "--threads", str(THREADS),
        "--prompt", "What is 17 * 23?", "--max-new-tokens", "8",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "FAIL" in result.stdout and "FAILED" in result.stdout
