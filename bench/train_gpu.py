"""QLoRA against bf16 LoRA SFT of a Llama-3-8B-shaped model on one NVIDIA GPU: peak VRAM and
tokens per second at 2048 and 4096 tokens, through codesteer's own trainer (``train_sft``).

Nothing is downloaded. A model folder with Llama-3-8B's dimensions (32 layers, hidden 4096, MLP
14336, 32 heads and 8 KV heads, vocabulary 128256, untied head) and random weights is written
one tensor at a time (drawn on the GPU; host memory holds at most one ~2 GB shard, never the
model), with a small word-level tokenizer that carries the Llama-3 chat template. ``train_sft``
loads it as it loads any base: 4-bit NF4 with double quantisation straight onto the GPU for
QLoRA, bf16 straight onto the GPU for LoRA. The rest is what a user gets on a GPU: the "auto"
settings (bf16, gradient checkpointing, liger-kernel when installed), LoRA r=16 on every linear
layer, the loss on the assistant turn only (15% of each sequence, the rest is prompt, as in
steering trajectories), batch 1.

Each run takes one conversation of exactly L tokens a step; step 1 warms up, the later steps
are timed. Peak VRAM: ``torch.cuda.max_memory_allocated()`` from the first step to the last
(weights included), and separately the peak while loading.

    python bench/train_gpu.py              # 2048 and 4096 tokens, 8 steps a run (~6 minutes)
    python bench/train_gpu.py --quick      # 3 steps a run, fits a 10-minute window
    python bench/train_gpu.py --json       # the figures as JSON too

Needs ~17 GB of free disk for the random model (``--model-dir`` keeps it for the next run).
The figures, with the GPU's name, are appended to bench/RESULTS.md. Aim: QLoRA at 2048 tokens
under 10 GB (10^9 bytes) peak.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

LLAMA3_8B: dict[str, Any] = {
    "vocab_size": 128256,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 8192,
    "rope_theta": 500000.0,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
    "bos_token_id": 0,
    "eos_token_id": 3,
    "pad_token_id": 4,
}

# The tokenizer: Llama-3's chat tokens, role names and plain words, one token each.
SPECIALS = [
    "<|begin_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|finetune_right_pad_id|>",
    "[UNK]",
]
ROLES = ["system", "user", "assistant"]
WORDS = [f"w{index}" for index in range(4000)]
ASSISTANT_SHARE = 0.15
#: Where the random weights are drawn (fast, and keeps them out of host memory but for a shard).
DEVICE = "cuda"
SHARD_BYTES = 2 * 10**9


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def write_tokenizer(folder: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    from trl.chat_template_utils import llama3_chat_template

    vocab = {token: index for index, token in enumerate([*SPECIALS, *ROLES, *WORDS])}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<|begin_of_text|>",
        eos_token="<|eot_id|>",
        pad_token="<|finetune_right_pad_id|>",
        unk_token="[UNK]",
    )
    tokenizer.add_special_tokens(
        {"additional_special_tokens": ["<|start_header_id|>", "<|end_header_id|>"]}
    )
    tokenizer.chat_template = llama3_chat_template
    tokenizer.save_pretrained(folder)


def write_random_model(folder: Path, layers: int) -> None:
    """Llama-3-8B's shapes, random bf16 weights (std 0.02, norms 1), safetensors shards."""
    import torch
    from safetensors.torch import save_file
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(**{**LLAMA3_8B, "num_hidden_layers": layers})
    config.dtype = torch.bfloat16
    with torch.device("meta"):
        skeleton = LlamaForCausalLM(config)
    shapes = {name: tuple(tensor.shape) for name, tensor in skeleton.state_dict().items()}
    del skeleton
    generator = torch.Generator(device=DEVICE).manual_seed(0)
    weight_map: dict[str, str] = {}
    shard: dict[str, Any] = {}
    shard_bytes = total = 0
    files = 0

    def flush() -> None:
        nonlocal shard, shard_bytes, files
        files += 1
        name = f"model-{files:05d}.safetensors"
        save_file(shard, folder / name, metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(shard, name))
        shard, shard_bytes = {}, 0

    for name, shape in shapes.items():
        if name.endswith("norm.weight"):
            tensor = torch.ones(shape, dtype=torch.bfloat16)
        else:
            drawn = torch.empty(shape, dtype=torch.bfloat16, device=DEVICE)
            tensor = drawn.normal_(0.0, 0.02, generator=generator).cpu()
            del drawn
        shard[name] = tensor
        shard_bytes += tensor.numel() * 2
        total += tensor.numel() * 2
        if shard_bytes >= SHARD_BYTES:
            flush()
    if shard:
        flush()
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=1))
    config.save_pretrained(folder)
    write_tokenizer(folder)
    torch.cuda.empty_cache()


