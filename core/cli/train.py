"""``codesteer train``: fine-tune the steering model (LoRA / QLoRA with trl and peft).

This module reads settings and renders the trainers' progress events; the training lives in
:mod:`codesteer.train`. torch and the training stack are imported inside the commands only, so
``import codesteer.cli`` stays light.
"""

from __future__ import annotations

import shlex
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.progress import Progress, TaskID
from rich.table import Table

from codesteer.cli._console import err, out, print_json, progress
from codesteer.train.config import DPOConfig, SFTConfig, load_dpo_config, load_sft_config
from codesteer.train.outputs import last_checkpoint
from codesteer.train.progress import (
    CheckpointSaved,
    DataPrepared,
    Logged,
    StageStarted,
    StepDone,
    TrainEvent,
    TrainingStarted,
    TrainResult,
)

__all__ = ["app", "dpo", "sft"]

app = typer.Typer(
    help=(
        "Fine-tune the steering model: supervised on steering trajectories (sft), then on "
        "preference pairs (dpo). LoRA or QLoRA adapters with trl and peft, on a CPU or a GPU.\n\n"
        "Examples:\n\n"
        "  codesteer train sft sft.toml\n\n"
        "  codesteer train sft --data data/sft.jsonl --out runs/sft --max-steps 50\n\n"
        "  codesteer train dpo dpo.yaml --sft-adapter runs/sft/adapter --out runs/dpo\n\n"
        "  codesteer train sft sft.toml --resume"
    ),
    no_args_is_help=True,
)

_SFT_HELP = """\
Supervised fine-tuning on steering trajectories: JSONL lines of
{"messages": \\[system, user, assistant, user, assistant, ...]}, the loss on the
assistant (steering) turns only. Checkpoints every save_steps; after Ctrl-C or a
crash, the same command with --resume continues from the last checkpoint.
"""

_DPO_HELP = """\
Preference tuning (DPO) on guidance pairs: JSONL lines of {"prompt": \\[messages
ending with a user turn], "chosen": \\[assistant], "rejected": \\[assistant]}.
Starts from the SFT adapter (--sft-adapter); the SFT model is then the reference.
"""

_SETTINGS_HELP = """
Settings: a TOML or YAML file, and --set KEY=VALUE (values as in TOML):

  base           default (the offline SmolLM2 GGUF), a .gguf, an HF folder
  data, out      the JSONL data; the run folder (checkpoints/, adapter/)
  lora.r, lora.alpha, lora.dropout, lora.target_modules ("all-linear")
  qlora          true: a 4-bit NF4 base (bitsandbytes) under the LoRA
  learning_rate, epochs, max_steps, batch_size, grad_accumulation, seed
  warmup         a fraction of the steps (below 1) or a number of steps
  lr_scheduler   cosine, linear, constant or constant_with_warmup
  max_length     longest example in tokens \\[8192]; longer ones left out
  save_steps, save_total_limit, logging_steps
  gradient_checkpointing, bf16, use_liger: auto (on with a GPU), or bool
  chat_template  a .jinja training template (bases not ChatML/Llama-3)
"""

_DPO_SETTINGS_HELP = """\
  beta           the DPO temperature \\[0.1]
  sft_adapter    the SFT adapter (or merged SFT model) to start from
"""

_EXAMPLES = """
Examples:

  codesteer train {kind} {kind}.toml

  codesteer train {kind} {kind}.toml --set lora.r=8 --set qlora=true

  codesteer train {kind} --data data/{kind}.jsonl --out runs/{kind} --max-steps 50

  codesteer train {kind} {kind}.toml --resume
"""

_CONFIG_ARG = typer.Argument(
    None,
    metavar="CONFIG",
    help="A .toml or .yaml settings file (relative paths in it are relative to it).",
    show_default=False,
)
_SET = typer.Option(
    [], "--set", metavar="KEY=VALUE", help="Override a setting (repeatable): --set lora.r=8"
)
_DATA = typer.Option(None, "--data", help="The JSONL training data.", show_default=False)
_OUT = typer.Option(None, "--out", "-o", metavar="DIR", help="The run folder.", show_default=False)
_BASE = typer.Option(None, "--base", metavar="MODEL", help="default, a GGUF file or an HF folder.")
_MAX_STEPS = typer.Option(None, "--max-steps", min=1, help="Stop after this many steps.")
_RESUME = typer.Option(False, "--resume", help="Continue from the last checkpoint in the run.")
_JSON = typer.Option(False, "--json", help="Print the result as JSON on stdout.")


@app.command(help=_SFT_HELP + _SETTINGS_HELP + _EXAMPLES.format(kind="sft"))
def sft(
    config: Path | None = _CONFIG_ARG,
    overrides: list[str] = _SET,
    data: Path | None = _DATA,
    out_dir: Path | None = _OUT,
    base: str | None = _BASE,
    max_steps: int | None = _MAX_STEPS,
    resume: bool = _RESUME,
    as_json: bool = _JSON,
) -> None:
    """Supervised fine-tuning (see _SFT_HELP)."""
    settings = load_sft_config(
        config,
        overrides,
        values={"data": data, "out": out_dir, "base": base, "max_steps": max_steps},
    )
    from codesteer.train.sft import train_sft

    _train(train_sft, settings, resume=resume, as_json=as_json)


