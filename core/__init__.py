"""codesteer: local-first CodeSteer (Chen et al., ICML 2025) with SymBench.

Subpackages:

- ``codesteer.symbench``: the 37 SymBench tasks (generators, verifiers, originals).
- ``codesteer.local``: the steering runtime and model backends.
- ``codesteer.train``: trajectory synthesis, SFT and DPO.
- ``codesteer.convert``: adapter merge, GGUF conversion, quantisation, Ollama packaging.
- ``codesteer.tui``: the Textual front end.
"""

from importlib.metadata import PackageNotFoundError, version

from codesteer.errors import CodesteerError, UserError

try:
    __version__ = version("codesteer")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

__all__ = ["CodesteerError", "UserError", "__version__"]