def conversation(length: int, rng: random.Random) -> dict[str, Any]:
    """A system, user and assistant turn of exactly ``length`` tokens in the Llama-3 format:
    begin-of-text, then per turn a header (3 tokens), the words and end-of-turn."""
    system_words = 6
    assistant = round(length * ASSISTANT_SHARE)
    user = length - 1 - 3 * 4 - system_words - assistant

    def words(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count))

    return {
        "messages": [
            {"role": "system", "content": words(system_words)},
            {"role": "user", "content": words(user)},
            {"role": "assistant", "content": words(assistant)},
        ]
    }


def write_data(path: Path, model_dir: Path, length: int, count: int) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    rng = random.Random(length)
    rows = [conversation(length, rng) for _ in range(count)]
    for row in rows:
        tokens = tokenizer.apply_chat_template(row["messages"], tokenize=True, return_dict=True)
        if len(tokens["input_ids"]) != length:  # the bench measures L tokens or nothing
            raise RuntimeError(
                f"a conversation has {len(tokens['input_ids'])} tokens, not {length}"
            )
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


class Probe:
    """Peak memory of loading, then timing and memory of the training steps, from the events."""

    def __init__(self) -> None:
        self.load_peak = 0
        self.marks: list[tuple[float, float]] = []

    def __call__(self, event: Any) -> None:
        import torch

        from codesteer.train.progress import Logged, TrainingStarted

        if isinstance(event, TrainingStarted):
            torch.cuda.synchronize()
            self.load_peak = torch.cuda.max_memory_allocated()
            torch.cuda.reset_peak_memory_stats()
        elif isinstance(event, Logged):
            torch.cuda.synchronize()
            self.marks.append((time.perf_counter(), event.metrics["num_input_tokens_seen"]))

    def tokens_per_second(self) -> float:
        (t0, n0), (t1, n1) = self.marks[0], self.marks[-1]
        return (n1 - n0) / (t1 - t0)


def run(model_dir: Path, work: Path, *, qlora: bool, length: int, steps: int) -> dict[str, Any]:
    import torch

    from codesteer.train.config import load_sft_config
    from codesteer.train.sft import train_sft

    name = f"{'qlora' if qlora else 'lora'}-{length}"
    data = work / f"{name}.jsonl"
    write_data(data, model_dir, length, steps)
    config = load_sft_config(
        None,
        [
            f"max_steps={steps}",
            "batch_size=1",
            "grad_accumulation=1",
            "logging_steps=1",
            f"save_steps={steps}",
            "save_total_limit=1",
            "warmup=0",
            f"max_length={length}",
            f"qlora={'true' if qlora else 'false'}",
        ],
        values={"data": data, "out": work / name, "base": str(model_dir)},
    )
    figures: dict[str, Any] = {
        "method": "QLoRA (NF4 base)" if qlora else "LoRA (bf16 base)",
        "tokens": length,
    }
    probe = Probe()
    torch.cuda.reset_peak_memory_stats()
    try:
        result = train_sft(config, probe)
    except torch.cuda.OutOfMemoryError:
        figures["error"] = "out of GPU memory"
    else:
        figures.update(
            peak_train_gb=torch.cuda.max_memory_allocated() / 1e9,
            peak_load_gb=probe.load_peak / 1e9,
            tokens_per_second=probe.tokens_per_second(),
            steps=result.steps,
            final_loss=result.final_loss,
        )
        summary = json.loads((work / name / "train_summary.json").read_text())
        figures["runtime"] = summary["runtime"]
    gc.collect()
    torch.cuda.empty_cache()
    shutil.rmtree(work / name, ignore_errors=True)
    return figures


def versions() -> str:
    from importlib.metadata import version

    packages = ("torch", "transformers", "trl", "peft", "bitsandbytes")
    return ", ".join(f"{package} {version(package)}" for package in packages)


