"""``codesteer train pipeline``: the whole road from trajectories to an Ollama-ready GGUF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from codesteer.cli._console import err, out, print_json

__all__ = ["pipeline"]

_HELP_EXAMPLE = """
Example pipeline.toml (relative paths resolve against the file's folder):

  out = "runs/steerer"
  base = "default"                 # the embedded SmolLM2 GGUF, an HF folder or a .gguf

  [synthesize]                     # optional: omit and give [sft] data
  teacher = "openai:gpt-4o"
  task_model = "ollama:qwen2.5:7b"
  tasks = "seen"
  n = 20

  [sft]                            # keys of `codesteer train sft` configs
  max_steps = 200
  qlora = true

  [dpo]                            # optional: omit for SFT only
  beta = 0.1

  [export]
  outtype = "f16"
  quantize = ["Q8_0", "Q4_K_M"]
  ollama_name = "codesteer-steerer"

Then: codesteer bench --steerer llamacpp:runs/steerer/steerer-Q4_K_M.gguf ...
"""


def pipeline(
    config: Path = typer.Argument(..., metavar="CONFIG", help="The pipeline's TOML or YAML."),
    overrides: list[str] = typer.Option(
        [], "--set", metavar="SECTION.KEY=VALUE", help="Override a setting (repeatable)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the stages and outputs as JSON."),
) -> None:
    """Everything, resumable: from trajectories to a quantized, Ollama-ready GGUF.

    Synthesize (optional) -> SFT -> DPO (optional) -> merge -> GGUF -> quantize -> fidelity
    check -> Ollama Modelfile, in one folder, offline. A stage already done with the same
    settings is skipped, so an interrupted pipeline continues where it stopped.
    """
    from codesteer.cli.train import _TrainView
    from codesteer.train.pipeline import (
        StageDone,
        StageSkipped,
        StageStarted,
        load_pipeline_config,
        run_pipeline,
    )

    settings = load_pipeline_config(config, tuple(overrides))
    stages: list[dict[str, Any]] = []
    view: list[_TrainView] = []  # the running stage's bar, if any

    def close() -> None:
        while view:
            view.pop().bar.stop()

    def on_event(event: Any) -> None:
        if isinstance(event, StageStarted):
            close()
            err.rule(f"{event.stage}", style="cyan")
            view.append(_TrainView())
            view[0].bar.start()
        elif isinstance(event, StageSkipped):
            stages.append({"stage": event.stage, "status": "skipped", "reason": event.reason})
            err.print(f"[dim]{event.stage}: skipped ({event.reason})[/]")
        elif isinstance(event, StageDone):
            close()
            stages.append(
                {
                    "stage": event.stage,
                    "status": "done",
                    "outputs": list(event.outputs),
                    "seconds": round(event.seconds, 1),
                    "detail": event.detail,
                }
            )
            err.print(f"[green]{event.stage}: done[/] in {event.seconds:.0f} s: {event.detail}")
        elif view:
            view[0](event)

    try:
        results = run_pipeline(settings, on_event)
    except KeyboardInterrupt:
        close()
        err.print(
            f"interrupted; run `codesteer train pipeline {config}` again to continue",
            style="yellow",
        )
        raise typer.Exit(130) from None
    finally:
        close()
    if as_json:
        print_json({"stages": stages, "steerer": results["steerer"]})
    else:
        out.print(f"steering model: [bold]{results['steerer']}[/]")
        out.print(f"use it: codesteer run QUESTION --steerer {results['steerer']}", style="dim")


pipeline.__doc__ = (pipeline.__doc__ or "") + _HELP_EXAMPLE
