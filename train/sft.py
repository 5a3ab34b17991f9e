"""Supervised fine-tuning of the steering model: trl's ``SFTTrainer`` with a peft LoRA (or QLoRA)
adapter on steering trajectories, the loss on the steering (assistant) turns only.

Each conversation is one example, every steering turn of it trained (as CodeSteer's
LLaMA-Factory setup did). A conversation longer than ``max_length`` tokens is dropped and
counted, never cut: cutting would lose its last steering turns, the ones that decide to stop.
"""

from __future__ import annotations

import time
from pathlib import Path

from codesteer.train.base import (
    Prepared,
    attach_events,
    count_tokens,
    load_model,
    load_tokenizer,
    lora_config,
    resolve_base,
    run_prepared,
    setup,
    trainer_arguments,
    training_chat_template,
)
from codesteer.train.config import SFTConfig
from codesteer.train.examples import keep_fitting, read_sft_file
from codesteer.train.progress import DataPrepared, EventHandler, StageStarted, TrainResult

__all__ = ["prepare_sft", "train_sft"]


def train_sft(
    config: SFTConfig, on_event: EventHandler | None = None, *, resume: bool = False
) -> TrainResult:
    """Train a LoRA adapter on ``config.data`` into ``config.out``.

    ``on_event`` receives progress events (and turns off the libraries' own progress bars).
    ``resume`` continues from the last checkpoint in ``config.out/checkpoints``. Raises a
    :class:`~codesteer.errors.UserError` subclass for bad settings, data or paths.
    """
    return run_prepared(prepare_sft(config, on_event, resume=resume))


def prepare_sft(
    config: SFTConfig, on_event: EventHandler | None = None, *, resume: bool = False
) -> Prepared:
    """Everything up to the first step: data read and measured, model loaded, dataset tokenized
    and masked. ``prepared.trainer.train_dataset`` holds the exact ``input_ids``/``labels``."""
    started = time.perf_counter()
    examples = read_sft_file(config.data)
    run = setup(config, on_event, resume=resume)
    emit = run.emit

    emit(StageStarted("preparing the base model"))
    base = resolve_base(config.base or "default")
    tokenizer = load_tokenizer(base.hf_dir)
    template = training_chat_template(
        tokenizer, base=base.spec, override=config.chat_template, sample=examples[0].messages
    )

    emit(StageStarted("measuring examples"))
    lengths = [
        count_tokens(tokenizer, example.to_trl()["messages"], template) for example in examples
    ]
    fitting = keep_fitting(examples, lengths, config.max_length, str(config.data))
    kept, dropped = fitting.kept, fitting.dropped
    emit(DataPrepared(len(kept), len(dropped), config.max_length, fitting.longest))

    emit(StageStarted("loading the model"))
    model = load_model(base.hf_dir, qlora=config.qlora, runtime=run.runtime)

    emit(StageStarted("tokenizing"))
    from datasets import Dataset
    from trl import SFTConfig as TrlSFTConfig
    from trl import SFTTrainer

    dataset = Dataset.from_list([example.to_trl() for example in kept])
    arguments = TrlSFTConfig(
        **trainer_arguments(config, run.runtime, run.folder),
        assistant_only_loss=True,
        packing=False,
        dataset_num_proc=None,
    )
    inference_template = tokenizer.chat_template
    # trl tokenizes (and builds the assistant masks) while it is constructed, with the
    # tokenizer's template; checkpoints and the final adapter keep the inference template.
    tokenizer.chat_template = template
    try:
        trainer = SFTTrainer(
            model=model,
            args=arguments,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=lora_config(config.lora),
        )
    finally:
        tokenizer.chat_template = inference_template
    callback = attach_events(trainer, run)

    def save_adapter(folder_path: Path) -> None:
        trainer.model.save_pretrained(folder_path)
        tokenizer.save_pretrained(folder_path)

    return Prepared(
        kind="sft",
        settings=config,
        trainer=trainer,
        tokenizer=tokenizer,
        run=run,
        base=base,
        callback=callback,
        examples_used=len(kept),
        examples_dropped=dropped,
        started=started,
        save_adapter=save_adapter,
    )
