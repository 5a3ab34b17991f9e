"""The code sandbox: generated code runs only here.

    from codesteer.local.sandbox import Sandbox

    with Sandbox() as sandbox:                    # the best isolation this machine has
        result = sandbox.run("print(6 * 7)")      # result.status == "ok", result.stdout == "42\\n"

See ``_sandbox`` for the design, ``_guarantees`` for what each level promises, and
``codesteer sandbox doctor`` for what this machine provides.
"""

from codesteer.local.sandbox._guarantees import ATTACKS, GUARANTEES
from codesteer.local.sandbox._probe import LevelReport, Probe, probe
from codesteer.local.sandbox._sandbox import Sandbox
from codesteer.local.sandbox._types import IsolationLevel, Limits, SandboxResult, SandboxStatus

__all__ = [
    "ATTACKS",
    "GUARANTEES",
    "IsolationLevel",
    "LevelReport",
    "Limits",
    "Probe",
    "Sandbox",
    "SandboxResult",
    "SandboxStatus",
    "probe",
]
