"""Ollama Modelfiles for a GGUF, and ``ollama create`` when an Ollama server is there.

The Modelfile's ``TEMPLATE`` is a Go template equivalent to the GGUF's own Jinja chat template
(``tokenizer.chat_template``), recognised by rendering it (see :mod:`.chat_format`); its
``PARAMETER stop`` lines are the format's end-of-turn markers and the GGUF's EOS, since a wrong
stop is what makes exported models ramble past their turn.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from codesteer._files import atomic_write
from codesteer.convert.chat_format import (
    ChatFormat,
    Message,
    go_template,
    recognise,
    render_jinja,
)
from codesteer.convert.errors import ConversionError, UnknownTemplateError
from codesteer.convert.gguf_meta import GGUFMeta, read_gguf_meta
from codesteer.errors import UserError

__all__ = [
    "DEFAULT_OLLAMA_HOST",
    "Modelfile",
    "modelfile_for",
    "ollama_command",
    "ollama_create",
    "ollama_host",
    "recognise_gguf_template",
    "write_modelfile",
]

DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)?(:[A-Za-z0-9][A-Za-z0-9._-]*)?$")


@dataclass(frozen=True)
class Modelfile:
    """A Modelfile's parts; :meth:`text` writes it."""

    from_path: str
    template: str
    stops: tuple[str, ...]
    num_ctx: int
    system: str | None = None
    format_name: str = "custom"

    def text(self) -> str:
        lines = [
            f"# Written by codesteer convert ollama (chat format: {self.format_name}).",
            f"FROM {_quoted_path(self.from_path)}",
            f'TEMPLATE """{_triple_quotable(self.template, "template")}"""',
        ]
        if self.system is not None:
            lines.append(f'SYSTEM """{_triple_quotable(self.system, "system prompt")}"""')
        lines += [f"PARAMETER stop {json.dumps(stop, ensure_ascii=False)}" for stop in self.stops]
        lines.append(f"PARAMETER num_ctx {self.num_ctx}")
        return "\n".join(lines) + "\n"


def _triple_quotable(text: str, what: str) -> str:
    if '"""' in text:
        raise UserError(f'the {what} contains """, which a Modelfile cannot quote')
    return text


def _quoted_path(path: str) -> str:
    return json.dumps(path) if any(c.isspace() or c == '"' for c in path) else path


def modelfile_for(
    meta: GGUFMeta,
    out: Path,
    *,
    num_ctx: int = 8192,
    system: str | None = None,
    template: str | None = None,
    stop: Sequence[str] | None = None,
) -> Modelfile:
    """The Modelfile for the GGUF described by ``meta``, to be written at ``out``.

    ``template`` (Go template text) replaces the recognised one; ``stop`` replaces the stops.
    """
    if num_ctx < 1:
        raise UserError(f"num_ctx must be positive, got {num_ctx}")
    name = "custom"
    if template is None:
        chat = recognise_gguf_template(meta)
        template, name = go_template(chat), chat.name
        stops = [*chat.turns.stops]
    else:
        stops = []
    if meta.eos_text:  # the token the runtime itself stops at, spelled out for Ollama
        stops.append(meta.eos_text)
    if stop is not None:
        stops = list(stop)
    return Modelfile(
        from_path=_from_path(meta.path, Path(out)),
        template=template,
        stops=tuple(dict.fromkeys(s for s in stops if s)),
        num_ctx=num_ctx,
        system=system,
        format_name=name,
    )


def recognise_gguf_template(meta: GGUFMeta) -> ChatFormat:
    """The chat format of the GGUF's ``tokenizer.chat_template``; a clear error if it has none
    or it is one without a known Ollama equivalent."""
    source = meta.chat_template
    if source is None:
        raise UnknownTemplateError(
            f"{meta.path} has no chat template (tokenizer.chat_template); "
            "give an Ollama template with --template FILE"
        )

    def render(messages: Sequence[Message], generation: bool) -> str:
        return render_jinja(
            source,
            messages,
            bos_token=meta.bos_text,
            eos_token=meta.eos_text,
            add_generation_prompt=generation,
        )

    chat = recognise(render, bos_text=meta.bos_text, add_bos=meta.add_bos)
    if chat is None:
        raise UnknownTemplateError(
            f"the chat template of {meta.path.name} is neither ChatML nor Llama-3 as far as "
            "rendering it shows; write its Ollama equivalent yourself and pass --template FILE"
        )
    return chat


