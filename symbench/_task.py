"""The :class:`Task` base class every SymBench task implements. Pure: no I/O.

A task is a generator (deterministic from ``(seed, index)`` and a complexity level), a solver
(the reference answer), a verifier (``score``), and a reader for the original release's
instances (``parse_original``, fed by :mod:`codesteer.symbench.original`).
"""

from __future__ import annotations

import abc
import dataclasses
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, ClassVar, Generic, Literal, TypeVar

from codesteer.errors import UserError
from codesteer.symbench._parse import extract_answer
from codesteer.symbench._types import Item, Score, Split

__all__ = [
    "Knobs",
    "OriginalSource",
    "RawInstance",
    "SourceRole",
    "Task",
    "UnusableInstance",
    "item_rng",
]

SourceRole = Literal["test", "complexity", "sft", "extra"]


class UnusableInstance(Exception):
    """Raised by ``parse_original`` for an original instance that cannot be posed at all (e.g.
    a puzzle with no valid answer); the import reports it with the reason and goes on."""


@dataclass(frozen=True)
class Knobs:
    """Base of every task's knob dataclass; override :meth:`validate` to check the values."""

    def validate(self) -> None:
        """Raise ``ValueError`` with a readable message if the knobs make no sense."""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


K = TypeVar("K", bound=Knobs)


@dataclass(frozen=True)
class OriginalSource:
    """Where a task's instances live in the original ``dataset_gather/`` layout.

    ``pattern`` is a glob relative to ``dataset_gather/``; ``kind`` says how one match is split
    into instances: ``dir`` (one folder = one instance, its files read as text), ``csv`` (one
    row each), ``jsonl`` (one line each), ``examples`` (a JSON file whose ``examples`` list holds
    the instances), ``json`` (one file = one instance, parsed).

    ``role`` says what the original used the instances for: ``test`` (the paper's table),
    ``complexity`` (its varied-complexity figure), ``sft`` (training data only) or ``extra``.
    """

    pattern: str
    kind: str
    role: SourceRole = "test"

    def matches(self, path: str) -> bool:
        """Whether an instance path (``folder/sample_3``, ``file.csv#row=2``) came from this
        source: the glob matched component by component, as :meth:`Path.glob` did."""
        parts = path.split("#", 1)[0].split("/")
        pattern = self.pattern.split("/")
        return len(parts) == len(pattern) and all(map(fnmatchcase, parts, pattern))


@dataclass(frozen=True)
class RawInstance:
    """One original instance as read from disk, before the task interprets it.

    ``path`` is relative to ``dataset_gather/`` (``folder/sample_3``, ``file.csv#row=12``);
    ``data`` is ``{file name: text}`` for ``dir`` sources and the parsed record otherwise.
    """

    path: str
    data: Mapping[str, Any]


def item_rng(task: str, seed: int, index: int) -> random.Random:
    """The random stream of one item: the same ``(task, seed, index)`` always gives the same item,
    on every platform and Python version (string seeds are hashed with SHA-512)."""
    return random.Random(f"codesteer/{task}/{seed}/{index}")


