"""What SFT and DPO share: the base model (an HF folder, a GGUF file or the default SmolLM2
GGUF), the machine, the model load (plain or 4-bit for QLoRA), the LoRA config, trl's training
arguments, the training chat template, and running a trainer into the run folder.

The training stack (torch, transformers, peft, trl) is imported inside the functions that use
it, so a trainer rejects bad data or settings before paying for that import.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codesteer.errors import ConfigError, ModelNotFoundError, UserError
from codesteer.local.protocol import PROTOCOL_VERSION
from codesteer.train.config import LoraSettings, TrainSettings
from codesteer.train.examples import Message
from codesteer.train.outputs import RunFolder, publish_folder
from codesteer.train.progress import EventHandler, Kind, StageStarted, TrainEvent, TrainResult
from codesteer.train.runtime import Hardware, Runtime, resolve_runtime
from codesteer.train.templates import (
    PROBE_CONVERSATIONS,
    TemplateFamily,
    chatml_default_system,
    detect_family,
    first_difference,
    has_generation_markers,
    training_template_for,
)

if TYPE_CHECKING:
    from codesteer.train.callback import EventCallback

__all__ = [
    "Prepared",
    "ResolvedBase",
    "Setup",
    "attach_events",
    "count_tokens",
    "detect_hardware",
    "load_model",
    "load_tokenizer",
    "lora_config",
    "quiet_library_progress",
    "resolve_base",
    "run_prepared",
    "setup",
    "trainer_arguments",
    "training_chat_template",
]


@dataclass(frozen=True)
class ResolvedBase:
    #: What the config said: ``default``, a GGUF path or a folder.
    spec: str
    #: The Hugging Face folder trained on (a GGUF is materialised into the cache first).
    hf_dir: Path


def resolve_base(spec: str) -> ResolvedBase:
    """``default`` (the SmolLM2 GGUF), a ``.gguf`` file, or an HF model folder."""
    from codesteer.convert.hf import materialize_hf

    if spec == "default":
        from codesteer.local.backends import default_gguf

        return ResolvedBase(spec, materialize_hf(default_gguf()))
    path = Path(spec).expanduser()
    if path.is_file():
        return ResolvedBase(spec, materialize_hf(path))
    if (path / "config.json").is_file():
        return ResolvedBase(spec, path)
    if path.is_dir():
        raise ModelNotFoundError(f"base {path} is a folder without config.json: not an HF model")
    raise ModelNotFoundError(
        f"no such base model: {spec} (use 'default', a GGUF file or a Hugging Face model folder)"
    )


def detect_hardware() -> Hardware:
    import torch

    cuda = bool(torch.cuda.is_available())
    return Hardware(
        cuda=cuda,
        device_name=torch.cuda.get_device_name(0) if cuda else "cpu",
        bf16_supported=cuda and bool(torch.cuda.is_bf16_supported()),
        liger_installed=importlib.util.find_spec("liger_kernel") is not None,
    )


def quiet_library_progress() -> None:
    """No tqdm bars from datasets/transformers: the caller draws progress from our events."""
    import datasets
    from transformers.utils import logging as hf_logging

    datasets.disable_progress_bars()
    hf_logging.disable_progress_bar()


def load_tokenizer(hf_dir: Path) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(hf_dir)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot load the tokenizer of {hf_dir}: {exc}") from None


def load_model(hf_dir: Path, *, qlora: bool, runtime: Runtime) -> Any:
    """The base model for LoRA: full precision (bf16 on a GPU that has it, else fp32), or for
    QLoRA 4-bit NF4 with double quantisation, prepared for k-bit training."""
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    dtype = torch.bfloat16 if runtime.bf16 else torch.float32
    kwargs: dict[str, Any] = {"dtype": dtype}
    if qlora or not runtime.use_cpu:
        # Straight onto the device (bitsandbytes quantises there): an 8B model is never held
        # in host memory whole.
        kwargs["device_map"] = {"": "cpu" if runtime.use_cpu else 0}
    if qlora:
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
    try:
        model = AutoModelForCausalLM.from_pretrained(hf_dir, **kwargs)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot load the base model from {hf_dir}: {exc}") from None
    if qlora:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=runtime.gradient_checkpointing
        )
        if runtime.bf16:
            # peft upcasts every non-4-bit weight to fp32, the frozen embedding and LM head
            # included: 4 GB on an 8B model with a 128k vocabulary, for no gain (they are
            # frozen, and bf16 autocast computes in bf16 anyway). The norms stay fp32.
            for module in (model.get_input_embeddings(), model.get_output_embeddings()):
                if module is not None and not module.weight.requires_grad:
                    module.weight.data = module.weight.data.to(torch.bfloat16)
    model.config.use_cache = False  # a KV cache only costs memory while training
    return model


def lora_config(settings: LoraSettings) -> Any:
    from peft import LoraConfig

    targets = settings.target_modules
    return LoraConfig(
        r=settings.r,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=targets if isinstance(targets, str) else list(targets),
        bias="none",
        task_type="CAUSAL_LM",
    )


def _training_fields() -> set[str]:
    from transformers import TrainingArguments

    return {item.name for item in dataclasses.fields(TrainingArguments)}


def trainer_arguments(
    settings: TrainSettings, runtime: Runtime, folder: RunFolder
) -> dict[str, Any]:
    """Keyword arguments shared by trl's ``SFTConfig`` and ``DPOConfig``."""
    fields = _training_fields()
    # transformers 5 renamed gradient checkpointing; the old name still works but warns.
    checkpointing = (
        "activation_checkpointing"
        if "activation_checkpointing" in fields
        else "gradient_checkpointing"
    )
    # transformers 5 takes a fraction in warmup_steps; older releases have warmup_ratio.
    warmup: dict[str, float]
    if settings.warmup >= 1:
        warmup = {"warmup_steps": round(settings.warmup)}
    elif "warmup_ratio" in fields:
        warmup = {"warmup_ratio": settings.warmup}
    else:
        warmup = {"warmup_steps": settings.warmup}
    return {
        "output_dir": str(folder.checkpoints),
        "per_device_train_batch_size": settings.batch_size,
        "gradient_accumulation_steps": settings.grad_accumulation,
        "learning_rate": settings.learning_rate,
        "num_train_epochs": settings.epochs,
        "max_steps": settings.max_steps or -1,
        "lr_scheduler_type": settings.lr_scheduler,
        **warmup,
        "seed": settings.seed,
        "save_strategy": "steps",
        "save_steps": settings.save_steps,
        "save_total_limit": settings.save_total_limit,
        "logging_strategy": "steps",
        "logging_steps": settings.logging_steps,
        # Examples that do not fit were dropped before; trl must never cut one.
        "max_length": settings.max_length,
        "use_cpu": runtime.use_cpu,
        "bf16": runtime.bf16,
        "fp16": False,
        checkpointing: runtime.gradient_checkpointing,
        # Deprecated in trl (to become Hub kernels) but still the way to turn liger on.
        "use_liger_kernel": runtime.use_liger,
        "report_to": "none",
        "disable_tqdm": True,
        "include_num_input_tokens_seen": "non_padding",
    }