def append_results(gpu: str, memory_gb: float, args: argparse.Namespace, runs: list[Any]) -> None:
    runtime = next((run["runtime"] for run in runs if "runtime" in run), {})
    day = datetime.date.today().isoformat()
    lines = [
        "",
        "## Training on a GPU: QLoRA against bf16 LoRA, Llama-3-8B shape (bench/train_gpu.py)",
        "",
        f"{day}, {gpu} ({memory_gb:.0f} GB), {versions()}. {args.layers} layers, LoRA r=16 on "
        f"every linear layer, batch 1, loss on the assistant {ASSISTANT_SHARE:.0%} of each "
        f"sequence; bf16 {runtime.get('bf16')}, gradient checkpointing "
        f"{runtime.get('gradient_checkpointing')}, liger-kernel {runtime.get('use_liger')}; "
        f"{args.steps - 1} timed steps after one warm-up step.",
        "",
        "| method | tokens | peak VRAM, training (GB) | peak VRAM, loading (GB) | tokens/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        if "error" in run:
            lines.append(f"| {run['method']} | {run['tokens']} | {run['error']} | | |")
        else:
            lines.append(
                f"| {run['method']} | {run['tokens']} | {run['peak_train_gb']:.2f} | "
                f"{run['peak_load_gb']:.2f} | {run['tokens_per_second']:.0f} |"
            )
    aim = next(
        (run for run in runs if run["method"].startswith("QLoRA") and run["tokens"] == 2048), None
    )
    if aim is not None and "peak_train_gb" in aim and args.layers == 32:
        verdict = "met" if max(aim["peak_train_gb"], aim["peak_load_gb"]) < 10 else "not met"
        lines += ["", f"Aim (8B QLoRA at 2048 tokens under 10 GB peak): {verdict}."]
    from codesteer._files import atomic_write

    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    with atomic_write(RESULTS) as handle:
        handle.write(old.rstrip("\n") + "\n" + "\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 steps a run instead of 8")
    parser.add_argument("--steps", type=int, help="steps a run (the first is not timed)")
    parser.add_argument("--lengths", default="2048,4096", help="sequence lengths, comma-separated")
    parser.add_argument("--layers", type=int, default=32, help="decoder layers (8B: 32)")
    parser.add_argument("--model-dir", type=Path, help="keep (or reuse) the random model here")
    parser.add_argument("--no-lora", action="store_true", help="QLoRA only (small GPUs)")
    parser.add_argument("--no-results", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    args.steps = args.steps or (3 if args.quick else 8)
    if args.steps < 2:
        return fail("--steps must be at least 2 (the first step is not timed)")
    lengths = [int(value) for value in args.lengths.split(",")]

    import torch

    if not torch.cuda.is_available():
        return fail(
            "bench/train_gpu.py measures GPU memory and speed and needs an NVIDIA GPU with CUDA; "
            "torch.cuda.is_available() is False here (no GPU, or a CPU-only torch build). "
            "On a CPU, run bench/train_cpu.py."
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    gpu = torch.cuda.get_device_name(0)
    memory_gb = torch.cuda.get_device_properties(0).total_memory / 1e9

    with tempfile.TemporaryDirectory(prefix="codesteer-train-gpu-") as tmp:
        work = Path(tmp)
        model_dir = args.model_dir or work / "llama3-8b-random"
        if not (model_dir / "config.json").is_file():
            model_dir.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(model_dir).free / 1e9
            needed = 16.1 * args.layers / 32 + 1.1
            if free < needed:
                return fail(
                    f"{model_dir} has {free:.0f} GB free; the random model needs ~{needed:.0f}"
                )
            started = time.perf_counter()
            print(f"writing a random Llama-3-8B-shaped model to {model_dir} ...", file=sys.stderr)
            write_random_model(model_dir, args.layers)
            print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr)
        methods = [True] if args.no_lora else [True, False]
        runs = []
        for qlora in methods:
            for length in lengths:
                print(f"{'QLoRA' if qlora else 'LoRA'} at {length} tokens ...", file=sys.stderr)
                runs.append(run(model_dir, work, qlora=qlora, length=length, steps=args.steps))
                print(f"  {json.dumps(runs[-1], default=str)}", file=sys.stderr)

    print(f"{gpu} ({memory_gb:.0f} GB), {args.layers} layers, {args.steps} steps a run")
    print(
        f"{'method':<18} {'tokens':>6} {'train peak GB':>14} {'load peak GB':>13} {'tokens/s':>9}"
    )
    for figures in runs:
        if "error" in figures:
            print(f"{figures['method']:<18} {figures['tokens']:>6} {figures['error']}")
            continue
        print(
            f"{figures['method']:<18} {figures['tokens']:>6} {figures['peak_train_gb']:>14.2f} "
            f"{figures['peak_load_gb']:>13.2f} {figures['tokens_per_second']:>9.0f}"
        )
    if args.json:
        print(json.dumps({"gpu": gpu, "layers": args.layers, "runs": runs}, indent=2))
    if not args.no_results:
        append_results(gpu, memory_gb, args, runs)
        print(f"appended to {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
