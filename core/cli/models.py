"""``codesteer models``: the models that resolve on this machine."""

from __future__ import annotations

import typer
from rich.table import Table

from codesteer.cli._console import out, print_json
from codesteer.local.backends import list_models
from codesteer.local.config import load_config


def models(
    as_json: bool = typer.Option(
        False, "--json", help="A JSON list of {spec, source, detail} objects."
    ),
    offline: bool = typer.Option(
        False, "--offline", help="Do not ask Ollama or an OpenAI-compatible server."
    ),
) -> None:
    """List the models you can use now, each with the spec to pass as --steerer or --task-model.

    A model spec is KIND:MODEL[@BASE_URL]:

      default                                    SmolLM2-135M-Instruct, offline (codesteer[demo])

      llamacpp:/path/model.gguf  or  model.gguf  any GGUF file, run in-process

      llamacpp:NAME                              a [models.files] alias in the config file

      ollama:qwen2.5:7b                          a local Ollama server (OLLAMA_HOST)

      openai:gpt-4o                              OpenAI (OPENAI_API_KEY), or any compatible
                                                 server: openai:MODEL@http://127.0.0.1:8080/v1

      anthropic:claude-sonnet-4-0                Anthropic (ANTHROPIC_API_KEY)

    Listed here: the default model if installed, the config's GGUF aliases, the models of a
    running Ollama server, and those of OPENAI_BASE_URL's /v1/models when it is set. Cloud
    models (OpenAI, Anthropic) work without being listed.
    """
    entries = list_models(load_config(), probe_servers=not offline)
    if as_json:
        print_json([entry.to_json() for entry in entries])
        return
    table = Table(title="Models that resolve here")
    table.add_column("spec", style="bold", no_wrap=True)
    table.add_column("from", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for entry in entries:
        table.add_row(entry.spec, entry.source, entry.detail)
    out.print(table)
    if not entries:
        out.print("None found: pip install 'codesteer[demo]' for the offline default.")
    out.print(
        "Use one with: codesteer run --steerer SPEC --task-model SPEC  (specs: --help)",
        style="dim",
    )
