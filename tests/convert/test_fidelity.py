"""Fidelity-check pieces that need no conversion: the logit comparisons, and a reference
whose output layer does not match the GGUF's vocabulary."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from codesteer.convert._compare import LogitStats, first_divergence, logit_stats
from codesteer.convert.fidelity import (
    FidelityReport,
    PromptResult,
    Thresholds,
    _judge_numbers,
    check_fidelity,
)
from tests.convert.conftest import THREADS


def test_logit_stats_on_known_values() -> None:
    reference = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    same = logit_stats(reference, reference + 3.0)  # a shift changes no probability
    assert same.max_abs_diff == 3.0 and same.top1_agreement == 1.0
    assert same.mean_kl == pytest.approx(0.0, abs=1e-12)
    flipped = logit_stats(reference, np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 5.0]]))
    assert flipped.top1_agree == 1 and flipped.positions == 2
    p = np.exp([2.0, 1.0, 0.0]) / np.exp([2.0, 1.0, 0.0]).sum()
    q = np.exp([1.0, 2.0, 0.0]) / np.exp([1.0, 2.0, 0.0]).sum()
    assert flipped.mean_kl == pytest.approx(float((p * np.log(p / q)).sum()) / 2)
    total = same + flipped
    assert total.positions == 4 and total.max_abs_diff == 3.0 and total.top1_agree == 3
    with pytest.raises(ValueError, match="shapes differ"):
        logit_stats(reference, reference[:, :2])


def test_first_divergence() -> None:
    assert first_divergence([1, 2, 3], [1, 2, 3]) is None
    assert first_divergence([1, 2, 3], [1, 5, 3]) == 1
    assert first_divergence([1, 2], [1, 2, 3]) == 2  # one stopped, the other went on
    assert first_divergence("abc", "abd") == 2


def test_a_reference_with_another_vocabulary_size_fails_clearly(
    gguf: Path, hf_ref: Path, tmp_path: Path
) -> None:
    """A reference whose output layer is padded (49216 rows for 49152 tokens, as some models
    pad to a multiple of 64): logits cannot be compared position by position, and the report
    says so instead of crashing."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=49216,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        bos_token_id=1,
        eos_token_id=2,
    )
    LlamaForCausalLM(config).save_pretrained(tmp_path)
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        shutil.copy(hf_ref / name, tmp_path / name)
    report = check_fidelity(gguf, tmp_path, n_threads=THREADS)
    assert isinstance(report, FidelityReport) and not report.ok
    assert not report.check("vocabulary").passed
    assert "49152" in report.check("vocabulary").summary
    assert report.check("tokenizer").passed and report.check("stop tokens").passed
    assert set(report.skipped) == {"logits", "greedy", "top-1", "KL"}
    assert report.prompts == [] and report.measurements == {}
    assert report.to_dict()["ok"] is False


def _prompt(divergence: int | None, gap: float | None = None) -> PromptResult:
    return PromptResult(
        prompt="p",
        reference_tokens=(1, 2),
        gguf_tokens=(1, 2) if divergence is None else (1, 3),
        reference_text="ab",
        gguf_text="ab" if divergence is None else "ac",
        reference_stopped=False,
        gguf_stopped=False,
        divergence=divergence,
        divergence_gap=gap,
    )


def _report(file_type: str, *prompts: PromptResult) -> FidelityReport:
    report = FidelityReport(
        Path("m.gguf"), Path("ref"), file_type, file_type not in ("F32", "F16", "BF16")
    )
    report.prompts.extend(prompts)
    return report


def test_float_files_are_judged_by_logits_and_greedy_replies() -> None:
    limits = Thresholds()
    report = _report("F16", _prompt(None), _prompt(1, gap=0.01))
    _judge_numbers(report, LogitStats(100, 0.1, 100, 0.0), limits)
    assert report.ok  # a divergence at a near-tie (gap 0.01 < 0.25) is not a failure
    assert "near-tie" in report.check("greedy").details[0]

    report = _report("F16", _prompt(None), _prompt(1, gap=3.0))
    _judge_numbers(report, LogitStats(100, 0.1, 100, 0.0), limits)
    assert not report.check("greedy").passed and report.check("logits").passed

    report = _report("F32", _prompt(None))
    _judge_numbers(report, LogitStats(100, 0.01, 100, 0.0), limits)
    assert not report.check("logits").passed  # F32 must be within 1e-3
    assert report.check("logits").threshold == limits.max_logit_diff_f32


def test_quantised_files_are_judged_by_top1_and_kl() -> None:
    report = _report("Q4_K_M", _prompt(0, gap=2.0))
    _judge_numbers(report, LogitStats(100, 7.0, 90, 5.0), Thresholds())
    assert report.ok and set(report.skipped) == {"logits", "greedy"}
    report = _report("Q2_K", _prompt(0, gap=2.0))
    _judge_numbers(report, LogitStats(100, 9.0, 60, 40.0), Thresholds())
    assert not report.check("top-1").passed and not report.check("KL").passed
    strict = _report("Q8_0", _prompt(None))
    _judge_numbers(strict, LogitStats(100, 2.0, 96, 0.7), Thresholds(min_top1=0.99))
    assert not strict.ok and strict.check("KL").passed
