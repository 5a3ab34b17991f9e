"""Fixtures of the export tests: the SmolLM2 reference HF folder and the GGUFs converted from
it, built once per session (per xdist worker) and shared.

The HF folder comes from :func:`materialize_hf` with its default cache (``$CODESTEER_CACHE``
or the platform cache dir): building it takes ~50 s once, then it is reused across runs. The
GGUFs are converted afresh every session, in a session temp folder, since converting is what
is under test. llama.cpp's converter is fetched into the same default cache on first use.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Nothing here may reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def pytest_configure(config: pytest.Config) -> None:
    # Registered by pytest-xdist, but the tests also run with ``-p no:xdist``.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")


#: Both libraries' threads set to one: the CPUs are shared, and torch's spinning workers slow
#: down many times over when other processes hold the cores.
THREADS = 1


@pytest.fixture(scope="session")
def hf_ref(gguf: Path) -> Path:
    from codesteer.convert.hf import materialize_hf

    return materialize_hf(gguf)


@pytest.fixture(scope="session")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="session")
def f16_gguf(hf_ref: Path, exports: Path) -> Path:
    from codesteer.convert.gguf_export import convert_to_gguf

    return convert_to_gguf(hf_ref, exports / "smollm2-f16.gguf", "f16")


@pytest.fixture(scope="session")
def q8_gguf(f16_gguf: Path) -> Path:
    from codesteer.convert.quantize import quantize

    return quantize(f16_gguf, f16_gguf.with_name("smollm2-Q8_0.gguf"), "Q8_0")


@pytest.fixture(scope="session")
def f32_gguf(hf_ref: Path, exports: Path) -> Path:
    from codesteer.convert.gguf_export import convert_to_gguf

    return convert_to_gguf(hf_ref, exports / "smollm2-f32.gguf", "f32")


@pytest.fixture
def not_a_gguf(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_text("this is a text file, not a model\n")
    return path


@pytest.fixture
def truncated_gguf(gguf: Path, tmp_path: Path) -> Path:
    """The first 40 MB of the real SmolLM2 GGUF: a valid header, missing tensor data."""
    path = tmp_path / "truncated.gguf"
    with gguf.open("rb") as source:
        path.write_bytes(source.read(40 << 20))
    return path