class Task(abc.ABC, Generic[K]):
    """One SymBench task. Subclasses set the class variables and implement the three hooks."""

    #: Canonical name used on the command line and in item files (``game24``).
    name: ClassVar[str]
    #: The name in the paper's table (``Game 24``).
    title: ClassVar[str]
    split: ClassVar[Split]
    #: Other accepted names: the original code's task name, short forms.
    aliases: ClassVar[tuple[str, ...]] = ()
    #: One sentence a person can follow: what goes inside ``<<<...>>>``.
    answer_format: ClassVar[str]
    #: Complexity level -> knobs. Levels are 1, 2, ...; the original's ranges come first.
    levels: Mapping[int, K]
    #: The levels drawn (uniformly per item, so repeat a level to weight it) when no complexity
    #: is asked for: the original test set's mix.
    default_levels: ClassVar[tuple[int, ...]]
    #: Where the original instances of this task live.
    original_sources: ClassVar[tuple[OriginalSource, ...]] = ()
    #: The levels of the paper's varied-complexity figure, for the scaling tasks.
    sweep_levels: ClassVar[tuple[int, ...]] = ()

    # -- generation ---------------------------------------------------------------------------

    def knobs(self, complexity: int, **overrides: Any) -> K:
        """The knobs of ``complexity``, with ``overrides`` applied and validated."""
        if complexity not in self.levels:
            levels = ", ".join(str(level) for level in self.levels)
            raise UserError(f"{self.name}: complexity must be one of {levels}, not {complexity}")
        base = self.levels[complexity]
        try:
            knobs = dataclasses.replace(base, **overrides) if overrides else base
            knobs.validate()
        except (TypeError, ValueError) as exc:
            raise UserError(f"{self.name}: bad knobs {overrides}: {exc}") from exc
        return knobs

    def generate(
        self, seed: int, index: int, complexity: int | None = None, **overrides: Any
    ) -> Item:
        """The item at ``index`` of the stream ``seed`` (deterministic)."""
        rng = item_rng(self.name, seed, index)
        level = complexity if complexity is not None else rng.choice(self.default_levels)
        knobs = self.knobs(level, **overrides)
        item = self._generate(rng, knobs)
        suffix = "".join(f",{k}={v}" for k, v in sorted(overrides.items()))
        return dataclasses.replace(
            item,
            task=self.name,
            id=f"{self.name}-s{seed}-c{level}-{index}",
            complexity=level,
            source=f"generated:seed={seed},index={index},complexity={level}{suffix}",
        )

    def generate_many(
        self, n: int, seed: int, complexity: int | None = None, start: int = 0, **overrides: Any
    ) -> Iterator[Item]:
        for index in range(start, start + n):
            yield self.generate(seed, index, complexity, **overrides)

    @abc.abstractmethod
    def _generate(self, rng: random.Random, knobs: K) -> Item:
        """Draw one item from ``rng``. ``task``, ``id``, ``complexity`` and ``source`` are
        filled in by :meth:`generate`; set them to anything (e.g. ``""``/``None``)."""

    # -- verification -------------------------------------------------------------------------

    def score(self, text: str, item: Item) -> Score:
        """Score a model's answer text (the last ``<<<...>>>`` counts). Never raises."""
        try:
            answer, wrapped = extract_answer(text)
            if not answer:
                return Score(0.0, None, "empty answer")
            result = self.check(answer, item)
        except Exception as exc:  # a verifier must never crash a benchmark run
            return Score(0.0, None, f"verifier error ({type(exc).__name__}): {exc}"[:300])
        value = min(1.0, max(0.0, float(result.value)))
        if value != value:  # NaN
            value = 0.0
        if not wrapped and value < 1.0:
            return Score(value, result.answer, f"{result.reason} (no <<<...>>> in the answer)")
        return Score(value, result.answer, result.reason)

    @abc.abstractmethod
    def check(self, answer: str, item: Item) -> Score:
        """Score the extracted answer (the text inside ``<<<...>>>``) against ``item``."""

    # -- original instances -------------------------------------------------------------------

    def parse_original(self, raw: RawInstance) -> Item | None:
        """Turn one original instance into an :class:`Item` (``None`` to skip a non-instance).

        ``answer`` must be our solver's answer; ``original_answer`` the stored one in our
        format; ``known_defect`` set when the stored answer is known to be wrong.
        """
        raise NotImplementedError(f"{self.name} has no original instances")

    def original_role(self, item: Item) -> SourceRole | None:
        """What the original used ``item`` for (``None`` for an item it never had). A task whose
        instances were kept in code (Path Plan) has no sources, and those were its test set."""
        if not item.source.startswith("original:"):
            return None
        path = item.source.removeprefix("original:")
        for source in self.original_sources:
            if source.matches(path):
                return source.role
        return None if self.original_sources else "test"

    def as_original(
        self,
        raw: RawInstance,
        item: Item,
        *,
        original_answer: str | None,
        complexity: int | None = None,
        known_defect: str | None = None,
        original_question: str | None = None,
    ) -> Item:
        """``item`` (built from the instance's data by the task's own code, so with our question
        and our solver's answer) labelled as the original instance ``raw``: id, source, the
        stored answer, and the original question text in ``meta["original_question"]``
        (``question.txt`` of a folder instance unless given)."""
        if original_question is None:
            text = raw.data.get("question.txt")
            original_question = text if isinstance(text, str) else None
        meta = dict(item.meta)
        if original_question is not None:
            meta["original_question"] = original_question
        return dataclasses.replace(
            item,
            task=self.name,
            id=f"original/{raw.path}",
            source=f"original:{raw.path}",
            meta=meta,
            complexity=complexity,
            original_answer=original_answer,
            known_defect=known_defect,
        )

    def builtin_originals(self) -> list[Item]:
        """Original instances that the release kept in code rather than in ``dataset_gather/``
        (Path Plan's 14 environments x 10 instructions); imported with the folder ones."""
        return []

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description: name, title, split, answer format, levels and knobs."""
        return {
            "name": self.name,
            "title": self.title,
            "split": self.split.value,
            "aliases": list(self.aliases),
            "answer_format": self.answer_format,
            "default_levels": sorted(set(self.default_levels)),
            "levels": {str(level): knobs.as_dict() for level, knobs in self.levels.items()},
        }
