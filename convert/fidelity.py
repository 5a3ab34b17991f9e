"""Does a GGUF behave like the Hugging Face model it came from? Checked, not assumed.

Checks, each reported with what it measured:

- **tokenizer** / **detokenizer**: llama.cpp and transformers give the same ids for a fixed set
  of strings (whitespace runs, tabs and newlines, numbers, unicode, emoji, code, and the model's
  own chat markup, parsed as special tokens), and decode them to the same text.
- **chat template**: the GGUF's ``tokenizer.chat_template`` rendered as llama.cpp's Python
  runtime renders it gives the same prompts as transformers' ``apply_chat_template``.
- **stop tokens**: the tokens the HF model stops at (``generation_config.eos_token_id``) end
  generation in llama.cpp too, the GGUF's EOS is one of them, and the token the chat template
  closes an assistant turn with is one. The most reported failure of other exporters is a model
  that never stops.
- Float files (F32, F16, BF16): **logits** (largest difference of next-token logits, teacher
  forced on the same ids) and **greedy** (the same tokens generated, stop included; a
  divergence where the reference's top two logits were closer than the logit tolerance is a
  tie, not a failure).
- Quantised files: **top-1** agreement and mean **KL** divergence of next-token distributions.

llama.cpp runs with an F32 KV cache, so what is measured is the file, not the runtime's
default F16 cache (which alone adds ~3e-3 to logit differences).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codesteer.convert._compare import EMPTY, LogitStats, first_divergence, logit_stats
from codesteer.convert._paths import config_folder
from codesteer.convert._runners import HFRunner, LlamaRunner, torch_threads
from codesteer.convert.chat_format import Message, render_jinja
from codesteer.convert.gguf_meta import (
    FLOAT_FILE_TYPES,
    GGUFMeta,
    file_type_name,
    read_gguf_meta,
)
from codesteer.errors import UserError

__all__ = [
    "CHAT_PROBES",
    "DEFAULT_PROMPTS",
    "TOKENIZER_PROBES",
    "CheckResult",
    "FidelityReport",
    "PromptResult",
    "Thresholds",
    "check_fidelity",
]

#: User messages whose replies are compared (short answers among them, so that both models
#: are seen to stop).
DEFAULT_PROMPTS: tuple[str, ...] = (
    "What is 17 * 23?",
    "What is the capital of France?",
    "Write a Python function that returns the square of a number.",
    "Name three primary colours.",
)

#: Strings whose tokenisation must agree; the model's chat markup is added to them.
TOKENIZER_PROBES: tuple[str, ...] = (
    "Hello, world!",
    "    four leading spaces,  two  inside   and trailing   ",
    "tabs\tand\nnewlines\n\n\r\n \t mixed\n",
    "digits 0 7 42 1234567890 3.14159 -0.001 1e-9 12,345,678 2024-01-31 0x1F",
    "unicode: café naïve Ünïcödé straße 日本語 中文 한국어 Ελληνικά русский العربية",
    "emoji: 👍🏽 🤖 👨‍👩‍👧 ✨🎉",
    "code:\ndef f(x):\n    return {'a': [1, 2]}  # comment\n\tif x != 0: pass\n",
    "```python\nprint('<<<42>>>')\n```",
)

#: Conversations whose rendered prompts must agree.
CHAT_PROBES: tuple[tuple[Message, ...], ...] = (
    ({"role": "user", "content": "What is 2 + 2?"},),
    (
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Name a prime."},
    ),
    (
        {"role": "user", "content": "Hi!"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Write code:\n```\nx = 1\n```"},
    ),
)


@dataclass(frozen=True)
class Thresholds:
    """Pass marks. Measured on SmolLM2-135M through this pipeline (default prompts, 219
    positions): largest logit difference F32 9e-5, F16 0.09, BF16 0.51; top-1 agreement and
    mean KL Q8_0 0.963 / 0.0066, Q6_K 0.932 / 0.024, Q4_K_M 0.904 / 0.088. The defaults leave
    room for larger vocabularies and longer prompts; a broken conversion is far outside them
    (a missed q/k permutation shows a logit gap of 3.6)."""

    max_logit_diff_f32: float = 1e-3
    max_logit_diff_f16: float = 0.25
    max_logit_diff_bf16: float = 1.0
    min_top1: float = 0.85
    max_mean_kl: float = 0.15

    def max_logit_diff(self, file_type: str) -> float:
        return {
            "F32": self.max_logit_diff_f32,
            "F16": self.max_logit_diff_f16,
            "BF16": self.max_logit_diff_bf16,
        }.get(file_type, self.max_logit_diff_f16)


@dataclass(frozen=True)
class CheckResult:
    """One check: whether it passed, a one-line summary, the number it judged by (if any)."""

    name: str
    passed: bool
    summary: str
    value: float | None = None
    threshold: float | None = None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromptResult:
    """Greedy replies of both models to one prompt."""

    prompt: str
    reference_tokens: tuple[int, ...]
    gguf_tokens: tuple[int, ...]
    reference_text: str
    gguf_text: str
    reference_stopped: bool
    gguf_stopped: bool
    #: Index of the first differing generated token; None when identical.
    divergence: int | None
    #: At a divergence: the reference's logit gap between its choice and the GGUF's.
    divergence_gap: float | None = None

    @property
    def identical(self) -> bool:
        return self.divergence is None


@dataclass
class FidelityReport:
    """The result of :func:`check_fidelity`: ``ok`` when every check that ran passed."""

    gguf: Path
    reference: Path
    file_type: str
    quantized: bool
    checks: list[CheckResult] = field(default_factory=list)
    #: Checks not run, with the reason.
    skipped: dict[str, str] = field(default_factory=dict)
    #: Every measured figure, judged or not (e.g. KL for a float file).
    measurements: dict[str, float] = field(default_factory=dict)
    prompts: list[PromptResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.passed for check in self.checks)

    def check(self, name: str) -> CheckResult:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(f"no check named {name!r} ran (ran: {[c.name for c in self.checks]})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "gguf": str(self.gguf),
            "reference": str(self.reference),
            "file_type": self.file_type,
            "quantized": self.quantized,
            "checks": [{**asdict(check), "details": list(check.details)} for check in self.checks],
            "skipped": dict(self.skipped),
            "measurements": dict(self.measurements),
            "prompts": [
                {
                    **asdict(prompt),
                    "reference_tokens": list(prompt.reference_tokens),
                    "gguf_tokens": list(prompt.gguf_tokens),
                    "identical": prompt.identical,
                }
                for prompt in self.prompts
            ],
        }


#: ``(description, done, total)``, called as the check proceeds.
StepCallback = Callable[[str, int, int], None]


def check_fidelity(
    gguf: Path,
    reference_hf: Path,
    *,
    prompts: Sequence[str] = DEFAULT_PROMPTS,
    max_new_tokens: int = 24,
    thresholds: Thresholds | None = None,
    n_threads: int | None = None,
    on_step: StepCallback | None = None,
) -> FidelityReport:
    """Compare the GGUF ``gguf`` with the Hugging Face model folder ``reference_hf``.

    ``n_threads`` sets the threads of both llama.cpp and torch (default: their own choice).

    Raises a :class:`~codesteer.errors.UserError` subclass for a missing or unreadable input;
    a GGUF that loads but behaves differently gives a report whose ``ok`` is False.
    """
    limits = thresholds or Thresholds()
    if max_new_tokens < 1:
        raise UserError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    meta = read_gguf_meta(gguf)
    reference_hf = config_folder(reference_hf)
    file_type = _file_type(meta)
    report = FidelityReport(
        gguf=meta.path,
        reference=reference_hf,
        file_type=file_type,
        quantized=file_type not in FLOAT_FILE_TYPES.values(),
    )
    total = 5 + len(prompts)
    step = _Stepper(on_step, total)
    step("loading the reference model")
    hf = HFRunner(reference_hf)
    step("loading the GGUF")
    prompt_ids = [hf.prompt_ids(prompt) for prompt in prompts]
    n_ctx = max([256, *(len(ids) + max_new_tokens + 8 for ids in prompt_ids)])
    with LlamaRunner.open(meta.path, n_ctx, n_threads) as llm, torch_threads(n_threads):
        step("tokenizer")
        report.checks += _tokenizer_checks(llm, hf, meta)
        step("chat template")
        _template_check(report, meta, hf)
        step("stop tokens")
        report.checks.append(_stop_check(llm, meta, hf))
        stats = EMPTY
        vocabulary = _vocabulary_check(meta, hf)
        if vocabulary is not None:
            report.checks.append(vocabulary)
            prompt_ids = []
        for prompt, ids in zip(prompts, prompt_ids, strict=False):
            step(f"prompt: {prompt[:40]}")
            result, prompt_stats = _compare_prompt(llm, hf, meta, prompt, ids, max_new_tokens)
            report.prompts.append(result)
            stats = stats + prompt_stats
    _judge_numbers(report, stats, limits)
    step("done")
    return report


class _Stepper:
    def __init__(self, callback: StepCallback | None, total: int) -> None:
        self.callback, self.total, self.done = callback, total, 0

    def __call__(self, description: str) -> None:
        if self.callback is not None:
            self.callback(description, self.done, self.total)
        self.done += 1


def _file_type(meta: GGUFMeta) -> str:
    raw = meta.metadata.get("general.file_type", "")
    if raw.isdigit():
        return file_type_name(int(raw))
    return "unknown"


def _tokenizer_probes(hf: HFRunner, meta: GGUFMeta) -> list[str]:
    probes = list(TOKENIZER_PROBES)
    if hf.has_template:
        probes.append(hf.render(CHAT_PROBES[2], True))
    special = [meta.bos_text, meta.eos_text]
    probes.append("".join(f"{s} x{s}\n" for s in special if s))
    return probes


def _tokenizer_checks(llm: LlamaRunner, hf: HFRunner, meta: GGUFMeta) -> list[CheckResult]:
    probes = _tokenizer_probes(hf, meta)
    encode_bad: list[str] = []
    decode_bad: list[str] = []
    for text in probes:
        ours, theirs = llm.tokens(text), hf.encode(text, special=False)
        if ours != theirs:
            at = first_divergence(theirs, ours)
            encode_bad.append(f"{text[:30]!r}: first difference at token {at}")
        if llm.text(theirs) != hf.decode(theirs):
            decode_bad.append(f"{text[:30]!r}: {llm.text(theirs)[:40]!r}")
    # BOS policy: does each side add the same special tokens to plain text?
    plain = probes[0]
    if llm.tokens(plain, add_bos=True) != hf.encode(plain, special=True):
        encode_bad.append(
            "special tokens added to plain text differ "
            f"(GGUF add_bos={meta.add_bos}; transformers adds "
            f"{hf.encode(plain, special=True)[:1]} first)"
        )
    count = len(probes) + 1
    return [
        CheckResult(
            "tokenizer",
            not encode_bad,
            f"{count - len(encode_bad)}/{count} strings tokenised identically",
            details=tuple(encode_bad),
        ),
        CheckResult(
            "detokenizer",
            not decode_bad,
            f"{len(probes) - len(decode_bad)}/{len(probes)} strings decoded identically",
            details=tuple(decode_bad),
        ),
    ]


def _template_check(report: FidelityReport, meta: GGUFMeta, hf: HFRunner) -> None:
    source = meta.chat_template
    if source is None and not hf.has_template:
        report.skipped["chat template"] = "neither model has a chat template"
        return
    if source is None or not hf.has_template:
        which = "the GGUF" if source is None else "the reference"
        report.checks.append(
            CheckResult("chat template", False, f"{which} has no chat template; the other has")
        )
        return
    bad: list[str] = []
    cases = [(c, g) for c in CHAT_PROBES for g in (True, False)]
    for messages, generation in cases:
        expected = hf.render(messages, generation)
        try:
            got = render_jinja(
                source,
                messages,
                bos_token=meta.bos_text,
                eos_token=meta.eos_text,
                add_generation_prompt=generation,
            )
        except Exception as exc:  # any template error is a finding, not a crash
            bad.append(f"{len(messages)} messages: the GGUF's template fails: {exc}")
            continue
        if got != expected:
            at = first_divergence(expected, got)
            bad.append(
                f"{len(messages)} messages (generation prompt {generation}): differs at "
                f"character {at}: {got[at or 0 : (at or 0) + 30]!r} vs "
                f"{expected[at or 0 : (at or 0) + 30]!r}"
            )
    report.checks.append(
        CheckResult(
            "chat template",
            not bad,
            f"{len(cases) - len(bad)}/{len(cases)} conversations render identically",
            details=tuple(bad),
        )
    )


def _stop_check(llm: LlamaRunner, meta: GGUFMeta, hf: HFRunner) -> CheckResult:
    problems: list[str] = []
    notes: list[str] = []
    hf_stops = hf.stop_ids
    if not hf_stops:
        notes.append("the reference declares no EOS token")
    for token in sorted(hf_stops - meta.eog_ids):
        problems.append(
            f"token {token} ({hf.decode([token])!r}) ends generation in transformers but not "
            "in llama.cpp: the GGUF would run on past the end of its turn"
        )
    if hf_stops and meta.eos_id not in hf_stops:
        problems.append(
            f"the GGUF's EOS is token {meta.eos_id} ({meta.eos_text!r}); transformers stops at "
            f"{sorted(hf_stops)}"
        )
    end_token = _turn_end_token(llm, meta)
    if end_token is not None:
        token, text = end_token
        if token not in meta.eog_ids:
            problems.append(
                f"the chat template ends an assistant turn with {text!r} (token {token}), "
                "which does not end generation in llama.cpp"
            )
        elif hf_stops and token not in hf_stops:
            problems.append(
                f"the chat template ends an assistant turn with {text!r} (token {token}), "
                f"which transformers does not stop at ({sorted(hf_stops)})"
            )
        notes.append(f"end of turn: {text!r} = token {token}")
    extra = sorted(meta.eog_ids - hf_stops)
    if extra:
        notes.append(f"llama.cpp also stops at {extra} ({[meta.texts.get(i) for i in extra]})")
    summary = (
        f"stops at {sorted(hf_stops)} in both"
        if not problems
        else f"{len(problems)} stop problem(s)"
    )
    return CheckResult("stop tokens", not problems, summary, details=(*problems, *notes))


def _turn_end_token(llm: LlamaRunner, meta: GGUFMeta) -> tuple[int, str] | None:
    """The first token the GGUF's template writes after an assistant message's text."""
    if meta.chat_template is None:
        return None
    marker = "ZqX7 final words"
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": marker}]
    try:
        text = render_jinja(
            meta.chat_template,
            messages,
            bos_token=meta.bos_text,
            eos_token=meta.eos_text,
            add_generation_prompt=False,
        )
    except Exception:  # reported by the template check
        return None
    after = text[text.rfind(marker) + len(marker) :] if marker in text else ""
    if not after.strip():
        return None
    tokens = llm.tokens(after)
    return (tokens[0], llm.text(tokens[:1])) if tokens else None


def _vocabulary_check(meta: GGUFMeta, hf: HFRunner) -> CheckResult | None:
    """A failed check when the two models' logits cannot be compared position by position."""
    if hf.vocab_size == meta.n_vocab:
        return None
    return CheckResult(
        "vocabulary",
        False,
        f"the GGUF has {meta.n_vocab} tokens, the reference's output layer {hf.vocab_size}",
    )