@app.command(help=_DPO_HELP + _SETTINGS_HELP + _DPO_SETTINGS_HELP + _EXAMPLES.format(kind="dpo"))
def dpo(
    config: Path | None = _CONFIG_ARG,
    overrides: list[str] = _SET,
    data: Path | None = _DATA,
    out_dir: Path | None = _OUT,
    base: str | None = _BASE,
    sft_adapter: Path | None = typer.Option(
        None,
        "--sft-adapter",
        metavar="DIR",
        help="Start from this SFT adapter (or merged SFT model).",
        show_default=False,
    ),
    max_steps: int | None = _MAX_STEPS,
    resume: bool = _RESUME,
    as_json: bool = _JSON,
) -> None:
    """Preference tuning (see _DPO_HELP)."""
    settings = load_dpo_config(
        config,
        overrides,
        values={
            "data": data,
            "out": out_dir,
            "base": base,
            "max_steps": max_steps,
            "sft_adapter": sft_adapter,
        },
    )
    from codesteer.train.dpo import train_dpo

    _train(train_dpo, settings, resume=resume, as_json=as_json)


_Settings = TypeVar("_Settings", SFTConfig, DPOConfig)


def _train(
    trainer: Callable[..., TrainResult],
    settings: _Settings,
    *,
    resume: bool,
    as_json: bool,
) -> None:
    # The training stack's deprecation notices are for its callers' code, not for our users.
    warnings.filterwarnings("ignore", category=FutureWarning)
    view = _TrainView()
    try:
        with view.bar:
            result = trainer(settings, view, resume=resume)
    except KeyboardInterrupt:
        checkpoint = last_checkpoint(settings.out.expanduser() / "checkpoints")
        if checkpoint is None:
            hint = "no checkpoint was saved yet; run the same command again to start over"
        else:
            hint = f"{checkpoint.name} is saved; continue with: {_resume_command(settings.out)}"
        err.print(f"interrupted{view.where()}: {hint}", style="yellow")
        raise typer.Exit(130) from None
    if as_json:
        print_json({**result.to_dict(), "summary": str(result.out_dir / "train_summary.json")})
    else:
        _print_result(result)


def _resume_command(out_dir: Path) -> str:
    """The command line that continues this run: the same arguments, with --resume."""
    args = [arg for arg in sys.argv[1:] if arg != "--resume"]
    if not args:
        return f"--resume (run folder {out_dir})"
    return "codesteer " + shlex.join([*args, "--resume"])


def _print_result(result: TrainResult) -> None:
    table = Table(title=f"{result.kind.upper()} done", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    rows: list[tuple[str, str]] = [
        ("adapter", str(result.adapter_dir)),
        ("steps", f"{result.steps}" + (f" (resumed at {result.resumed_from_step})"
                                        if result.resumed_from_step is not None else "")),
        ("final loss", "–" if result.final_loss is None else f"{result.final_loss:.4f}"),
        ("examples", f"{result.examples_used} used, {result.examples_dropped} dropped (too long)"),
        ("time", f"{result.seconds:.1f} s, {result.tokens_per_second:.1f} tokens/s"),
    ]  # fmt: skip
    for key in ("rewards/margins", "rewards/accuracies"):
        if key in result.metrics:
            rows.append((key, f"{result.metrics[key]:.4f}"))
    for key, value in rows:
        table.add_row(key, value)
    out.print(table)
    err.print(f"summary: {result.out_dir / 'train_summary.json'}", style="dim")


class _TrainView:
    """One bar: a spinner while preparing, then steps with loss (and DPO's margin) and ETA."""

    def __init__(self) -> None:
        self.bar: Progress = progress()
        self.stage: TaskID | None = None
        self.steps: TaskID | None = None
        self.step = 0

    def where(self) -> str:
        return f" at step {self.step}" if self.steps is not None else ""

    def __call__(self, event: TrainEvent) -> None:
        if isinstance(event, StageStarted):
            self._stage(event.name)
        elif isinstance(event, DataPrepared):
            dropped = (
                f"; {event.dropped} longer than {event.max_length} tokens left out "
                "(listed in train_summary.json)"
                if event.dropped
                else ""
            )
            examples = "1 example" if event.used == 1 else f"{event.used} examples"
            self.bar.console.print(
                f"data: {examples}, the longest {event.longest} tokens{dropped}", highlight=False
            )
        elif isinstance(event, TrainingStarted):
            self._started(event)
        elif isinstance(event, StepDone) and self.steps is not None:
            self.step = event.step
            self.bar.update(self.steps, completed=event.step, total=event.total_steps)
        elif isinstance(event, Logged) and self.steps is not None:
            self.bar.update(self.steps, description=_describe(event.metrics))
        elif isinstance(event, CheckpointSaved):
            self.bar.console.print(f"checkpoint: {event.path}", style="dim", highlight=False)

    def _stage(self, name: str) -> None:
        if self.steps is not None:
            self.bar.update(self.steps, description=name)
            return
        if self.stage is None:
            self.stage = self.bar.add_task(name, total=None)
        else:
            self.bar.update(self.stage, description=name)

    def _started(self, event: TrainingStarted) -> None:
        if self.stage is not None:
            self.bar.remove_task(self.stage)
            self.stage = None
        resumed = f", resuming at step {event.start_step}" if event.resumed_from else ""
        self.bar.console.print(
            f"training on {event.device}: {event.trainable_parameters / 1e6:.1f}M trainable "
            f"parameters, {event.total_steps} steps{resumed}",
            highlight=False,
        )
        self.step = event.start_step
        self.steps = self.bar.add_task(
            "training", total=event.total_steps, completed=event.start_step
        )


def _describe(metrics: Any) -> str:
    parts = [f"loss {metrics['loss']:.4f}"]
    if "rewards/margins" in metrics:
        parts.append(f"margin {metrics['rewards/margins']:.3f}")
    if "rewards/accuracies" in metrics:
        parts.append(f"acc {metrics['rewards/accuracies']:.2f}")
    return "training · " + " · ".join(parts)
