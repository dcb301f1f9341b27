"""Turning pointer gestures into markup geometry, and finding the markup under a tap.

The markup tools work in page points; these helpers are the arithmetic they share,
kept free of Qt so it is tested on its own: a freehand stroke sampled at screen
rate is thinned (Ramer-Douglas-Peucker) so a row stays small, a drag's two corners
become a rectangle whatever way it went, and a tap picks the markup whose drawn
shape lies nearest, within a finger's reach.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from arxos_desktop.pdf.annotation_model import UNITS, Point, Rect
from arxos_desktop.pdf.errors import InvalidAnnotationError

#: How far (points) a thinned stroke may stray from the finger's path.
INK_TOLERANCE_PT: Final = 0.75
#: Shortest drag (points) that makes a shape rather than a slip of the finger.
MIN_DRAG_PT: Final = 2.0

_LENGTH: Final = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*([a-zA-Z]+)\s*$")


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    span = dx * dx + dy * dy
    if span == 0:
        return math.dist(p, a)
    t = max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / span))
    return math.dist(p, (ax + t * dx, ay + t * dy))


def simplify(points: Sequence[Point], tolerance: float = INK_TOLERANCE_PT) -> list[Point]:
    """The fewest of *points* whose polyline stays within *tolerance* of all of them."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    spans = [(0, len(points) - 1)]
    while spans:
        first, last = spans.pop()
        far, index = 0.0, -1
        for i in range(first + 1, last):
            d = _segment_distance(points[i], points[first], points[last])
            if d > far:
                far, index = d, i
        if index >= 0 and far > tolerance:
            keep[index] = True
            spans += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def clamp(point: Point, page: tuple[float, float]) -> Point:
    """*point* moved onto the page (a stroke may run off the sheet's edge)."""
    return (min(max(point[0], 0.0), page[0]), min(max(point[1], 0.0), page[1]))


def rect_between(a: Point, b: Point) -> Rect:
    """The rectangle with corners *a* and *b*, whichever way the drag went."""
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))


def is_drag(a: Point, b: Point) -> bool:
    return math.dist(a, b) >= MIN_DRAG_PT


def distance_to(geometry: Mapping[str, Any], point: Point) -> float:
    """How far (points) *point* is from the drawn shape; 0 inside a rectangle."""
    best = math.inf
    if "rect" in geometry:
        x0, y0, x1, y1 = geometry["rect"]
        dx = max(x0 - point[0], 0.0, point[0] - x1)
        dy = max(y0 - point[1], 0.0, point[1] - y1)
        best = math.hypot(dx, dy)
    if "point" in geometry:
        best = min(best, math.dist(point, tuple(geometry["point"])))
    lines = [geometry.get("points", []), geometry.get("callout", [])]
    lines += list(geometry.get("strokes", []))
    for line in lines:
        if len(line) == 1:
            best = min(best, math.dist(point, tuple(line[0])))
        for a, b in itertools.pairwise(line):
            best = min(best, _segment_distance(point, tuple(a), tuple(b)))
    return best


def nearest(geometries: Sequence[Mapping[str, Any]], point: Point, reach: float) -> int | None:
    """The index of the shape nearest *point* within *reach* points (the newest on a tie)."""
    found, best = None, reach
    for index, geometry in enumerate(geometries):
        d = distance_to(geometry, point)
        if d <= best:
            found, best = index, d
    return found


def parse_length(text: str) -> tuple[float, str]:
    """A calibration's typed real length, ``"5 m"`` → ``(5.0, "m")``, or an
    :class:`InvalidAnnotationError` in plain words (never quoting what was typed)."""
    match = _LENGTH.match(text)
    units = ", ".join(UNITS)
    if match is None:
        raise InvalidAnnotationError(
            f"Type the real length as a number and a unit ({units}), e.g. 5 m."
        )
    value, unit = float(match.group(1).replace(",", ".")), match.group(2).lower()
    if unit not in UNITS:
        raise InvalidAnnotationError(f"The unit must be one of {units}.")
    if not (math.isfinite(value) and 0 < value <= 1e6):
        raise InvalidAnnotationError("The real length must be a positive number.")
    return value, unit
