"""Preference tuning of the steering model: trl's ``DPOTrainer`` on guidance pairs (a better and a
worse steering reply after the same trajectory prefix), usually starting from the SFT result.

Where DPO starts (``sft_adapter``):

- an SFT adapter folder: the base plus that adapter, trained further; trl keeps a frozen copy
  of the starting adapter as the reference, so the reference is the SFT model (``ref_model`` is
  ``None``: no second model in memory).
- a merged SFT model folder: a new LoRA on it; the reference is that model (adapter disabled).
- nothing: a new LoRA on ``base``; the reference is the base.

A pair whose prompt plus chosen or rejected reply exceeds ``max_length`` tokens is dropped and
counted, never cut.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from codesteer.errors import ConfigError, ModelNotFoundError
from codesteer.train.base import (
    Prepared,
    ResolvedBase,
    attach_events,
    count_tokens,
    load_model,
    load_tokenizer,
    lora_config,
    read_adapter_base,
    resolve_base,
    run_prepared,
    setup,
    trainer_arguments,
)
from codesteer.train.config import DPOConfig
from codesteer.train.examples import Preference, keep_fitting, read_dpo_file
from codesteer.train.progress import DataPrepared, EventHandler, StageStarted, TrainResult

__all__ = ["DPOStart", "prepare_dpo", "resolve_start", "train_dpo"]


def train_dpo(
    config: DPOConfig, on_event: EventHandler | None = None, *, resume: bool = False
) -> TrainResult:
    """Train with DPO on ``config.data`` into ``config.out``; see :func:`train_sft`."""
    return run_prepared(prepare_dpo(config, on_event, resume=resume))


@dataclass(frozen=True)
class DPOStart:
    base: ResolvedBase
    #: The SFT adapter to continue, or ``None`` for a new LoRA on ``base``.
    adapter: Path | None


def resolve_start(config: DPOConfig) -> DPOStart:
    """The base model and the adapter DPO starts from (see the module's docstring)."""
    start = config.sft_adapter
    if start is None:
        return DPOStart(resolve_base(config.base or "default"), None)
    start = start.expanduser()
    if (start / "adapter_config.json").is_file():
        if config.base is not None:
            return DPOStart(resolve_base(config.base), start)
        recorded = read_adapter_base(start)
        if recorded is None or not (Path(recorded) / "config.json").is_file():
            raise ConfigError(
                f"sft_adapter {start} names a base model that is not here ({recorded}); set "
                "base to the model the SFT adapter was trained on"
            )
        return DPOStart(ResolvedBase(recorded, Path(recorded)), start)
    if (start / "config.json").is_file():
        if config.base is not None:
            raise ConfigError(
                f"sft_adapter {start} is a merged model, which is the base itself: drop base"
            )
        return DPOStart(ResolvedBase(str(start), start), None)
    raise ModelNotFoundError(
        f"sft_adapter {start}: neither a LoRA adapter folder (adapter_config.json) nor a merged "
        "model folder (config.json)"
    )


def _length(tokenizer: object, pair: Preference) -> int:
    prompt = [message.to_dict() for message in pair.prompt]
    return max(
        count_tokens(tokenizer, prompt + [m.to_dict() for m in reply], None)
        for reply in (pair.chosen, pair.rejected)
    )


def prepare_dpo(
    config: DPOConfig, on_event: EventHandler | None = None, *, resume: bool = False
) -> Prepared:
    """Everything up to the first step; see :func:`codesteer.train.sft.prepare_sft`."""
    started = time.perf_counter()
    pairs = read_dpo_file(config.data)
    run = setup(config, on_event, resume=resume)
    emit = run.emit

    emit(StageStarted("preparing the base model"))
    start = resolve_start(config)
    tokenizer = load_tokenizer(start.base.hf_dir)
    if not tokenizer.chat_template:
        raise ConfigError(f"the base model {start.base.spec} has no chat template")

    emit(StageStarted("measuring pairs"))
    lengths = [_length(tokenizer, pair) for pair in pairs]
    fitting = keep_fitting(pairs, lengths, config.max_length, str(config.data))
    kept, dropped = fitting.kept, fitting.dropped
    emit(DataPrepared(len(kept), len(dropped), config.max_length, fitting.longest))

    emit(StageStarted("loading the model"))
    model = load_model(start.base.hf_dir, qlora=config.qlora, runtime=run.runtime)
    peft_config = None
    if start.adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, start.adapter, is_trainable=True)
    else:
        peft_config = lora_config(config.lora)

    emit(StageStarted("tokenizing"))
    from datasets import Dataset
    from trl import DPOConfig as TrlDPOConfig
    from trl import DPOTrainer

    dataset = Dataset.from_list([pair.to_trl() for pair in kept])
    arguments = TrlDPOConfig(
        **trainer_arguments(config, run.runtime, run.folder),
        beta=config.beta,
        dataset_num_proc=None,
    )
    trainer = DPOTrainer(
        model=model,
        ref_model=None,
        args=arguments,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config,
    )
    callback = attach_events(trainer, run)

    def save_adapter(folder_path: Path) -> None:
        # Only the trained adapter: trl's frozen reference copy ("ref") is not the result.
        trainer.model.save_pretrained(folder_path, selected_adapters=["default"])
        tokenizer.save_pretrained(folder_path)

    return Prepared(
        kind="dpo",
        settings=config,
        trainer=trainer,
        tokenizer=tokenizer,
        run=run,
        base=start.base,
        callback=callback,
        examples_used=len(kept),
        examples_dropped=dropped,
        started=started,
        save_adapter=save_adapter,
        extra={"sft_adapter": str(start.adapter) if start.adapter else None},
    )
