"""The "auto" settings for CPU and GPU, and the run folder: refusing to overwrite a run, finding
the checkpoint to resume, and publishing the adapter whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from codesteer.errors import ConfigError, UserError
from codesteer.train.config import SFTConfig
from codesteer.train.outputs import RunFolder, last_checkpoint, publish_folder
from codesteer.train.runtime import Hardware, resolve_runtime

CPU = Hardware(cuda=False, device_name="cpu", bf16_supported=False, liger_installed=True)
GPU = Hardware(cuda=True, device_name="NVIDIA H100", bf16_supported=True, liger_installed=False)
OLD_GPU = Hardware(cuda=True, device_name="Tesla T4", bf16_supported=False, liger_installed=True)


def config(**values: object) -> SFTConfig:
    return SFTConfig(data=Path("d.jsonl"), out=Path("o"), **values)  # type: ignore[arg-type]


def test_auto_on_a_cpu_is_fp32_without_checkpointing_or_liger() -> None:
    runtime = resolve_runtime(config(), CPU)
    assert runtime.use_cpu is True
    assert (runtime.bf16, runtime.gradient_checkpointing, runtime.use_liger) == (False,) * 3


def test_auto_on_a_gpu_is_bf16_with_checkpointing_and_liger_when_installed() -> None:
    runtime = resolve_runtime(config(), GPU)
    assert runtime.use_cpu is False and runtime.device_name == "NVIDIA H100"
    assert runtime.bf16 is True and runtime.gradient_checkpointing is True
    assert runtime.use_liger is False  # not installed
    older = resolve_runtime(config(), OLD_GPU)
    assert older.bf16 is False and older.use_liger is True


def test_explicit_settings_win_where_the_machine_allows_them() -> None:
    runtime = resolve_runtime(config(gradient_checkpointing=True, use_liger=False), CPU)
    assert runtime.gradient_checkpointing is True
    assert (
        resolve_runtime(config(gradient_checkpointing=False), GPU).gradient_checkpointing is False
    )
    assert resolve_runtime(config(bf16=False), GPU).bf16 is False


@pytest.mark.parametrize(
    ("values", "hardware", "words"),
    [
        ({"bf16": True}, CPU, "bf16 = true"),
        ({"bf16": True}, OLD_GPU, "this GPU"),
        ({"use_liger": True}, CPU, "NVIDIA GPU"),
        ({"use_liger": True}, GPU, "pip install liger-kernel"),
    ],
)
def test_what_the_machine_cannot_do_is_a_config_error(
    values: dict[str, object], hardware: Hardware, words: str
) -> None:
    with pytest.raises(ConfigError, match=words):
        resolve_runtime(config(**values), hardware)


def _checkpoint(folder: Path, step: int, *, complete: bool = True) -> Path:
    path = folder / f"checkpoint-{step}"
    path.mkdir(parents=True)
    if complete:
        (path / "trainer_state.json").write_text("{}")
    return path


def test_last_checkpoint_is_the_highest_complete_one(tmp_path: Path) -> None:
    assert last_checkpoint(tmp_path / "none") is None
    _checkpoint(tmp_path, 2)
    ten = _checkpoint(tmp_path, 10)
    _checkpoint(tmp_path, 12, complete=False)  # a save cut short by a crash
    (tmp_path / "checkpoint-x").mkdir()
    assert last_checkpoint(tmp_path) == ten


def test_a_new_run_refuses_a_folder_that_holds_one(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path / "run")
    assert folder.prepare(resume=False) is None and folder.root.is_dir()
    _checkpoint(folder.checkpoints, 4)
    with pytest.raises(UserError, match="--resume"):
        folder.prepare(resume=False)
    assert folder.prepare(resume=True) == folder.checkpoints / "checkpoint-4"


def test_resume_needs_a_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="nothing to resume"):
        RunFolder(tmp_path / "run").prepare(resume=True)
    adapter_only = RunFolder(tmp_path / "done")
    adapter_only.adapter.mkdir(parents=True)
    with pytest.raises(UserError, match="already holds a training run"):
        adapter_only.prepare(resume=False)


def test_publish_replaces_the_folder_whole_or_leaves_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "adapter"

    def write(version: str) -> None:
        def fill(folder: Path) -> None:
            (folder / "weights").write_text(version)

        publish_folder(fill, target)

    write("one")
    write("two")
    assert (target / "weights").read_text() == "two"

    def crash(folder: Path) -> None:
        (folder / "weights").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        publish_folder(crash, target)
    assert (target / "weights").read_text() == "two"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["adapter"]  # no temp left


def test_trl_accepts_the_arguments_and_keeps_the_cpu_settings(tmp_path: Path) -> None:
    # Removed or renamed trainer arguments (max_seq_length, no_cuda, ...) raise TypeError here.
    from trl import DPOConfig as TrlDPOConfig
    from trl import SFTConfig as TrlSFTConfig

    from codesteer.train.base import trainer_arguments

    runtime = resolve_runtime(config(), CPU)
    folder = RunFolder(tmp_path / "run")
    for settings, extra in ((config(max_steps=3), {}), (config(warmup=5), {"beta": 0.2})):
        kind = TrlDPOConfig if extra else TrlSFTConfig
        arguments = kind(**trainer_arguments(settings, runtime, folder), **extra)
        assert arguments.use_cpu is True and arguments.bf16 is False
        assert arguments.gradient_checkpointing is False  # trl's default would be True
        assert arguments.max_length == 8192  # trl's default of 1024 would cut trajectories
        assert arguments.output_dir == str(folder.checkpoints)
        assert arguments.report_to in ("none", [], ["none"]) and arguments.disable_tqdm
    sft = TrlSFTConfig(**trainer_arguments(config(max_steps=3), runtime, folder))
    assert sft.max_steps == 3 and sft.warmup_steps == 0.1
    assert TrlSFTConfig(**trainer_arguments(config(warmup=5), runtime, folder)).warmup_steps == 5
