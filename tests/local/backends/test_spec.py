"""Spec parsing, GGUF checks, the public surface, and secrets kept out of messages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import codesteer.local.backends as backends
from codesteer.errors import (
    BackendUnavailableError,
    ModelNotFoundError,
    ModelSpecError,
    UserError,
)
from codesteer.local.backends import ModelSpec, check_gguf, open_backend, parse_spec
from codesteer.local.backends._common import is_loopback, redact
from codesteer.local.config import Config, ModelsConfig
from tests.servers import make_config


def test_public_names() -> None:
    assert sorted(backends.__all__) == sorted(
        [
            "SPEC_EXAMPLES",
            "Backend",
            "BackendKind",
            "Completion",
            "Delta",
            "GenerationOptions",
            "Message",
            "ModelEntry",
            "ModelSpec",
            "Role",
            "Usage",
            "check_gguf",
            "default_gguf",
            "list_models",
            "open_backend",
            "parse_spec",
        ]
    )
    for name in backends.__all__:
        assert getattr(backends, name) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ollama:qwen2.5:7b", ModelSpec("ollama", "qwen2.5:7b")),
        ("ollama:llama3", ModelSpec("ollama", "llama3")),
        (
            "ollama:qwen2.5:7b@http://10.0.0.2:11434",
            ModelSpec("ollama", "qwen2.5:7b", "http://10.0.0.2:11434"),
        ),
        ("openai:gpt-4o", ModelSpec("openai", "gpt-4o")),
        (
            "openai:smollm2@http://127.0.0.1:8080/v1/",
            ModelSpec("openai", "smollm2", "http://127.0.0.1:8080/v1"),
        ),
        ("anthropic:claude-sonnet-4-0", ModelSpec("anthropic", "claude-sonnet-4-0")),
        # an @ that does not start a URL belongs to the model name
        ("anthropic:claude-3-5@20240620", ModelSpec("anthropic", "claude-3-5@20240620")),
        ("  openai:gpt-4o  ", ModelSpec("openai", "gpt-4o")),
    ],
)
def test_parse_server_specs(text: str, expected: ModelSpec) -> None:
    assert parse_spec(text) == expected
    assert parse_spec(str(expected)) == expected  # str() round-trips


def test_gguf_paths_and_aliases(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    assert parse_spec(str(model)) == ModelSpec("llamacpp", str(model))
    assert parse_spec(f"llamacpp:{model}") == ModelSpec("llamacpp", str(model))
    config = Config(models=ModelsConfig(files={"mysteer": str(model)}))
    assert parse_spec("llamacpp:mysteer", config) == ModelSpec("llamacpp", str(model))


def test_default_is_the_smollm2_gguf(gguf: Path) -> None:
    spec = parse_spec("default")
    assert spec.kind == "llamacpp"
    assert Path(spec.model) == gguf
    assert gguf.name == "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "gpt-4o",
        "bogus:model",
        "openai:",
        "ollama:  ",
        "OpenAI:gpt-4o",
        "llamacpp:",
        "scripted:x",
    ],
)
def test_bad_specs_teach_the_syntax(text: str) -> None:
    with pytest.raises(ModelSpecError) as info:
        parse_spec(text)
    message = str(info.value)
    assert "ollama:qwen2.5:7b" in message
    assert "\n" not in message
    assert isinstance(info.value, UserError)


def test_llamacpp_takes_no_url() -> None:
    with pytest.raises(ModelSpecError, match="openai:MODEL@"):
        parse_spec("llamacpp:/m.gguf@http://127.0.0.1:1")


def test_missing_unreadable_and_corrupt_gguf(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="not found"):
        check_gguf(tmp_path / "absent.gguf")
    with pytest.raises(ModelNotFoundError, match="directory"):
        check_gguf(tmp_path)
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"<html>not a model</html>")
    with pytest.raises(ModelNotFoundError, match="not a GGUF"):
        check_gguf(fake)
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ModelNotFoundError, match="not a GGUF"):
        check_gguf(empty)
    # open_backend checks before anything is loaded
    with pytest.raises(ModelNotFoundError):
        open_backend(str(fake), make_config())
    with pytest.raises(ModelNotFoundError):
        open_backend(f"llamacpp:{tmp_path / 'absent.gguf'}", make_config())


def test_truncated_gguf_is_one_clear_error(tmp_path: Path, gguf: Path) -> None:
    truncated = tmp_path / "cut.gguf"
    truncated.write_bytes(gguf.read_bytes()[:4096])
    backend = open_backend(str(truncated), make_config())
    from codesteer.local.backends import GenerationOptions, Message

    with pytest.raises(ModelNotFoundError, match="cannot load"):
        asyncio.run(backend.chat([Message("user", "hi")], GenerationOptions(max_tokens=2)))


def test_loopback_detection() -> None:
    assert is_loopback("http://127.0.0.1:8080/v1")
    assert is_loopback("http://localhost:11434")
    assert is_loopback("http://[::1]:1/v1")
    assert not is_loopback("https://api.openai.com/v1")
    assert not is_loopback("http://10.1.2.3:8000/v1")
    assert not is_loopback(None)


def test_redact_hides_keys() -> None:
    key = "sk-proj-abcdefghijklmnop1234"
    text = f"Incorrect API key provided: {key}; also sk-abc***wxyz and Bearer tok123"
    cleaned = redact(text, [key])
    assert key not in cleaned
    assert "sk-abc" not in cleaned
    assert "tok123" not in cleaned


def test_cloud_backends_need_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    with pytest.raises(BackendUnavailableError, match="OPENAI_API_KEY"):
        open_backend("openai:gpt-4o", make_config())
    with pytest.raises(BackendUnavailableError, match="ANTHROPIC_API_KEY"):
        open_backend("anthropic:claude-sonnet-4-0", make_config())
    # a loopback server needs no key
    open_backend("openai:m@http://127.0.0.1:9/v1", make_config())
    open_backend("anthropic:m@http://127.0.0.1:9", make_config())


def test_keys_never_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-secret-value-123456"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("ANTHROPIC_API_KEY", secret)
    for spec in ("openai:gpt-4o", "anthropic:claude-sonnet-4-0", "ollama:qwen2.5:7b"):
        backend = open_backend(spec, make_config())
        assert secret not in repr(backend)
        assert secret not in str(backend.spec)
        assert secret not in repr(vars(backend).get("spec"))
