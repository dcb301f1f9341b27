"""A foreign annotation's numbers made safe to store: on the page, finite, bounded.

PDF files from other tools carry coordinates past the page edge, NaNs, ink with
tens of thousands of points and colours in grey or CMYK; a markup row takes
none of those. Everything is clamped onto the page, thinned and converted here,
so what :mod:`import_annotations` hands on always passes the markup rules.
"""

from __future__ import annotations

import math
from typing import Any

import pymupdf

from arxos_desktop.pdf.annotation_model import MAX_POINTS, MAX_QUADS, MAX_WIDTH_PT

#: A page's width and height in points.
Box = tuple[float, float]


def clamp(value: float, high: float) -> float:
    """*value* within 0..*high* (a NaN or infinity becomes 0), rounded to 0.01."""
    if not math.isfinite(value):
        return 0.0
    return round(min(max(value, 0.0), high), 2)


def page_point(point: Any, box: Box) -> list[float]:
    return [clamp(float(point[0]), box[0]), clamp(float(point[1]), box[1])]


def page_rect(rect: Any, box: Box) -> list[float]:
    x0, y0 = page_point((min(rect[0], rect[2]), min(rect[1], rect[3])), box)
    x1, y1 = page_point((max(rect[0], rect[2]), max(rect[1], rect[3])), box)
    if x1 <= x0:
        x0, x1 = (x0, x0 + 1) if x0 + 1 <= box[0] else (x1 - 1, x1)
    if y1 <= y0:
        y0, y1 = (y0, y0 + 1) if y0 + 1 <= box[1] else (y1 - 1, y1)
    return [x0, y0, x1, y1]


def icon_corner(annot: pymupdf.Annot) -> tuple[float, float]:
    """The point a note icon was placed at: the icon's top-left corner *as shown*.

    PDF viewers keep a note's icon upright on a turned page, so its rectangle is turned
    with the page and the corner it hangs from is another one of the unrotated rectangle.
    """
    page = annot.parent
    shown = annot.rect * page.rotation_matrix
    corner = pymupdf.Point(shown.x0, shown.y0) * page.derotation_matrix
    return (float(corner.x), float(corner.y))


def highlight_of(vertices: Any, rect: Any, box: Box) -> dict[str, Any]:
    """A Highlight's geometry: its bounds, and one rectangle per line when it covers several.

    ``/QuadPoints`` hold four corners per highlighted line; a file without them (or with
    a broken count) is highlighted by its annotation rectangle.
    """
    points = [(float(p[0]), float(p[1])) for p in (vertices or [])]
    if not points or len(points) % 4:
        points = [(rect[0], rect[1]), (rect[2], rect[3])]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    geometry: dict[str, Any] = {"rect": page_rect((min(xs), min(ys), max(xs), max(ys)), box)}
    quads = [points[i : i + 4] for i in range(0, len(points), 4)][:MAX_QUADS]
    if len(quads) > 1:
        geometry["quads"] = [
            page_rect(
                (
                    min(p[0] for p in q),
                    min(p[1] for p in q),
                    max(p[0] for p in q),
                    max(p[1] for p in q),
                ),
                box,
            )
            for q in quads
        ]
    return geometry


def thinned(points: list[Any], most: int) -> list[Any]:
    """At most *most* of *points*, evenly spread, keeping the first and the last."""
    if len(points) <= most:
        return points
    step = math.ceil(len(points) / most)
    return [*points[::step][: most - 1], points[-1]]


def page_points(vertices: Any, box: Box, most: int = MAX_POINTS) -> list[list[float]]:
    return [page_point(p, box) for p in thinned(list(vertices or []), most)]


def colour_of(values: Any) -> str | None:
    """``#rrggbb`` of a PDF colour (grey, RGB or CMYK components 0..1), or None."""
    if not values:
        return None
    values = [clamp(float(v), 1.0) for v in values]
    if len(values) == 1:
        values = values * 3
    elif len(values) == 4:  # CMYK
        c, m, y, k = values
        values = [(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]
    if len(values) != 3:
        return None
    return "#" + "".join(f"{round(v * 255):02x}" for v in values)


def style_of(annot: pymupdf.Annot) -> dict[str, Any]:
    style: dict[str, Any] = {}
    colours = annot.colors or {}
    if stroke := colour_of(colours.get("stroke")):
        style["color"] = stroke
    if fill := colour_of(colours.get("fill")):
        style["fill"] = fill
    width = (annot.border or {}).get("width", -1)
    if isinstance(width, int | float) and math.isfinite(width) and width > 0:
        style["width"] = min(max(float(width), 0.1), MAX_WIDTH_PT)
    return style
