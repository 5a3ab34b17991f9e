"""What a GGUF file says about itself, read by llama.cpp (the runtime that will run it).

The vocabulary-only load takes a fraction of a second where the ``gguf`` package's reader takes
seconds (it parses every token string into numpy views); it also answers the questions that
matter as llama.cpp answers them, e.g. which tokens end generation (its end-of-generation set
adds tokens such as ``<|im_end|>`` by name to the declared EOS).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from codesteer.convert.errors import ConversionError
from codesteer.errors import ModelNotFoundError

if TYPE_CHECKING:
    import llama_cpp

__all__ = [
    "FLOAT_FILE_TYPES",
    "GGUFMeta",
    "file_type_name",
    "quiet_llama",
    "read_gguf_meta",
    "require_gguf",
    "tensor_type_counts",
]

_MAGIC = b"GGUF"
#: ``general.file_type`` values of unquantised files (llama.cpp's ``llama_ftype``).
FLOAT_FILE_TYPES = {0: "F32", 1: "F16", 32: "BF16"}


def file_type_name(value: int) -> str:
    """``7`` -> ``Q8_0``: the name of a ``general.file_type`` value."""
    if value in FLOAT_FILE_TYPES:
        return FLOAT_FILE_TYPES[value]
    import llama_cpp

    for attribute in dir(llama_cpp):
        if attribute.startswith("LLAMA_FTYPE_MOSTLY_") and getattr(llama_cpp, attribute) == value:
            return attribute.removeprefix("LLAMA_FTYPE_MOSTLY_")
    return f"type {value}"


def require_gguf(path: Path) -> Path:
    """``path`` made absolute (its folder resolved, a link to the file kept: a Modelfile names
    the file as the user did), if it is a file that starts like a GGUF; else a one-line
    error."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelNotFoundError(f"no such GGUF file: {path}")
    if not path.is_file():
        raise ConversionError(f"{path} is a folder, not a GGUF file")
    with path.open("rb") as handle:
        head = handle.read(4)
    if head != _MAGIC:
        raise ConversionError(f"{path} is not a GGUF file (it does not start with 'GGUF')")
    return path.parent.resolve() / path.name


@contextlib.contextmanager
def quiet_llama() -> Iterator[None]:
    """Silence llama.cpp's log for the duration (llama-cpp-python routes it through this
    logger, and prints everything while its level is unset)."""
    logger = logging.getLogger("llama-cpp-python")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass(frozen=True)
class GGUFMeta:
    """A GGUF's metadata (as strings, the way llama.cpp hands them out) and its vocabulary's
    special tokens."""

    path: Path
    metadata: dict[str, str]
    n_vocab: int
    bos_id: int | None
    eos_id: int | None
    add_bos: bool
    #: Every token llama.cpp stops generating at.
    eog_ids: frozenset[int]
    #: Text of the special tokens above (bos, eos, end-of-generation), by id.
    texts: dict[int, str] = field(default_factory=dict)

    @property
    def architecture(self) -> str:
        return self.metadata.get("general.architecture", "")

    @property
    def chat_template(self) -> str | None:
        return self.metadata.get("tokenizer.chat_template") or None

    @property
    def bos_text(self) -> str:
        return self.texts.get(self.bos_id, "") if self.bos_id is not None else ""

    @property
    def eos_text(self) -> str:
        return self.texts.get(self.eos_id, "") if self.eos_id is not None else ""


def read_gguf_meta(path: Path) -> GGUFMeta:
    """Load ``path``'s vocabulary and metadata (not its weights) with llama.cpp."""
    import llama_cpp

    path = require_gguf(path)
    params = llama_cpp.llama_model_default_params()
    params.vocab_only = True
    with quiet_llama():
        model = llama_cpp.llama_model_load_from_file(str(path).encode(), params)
        if not model:
            raise ConversionError(f"llama.cpp cannot read {path} (truncated or corrupt GGUF?)")
        return _describe(path, model)


def _describe(path: Path, model: llama_cpp.llama_model_p) -> GGUFMeta:
    import llama_cpp

    try:
        metadata = _metadata(model)
        vocab = llama_cpp.llama_model_get_vocab(model)
        n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
        bos = llama_cpp.llama_vocab_bos(vocab)
        eos = llama_cpp.llama_vocab_eos(vocab)
        eog = frozenset(i for i in range(n_vocab) if llama_cpp.llama_vocab_is_eog(vocab, i))
        ids = {i for i in (bos, eos, *eog) if 0 <= i < n_vocab}
        texts = {
            i: llama_cpp.llama_vocab_get_text(vocab, i).decode("utf-8", "replace") for i in ids
        }
        return GGUFMeta(
            path=path,
            metadata=metadata,
            n_vocab=n_vocab,
            bos_id=bos if 0 <= bos < n_vocab else None,
            eos_id=eos if 0 <= eos < n_vocab else None,
            add_bos=bool(llama_cpp.llama_vocab_get_add_bos(vocab)),
            eog_ids=eog,
            texts=texts,
        )
    finally:
        llama_cpp.llama_model_free(model)


def _metadata(model: llama_cpp.llama_model_p) -> dict[str, str]:
    import llama_cpp

    values: dict[str, str] = {}
    size = 1 << 16
    buffer = ctypes.create_string_buffer(size)
    for index in range(llama_cpp.llama_model_meta_count(model)):
        length = llama_cpp.llama_model_meta_key_by_index(model, index, buffer, size)
        if length < 0:
            continue
        key = buffer.value.decode("utf-8", "replace")
        length = llama_cpp.llama_model_meta_val_str_by_index(model, index, buffer, size)
        if length >= size:  # a long chat template: read it again whole
            bigger = ctypes.create_string_buffer(length + 1)
            llama_cpp.llama_model_meta_val_str_by_index(model, index, bigger, length + 1)
            values[key] = bigger.value.decode("utf-8", "replace")
        elif length >= 0:
            values[key] = buffer.value.decode("utf-8", "replace")
    return values


def tensor_type_counts(path: Path) -> dict[str, int]:
    """How many tensors of each type (``Q8_0``, ``F32``...) the file holds, most first.

    This reads the whole header with the ``gguf`` package (seconds for a large vocabulary);
    it shows where llama.cpp fell back to another type during quantisation.
    """
    from gguf import GGUFReader

    path = require_gguf(path)
    try:
        reader = GGUFReader(path)
    except (ValueError, IndexError, OSError) as exc:
        raise ConversionError(f"cannot read {path} (truncated or corrupt GGUF?): {exc}") from exc
    counts = Counter(tensor.tensor_type.name for tensor in reader.tensors)
    return dict(counts.most_common())