def _compare_prompt(
    llm: LlamaRunner,
    hf: HFRunner,
    meta: GGUFMeta,
    prompt: str,
    ids: list[int],
    max_new_tokens: int,
) -> tuple[PromptResult, LogitStats]:
    theirs = hf.greedy(ids, max_new_tokens)
    ours = llm.greedy(ids, max_new_tokens, meta.eog_ids)
    divergence = first_divergence(theirs, ours)
    # Teacher forcing on the reference's own continuation: both models predict every token
    # of it, from identical inputs. Where the replies agree, llama.cpp already computed them.
    sequence = ids + theirs[:-1]
    reference_logits = hf.logits(sequence)
    same = divergence is None
    gguf_logits = llm.evaluated(len(sequence)) if same else llm.logits(sequence)
    stats = logit_stats(reference_logits, gguf_logits)
    gap = None
    if divergence is not None and divergence < len(theirs) and divergence < len(ours):
        row = reference_logits[len(ids) - 1 + divergence]
        gap = float(row[theirs[divergence]] - row[ours[divergence]])
    result = PromptResult(
        prompt=prompt,
        reference_tokens=tuple(theirs),
        gguf_tokens=tuple(ours),
        reference_text=hf.decode(theirs),
        gguf_text=llm.text(ours),
        reference_stopped=bool(theirs) and theirs[-1] in hf.stop_ids,
        gguf_stopped=bool(ours) and ours[-1] in meta.eog_ids,
        divergence=divergence,
        divergence_gap=gap,
    )
    return result, stats


