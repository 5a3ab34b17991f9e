"""Ollama Modelfiles for the real SmolLM2 GGUF, and ``ollama create``.

Ollama itself cannot be installed here, so the Modelfile is checked by parsing it and by
rendering its TEMPLATE with a small Go-template renderer (tests/convert/gotemplate.py) against
transformers' apply_chat_template. ``ollama_create`` is run against the real absence of a
server (and of the binary); a stand-in ``ollama`` script on PATH records what would be run.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from codesteer.convert.errors import UnknownTemplateError
from codesteer.convert.gguf_meta import read_gguf_meta
from codesteer.convert.ollama import (
    modelfile_for,
    ollama_command,
    ollama_create,
    ollama_host,
    write_modelfile,
)
from codesteer.errors import UserError
from tests.convert.gotemplate import render as render_go
from tests.convert.test_chat_format import CONVERSATIONS, ENDING_WITH_ASSISTANT, GEMMA_TEMPLATE


def parse_modelfile(text: str) -> dict[str, list[str]]:
    """Instructions of a Modelfile, by keyword (values unquoted; triple quotes may span
    lines), as Ollama's parser reads them."""
    result: dict[str, list[str]] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        keyword, _, value = line.partition(" ")
        if value.startswith('"""'):
            body = value[3:]
            while not body.endswith('"""'):
                body += "\n" + next(lines)
            value = body[:-3]
        elif value.startswith('"'):
            value = json.loads(value)
        elif keyword == "PARAMETER":
            name, _, raw = value.partition(" ")
            value = f"{name} {json.loads(raw) if raw.startswith(chr(34)) else raw}"
        result.setdefault(keyword, []).append(value)
    return result


@pytest.fixture
def beside(gguf: Path, tmp_path: Path) -> Path:
    """The SmolLM2 GGUF linked into a fresh folder, for a Modelfile beside it."""
    link = tmp_path / "smollm2.gguf"
    link.symlink_to(gguf)
    return link


def test_modelfile_beside_the_gguf(beside: Path, hf_ref: Path) -> None:
    path = write_modelfile(beside, beside.parent / "Modelfile", num_ctx=4096, system="Be brief.")
    parsed = parse_modelfile(path.read_text())
    assert parsed["FROM"] == ["./smollm2.gguf"]
    assert parsed["SYSTEM"] == ["Be brief."]
    assert parsed["PARAMETER"] == ["stop <|im_end|>", "stop <|im_start|>", "num_ctx 4096"]

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(hf_ref)
    (template,) = parsed["TEMPLATE"]
    for messages in CONVERSATIONS:
        expected = tokenizer.apply_chat_template(
            [dict(m) for m in messages], tokenize=False, add_generation_prompt=True
        )
        assert render_go(template, [dict(m) for m in messages]) == expected
    for messages in ENDING_WITH_ASSISTANT:
        expected = tokenizer.apply_chat_template(
            [dict(m) for m in messages], tokenize=False, continue_final_message=True
        )
        assert render_go(template, [dict(m) for m in messages]) == expected


def test_modelfile_elsewhere_uses_the_absolute_path(gguf: Path, tmp_path: Path) -> None:
    path = write_modelfile(gguf, tmp_path / "sub" / "Modelfile")
    parsed = parse_modelfile(path.read_text())
    assert parsed["FROM"] == [str(gguf.resolve())]
    assert "num_ctx 8192" in parsed["PARAMETER"]
    assert "SYSTEM" not in parsed
    # A folder as --out gets a file named Modelfile inside it.
    assert write_modelfile(gguf, tmp_path) == tmp_path / "Modelfile"


def test_custom_template_and_stops(gguf: Path, tmp_path: Path) -> None:
    go = "{{ range .Messages }}{{ .Role }}: {{ .Content }}\n{{ end }}assistant:"
    path = write_modelfile(gguf, tmp_path / "Modelfile", template=go, stop=["\nuser:"])
    parsed = parse_modelfile(path.read_text())
    assert parsed["TEMPLATE"] == [go]
    assert parsed["PARAMETER"][0] == "stop \nuser:"


def test_unknown_template_suggests_template_file(gguf: Path, tmp_path: Path) -> None:
    meta = read_gguf_meta(gguf)
    gemma = type(meta)(**{**meta.__dict__, "metadata": {"tokenizer.chat_template": GEMMA_TEMPLATE}})
    with pytest.raises(UnknownTemplateError, match="--template FILE"):
        modelfile_for(gemma, tmp_path / "Modelfile")
    bare = type(meta)(**{**meta.__dict__, "metadata": {}})
    with pytest.raises(UnknownTemplateError, match="no chat template"):
        modelfile_for(bare, tmp_path / "Modelfile")


def test_triple_quotes_cannot_be_written(gguf: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match='"""'):
        write_modelfile(gguf, tmp_path / "Modelfile", system='say """hi"""')
    assert not (tmp_path / "Modelfile").exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "http://127.0.0.1:11434"),
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        (":9999", "http://127.0.0.1:9999"),
        ("https://ollama.example:443/", "https://ollama.example:443"),
        ("gpu-box", "http://gpu-box:11434"),
    ],
)
def test_ollama_host(monkeypatch: pytest.MonkeyPatch, value: str, expected: str) -> None:
    monkeypatch.setenv("OLLAMA_HOST", value)
    assert ollama_host() == expected


def test_ollama_command_quotes_paths() -> None:
    assert (
        ollama_command("steer", Path("/a b/Modelfile")) == "ollama create steer -f '/a b/Modelfile'"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def modelfile(beside: Path) -> Path:
    return write_modelfile(beside, beside.parent / "Modelfile")


@pytest.fixture
def recording_ollama(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``ollama`` script first on PATH that records its arguments and folder."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "calls.jsonl"
    script = folder / "ollama"
    script.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps([sys.argv[1:], os.getcwd()]) + '\\n')\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


@pytest.fixture
def answering_server() -> Iterator[str]:
    """A loopback server answering /api/version as Ollama's does."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"version":"0.12.0"}' if self.path == "/api/version" else b"{}"
            self.send_response(200 if self.path == "/api/version" else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_ollama_create_without_ollama_returns_false(
    modelfile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(modelfile.parent))  # no ollama binary anywhere
    assert shutil.which("ollama") is None
    assert ollama_create("smollm2-test", modelfile) is False


def test_ollama_create_with_no_server_returns_false(
    modelfile: Path, recording_ollama: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{_free_port()}")  # nothing listens there
    assert ollama_create("smollm2-test", modelfile) is False
    assert not recording_ollama.exists()  # never ran


def test_ollama_create_runs_when_the_server_answers(
    modelfile: Path,
    recording_ollama: Path,
    answering_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", answering_server)
    assert ollama_create("smollm2-test:latest", modelfile) is True
    (call,) = [json.loads(line) for line in recording_ollama.read_text().splitlines()]
    assert call == [["create", "smollm2-test:latest", "-f", str(modelfile)], str(modelfile.parent)]


def test_ollama_create_rejects_bad_names(modelfile: Path) -> None:
    with pytest.raises(UserError, match="not an Ollama model name"):
        ollama_create("Bad Name!", modelfile)
