"""llama.cpp's own conversion scripts, from the source release of the installed runtime.

``convert_hf_to_gguf.py`` and ``convert_lora_to_gguf.py`` ship with no Python package, but the
llama-cpp-python sdist vendors the llama.cpp tree it compiles. Taking them from the sdist whose
version matches the installed ``llama_cpp_python`` means the files we write are the ones this
runtime was built to read. They are fetched once with ``pip download`` (the only network access
of the export stage) and cached; everything after that is offline.

Only what the scripts import is kept: the two scripts, the ``conversion`` package, the vendored
``gguf-py`` (PyPI's ``gguf`` lags behind the scripts: 0.19 lacks ``LazyChunkedTensor``) and
``models/templates`` (chat templates some architectures read at conversion time).
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from codesteer.convert.errors import ConverterUnavailableError

__all__ = [
    "LLAMA_CPP_DIR_ENV",
    "cache_root",
    "converter_dir",
    "converter_env",
    "runtime_version",
]

#: A llama.cpp checkout to use instead of the cached sdist (for machines that never reach PyPI).
LLAMA_CPP_DIR_ENV = "CODESTEER_LLAMA_CPP_DIR"
_SCRIPTS = ("convert_hf_to_gguf.py", "convert_lora_to_gguf.py")
_FOLDERS = ("conversion/", "gguf-py/gguf/", "models/templates/")
_VENDOR = ("vendor", "llama.cpp")
_COMPLETE = ".complete"


def cache_root() -> Path:
    """``$CODESTEER_CACHE`` or the platform cache dir (as for the HF folders)."""
    from platformdirs import user_cache_dir

    return Path(os.environ.get("CODESTEER_CACHE") or user_cache_dir("codesteer"))


def runtime_version() -> str:
    """The installed llama-cpp-python's version: the scripts must come from the same release."""
    try:
        return importlib.metadata.version("llama_cpp_python")
    except importlib.metadata.PackageNotFoundError:
        raise ConverterUnavailableError(
            "llama-cpp-python is not installed; install it with: pip install 'codesteer[llamacpp]'"
        ) from None


def converter_dir(version: str | None = None, *, cache: Path | None = None) -> Path:
    """The folder holding llama.cpp's conversion scripts for ``version`` (default: the
    installed runtime's), fetched into ``cache`` (default: :func:`cache_root`) on first use.

    ``$CODESTEER_LLAMA_CPP_DIR``, when set, names a llama.cpp checkout to use instead. Raises
    :class:`ConverterUnavailableError` when the scripts can be neither found nor fetched.
    """
    override = os.environ.get(LLAMA_CPP_DIR_ENV)
    if override:
        folder = Path(override).expanduser()
        if not (folder / _SCRIPTS[0]).is_file():
            raise ConverterUnavailableError(
                f"${LLAMA_CPP_DIR_ENV} is {folder}, which holds no {_SCRIPTS[0]}; point it at "
                "a llama.cpp checkout or unset it"
            )
        return folder
    version = version or runtime_version()
    target = (cache or cache_root()) / "llama.cpp" / version
    if not (target / _COMPLETE).is_file():
        _fetch(version, target)
    return target


def converter_env(folder: Path) -> dict[str, str]:
    """The environment the scripts run in: their own gguf-py first on ``PYTHONPATH``, and no
    hub access (a script that wants to download something should fail, not wait)."""
    paths = [str(folder / "gguf-py"), str(folder)]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(paths),
        "HF_HUB_OFFLINE": "1",
        "PYTHONIOENCODING": "utf-8",
    }


def _fetch(version: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=target.parent))
    try:
        archive = _download(version, work / "sdist")
        tree = work / "tree"
        _extract(archive, tree)
        missing = [name for name in _SCRIPTS if not (tree / name).is_file()]
        if missing:
            raise ConverterUnavailableError(
                f"the llama-cpp-python {version} source release holds no "
                f"vendor/llama.cpp/{missing[0]}; set ${LLAMA_CPP_DIR_ENV} to a llama.cpp checkout"
            )
        (tree / _COMPLETE).write_text(version + "\n", encoding="utf-8")
        if target.exists():  # an older, incomplete copy (or a concurrent fetch that finished)
            shutil.rmtree(target, ignore_errors=True)
        try:
            tree.rename(target)
        except OSError:
            if not (target / _COMPLETE).is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _download(version: str, into: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    command += ["--disable-pip-version-check", "-d", str(into), f"llama-cpp-python=={version}"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise _unavailable(version, f"cannot run pip: {exc}") from exc
    archives = sorted(into.glob("llama_cpp_python-*.tar.gz")) if into.is_dir() else []
    if result.returncode != 0 or not archives:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"pip exited with code {result.returncode}"
        raise _unavailable(version, reason)
    return archives[0]


def _unavailable(version: str, reason: str) -> ConverterUnavailableError:
    where = cache_root() / "llama.cpp" / version
    return ConverterUnavailableError(
        f"llama.cpp's converter (from the llama-cpp-python {version} source release) is not "
        f"cached and could not be fetched ({reason}). Run this once with access to PyPI (it is "
        f"kept in {where}), or set ${LLAMA_CPP_DIR_ENV} to a llama.cpp checkout of that release"
    )


def _extract(archive: Path, dest: Path) -> None:
    """Copy the wanted files out of the sdist. Member names are re-rooted under ``dest`` part
    by part (never joined raw), so an odd archive cannot write outside it."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                relative = _wanted(member.name)
                if relative is None or not member.isfile():
                    continue
                source = tar.extractfile(member)
                if source is None:
                    continue
                path = dest.joinpath(*relative.parts)
                path.parent.mkdir(parents=True, exist_ok=True)
                with source, path.open("wb") as handle:
                    shutil.copyfileobj(source, handle)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ConverterUnavailableError(
            f"cannot read the downloaded {archive.name}: {exc}"
        ) from exc


def _wanted(name: str) -> PurePosixPath | None:
    """``pkg-1.0/vendor/llama.cpp/conversion/x.py`` -> ``conversion/x.py`` if wanted."""
    path = PurePosixPath(name)
    parts = path.parts
    if path.is_absolute() or len(parts) < 4 or parts[1:3] != _VENDOR:
        return None
    rest = parts[3:]
    if any(part in ("", ".", "..") for part in rest):
        return None
    relative = PurePosixPath(*rest)
    text = relative.as_posix()
    if text in _SCRIPTS or any(text.startswith(folder) for folder in _FOLDERS):
        return relative
    return None
