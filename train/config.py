"""Training settings for ``codesteer train sft`` and ``codesteer train dpo``.

A config is a TOML or YAML file; ``--set key=value`` overrides any key (dotted for the ``lora``
table: ``--set lora.r=8``), and the CLI's ``--data``/``--out``/``--base``/``--max-steps`` flags
override those keys. The merged values are validated by pydantic at this edge into frozen
dataclasses; an unknown key or a bad value is a :class:`~codesteer.errors.ConfigError` naming the
key. Relative paths in a file are relative to that file; on the command line, to the current
directory.

Example (``sft.toml``)::

    base = "default"            # the SmolLM2 GGUF; or an HF model folder, or a .gguf file
    data = "data/sft.jsonl"
    out = "runs/sft"
    max_length = 8192
    learning_rate = 2e-4
    epochs = 3
    qlora = false

    [lora]
    r = 16
    alpha = 32
    target_modules = "all-linear"
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config

from codesteer.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Auto",
    "DPOConfig",
    "LoraSettings",
    "SFTConfig",
    "TrainSettings",
    "load_dpo_config",
    "load_sft_config",
    "parse_override",
]

#: ``"auto"`` decides from the hardware (see :mod:`codesteer.train.runtime`).
Auto = Literal["auto", True, False]

_FORBID = ConfigDict(extra="forbid")


@with_config(_FORBID)
@dataclass(frozen=True, kw_only=True)
class LoraSettings:
    r: Annotated[int, Field(gt=0, le=1024)] = 16
    alpha: Annotated[float, Field(gt=0)] = 32
    dropout: Annotated[float, Field(ge=0, lt=1)] = 0.05
    #: ``"all-linear"`` (peft's shorthand) or module names such as ``["q_proj", "v_proj"]``.
    target_modules: str | tuple[str, ...] = "all-linear"


@with_config(_FORBID)
@dataclass(frozen=True, kw_only=True)
class TrainSettings:
    """What SFT and DPO share."""

    #: The JSONL training data.
    data: Path
    #: The run folder: ``checkpoints/``, the final ``adapter/`` and ``train_summary.json``.
    out: Path
    #: ``default`` (the SmolLM2 GGUF), an HF model folder or a GGUF file. ``None``: see each kind.
    base: str | None = None
    lora: LoraSettings = field(default_factory=LoraSettings)
    #: 4-bit NF4 base weights with double quantisation (bitsandbytes), LoRA on top.
    qlora: bool = False
    learning_rate: Annotated[float, Field(gt=0, lt=1)] = 2e-4
    epochs: Annotated[float, Field(gt=0)] = 3.0
    #: Overrides ``epochs`` when set.
    max_steps: Annotated[int, Field(gt=0)] | None = None
    batch_size: Annotated[int, Field(gt=0)] = 1
    grad_accumulation: Annotated[int, Field(gt=0)] = 8
    #: Longest example in tokens; longer ones are dropped and counted, never cut.
    max_length: Annotated[int, Field(ge=16)] = 8192
    #: Warm-up: a fraction of the steps when below 1, else a number of steps.
    warmup: Annotated[float, Field(ge=0)] = 0.1
    lr_scheduler: Literal["cosine", "linear", "constant", "constant_with_warmup"] = "cosine"
    seed: int = 0
    save_steps: Annotated[int, Field(gt=0)] = 200
    #: Checkpoints kept in ``OUT/checkpoints`` (the oldest are deleted).
    save_total_limit: Annotated[int, Field(gt=0)] | None = 3
    logging_steps: Annotated[int, Field(gt=0)] = 10
    gradient_checkpointing: Auto = "auto"
    bf16: Auto = "auto"
    use_liger: Auto = "auto"
    #: A Jinja chat template with ``{% generation %}`` markers, for a base whose template
    #: is neither ChatML nor Llama-3 (SFT only).
    chat_template: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: paths as strings."""
        data: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        return data


@with_config(_FORBID)
@dataclass(frozen=True, kw_only=True)
class SFTConfig(TrainSettings):
    """Supervised fine-tuning on steering trajectories (loss on the steering turns only)."""


@with_config(_FORBID)
@dataclass(frozen=True, kw_only=True)
class DPOConfig(TrainSettings):
    """Preference tuning on guidance pairs, usually starting from the SFT adapter."""

    learning_rate: Annotated[float, Field(gt=0, lt=1)] = 5e-6
    epochs: Annotated[float, Field(gt=0)] = 1.0
    #: The DPO temperature: higher keeps the model closer to the reference.
    beta: Annotated[float, Field(gt=0)] = 0.1
    #: The SFT result to start from: an adapter folder (trained further; its copy is the
    #: reference) or a merged model folder (a new LoRA on it; the merged model is the
    #: reference). ``None``: a new LoRA on ``base``.
    sft_adapter: Path | None = None


_Config = TypeVar("_Config", SFTConfig, DPOConfig)

#: Keys holding paths: relative ones resolve against the config file's folder.
_PATH_KEYS = ("data", "out", "sft_adapter", "chat_template")


