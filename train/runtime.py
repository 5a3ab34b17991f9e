"""The ``"auto"`` settings decided for the machine at hand. Pure: the hardware facts come in.

On a CPU: 32-bit (``bf16`` needs a GPU here: CPU autocast is slower than fp32 on the small
models one trains there), no gradient checkpointing (it recomputes activations to save memory,
and measured ~8x slower on a 135M model) and no liger-kernel (Triton kernels, GPU only). On a
GPU: bf16 where the device has it, gradient checkpointing (activations dominate memory at
8k-token trajectories), and liger-kernel's fused kernels when the package is installed.
"""

from __future__ import annotations

from dataclasses import dataclass

from codesteer.errors import ConfigError
from codesteer.train.config import TrainSettings

__all__ = ["Hardware", "Runtime", "resolve_runtime"]


@dataclass(frozen=True)
class Hardware:
    cuda: bool
    #: ``"cpu"`` or the GPU's name.
    device_name: str
    bf16_supported: bool
    liger_installed: bool


@dataclass(frozen=True)
class Runtime:
    use_cpu: bool
    bf16: bool
    gradient_checkpointing: bool
    use_liger: bool
    device_name: str


def resolve_runtime(settings: TrainSettings, hardware: Hardware) -> Runtime:
    """Decide each ``auto``; an explicit setting the machine cannot honour is a ConfigError."""
    if settings.bf16 is True and not (hardware.cuda and hardware.bf16_supported):
        where = "this GPU" if hardware.cuda else "a CPU"
        raise ConfigError(f"bf16 = true, but {where} cannot train in bf16; set bf16 = 'auto'")
    if settings.use_liger is True:
        if not hardware.cuda:
            raise ConfigError("use_liger = true needs an NVIDIA GPU; set use_liger = 'auto'")
        if not hardware.liger_installed:
            raise ConfigError(
                "use_liger = true, but liger-kernel is not installed (pip install liger-kernel)"
            )
    bf16 = hardware.cuda and hardware.bf16_supported if settings.bf16 == "auto" else settings.bf16
    checkpointing = (
        hardware.cuda
        if settings.gradient_checkpointing == "auto"
        else settings.gradient_checkpointing
    )
    liger = (
        hardware.cuda and hardware.liger_installed
        if settings.use_liger == "auto"
        else settings.use_liger
    )
    return Runtime(
        use_cpu=not hardware.cuda,
        bf16=bool(bf16),
        gradient_checkpointing=bool(checkpointing),
        use_liger=bool(liger),
        device_name=hardware.device_name,
    )
