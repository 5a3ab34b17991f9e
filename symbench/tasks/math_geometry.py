"""MATH Geometry (seen): geometry problems with an exact final answer.

Originals: the geometry part of the MATH training set (``MATH/train/geometry/*.json``, 870
problems with ``problem``, ``level``, ``type``, ``solution``). The target is the content of the
last ``\\boxed{...}`` (or ``\\fbox``) of the solution; we have no solver for these, so our
reference answer is that target.

Generated problems are templated and solved exactly in code: areas of triangles and polygons
given by vertex coordinates (shoelace formula), perimeters and distances (simplest radical
form), right triangles (Pythagoras), circles and sectors (in terms of pi), angles of regular
polygons, similar triangles, boxes, cylinders and cones. ``size`` (levels 1..5, like MATH's
levels, plus 6..7) scales the numbers and the number of vertices or steps.

Scoring (exact, the answer is unique): the answer is accepted when it is mathematically equal
to the target: the same text after normalisation, the same exact number (``\\frac{1}{2}``,
``1/2``, ``0.5``), or equal by math-verify's symbolic comparison (``12\\sqrt{3}`` vs
``\\sqrt{432}``, ``(18,-18)``, degrees with or without ``^\\circ``); see ``_latex_answers``. The
original graded with a GPT-4o extractor and judge, which counted a sample correct unless both
judge outputs were exactly ``False`` (reference section 6 item 4); we replace that with this
deterministic check.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from codesteer.symbench._task import OriginalSource
from codesteer.symbench._types import Split
from codesteer.symbench.tasks._math_tasks import (
    MathKnobs,
    MathTask,
    Template,
    add_sqrt,
    latex_fraction,
    latex_radicals,
)

#: coordinate / length bound per size
BOUND = {1: 5, 2: 8, 3: 12, 4: 20, 5: 40, 6: 200, 7: 1000}
#: polygon vertex count per size
VERTICES = {1: 4, 2: 4, 3: 5, 4: 6, 5: 7, 6: 12, 7: 20}

Point = tuple[int, int]


def _twice_area(points: list[Point]) -> int:
    """Twice the signed area (shoelace)."""
    return sum(
        x1 * y2 - x2 * y1
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
    )


def _show(points: list[Point]) -> str:
    return ", ".join(f"$({x}, {y})$" for x, y in points)


def _triangle(rng: random.Random, bound: int) -> list[Point]:
    while True:
        points = [(rng.randint(-bound, bound), rng.randint(-bound, bound)) for _ in range(3)]
        if _twice_area(points) != 0:
            return points


def _polygon(rng: random.Random, count: int, bound: int) -> list[Point]:
    """A simple polygon: distinct lattice points in order of angle around their centroid
    (no two on one ray from it, no three consecutive collinear)."""
    while True:
        points = sorted(
            {(rng.randint(-bound, bound), rng.randint(-bound, bound)) for _ in range(count)}
        )
        if len(points) < count:
            continue
        cx = Fraction(sum(x for x, _ in points), count)
        cy = Fraction(sum(y for _, y in points), count)
        angles = [math.atan2(float(y - cy), float(x - cx)) for x, y in points]
        on_vertex = cx.denominator == cy.denominator == 1 and (int(cx), int(cy)) in points
        if on_vertex or len({round(a, 9) for a in angles}) < count:
            continue
        ordered = [p for _, p in sorted(zip(angles, points, strict=True))]
        triples = zip(ordered, ordered[1:] + ordered[:1], ordered[2:] + ordered[:2], strict=True)
        if all(_twice_area([a, b, c]) != 0 for a, b, c in triples):
            return ordered


def triangle_area(rng: random.Random, size: int) -> tuple[str, str]:
    points = _triangle(rng, BOUND[size])
    area = Fraction(abs(_twice_area(points)), 2)
    problem = f"A triangle has vertices at {_show(points)}. What is its area in square units?"
    return problem, latex_fraction(area)


def polygon_area(rng: random.Random, size: int) -> tuple[str, str]:
    points = _polygon(rng, VERTICES[size], BOUND[size])
    area = Fraction(abs(_twice_area(points)), 2)
    problem = (
        f"The vertices of a {len(points)}-sided polygon, in order around it, are "
        f"{_show(points)}. What is the area of the polygon in square units?"
    )
    return problem, latex_fraction(area)


def perimeter(rng: random.Random, size: int) -> tuple[str, str]:
    points = (
        _triangle(rng, BOUND[size]) if size <= 2 else _polygon(rng, VERTICES[size] - 1, BOUND[size])
    )
    parts: dict[int, Fraction] = {}
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        add_sqrt(parts, (x1 - x2) ** 2 + (y1 - y2) ** 2)
    shape = "triangle" if len(points) == 3 else f"{len(points)}-sided polygon"
    problem = (
        f"A {shape} has vertices, in order, at {_show(points)}. What is its perimeter? "
        "Express your answer in simplest radical form."
    )
    return problem, latex_radicals(parts)


def right_triangle(rng: random.Random, size: int) -> tuple[str, str]:
    """The third side; from size 4 on, one step more (the perimeter or the area)."""
    bound = BOUND[size] * 2
    a, b = rng.randint(1, bound), rng.randint(1, bound)
    parts: dict[int, Fraction] = {}
    radical = "Express your answer in simplest radical form."
    if rng.random() < 0.5:
        add_sqrt(parts, a * a + b * b)
        setting = f"The legs of a right triangle are {a} and {b} units long."
        if size < 4:
            return f"{setting} How long is the hypotenuse? {radical}", latex_radicals(parts)
        parts[1] = parts.get(1, Fraction(0)) + a + b
        return f"{setting} What is its perimeter? {radical}", latex_radicals(parts)
    leg, hypotenuse = min(a, b), max(a, b) + 1
    add_sqrt(parts, hypotenuse * hypotenuse - leg * leg)
    setting = f"A right triangle has a hypotenuse of {hypotenuse} units and a leg of {leg} units."
    if size < 4:
        return f"{setting} How long is the other leg? {radical}", latex_radicals(parts)
    area = {radicand: coefficient * leg / 2 for radicand, coefficient in parts.items()}
    return f"{setting} What is its area in square units? {radical}", latex_radicals(area)


def circle(rng: random.Random, size: int) -> tuple[str, str]:
    r = rng.randint(1, BOUND[size])
    kind = rng.choice(
        ("area", "circumference", "sector") if size >= 3 else ("area", "circumference")
    )
    if kind == "area":
        given = rng.choice(
            (f"a radius of {r}", f"a diameter of {2 * r}", f"a circumference of ${2 * r}\\pi$")
        )
        problem = (
            f"A circle has {given} units. What is its area? Express your answer in terms of $\\pi$."
        )
        return problem, latex_radicals({1: Fraction(r * r)}, pi=True)
    if kind == "circumference":
        problem = (
            f"A circle has an area of ${r * r}\\pi$ square units. What is its circumference? "
            "Express your answer in terms of $\\pi$."
        )
        return problem, latex_radicals({1: Fraction(2 * r)}, pi=True)
    angle = rng.choice((20, 30, 36, 40, 45, 60, 72, 80, 90, 100, 120, 135, 150, 210, 240, 270))
    area = Fraction(angle, 360) * r * r
    problem = (
        f"A sector of a circle of radius {r} units has a central angle of ${angle}^\\circ$. What "
        "is the area of the sector? Express your answer in terms of $\\pi$."
    )
    return problem, latex_radicals({1: area}, pi=True)


def polygon_angles(rng: random.Random, size: int) -> tuple[str, str]:
    n = rng.randint(5, 6 + 4 * size)
    kind = rng.choice(("interior", "exterior", "sum", "diagonals"))
    regular = f"a regular polygon with {n} sides"
    if kind == "interior":
        problem = f"What is the measure, in degrees, of each interior angle of {regular}?"
        return problem, latex_fraction(Fraction(180 * (n - 2), n))
    if kind == "exterior":
        problem = f"What is the measure, in degrees, of each exterior angle of {regular}?"
        return problem, latex_fraction(Fraction(360, n))
    if kind == "sum":
        problem = (
            f"What is the sum, in degrees, of the interior angles of a convex polygon with {n} "
            "sides?"
        )
        return problem, str(180 * (n - 2))
    problem = f"How many diagonals does a convex polygon with {n} sides have?"
    return problem, str(n * (n - 3) // 2)


def similar_triangles(rng: random.Random, size: int) -> tuple[str, str]:
    bound = BOUND[size] * 2
    while True:
        a, b, c = sorted(rng.randint(2, bound) for _ in range(3))
        if a + b > c:
            break
    scaled = rng.randint(2, bound)
    ratio = Fraction(scaled, a)
    if size >= 3 and rng.random() < 0.5:
        problem = (
            f"Triangle $ABC$ has sides $AB = {a}$, $BC = {b}$ and $CA = {c}$. Triangle $DEF$ is "
            f"similar to it, with $DE = {scaled}$ corresponding to $AB$. What is the perimeter "
            "of triangle $DEF$?"
        )
        return problem, latex_fraction(ratio * (a + b + c))
    problem = (
        f"Triangle $ABC$ has sides $AB = {a}$, $BC = {b}$ and $CA = {c}$. Triangle $DEF$ is "
        f"similar to it, with $DE = {scaled}$ corresponding to $AB$ and $FD$ corresponding to "
        "$CA$. How long is $FD$?"
    )
    return problem, latex_fraction(ratio * c)


def box(rng: random.Random, size: int) -> tuple[str, str]:
    length, width, height = (rng.randint(1, BOUND[size]) for _ in range(3))
    kind = rng.choice(("volume", "surface", "diagonal") if size >= 2 else ("volume", "surface"))
    dims = f"A rectangular box measures {length} by {width} by {height} units."
    if kind == "volume":
        return f"{dims} What is its volume in cubic units?", str(length * width * height)
    if kind == "surface":
        surface = 2 * (length * width + width * height + height * length)
        return f"{dims} What is its total surface area in square units?", str(surface)
    parts: dict[int, Fraction] = {}
    add_sqrt(parts, length**2 + width**2 + height**2)
    problem = (
        f"{dims} How long is a diagonal joining opposite corners? Express your answer in "
        "simplest radical form."
    )
    return problem, latex_radicals(parts)


def solid(rng: random.Random, size: int) -> tuple[str, str]:
    r, h = rng.randint(1, BOUND[size]), rng.randint(1, BOUND[size])
    if rng.random() < 0.5:
        problem = (
            f"A right circular cylinder has radius {r} and height {h}. What is its volume? "
            "Express your answer in terms of $\\pi$."
        )
        return problem, latex_radicals({1: Fraction(r * r * h)}, pi=True)
    problem = (
        f"A right circular cone has base radius {r} and height {h}. What is its volume? "
        "Express your answer in terms of $\\pi$."
    )
    return problem, latex_radicals({1: Fraction(r * r * h, 3)}, pi=True)


TEMPLATES: dict[str, Template] = {
    "triangle_area": triangle_area,
    "polygon_area": polygon_area,
    "perimeter": perimeter,
    "right_triangle": right_triangle,
    "circle": circle,
    "polygon_angles": polygon_angles,
    "similar_triangles": similar_triangles,
    "box": box,
    "solid": solid,
}
ALL = tuple(TEMPLATES)


class MathGeometry(MathTask):
    name = "math_geometry"
    title = "MATH Geometry"
    split = Split.SEEN
    aliases = ("math geometry", "MATH_geometry", "geometry")
    answer_format = "the exact final answer, e.g. <<<12\\sqrt{3}>>> or <<<\\frac{9\\pi}{2}>>>"
    answer_hint = "a number, a fraction, simplest radical form, or in terms of \\pi"
    templates = TEMPLATES
    levels = {size: MathKnobs(size, ALL) for size in range(1, 8)}
    default_levels = (1, 2, 3, 4, 5)
    original_sources = (OriginalSource("MATH/train/geometry/*.json", "json"),)


TASK = MathGeometry()