def load_sft_config(
    path: Path | None,
    overrides: Sequence[str] = (),
    *,
    values: Mapping[str, Any] | None = None,
) -> SFTConfig:
    """The SFT settings of ``path`` (TOML or YAML; ``None``: defaults only), with ``--set``
    ``overrides`` and then ``values`` (the CLI's typed flags, ``None`` entries ignored) applied.
    """
    return _load(SFTConfig, path, overrides, values)


def load_dpo_config(
    path: Path | None,
    overrides: Sequence[str] = (),
    *,
    values: Mapping[str, Any] | None = None,
) -> DPOConfig:
    """The DPO settings; see :func:`load_sft_config`."""
    return _load(DPOConfig, path, overrides, values)


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """``"lora.r=8"`` -> ``(("lora", "r"), 8)``. The value is read as a TOML value when it is
    one (numbers, booleans, ``["a", "b"]``), else kept as the string (paths)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set expects KEY=VALUE, got {text!r}")
    raw = raw.strip()
    try:
        value: Any = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return tuple(part.strip() for part in key.split(".")), value


def _load(
    kind: type[_Config],
    path: Path | None,
    overrides: Sequence[str],
    values: Mapping[str, Any] | None,
) -> _Config:
    source = f"config {path}" if path is not None else "settings"
    data: dict[str, Any] = {}
    if path is not None:
        data = _read_file(path)
        _resolve_paths(data, path.expanduser().resolve().parent)
    cli: dict[str, Any] = {}
    for text in overrides:
        keys, value = parse_override(text)
        _set(cli, keys, value, source)
    for key, value in (values or {}).items():
        if value is not None:
            cli[key] = value
    _resolve_paths(cli, Path.cwd())
    for key, value in cli.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    try:
        return TypeAdapter(kind).validate_python(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc, kind)}") from None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no such config file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".toml":
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config {path} is not valid TOML: {exc}") from None
    elif suffix in (".yaml", ".yml"):
        import yaml  # lazily: a [train] dependency, and the CLI must import without it

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"config {path} is not valid YAML: {_one_line(str(exc))}") from None
        data = {} if data is None else data
        if not isinstance(data, dict):
            raise ConfigError(f"config {path}: expected a mapping of keys to values at the top")
    else:
        raise ConfigError(f"config {path}: unknown format {suffix or '(none)'}; use .toml or .yaml")
    return dict(data)


def _resolve_paths(data: dict[str, Any], folder: Path) -> None:
    """Make relative paths absolute against ``folder``; ``base`` too, unless ``default``."""
    for key in (*_PATH_KEYS, "base"):
        value = data.get(key)
        if not isinstance(value, str | Path) or (key == "base" and value == "default"):
            continue
        candidate = Path(value).expanduser()
        data[key] = str(candidate if candidate.is_absolute() else folder / candidate)


def _set(target: dict[str, Any], keys: tuple[str, ...], value: Any, source: str) -> None:
    node = target
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{source}: {'.'.join(keys)}: {key} is not a table")
        node = child
    node[keys[-1]] = value


def _describe(exc: ValidationError, kind: type[Any]) -> str:
    """One line naming each bad key: ``lora.r: Input should be greater than 0``."""
    problems: dict[str, str] = {}
    for error in exc.errors():
        key, known = _key_path(error["loc"], kind)
        if error["type"] in ("unexpected_keyword_argument", "extra_forbidden"):
            name = str(error["loc"][-1])
            table = name.split(".", 1)[0]
            close = difflib.get_close_matches(name, known, n=1)
            if "." in name and table in known:
                hint = f" (write it inside the {table} table)"
            else:
                hint = f" (did you mean {close[0]}?)" if close else ""
            problems.setdefault(key, f"unknown key{hint}")
        elif error["type"] == "missing":
            flag = f" or pass --{key}" if key in ("data", "out") else ""
            problems.setdefault(key, f"missing: set it in the config{flag}")
        else:
            problems.setdefault(key, f"{error['msg']} (got {error.get('input')!r})")
    return "; ".join(f"{key}: {message}" for key, message in problems.items())


def _key_path(loc: tuple[int | str, ...], kind: type[Any]) -> tuple[str, list[str]]:
    """The config key of a pydantic error location, without union-member names, and the keys
    known at that level (for did-you-mean)."""
    parts: list[str] = []
    current: Any = kind
    known: list[str] = []
    for element in loc:
        if not (isinstance(current, type) and dataclasses.is_dataclass(current)):
            break
        known = [f.name for f in dataclasses.fields(current)]
        parts.append(str(element))
        if element not in known:
            break
        current = _dataclass_in(get_type_hints(current, include_extras=False)[str(element)])
    return ".".join(parts), known


def _dataclass_in(hint: Any) -> Any:
    if get_origin(hint) in (Union, type(int | None)):
        for arg in get_args(hint):
            if dataclasses.is_dataclass(arg):
                return arg
    return hint


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _one_line(text: str) -> str:
    return " ".join(text.split())
