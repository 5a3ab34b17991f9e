"""Input folders checked up front (one clear error instead of a library's traceback), and
outputs written under a temporary name beside their target and renamed over it on success, so
an interrupted step never leaves a file or folder that looks whole."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from codesteer.convert.errors import ConversionError
from codesteer.errors import ModelNotFoundError

__all__ = [
    "adapter_folder",
    "config_folder",
    "existing_folder",
    "model_folder",
    "temporary_dir_beside",
    "temporary_file_beside",
]


def _default_mode(base: int) -> int:
    """``base`` less the process umask: ``mkstemp`` makes owner-only files, but model files
    are shared like any other output (a server run as another user, a teammate)."""
    mask = os.umask(0)
    os.umask(mask)
    return base & ~mask


@contextlib.contextmanager
def temporary_file_beside(
    out: Path, validate: Callable[[Path], object] | None = None
) -> Iterator[Path]:
    """A fresh temporary path in ``out``'s folder; when the block succeeds (and ``validate``
    accepts the file) it is renamed to ``out``, otherwise removed."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise ConversionError(f"{out} is a folder; give the path of the file to write")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if validate is not None:
            validate(tmp)
        tmp.chmod(_default_mode(0o666))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def temporary_dir_beside(out_dir: Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``out_dir``, swapped in for it when the block succeeds
    (an existing ``out_dir`` is replaced), removed otherwise."""
    out_dir = Path(out_dir).expanduser()
    if out_dir.is_file():
        raise ConversionError(f"{out_dir} is a file; give the path of the folder to write")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".part", dir=out_dir.parent))
    try:
        yield tmp
        tmp.chmod(_default_mode(0o777))
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
            tmp.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def existing_folder(path: Path, what: str) -> Path:
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelNotFoundError(f"no such {what} folder: {path}")
    if not path.is_dir():
        raise ConversionError(f"{path} is a file; expected a {what} folder")
    return path.resolve()


def config_folder(path: Path) -> Path:
    """A folder with a Hugging Face ``config.json`` (weights not needed)."""
    path = existing_folder(path, "Hugging Face model")
    if not (path / "config.json").is_file():
        raise ConversionError(f"{path} holds no config.json: not a Hugging Face model folder")
    return path


def model_folder(path: Path) -> Path:
    """A Hugging Face model folder: config and weights."""
    path = config_folder(path)
    weights = [*path.glob("*.safetensors"), *path.glob("pytorch_model*.bin")]
    if not weights:
        if (path / "adapter_config.json").is_file():
            raise ConversionError(
                f"{path} is a LoRA adapter, not a model: merge it first "
                "(codesteer convert merge) or convert it with codesteer convert lora"
            )
        raise ConversionError(f"{path} holds no weights (*.safetensors or pytorch_model*.bin)")
    return path


def adapter_folder(path: Path) -> Path:
    """A PEFT adapter folder: ``adapter_config.json`` and its weights."""
    path = existing_folder(path, "LoRA adapter")
    if not (path / "adapter_config.json").is_file():
        raise ConversionError(f"{path} holds no adapter_config.json: not a PEFT adapter folder")
    if not any((path / name).is_file() for name in _ADAPTER_WEIGHTS):
        raise ConversionError(f"{path} holds no {' or '.join(_ADAPTER_WEIGHTS)}")
    return path


_ADAPTER_WEIGHTS = ("adapter_model.safetensors", "adapter_model.bin")