# -- chat templates --------------------------------------------------------------------------


def _render(tokenizer: Any, messages: Sequence[dict[str, str]], template: str) -> str:
    text = tokenizer.apply_chat_template(list(messages), tokenize=False, chat_template=template)
    return str(text)


def _probe(conversation: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"role": role, "content": content} for role, content in conversation]


def training_chat_template(
    tokenizer: Any,
    *,
    base: str,
    override: Path | None = None,
    sample: Sequence[Message] = (),
) -> str:
    """The chat template to train with: the base's own when it already marks assistant turns,
    trl's training version of a template trl knows, else codesteer's ChatML or Llama-3 one.

    Every candidate except trl's (which may differ on purpose, e.g. Qwen3's think tags) must
    render the probe conversations and ``sample`` exactly as the base's template does.
    """
    inference = tokenizer.chat_template
    if isinstance(inference, dict):
        inference = inference.get("default")
    how = (
        "copy the base's chat template into a .jinja file, wrap each assistant reply and its "
        "end-of-turn token in {% generation %}...{% endgeneration %}, and set "
        'chat_template = "that.jinja" in the config'
    )
    if override is not None:
        try:
            template = override.expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"chat_template {override}: cannot read it ({exc})") from None
        if not has_generation_markers(template):
            raise ConfigError(f"chat_template {override} has no {{% generation %}} markers: {how}")
        if inference:
            _check_same_rendering(tokenizer, inference, template, sample, f"{override}", how)
        return template
    if not inference:
        raise ConfigError(f"the base model {base} has no chat template: {how}")
    if has_generation_markers(inference):
        return str(inference)
    from trl.chat_template_utils import get_training_chat_template

    try:
        known = get_training_chat_template(tokenizer)
    except ValueError:
        known = None
    if known:
        return str(known)
    family = detect_family(inference)
    if family is None:
        raise ConfigError(
            f"the chat template of {base} is neither ChatML nor Llama-3, so codesteer cannot "
            f"mark the steering turns for the loss: {how}"
        )
    default_system = None
    if family is TemplateFamily.CHATML:
        alone = _render(tokenizer, [{"role": "user", "content": "probe"}], inference)
        default_system = chatml_default_system(alone)
    template = training_template_for(family, default_system)
    _check_same_rendering(
        tokenizer, inference, template, sample, f"codesteer's {family.value} training template", how
    )
    return template


