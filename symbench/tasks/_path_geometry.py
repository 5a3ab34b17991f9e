"""Exact geometry and a lattice path solver for Path Plan (private to ``path_plan``).

Everything is exact: coordinates are :class:`~fractions.Fraction` or integers on a common
scale, rectangles are closed ``(x_start, x_end, y_start, y_end)``, and a segment "enters" a
rectangle when it shares at least one point with it (touching the boundary counts).

The solver searches an 8-connected lattice of spacing ``1/20`` (0.05) inside the open arena.
Every box and wall edge of the instances lies on that lattice, which is what makes lattice
moves safe: a unit or diagonal move between two lattice points outside a closed rectangle whose
edges are lattice lines cannot touch it.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "LATTICE",
    "Rect",
    "segment_hits_rect",
    "solve_path",
]

#: Lattice points per unit length: all coordinates of our instances are multiples of 1/20.
LATTICE = 20

Rect = tuple[int, int, int, int]  # x_start, x_end, y_start, y_end on some integer scale
Point = tuple[int, int]


def segment_hits_rect(p: Point, q: Point, rect: Rect) -> bool:
    """Whether the closed segment ``pq`` and the closed rectangle share a point (integers).

    Separating-axis test: the two convex sets are disjoint exactly when the rectangle's x or y
    extent misses the segment's, or all four corners lie strictly on one side of its line.
    """
    x0, x1, y0, y1 = rect
    (px, py), (qx, qy) = p, q
    if max(px, qx) < x0 or min(px, qx) > x1 or max(py, qy) < y0 or min(py, qy) > y1:
        return False
    dx, dy = qx - px, qy - py
    sides = [dx * (cy - py) - dy * (cx - px) for cx in (x0, x1) for cy in (y0, y1)]
    return not (all(s > 0 for s in sides) or all(s < 0 for s in sides))


@dataclass(frozen=True)
class _Lattice:
    """The lattice points strictly inside the arena, with a one-cell border of blocked cells."""

    reach: int  # coordinates run over -reach..reach (lattice units)

    @property
    def width(self) -> int:
        return 2 * self.reach + 3

    def index(self, u: int, v: int) -> int:
        return (u + self.reach + 1) * self.width + (v + self.reach + 1)

    def point(self, index: int) -> Point:
        row, col = divmod(index, self.width)
        return row - self.reach - 1, col - self.reach - 1

    def cells(self, rect: Rect) -> Iterable[int]:
        """The lattice cells inside the closed ``rect`` (lattice units), clipped to the arena."""
        x0, x1, y0, y1 = rect
        for u in range(max(x0, -self.reach), min(x1, self.reach) + 1):
            for v in range(max(y0, -self.reach), min(y1, self.reach) + 1):
                yield self.index(u, v)


def solve_path(
    half_size: int,
    avoid: Sequence[Rect],
    must: Sequence[Rect],
    start: Point,
    end: Point,
) -> list[Point] | None:
    """Waypoints from ``start`` to ``end`` that stay strictly inside the arena
    ``(-half_size, half_size)^2``, never touch an ``avoid`` rectangle and touch every ``must``
    one; ``None`` if the lattice has no such path. Everything is in lattice units.

    Must boxes are visited greedily, nearest first (breadth-first search from the current
    point to the closest cell inside any box still to visit), which succeeds whenever the inside of
    every box is reachable; the lattice path is then straightened with exact segment tests.
    """
    reach = half_size - 1
    grid = _Lattice(reach)
    free = bytearray(grid.width * grid.width)
    for u in range(-reach, reach + 1):
        row = grid.index(u, -reach)
        free[row : row + 2 * reach + 1] = b"\x01" * (2 * reach + 1)
    for rect in avoid:
        for cell in grid.cells(rect):
            free[cell] = 0
    region = [0] * len(free)
    for bit, rect in enumerate(must):
        for cell in grid.cells(_interior(rect)):
            region[cell] |= 1 << bit
    source, target = grid.index(*start), grid.index(*end)
    if not (free[source] and free[target]):
        return None
    legs: list[list[int]] = []
    todo = (1 << len(must)) - 1
    while todo:
        leg = _bfs(grid, free, source, functools.partial(_in_regions, region, todo))
        if leg is None:
            return None
        legs.append(leg)
        source = leg[-1]
        todo &= ~region[source]
    leg = _bfs(grid, free, source, lambda cell: cell == target)
    if leg is None:
        return None
    legs.append(leg)
    waypoints = [start]
    for leg in legs:
        corners = _corners([grid.point(cell) for cell in leg])
        waypoints.extend(_straighten(corners, avoid)[1:])
    return waypoints


def _in_regions(region: list[int], mask: int, cell: int) -> bool:
    return bool(region[cell] & mask)


def _interior(rect: Rect) -> Rect:
    """The lattice cells strictly inside ``rect`` when there are any, else ``rect`` itself:
    reference paths then really go into the boxes they must visit, not just touch them."""
    x0, x1, y0, y1 = rect
    if x1 - x0 >= 2 and y1 - y0 >= 2:
        return x0 + 1, x1 - 1, y0 + 1, y1 - 1
    return rect


_STEPS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1))


def _bfs(
    grid: _Lattice, free: bytearray, source: int, is_goal: Callable[[int], bool]
) -> list[int] | None:
    """A shortest 8-connected path from ``source`` to the nearest cell where ``is_goal``."""
    offsets = [du * grid.width + dv for du, dv in _STEPS]
    parent = {source: source}
    queue = deque([source])
    while queue:
        cell = queue.popleft()
        if is_goal(cell):
            return _unwind(parent, cell)
        for offset in offsets:
            nxt = cell + offset
            if free[nxt] and nxt not in parent:
                parent[nxt] = cell
                queue.append(nxt)
    return None


def _unwind(parent: dict[int, int], cell: int) -> list[int]:
    path = [cell]
    while parent[cell] != cell:
        cell = parent[cell]
        path.append(cell)
    return path[::-1]


def _corners(points: list[Point]) -> list[Point]:
    """Keep the end points and the points where the direction changes."""
    kept = points[:1]
    for before, point, after in zip(points, points[1:], points[2:], strict=False):
        if (point[0] - before[0], point[1] - before[1]) != (
            after[0] - point[0],
            after[1] - point[1],
        ):
            kept.append(point)
    if len(points) > 1:
        kept.append(points[-1])
    return kept


def _straighten(points: list[Point], avoid: Sequence[Rect]) -> list[Point]:
    """Drop waypoints where a straight segment to a later one stays clear of ``avoid``.

    The arena is convex, so a segment between two inside points stays inside.
    """
    kept = [points[0]]
    i = 0
    while i < len(points) - 1:
        j = len(points) - 1
        while j > i + 1 and any(segment_hits_rect(points[i], points[j], r) for r in avoid):
            j -= 1
        kept.append(points[j])
        i = j
    return kept