def _judge_numbers(report: FidelityReport, stats: LogitStats, limits: Thresholds) -> None:
    prompts = report.prompts
    if not prompts:
        mismatch = any(check.name == "vocabulary" for check in report.checks)
        why = "the vocabularies differ in size" if mismatch else "no prompts"
        for name in ("logits", "greedy", "top-1", "KL"):
            report.skipped[name] = why
        return
    identical = sum(p.identical for p in prompts)
    report.measurements.update(
        {
            "positions": float(stats.positions),
            "max_logit_diff": stats.max_abs_diff,
            "top1_agreement": stats.top1_agreement,
            "mean_kl": stats.mean_kl,
            "greedy_identical": float(identical),
            "greedy_prompts": float(len(prompts)),
        }
    )
    if report.quantized:
        report.skipped["logits"] = "quantised file: judged by top-1 agreement and KL"
        report.skipped["greedy"] = "quantised file: greedy replies may differ (reported)"
        report.checks.append(
            CheckResult(
                "top-1",
                stats.top1_agreement >= limits.min_top1,
                f"top-1 agreement {stats.top1_agreement:.3f} over {stats.positions} positions "
                f"(min {limits.min_top1})",
                stats.top1_agreement,
                limits.min_top1,
            )
        )
        report.checks.append(
            CheckResult(
                "KL",
                stats.mean_kl <= limits.max_mean_kl,
                f"mean KL {stats.mean_kl:.4f} nats (max {limits.max_mean_kl})",
                stats.mean_kl,
                limits.max_mean_kl,
            )
        )
        return
    report.skipped["top-1"] = "float file: judged by logit difference and greedy output"
    report.skipped["KL"] = "float file: judged by logit difference and greedy output"
    tolerance = limits.max_logit_diff(report.file_type)
    report.checks.append(
        CheckResult(
            "logits",
            stats.max_abs_diff <= tolerance,
            f"max |logit difference| {stats.max_abs_diff:.3g} over {stats.positions} positions "
            f"(max {tolerance:g})",
            stats.max_abs_diff,
            tolerance,
        )
    )
    failures = []
    ties = []
    for p in prompts:
        if p.identical:
            continue
        if p.divergence_gap is not None and abs(p.divergence_gap) <= tolerance:
            ties.append(
                f"{p.prompt[:30]!r}: near-tie at token {p.divergence} (gap {p.divergence_gap:.3g})"
            )
        else:
            failures.append(
                f"{p.prompt[:30]!r}: differs at token {p.divergence}: "
                f"{p.gguf_text!r} vs {p.reference_text!r}"
            )
    report.checks.append(
        CheckResult(
            "greedy",
            not failures,
            f"{identical}/{len(prompts)} replies identical"
            + (f", {len(ties)} near-tie divergence(s)" if ties else ""),
            float(identical),
            float(len(prompts)),
            details=(*failures, *ties),
        )
    )