def _check_same_rendering(
    tokenizer: Any,
    inference: str,
    template: str,
    sample: Sequence[Message],
    name: str,
    how: str,
) -> None:
    conversations = [_probe(probe) for probe in PROBE_CONVERSATIONS]
    if sample:
        conversations.append([message.to_dict() for message in sample])
    for messages in conversations:
        expected = _render(tokenizer, messages, inference)
        got = _render(tokenizer, messages, template)
        if expected != got:
            raise ConfigError(
                f"{name} does not render conversations the way the base's chat template does "
                f"({first_difference(expected, got)}): {how}"
            )


def count_tokens(tokenizer: Any, messages: list[dict[str, str]], template: str | None) -> int:
    """Tokens of a conversation as trl will tokenize it (same call, same template)."""
    encoded = tokenizer.apply_chat_template(
        messages, tokenize=True, return_dict=True, chat_template=template
    )
    return len(encoded["input_ids"])


# -- running ---------------------------------------------------------------------------------


def _ignore(_: TrainEvent) -> None:
    pass


@dataclass(frozen=True)
class Setup:
    folder: RunFolder
    #: The checkpoint to resume from, or ``None``.
    checkpoint: Path | None
    runtime: Runtime
    emit: EventHandler
    #: A caller draws progress from the events: no library bars or printed logs.
    quiet: bool


def setup(settings: TrainSettings, on_event: EventHandler | None, *, resume: bool) -> Setup:
    """The run folder (and the checkpoint to resume), the resolved runtime and the emitter."""
    folder = RunFolder(settings.out.expanduser())
    checkpoint = folder.prepare(resume=resume)
    runtime = resolve_runtime(settings, detect_hardware())
    if on_event is not None:
        quiet_library_progress()
    return Setup(folder, checkpoint, runtime, on_event or _ignore, on_event is not None)


def attach_events(trainer: Any, run: Setup) -> EventCallback:
    """Report the trainer's progress as our events (instead of its printed logs when quiet)."""
    from transformers import PrinterCallback

    from codesteer.train.callback import EventCallback

    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    callback = EventCallback(
        run.emit,
        device=run.runtime.device_name,
        trainable_parameters=trainable,
        resumed_from=run.checkpoint,
    )
    trainer.add_callback(callback)
    if run.quiet:
        trainer.remove_callback(PrinterCallback)
    return callback


@dataclass
class Prepared:
    """A trainer ready to run, and what the run folder's summary needs to know."""

    kind: Kind
    settings: TrainSettings
    trainer: Any
    tokenizer: Any
    run: Setup
    base: ResolvedBase
    callback: EventCallback
    examples_used: int
    examples_dropped: list[dict[str, int]]
    started: float
    #: Writes the final adapter (and tokenizer) into a folder.
    save_adapter: Callable[[Path], None]
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


def run_prepared(prepared: Prepared) -> TrainResult:
    """Train (from the checkpoint, if resuming), then publish the adapter and the summary."""
    trainer, run = prepared.trainer, prepared.run
    trainer.train(resume_from_checkpoint=str(run.checkpoint) if run.checkpoint else None)
    run.emit(StageStarted("saving adapter"))
    publish_folder(prepared.save_adapter, run.folder.adapter)
    callback = prepared.callback
    state = trainer.state
    loop_seconds = callback.loop_seconds or 0.0
    tokens = callback.tokens_seen(state)
    result = TrainResult(
        kind=prepared.kind,
        adapter_dir=run.folder.adapter,
        out_dir=run.folder.root,
        steps=int(state.global_step),
        final_loss=callback.losses[-1][1] if callback.losses else None,
        examples_used=prepared.examples_used,
        examples_dropped=len(prepared.examples_dropped),
        seconds=time.perf_counter() - prepared.started,
        tokens_per_second=tokens / loop_seconds if loop_seconds > 0 else 0.0,
        resumed_from_step=callback.start_step if run.checkpoint else None,
        losses=tuple(callback.losses),
        metrics=dict(callback.metrics),
    )
    run.folder.write_summary(
        {
            "kind": prepared.kind,
            "protocol_version": PROTOCOL_VERSION,
            "base": prepared.base.spec,
            "base_hf_dir": str(prepared.base.hf_dir),
            "device": run.runtime.device_name,
            "runtime": dataclasses.asdict(run.runtime),
            "config": prepared.settings.to_dict(),
            "result": result.to_dict(),
            "dropped": prepared.examples_dropped,
            **prepared.extra,
        }
    )
    return result


def read_adapter_base(adapter: Path) -> str | None:
    """The base model an adapter folder names (``adapter_config.json``)."""
    try:
        data = json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    value = data.get("base_model_name_or_path")
    return str(value) if value else None
