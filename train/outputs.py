"""The run folder of a training run, and writing into it so that a crash never leaves a
half-written result.

Layout of ``OUT``::

    checkpoints/checkpoint-N/   trainer checkpoints every save_steps (resume from the last)
    adapter/                    the final LoRA adapter + tokenizer, renamed into place whole
    train_summary.json          settings, result, dropped examples (written atomically)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesteer._files import atomic_write
from codesteer.errors import UserError

__all__ = ["RunFolder", "last_checkpoint", "publish_folder"]

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


@dataclass(frozen=True)
class RunFolder:
    root: Path

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def adapter(self) -> Path:
        return self.root / "adapter"

    @property
    def summary(self) -> Path:
        return self.root / "train_summary.json"

    def prepare(self, *, resume: bool) -> Path | None:
        """Create the folder; return the checkpoint to resume from (``None`` for a new run).

        A new run refuses a folder that already holds one, so an earlier adapter is never
        overwritten by mistake; ``resume`` needs a checkpoint.
        """
        if self.root.exists() and not self.root.is_dir():
            raise UserError(f"--out {self.root} is a file, not a folder")
        checkpoint = last_checkpoint(self.checkpoints)
        if resume:
            if checkpoint is None:
                raise UserError(
                    f"nothing to resume in {self.root}: no checkpoint under {self.checkpoints} "
                    "(run without --resume to start)"
                )
            return checkpoint
        if checkpoint is not None or self.adapter.exists():
            raise UserError(
                f"{self.root} already holds a training run; continue it with --resume, or "
                "choose another --out"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        return None

    def write_summary(self, summary: dict[str, Any]) -> None:
        with atomic_write(self.summary) as handle:
            json.dump(summary, handle, ensure_ascii=False, indent=2)
            handle.write("\n")


def last_checkpoint(folder: Path) -> Path | None:
    """The highest ``checkpoint-N`` in ``folder`` that was written to the end.

    Written here rather than transformers' ``get_last_checkpoint`` because that one takes the
    highest number even when a crash cut the save short; ``trainer_state.json`` is the last
    file the trainer writes into a checkpoint.
    """
    if not folder.is_dir():
        return None
    complete = [
        (int(match.group(1)), entry)
        for entry in folder.iterdir()
        if (match := _CHECKPOINT.match(entry.name)) and (entry / "trainer_state.json").is_file()
    ]
    return max(complete)[1] if complete else None


def publish_folder(write: Callable[[Path], None], target: Path) -> None:
    """Have ``write`` fill a temporary folder beside ``target``, then rename it to ``target``
    (replacing an older one), so ``target`` is always either the old or the new folder whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        write(tmp)
        tmp.chmod(0o755)  # mkdtemp made it private; the result is an ordinary folder
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
