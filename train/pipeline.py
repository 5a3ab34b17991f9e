"""``codesteer train pipeline``: synthesize (optional) -> SFT -> DPO (optional) -> merge ->
GGUF -> quantize -> fidelity check -> Ollama Modelfile, in one folder, offline.

Each stage records in ``pipeline.json`` a fingerprint of its settings and of the stages it
builds on, and what it wrote. A stage whose fingerprint matches and whose outputs are still
there and valid is skipped; one that changed runs again, and so does everything after it. An
interrupted stage picks up where it stopped where the stage itself can (synthesis and
training resume; the rest are atomic and short). The result is usable as
``--steerer llamacpp:OUT/steerer-Q8_0.gguf``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config

from codesteer._files import atomic_write
from codesteer.errors import ConfigError, UserError

__all__ = [
    "ExportSettings",
    "PipelineConfig",
    "PipelineEvent",
    "StageDone",
    "StageSkipped",
    "StageStarted",
    "load_pipeline_config",
    "run_pipeline",
]

STATE_FILE = "pipeline.json"
STAGES = ("synthesize", "sft", "dpo", "merge", "gguf", "quantize", "check", "modelfile")


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True, kw_only=True)
class ExportSettings:
    #: The GGUF written from the merged model (quantized files are made from it).
    outtype: Literal["f32", "f16", "bf16", "q8_0"] = "f16"
    quantize: tuple[str, ...] = ("Q8_0",)
    #: Compare every GGUF with the merged model (tokenizer, template, logits, stopping).
    check: bool = True
    #: ``ollama create`` this name when an Ollama server answers (else the command is printed).
    ollama_name: str | None = None
    num_ctx: Annotated[int, Field(ge=512)] = 8192


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True, kw_only=True)
class PipelineConfig:
    """The pipeline's TOML/YAML: ``out`` and ``base`` at the top, then one table per stage.
    ``[sft]`` and ``[dpo]`` take the keys of ``codesteer train sft|dpo`` configs (their
    ``data`` defaults to the synthesis' output; ``out`` and ``base`` come from here);
    ``[synthesize]`` those of ``codesteer train synthesize``; no ``[dpo]`` table, no DPO."""

    out: Path
    base: str = "default"
    synthesize: dict[str, Any] | None = None
    sft: dict[str, Any] = field(default_factory=dict)
    dpo: dict[str, Any] | None = None
    export: ExportSettings = field(default_factory=ExportSettings)


@dataclass(frozen=True)
class StageStarted:
    stage: str
    detail: str = ""


@dataclass(frozen=True)
class StageSkipped:
    stage: str
    reason: str


@dataclass(frozen=True)
class StageDone:
    stage: str
    outputs: tuple[str, ...]
    seconds: float
    detail: str = ""


PipelineEvent = StageStarted | StageSkipped | StageDone
#: Receives pipeline events, and the training and synthesis events of the stage running.
EventHandler = Callable[[Any], None]


def load_pipeline_config(path: Path, overrides: tuple[str, ...] = ()) -> PipelineConfig:
    """Read and validate the pipeline config; ``overrides`` are ``section.key=value``."""
    from codesteer.train.config import _read_file, _resolve_paths, _set, parse_override

    data = _read_file(path)
    folder = path.expanduser().resolve().parent
    if "out" in data:
        data["out"] = str((folder / str(data["out"])).resolve())
    for section in ("sft", "dpo"):
        if isinstance(data.get(section), dict):
            _resolve_paths(data[section], folder)
    for text in overrides:
        keys, value = parse_override(text)
        _set(data, keys, value, f"config {path}")
    try:
        return TypeAdapter(PipelineConfig).validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ConfigError(f"config {path}: {where}: {first['msg']}") from None


def _fingerprint(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _State:
    """``pipeline.json``: per stage, its fingerprint and outputs once it finished."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / STATE_FILE
        self.stages: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            try:
                self.stages = json.loads(self.path.read_text(encoding="utf-8"))["stages"]
            except (ValueError, KeyError, TypeError):
                raise UserError(f"{self.path} is corrupt; move it away to start over") from None

    def done(self, stage: str, fingerprint: str, valid: Callable[[], bool]) -> bool:
        record = self.stages.get(stage)
        return bool(record and record.get("fingerprint") == fingerprint and valid())

    def record(self, stage: str, fingerprint: str, outputs: list[str], seconds: float) -> None:
        self.stages[stage] = {
            "fingerprint": fingerprint,
            "outputs": outputs,
            "seconds": round(seconds, 2),
            "finished_at": _now(),
        }
        with atomic_write(self.path) as handle:
            json.dump({"stages": self.stages}, handle, indent=2)
            handle.write("\n")


def _is_adapter(folder: Path) -> bool:
    return (folder / "adapter_config.json").is_file()


def _is_model(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any(folder.glob("*.safetensors"))


def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"GGUF"
    except OSError:
        return False


@dataclass
class _Run:
    config: PipelineConfig
    emit: EventHandler
    state: _State
    upstream: str = ""
    results: dict[str, Any] = field(default_factory=dict)

    def stage(
        self,
        name: str,
        settings: Any,
        outputs: list[Path],
        valid: Callable[[], bool],
        work: Callable[[], str],
    ) -> None:
        """Run ``work`` unless an identical earlier run of the stage is still valid."""
        fingerprint = _fingerprint(name, settings, self.upstream)
        self.upstream = fingerprint
        if self.state.done(name, fingerprint, valid):
            self.emit(StageSkipped(name, "already done with these settings"))
            return
        self.emit(StageStarted(name))
        clock = datetime.now(timezone.utc)
        detail = work()
        seconds = (datetime.now(timezone.utc) - clock).total_seconds()
        self.state.record(name, fingerprint, [str(p) for p in outputs], seconds)
        self.emit(StageDone(name, tuple(str(p) for p in outputs), seconds, detail))


def _train_config(kind: str, values: Mapping[str, Any]) -> Any:
    from codesteer.train.config import DPOConfig, SFTConfig

    target = SFTConfig if kind == "sft" else DPOConfig
    try:
        return TypeAdapter(target).validate_python(dict(values))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ConfigError(f"pipeline [{kind}]: {where}: {first['msg']}") from None


def run_pipeline(config: PipelineConfig, on_event: EventHandler | None = None) -> dict[str, Any]:
    """Run every stage that is not already done; return what each produced."""
    emit = on_event or (lambda event: None)
    out = config.out.expanduser()
    out.mkdir(parents=True, exist_ok=True)
    run = _Run(config, emit, _State(out))
    synthesis_dir = out / "synthesis"

    # -- synthesize --------------------------------------------------------------------------
    if config.synthesize is not None:
        _synthesize(run, synthesis_dir)

    # -- SFT, then DPO ------------------------------------------------------------------------
    sft_values = {"data": synthesis_dir / "sft.jsonl", **config.sft}
    sft_values.update(out=out / "sft", base=config.base)
    sft = _train_config("sft", sft_values)
    adapter = out / "sft" / "adapter"
    run.stage("sft", sft.to_dict(), [adapter], lambda: _is_adapter(adapter), lambda: _sft(sft, run))
    if config.dpo is not None:
        dpo_values = {"data": synthesis_dir / "dpo.jsonl", **config.dpo}
        dpo_values.update(out=out / "dpo", base=config.base, sft_adapter=adapter)
        dpo = _train_config("dpo", dpo_values)
        adapter = out / "dpo" / "adapter"
        final = adapter
        run.stage("dpo", dpo.to_dict(), [final], lambda: _is_adapter(final), lambda: _dpo(dpo, run))

    # -- export -------------------------------------------------------------------------------
    from codesteer.convert.gguf_export import convert_to_gguf
    from codesteer.convert.merge import merge_adapter
    from codesteer.convert.quantize import quantize
    from codesteer.train.base import resolve_base

    export = config.export
    merged = out / "merged"

    def merge() -> str:
        merge_adapter(resolve_base(config.base).hf_dir, adapter, merged)
        return f"{adapter} merged into the base"

    run.stage("merge", {"base": config.base}, [merged], lambda: _is_model(merged), merge)
    main_gguf = out / f"steerer-{export.outtype}.gguf"
    run.stage(
        "gguf",
        {"outtype": export.outtype},
        [main_gguf],
        lambda: _is_gguf(main_gguf),
        lambda: str(convert_to_gguf(merged, main_gguf, export.outtype)),
    )
    quantized = [out / f"steerer-{kind}.gguf" for kind in export.quantize]

    def quantize_all() -> str:
        for kind, path in zip(export.quantize, quantized, strict=True):
            quantize(main_gguf, path, kind)
        return ", ".join(path.name for path in quantized)

    run.stage(
        "quantize",
        {"kinds": export.quantize},
        quantized,
        lambda: all(_is_gguf(p) for p in quantized),
        quantize_all,
    )
    files = [main_gguf, *quantized]
    if export.check:
        report_path = out / "fidelity.json"
        run.stage(
            "check", {}, [report_path], report_path.is_file, lambda: _check(files, merged, out)
        )
    shipped = quantized[-1] if quantized else main_gguf
    modelfile = out / "Modelfile"
    run.stage(
        "modelfile",
        {"num_ctx": export.num_ctx, "name": export.ollama_name, "file": shipped.name},
        [modelfile],
        modelfile.is_file,
        lambda: _modelfile(shipped, modelfile, export),
    )
    run.results["steerer"] = f"llamacpp:{shipped}"
    return run.results


def _synthesize(run: _Run, folder: Path) -> None:
    from codesteer.symbench import resolve_names
    from codesteer.train.synthesis_config import SynthesisConfig

    values = dict(run.config.synthesize or {})
    if isinstance(values.get("tasks"), str):
        values["tasks"] = tuple(t.name for t in resolve_names(values["tasks"]))
    try:
        synth = TypeAdapter(SynthesisConfig).validate_python(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ConfigError(f"pipeline [synthesize]: {where}: {first['msg']}") from None
    sft_file = folder / "sft.jsonl"

    def work() -> str:
        from codesteer.train.synthesize import Synthesis

        if (folder / "synthesis.json").is_file():
            synthesis = Synthesis.resume(folder)
        else:
            synthesis = Synthesis.create(folder, synth)
        counts = asyncio.run(synthesis.run(run.emit))
        return json.dumps(counts, default=str)[:200]

    def valid() -> bool:
        # sft.jsonl is rewritten after every session, finished or not: ask the folder.
        from codesteer.train.synthesis_folder import synthesis_status

        return sft_file.is_file() and synthesis_status(folder) == "complete"

    run.stage("synthesize", dataclasses.asdict(synth), [sft_file], valid, work)


def _has_checkpoint(out: Path) -> bool:
    """A training stage interrupted after a checkpoint continues from it."""
    from codesteer.train.outputs import last_checkpoint

    return last_checkpoint(out / "checkpoints") is not None


def _sft(config: Any, run: _Run) -> str:
    from codesteer.train.sft import train_sft

    result = train_sft(config, run.emit, resume=_has_checkpoint(config.out))
    run.results["sft"] = result
    return f"{result.steps} steps, loss {result.final_loss}, {result.examples_dropped} dropped"


def _dpo(config: Any, run: _Run) -> str:
    from codesteer.train.dpo import train_dpo

    result = train_dpo(config, run.emit, resume=_has_checkpoint(config.out))
    run.results["dpo"] = result
    return f"{result.steps} steps, loss {result.final_loss}, {result.examples_dropped} dropped"


def _check(files: list[Path], reference: Path, out: Path) -> str:
    from codesteer.convert.fidelity import check_fidelity

    reports = [check_fidelity(path, reference) for path in files]
    with atomic_write(out / "fidelity.json") as handle:
        json.dump([report.to_dict() for report in reports], handle, indent=2, default=str)
        handle.write("\n")
    failed = [report.gguf.name for report in reports if not report.ok]
    if failed:
        raise UserError(
            f"the fidelity check failed for {', '.join(failed)}: see {out / 'fidelity.json'}"
        )
    return "all checks passed"


def _modelfile(gguf: Path, modelfile: Path, export: ExportSettings) -> str:
    from codesteer.convert.ollama import ollama_command, ollama_create, write_modelfile

    write_modelfile(gguf, modelfile, num_ctx=export.num_ctx)
    if export.ollama_name:
        if ollama_create(export.ollama_name, modelfile):
            return f"ollama model {export.ollama_name} created"
        return f"no Ollama server answered; run: {ollama_command(export.ollama_name, modelfile)}"
    return str(modelfile)
