"""``codesteer convert``: merge a LoRA adapter, convert to GGUF, quantise, write an Ollama
Modelfile, and check that the GGUF behaves like the Hugging Face model it came from.

The heavy libraries (torch, transformers, peft, llama.cpp) are imported inside the commands
that need them, so ``codesteer --help`` stays instant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from codesteer.cli._console import err, out, print_json, progress
from codesteer.convert.gguf_export import OUTTYPES
from codesteer.convert.quantize import QUANT_TYPES
from codesteer.errors import UserError

if TYPE_CHECKING:
    from codesteer.convert.fidelity import FidelityReport

__all__ = ["app"]

app = typer.Typer(
    help=(
        "Export a fine-tuned model: merge the LoRA adapter, convert to GGUF with llama.cpp's "
        "own converter, quantise, write an Ollama Modelfile, and check the result against the "
        "Hugging Face model (tokenizer, chat template, stop tokens, logits).\n\n"
        "The first conversion fetches llama.cpp's converter once from PyPI (the source release "
        "matching the installed llama-cpp-python); everything else runs offline.\n\n"
        "Examples:\n\n"
        "  codesteer convert merge base/ runs/sft/adapter --out merged/\n\n"
        "  codesteer convert gguf merged/ --out steer-f16.gguf\n\n"
        "  codesteer convert quantize steer-f16.gguf --type Q4_K_M\n\n"
        "  codesteer convert check steer-f16.Q4_K_M.gguf --reference merged/\n\n"
        "  codesteer convert ollama steer-f16.Q4_K_M.gguf --name codesteer-steer\n\n"
        "  codesteer convert lora runs/sft/adapter --base base/ --out steer-lora.gguf"
    ),
    no_args_is_help=True,
)


@contextmanager
def _writing_bar(description: str) -> Iterator[Callable[[float], None]]:
    """A bar driven by the converter's own "Writing: N%" progress."""
    with progress() as bar:
        task = bar.add_task(description, total=100)

        def update(fraction: float) -> None:
            bar.update(task, completed=round(fraction * 100))

        yield update


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


@app.command()
def merge(
    base: Path = typer.Argument(..., help="The full-precision base model folder."),
    adapter: Path = typer.Argument(..., help="The PEFT LoRA adapter folder (save_pretrained)."),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Folder to write the merged model to."),
) -> None:
    """Merge a LoRA adapter into its full-precision base model.

    The merged folder holds safetensors weights, the base's tokenizer and its inference chat
    template (training-only {% generation %} markers removed). Merge into the full-precision
    base even when you trained with QLoRA.

    Example: codesteer convert merge base/ runs/sft/adapter --out merged/
    """
    from codesteer.convert.merge import merge_adapter

    with err.status(f"merging {adapter} into {base}"):
        result = merge_adapter(base, adapter, out_dir)
    out.print(str(result), highlight=False, markup=False)


@app.command()
def gguf(
    hf_dir: Path = typer.Argument(..., metavar="HF_DIR", help="Hugging Face model folder."),
    out_path: Path = typer.Option(..., "--out", "-o", help="The .gguf file to write."),
    outtype: str = typer.Option(
        "f16", "--outtype", help=f"Tensor type: {', '.join(OUTTYPES)}. Smaller: then quantize."
    ),
) -> None:
    """Convert a Hugging Face model folder to GGUF with llama.cpp's convert_hf_to_gguf.py.

    Example: codesteer convert gguf merged/ --out steer-f16.gguf --outtype f16
    """
    from codesteer.convert.gguf_export import convert_to_gguf

    with _writing_bar(f"converting to {outtype}") as update:
        result = convert_to_gguf(hf_dir, out_path, outtype, on_progress=update)
    err.print(f"wrote {escape(str(result))} ({_size(result)})", highlight=False)
    out.print(str(result), highlight=False, markup=False)