def _from_path(gguf: Path, out: Path) -> str:
    gguf = gguf.parent.resolve() / gguf.name
    if gguf.parent == out.expanduser().parent.resolve():
        return f"./{gguf.name}"
    return str(gguf)


def write_modelfile(
    gguf: Path,
    out: Path,
    *,
    num_ctx: int = 8192,
    system: str | None = None,
    template: str | None = None,
    stop: Sequence[str] | None = None,
) -> Path:
    """Write an Ollama Modelfile for ``gguf`` at ``out`` (atomically); returns ``out``.

    ``FROM`` is ``./NAME.gguf`` when the Modelfile sits beside the GGUF, else its absolute
    path. ``TEMPLATE`` is recognised from the GGUF's chat template (ChatML, Llama-3) unless
    ``template`` (Go template text) is given; an unknown template raises
    :class:`~codesteer.convert.errors.UnknownTemplateError`.
    """
    out = Path(out).expanduser()
    if out.is_dir():
        out = out / "Modelfile"
    modelfile = modelfile_for(
        read_gguf_meta(gguf), out, num_ctx=num_ctx, system=system, template=template, stop=stop
    )
    with atomic_write(out) as handle:
        handle.write(modelfile.text())
    return out


def ollama_host() -> str:
    """The Ollama server's URL, from ``OLLAMA_HOST`` as the ollama CLI reads it."""
    raw = os.environ.get("OLLAMA_HOST", "").strip()
    if not raw:
        return DEFAULT_OLLAMA_HOST
    if "://" not in raw:
        raw = f"http://{raw}"
    scheme, rest = raw.split("://", 1)
    host = rest.rstrip("/")
    if host.startswith(":"):
        host = f"127.0.0.1{host}"
    if host.startswith("0.0.0.0"):  # a bind address: the server is reached on loopback
        host = "127.0.0.1" + host[len("0.0.0.0") :]
    if not re.search(r":\d+$", host):
        host = f"{host}:11434"
    return f"{scheme}://{host}"


def ollama_command(name: str, modelfile: Path) -> str:
    """The shell command that creates model ``name`` from ``modelfile``."""
    return shlex.join(["ollama", "create", name, "-f", str(modelfile)])


def ollama_create(name: str, modelfile: Path, *, timeout: float = 2.0) -> bool:
    """Run ``ollama create NAME -f MODELFILE`` if the ``ollama`` binary exists and the server
    at :func:`ollama_host` answers; return whether it ran. A create that runs and fails raises
    :class:`ConversionError` with Ollama's reason.
    """
    if not _NAME.match(name):
        raise UserError(
            f"{name!r} is not an Ollama model name (lowercase letters, digits, '.', '_', '-', "
            "optionally NAMESPACE/ and :TAG)"
        )
    modelfile = Path(modelfile).expanduser().resolve()
    if not modelfile.is_file():
        raise UserError(f"no such Modelfile: {modelfile}")
    binary = shutil.which("ollama")
    if binary is None or not _server_answers(ollama_host(), timeout):
        return False
    result = subprocess.run(
        [binary, "create", name, "-f", str(modelfile)],
        cwd=modelfile.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"exit code {result.returncode}"
        raise ConversionError(f"ollama create {name} failed: {reason}")
    return True


def _server_answers(host: str, timeout: float) -> bool:
    import httpx

    try:
        response = httpx.get(f"{host}/api/version", timeout=timeout)
    except httpx.HTTPError:
        return False
    return response.status_code == 200
