"""llama.cpp's conversion scripts from the llama-cpp-python source release."""

from __future__ import annotations

import importlib.metadata
import io
import tarfile
from pathlib import Path

import pytest

from codesteer.convert.errors import ConverterUnavailableError
from codesteer.convert.llamacpp_source import (
    LLAMA_CPP_DIR_ENV,
    _extract,
    _wanted,
    converter_dir,
    converter_env,
)


def test_scripts_match_the_installed_runtime() -> None:
    """Fetched once (pip download of the sdist) into the default cache, offline afterwards."""
    folder = converter_dir()
    assert folder.name == importlib.metadata.version("llama_cpp_python")
    for name in ("convert_hf_to_gguf.py", "convert_lora_to_gguf.py", "conversion/__init__.py"):
        assert (folder / name).is_file(), name
    # The vendored gguf-py, which has what PyPI's gguf 0.19 lacks.
    assert "class LazyChunkedTensor" in (folder / "gguf-py/gguf/lazy.py").read_text()
    assert any((folder / "models/templates").glob("*.jinja"))
    # Nothing else from the 76 MB sdist: no C++ sources, no build files.
    assert not list(folder.rglob("*.cpp")) and not (folder / "CMakeLists.txt").exists()
    env = converter_env(folder)
    assert env["PYTHONPATH"].split(":")[0] == str(folder / "gguf-py")
    assert env["HF_HUB_OFFLINE"] == "1"


def test_unreachable_index_gives_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine that cannot reach PyPI: pip finds nothing (no index, an empty find-links
    folder, no user pip config) and the error says what to do."""
    empty = tmp_path / "no-packages"
    empty.mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(empty))
    monkeypatch.setenv("CODESTEER_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ConverterUnavailableError) as caught:
        converter_dir()
    message = str(caught.value)
    assert "could not be fetched" in message
    assert "access to PyPI" in message and LLAMA_CPP_DIR_ENV in message
    assert "\n" not in message
    # Nothing half-made is left in the cache.
    assert not any((tmp_path / "cache" / "llama.cpp").iterdir())


def test_llama_cpp_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LLAMA_CPP_DIR_ENV, str(tmp_path))
    with pytest.raises(ConverterUnavailableError, match=r"holds no convert_hf_to_gguf\.py"):
        converter_dir()
    (tmp_path / "convert_hf_to_gguf.py").write_text("")
    assert converter_dir() == tmp_path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pkg-1.0/vendor/llama.cpp/convert_hf_to_gguf.py", "convert_hf_to_gguf.py"),
        ("pkg-1.0/vendor/llama.cpp/conversion/llama.py", "conversion/llama.py"),
        ("pkg-1.0/vendor/llama.cpp/gguf-py/gguf/lazy.py", "gguf-py/gguf/lazy.py"),
        ("pkg-1.0/vendor/llama.cpp/gguf-py/tests/test_quants.py", None),
        ("pkg-1.0/vendor/llama.cpp/src/llama.cpp", None),
        ("pkg-1.0/vendor/llama.cpp/conversion/../../../../etc/passwd", None),
        ("pkg-1.0/llama_cpp/llama.py", None),
        ("/vendor/llama.cpp/convert_hf_to_gguf.py", None),
    ],
)
def test_only_the_converter_files_are_taken(name: str, expected: str | None) -> None:
    wanted = _wanted(name)
    assert (wanted.as_posix() if wanted else None) == expected


def test_extract_ignores_links_and_escapes(tmp_path: Path) -> None:
    archive = tmp_path / "x.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in [
            ("p/vendor/llama.cpp/convert_hf_to_gguf.py", b"print('ok')\n"),
            ("p/vendor/llama.cpp/conversion/../../../escape.py", b"bad"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("p/vendor/llama.cpp/conversion/link.py")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    dest = tmp_path / "out"
    _extract(archive, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == [
        "convert_hf_to_gguf.py"
    ]
    assert not (tmp_path / "escape.py").exists()