@app.command()
def quantize(
    gguf_in: Path = typer.Argument(..., metavar="GGUF", help="An F16, BF16 or F32 GGUF."),
    kind: str = typer.Option(
        "Q4_K_M", "--type", "-t", help=f"Quantisation: {', '.join(QUANT_TYPES)}."
    ),
    out_path: Path | None = typer.Option(
        None, "--out", "-o", help="The .gguf to write [default: beside the input, NAME.TYPE.gguf]"
    ),
) -> None:
    """Quantise a GGUF with llama.cpp (Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q4_0 ...).

    K-quants need tensor rows whose width is a multiple of 256; llama.cpp quantises the others
    to the nearest 32-block type (Q4_K -> Q5_0, Q6_K -> Q8_0) and says so in the summary.

    Example: codesteer convert quantize steer-f16.gguf --type Q8_0 --out steer-q8.gguf
    """
    from codesteer.convert.gguf_meta import tensor_type_counts
    from codesteer.convert.quantize import quantize as quantize_gguf

    name = kind.upper()
    target = out_path or gguf_in.with_name(f"{_stem(gguf_in)}.{name}.gguf")
    with err.status(f"quantising to {name}"):
        result = quantize_gguf(gguf_in, target, name)
        counts = tensor_type_counts(result)
    types = ", ".join(f"{kind_}: {n}" for kind_, n in counts.items())
    err.print(f"wrote {escape(str(result))} ({_size(result)}); tensors {types}", highlight=False)
    if "_K" in name and any(k in counts for k in ("Q5_0", "Q5_1", "Q4_0", "Q8_0", "IQ4_NL")):
        err.print(
            "note: some tensors' rows are not a multiple of 256 wide, so llama.cpp gave them a "
            "32-block type instead of a K-quant",
            style="yellow",
        )
    out.print(str(result), highlight=False, markup=False)


def _stem(path: Path) -> str:
    return re.sub(r"[.-](f32|f16|bf16)$", "", path.stem, flags=re.IGNORECASE) or path.stem


@app.command()
def lora(
    adapter: Path = typer.Argument(..., help="The PEFT LoRA adapter folder."),
    base: Path = typer.Option(
        ..., "--base", "-b", help="The base model's HF folder (its config is read)."
    ),
    out_path: Path = typer.Option(..., "--out", "-o", help="The adapter .gguf to write."),
    outtype: str = typer.Option("f32", "--outtype", help=f"{', '.join(OUTTYPES)}."),
) -> None:
    """Convert a LoRA adapter to a GGUF adapter for llama.cpp (without merging).

    Load it with the base model's GGUF: Llama(model_path=BASE.gguf, lora_path=ADAPTER.gguf).

    Example: codesteer convert lora runs/sft/adapter --base base/ --out steer-lora.gguf
    """
    from codesteer.convert.gguf_export import lora_to_gguf

    with _writing_bar("converting the adapter") as update:
        result = lora_to_gguf(adapter, base, out_path, outtype, on_progress=update)
    err.print(f"wrote {escape(str(result))} ({_size(result)})", highlight=False)
    out.print(str(result), highlight=False, markup=False)


@app.command()
def ollama(
    gguf_path: Path = typer.Argument(..., metavar="GGUF", help="The model file."),
    out_path: Path | None = typer.Option(
        None, "--out", "-o", help="Modelfile to write [default: Modelfile beside the GGUF]"
    ),
    name: str | None = typer.Option(
        None, "--name", "-n", help="Ollama model name [default: from the file name]"
    ),
    num_ctx: int = typer.Option(8192, "--num-ctx", min=1, help="Context length Ollama uses."),
    system: str | None = typer.Option(None, "--system", help="A SYSTEM prompt to bake in."),
    template: Path | None = typer.Option(
        None,
        "--template",
        help="A Go-template file to use as TEMPLATE (for chat templates other than ChatML "
        "and Llama-3).",
    ),
    stop: list[str] = typer.Option(
        [], "--stop", help="Stop string (repeatable); replaces the recognised ones."
    ),
    create: bool = typer.Option(
        True, "--create/--no-create", help="Run `ollama create` if an Ollama server answers."
    ),
) -> None:
    """Write an Ollama Modelfile (FROM, TEMPLATE, stop tokens, num_ctx) and create the model.

    TEMPLATE is the Go-template equivalent of the GGUF's own chat template (ChatML or
    Llama-3, recognised by rendering it). Without a running Ollama server (OLLAMA_HOST,
    default http://127.0.0.1:11434) the exact `ollama create` command is printed instead.

    Example: codesteer convert ollama steer.Q4_K_M.gguf --name codesteer-steer --num-ctx 8192
    """
    from codesteer.convert.ollama import ollama_command, ollama_create, write_modelfile

    template_text = None
    if template is not None:
        try:
            template_text = template.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot read the template {template}: {exc.strerror}") from exc
    target = out_path or gguf_path.expanduser().resolve().parent / "Modelfile"
    modelfile = write_modelfile(
        gguf_path,
        target,
        num_ctx=num_ctx,
        system=system,
        template=template_text,
        stop=stop or None,
    )
    err.print(f"wrote {escape(str(modelfile))}", highlight=False)
    model_name = name or _ollama_name(gguf_path)
    if create and ollama_create(model_name, modelfile):
        err.print(f"created Ollama model {escape(model_name)}: ollama run {escape(model_name)}")
        return
    if create:
        err.print("no Ollama server answers here; to create the model, run:", highlight=False)
    out.print(ollama_command(model_name, modelfile), highlight=False, markup=False)


def _ollama_name(path: Path) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-._")
    return name or "codesteer-model"


@app.command()
def check(
    gguf_path: Path = typer.Argument(..., metavar="MODEL.gguf", help="The GGUF to check."),
    reference: Path = typer.Option(
        ..., "--reference", "-r", help="The Hugging Face folder it was converted from."
    ),
    prompts: list[str] = typer.Option(
        [], "--prompt", "-p", help="A user message to compare replies on (repeatable)."
    ),
    max_new_tokens: int = typer.Option(24, "--max-new-tokens", min=1, help="Reply length."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="CPU threads to use."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
) -> None:
    """Check a GGUF against its Hugging Face model; exit code 1 when a check fails.

    Checks tokenizer and detokenizer parity, chat-template rendering, stop tokens (the GGUF
    must stop where the HF model stops), and then: for F32/F16/BF16 files the largest logit
    difference and identical greedy replies; for quantised files top-1 agreement and mean KL
    divergence of next-token distributions.

    Example: codesteer convert check steer-q8.gguf --reference merged/ --json
    """
    from codesteer.convert.fidelity import DEFAULT_PROMPTS, check_fidelity

    with progress() as bar:
        task = bar.add_task("checking", total=None)

        def step(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        report = check_fidelity(
            gguf_path,
            reference,
            prompts=prompts or DEFAULT_PROMPTS,
            max_new_tokens=max_new_tokens,
            n_threads=threads,
            on_step=step,
        )
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report: FidelityReport) -> None:
    table = Table(title=f"{report.gguf.name} ({report.file_type}) vs {report.reference.name}")
    table.add_column("check", style="bold", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("summary")
    for check in report.checks:
        mark = "[green]pass[/]" if check.passed else "[bold red]FAIL[/]"
        detail = "\n".join(escape(line) for line in check.details)
        table.add_row(
            check.name, mark, escape(check.summary) + (f"\n[dim]{detail}[/]" if detail else "")
        )
    for name, why in report.skipped.items():
        table.add_row(name, "[dim]not run[/]", f"[dim]{escape(why)}[/]")
    out.print(table)
    replies = Table(title="greedy replies", show_lines=True)
    replies.add_column("prompt")
    replies.add_column("same", no_wrap=True)
    replies.add_column("reference")
    replies.add_column("GGUF")
    for prompt in report.prompts:
        stop_ref = " [dim](stop)[/]" if prompt.reference_stopped else ""
        stop_gguf = " [dim](stop)[/]" if prompt.gguf_stopped else ""
        replies.add_row(
            escape(prompt.prompt),
            "yes" if prompt.identical else f"from token {prompt.divergence}",
            escape(prompt.reference_text) + stop_ref,
            escape(prompt.gguf_text) + stop_gguf,
        )
    if report.prompts:
        out.print(replies)
    verdict = "[bold green]OK[/]" if report.ok else "[bold red]FAILED[/]"
    out.print(f"fidelity: {verdict}")
