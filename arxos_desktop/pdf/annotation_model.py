"""What each kind of markup's geometry and style may be, and what a measurement measures.

Coordinates are PDF page points in PyMuPDF's page space (origin at the top left of
the unrotated page, y downwards), so a markup lands in the same place in the app,
in the exported PDF and after a re-import. Every markup is checked here before it
is stored, whoever made it (a tool in the app, a CLI script, another PDF program):
numbers must be finite and on the page, and the number of points is bounded so one
ink stroke cannot become a megabyte row that every device of the building pulls.
No Qt here: the markup tools and the PDF import/export share these rules.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from arxos_desktop.pdf.errors import InvalidAnnotationError
from sync.schema import AnnotationKind

#: Most points in one markup (all ink strokes together): a long freehand stroke sampled
#: at screen rate is a few hundred points.
MAX_POINTS: Final = 4_000
#: Most strokes in one ink markup.
MAX_STROKES: Final = 200
#: Largest side of any page a markup may sit on when the page's size is not known.
MAX_PAGE_SIDE_PT: Final = 14_400.0
#: Widest pen in points (a marker line on an A0 sheet is ~10 pt).
MAX_WIDTH_PT: Final = 72.0
#: Most lines of text one highlight covers (a PDF Highlight's QuadPoints, one per line).
MAX_QUADS: Final = 200
#: Longest PDF type name kept for a read-only foreign markup.
_MAX_TYPE_NAME: Final = 40

Point = tuple[float, float]
Rect = tuple[float, float, float, float]

#: Kinds placed at one point.
POINT_KINDS: Final = frozenset({AnnotationKind.PIN, AnnotationKind.PHOTO})
#: Kinds filling a rectangle.
RECT_KINDS: Final = frozenset(
    {
        AnnotationKind.RECTANGLE,
        AnnotationKind.ELLIPSE,
        AnnotationKind.HIGHLIGHT,
        AnnotationKind.TEXT,
        AnnotationKind.FOREIGN,
    }
)
#: Kinds drawn through points, with the fewest and most points each takes.
POINTS_KINDS: Final[dict[AnnotationKind, tuple[int, int]]] = {
    AnnotationKind.LINE: (2, 2),
    AnnotationKind.ARROW: (2, 2),
    AnnotationKind.CALIBRATION: (2, 2),
    AnnotationKind.DISTANCE: (2, MAX_POINTS),
    AnnotationKind.CLOUD: (3, MAX_POINTS),
    AnnotationKind.AREA: (3, MAX_POINTS),
}
#: Kinds the app does not let anyone edit (they came from another PDF tool).
READ_ONLY_KINDS: Final = frozenset({AnnotationKind.FOREIGN})

#: Real-world units a sheet can be calibrated in, and metres per unit.
UNITS: Final[dict[str, float]] = {"mm": 0.001, "cm": 0.01, "m": 1.0, "in": 0.0254, "ft": 0.3048}

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_PDF_TYPE = re.compile(r"^[A-Za-z0-9]{1,40}$")
#: Default pen per kind: colour and width (points).
DEFAULT_STYLE: Final[dict[str, Any]] = {"color": "#d32f2f", "width": 2.0}


@dataclass(frozen=True, slots=True)
class PageBox:
    """The page a markup sits on: its width and height in points."""

    width: float = MAX_PAGE_SIDE_PT
    height: float = MAX_PAGE_SIDE_PT


def page_box(page_sizes: Mapping[str, Any], page: int) -> PageBox:
    """The unrotated size of page *page* (0-based) from a document's ``page_sizes``.

    Sizes are recorded as the page is shown; a page turned by 90 or 270 degrees
    (its ``rotations`` entry) has width and height swapped in the space markups are
    stored in. A document whose sizes are not recorded gets the largest page any
    drawing may have, so markups on it are still bounded.
    """
    sizes = page_sizes.get("sizes")
    if isinstance(sizes, list) and 0 <= page < len(sizes):
        width, height = sizes[page]
        rotations = page_sizes.get("rotations")
        if isinstance(rotations, list) and page < len(rotations) and rotations[page] in (90, 270):
            width, height = height, width
        return PageBox(float(width), float(height))
    return PageBox()


def _bad(why: str) -> InvalidAnnotationError:
    return InvalidAnnotationError(f"The markup's shape is not valid: {why}.")


def _number(value: Any, limit: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f"a {what} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise _bad(f"a {what} is not a finite number")
    if not 0.0 <= number <= limit:
        raise _bad(f"a {what} lies outside the page")
    return round(number, 2)


def _point(value: Any, box: PageBox) -> list[float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _bad("a point is not a pair of numbers")
    return [_number(value[0], box.width, "x"), _number(value[1], box.height, "y")]


def _points(value: Any, box: PageBox, least: int, most: int) -> list[list[float]]:
    if not isinstance(value, list | tuple):
        raise _bad("the points are not a list")
    if not least <= len(value) <= most:
        raise _bad(f"it needs between {least} and {most} points")
    return [_point(p, box) for p in value]


def _rect(value: Any, box: PageBox) -> list[float]:
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise _bad("the rectangle is not four numbers")
    x0, x1 = _number(value[0], box.width, "x"), _number(value[2], box.width, "x")
    y0, y1 = _number(value[1], box.height, "y"), _number(value[3], box.height, "y")
    if x1 <= x0 or y1 <= y0:
        raise _bad("the rectangle has no area (or its corners are swapped)")
    return [x0, y0, x1, y1]


def _only(geometry: Mapping[str, Any], allowed: set[str]) -> None:
    extra = set(geometry) - allowed
    if extra:
        raise _bad(f"it has fields a {sorted(allowed)[0]} markup does not take")


def validate_geometry(
    kind: AnnotationKind | str, geometry: Mapping[str, Any], box: PageBox
) -> dict[str, Any]:
    """The geometry in its stored form (rounded to 0.01 pt), or :class:`InvalidAnnotationError`.

    Shapes: point kinds ``{"point": [x, y]}``; rectangle kinds ``{"rect": [x0, y0, x1, y1]}``
    (a text callout may add ``"callout": [[x, y], ...]``, the leader line from the point
    it describes; a highlight over text may add ``"quads": [[x0, y0, x1, y1], ...]``, one
    rectangle per line of the words it covers; a foreign markup adds ``"pdf_type"``);
    ink ``{"strokes": [[[x, y], ...], ...]}``; line kinds ``{"points": [[x, y], ...]}``
    (a calibration adds ``"length"`` and ``"unit"``, the real length the line stands for).
    """
    kind = AnnotationKind(kind)
    if not isinstance(geometry, Mapping):
        raise _bad("it is not an object")
    if kind in POINT_KINDS:
        _only(geometry, {"point"})
        return {"point": _point(geometry.get("point"), box)}
    if kind in RECT_KINDS:
        return _rect_geometry(kind, geometry, box)
    if kind is AnnotationKind.INK:
        _only(geometry, {"strokes"})
        return {"strokes": _strokes(geometry.get("strokes"), box)}
    least, most = POINTS_KINDS[kind]
    if kind is AnnotationKind.CALIBRATION:
        _only(geometry, {"points", "length", "unit"})
        found = {"points": _points(geometry.get("points"), box, least, most)}
        return {**found, **_calibration_length(geometry)}
    _only(geometry, {"points"})
    return {"points": _points(geometry.get("points"), box, least, most)}


def _rect_geometry(
    kind: AnnotationKind, geometry: Mapping[str, Any], box: PageBox
) -> dict[str, Any]:
    found: dict[str, Any] = {"rect": _rect(geometry.get("rect"), box)}
    if kind is AnnotationKind.TEXT:
        _only(geometry, {"rect", "callout"})
        if "callout" in geometry:
            found["callout"] = _points(geometry["callout"], box, 2, 3)
    elif kind is AnnotationKind.FOREIGN:
        _only(geometry, {"rect", "pdf_type"})
        pdf_type = geometry.get("pdf_type")
        if not isinstance(pdf_type, str) or not _PDF_TYPE.match(pdf_type):
            raise _bad("the PDF annotation type is missing or not a name")
        found["pdf_type"] = pdf_type
    elif kind is AnnotationKind.HIGHLIGHT:
        _only(geometry, {"rect", "quads"})
        if "quads" in geometry:
            found["quads"] = _quads(geometry["quads"], box)
    else:
        _only(geometry, {"rect"})
    return found


def _quads(value: Any, box: PageBox) -> list[list[float]]:
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= MAX_QUADS:
        raise _bad(f"a highlight covers between 1 and {MAX_QUADS} lines")
    return [_rect(quad, box) for quad in value]


def _strokes(value: Any, box: PageBox) -> list[list[list[float]]]:
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= MAX_STROKES:
        raise _bad(f"ink needs between 1 and {MAX_STROKES} strokes")
    total = sum(len(s) if isinstance(s, list | tuple) else 0 for s in value)
    if total > MAX_POINTS:
        raise _bad(f"ink may have at most {MAX_POINTS} points")
    return [_points(stroke, box, 1, MAX_POINTS) for stroke in value]


def _calibration_length(geometry: Mapping[str, Any]) -> dict[str, Any]:
    length, unit = geometry.get("length"), geometry.get("unit")
    if unit not in UNITS:
        raise _bad(f"the unit must be one of {', '.join(UNITS)}")
    if isinstance(length, bool) or not isinstance(length, int | float):
        raise _bad("the known length is not a number")
    if not (math.isfinite(length) and 0 < length <= 1e6):
        raise _bad("the known length must be a positive number")
    return {"length": float(length), "unit": unit}


def validate_style(style: Mapping[str, Any]) -> dict[str, Any]:
    """``{"color": "#rrggbb", "width": pt}`` plus an optional ``"fill"`` colour and
    ``"font_size"``; missing entries take the defaults."""
    if not isinstance(style, Mapping):
        raise InvalidAnnotationError("The markup's style is not valid: it is not an object.")
    extra = set(style) - {"color", "width", "fill", "font_size"}
    if extra:
        raise InvalidAnnotationError("The markup's style has settings this app does not know.")
    found: dict[str, Any] = {**DEFAULT_STYLE, **style}
    for name in ("color", "fill"):
        value = found.get(name)
        if name in found and (not isinstance(value, str) or not _COLOUR.match(value)):
            raise InvalidAnnotationError(f"The markup's {name} must be written #rrggbb.")
    for name, low, high in (("width", 0.1, MAX_WIDTH_PT), ("font_size", 4.0, 144.0)):
        if name not in found:
            continue
        value = found[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidAnnotationError(f"The markup's {name.replace('_', ' ')} is not a number.")
        if not (math.isfinite(value) and low <= value <= high):
            raise InvalidAnnotationError(
                f"The markup's {name.replace('_', ' ')} must be between {low:g} and {high:g} pt."
            )
        found[name] = float(value)
    return found


# -- moving and resizing -----------------------------------------------------------------


def all_points(geometry: Mapping[str, Any]) -> list[Point]:
    """Every point of a stored geometry (a rectangle gives its two corners)."""
    found: list[Point] = []
    if "point" in geometry:
        found.append((geometry["point"][0], geometry["point"][1]))
    if "rect" in geometry:
        x0, y0, x1, y1 = geometry["rect"]
        found += [(x0, y0), (x1, y1)]
    for key in ("points", "callout"):
        found += [(p[0], p[1]) for p in geometry.get(key, ())]
    for x0, y0, x1, y1 in geometry.get("quads", ()):
        found += [(x0, y0), (x1, y1)]
    for stroke in geometry.get("strokes", ()):
        found += [(p[0], p[1]) for p in stroke]
    return found


def bounds(geometry: Mapping[str, Any]) -> Rect:
    """The smallest rectangle holding every point of the geometry."""
    points = all_points(geometry)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _mapped(geometry: Mapping[str, Any], fn: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict(geometry)
    if "point" in geometry:
        out["point"] = list(fn(*geometry["point"]))
    if "rect" in geometry:
        x0, y0, x1, y1 = geometry["rect"]
        out["rect"] = [*fn(x0, y0), *fn(x1, y1)]
    for key in ("points", "callout"):
        if key in geometry:
            out[key] = [list(fn(*p)) for p in geometry[key]]
    if "strokes" in geometry:
        out["strokes"] = [[list(fn(*p)) for p in stroke] for stroke in geometry["strokes"]]
    if "quads" in geometry:
        out["quads"] = [[*fn(q[0], q[1]), *fn(q[2], q[3])] for q in geometry["quads"]]
    return out


def moved(geometry: Mapping[str, Any], dx: float, dy: float) -> dict[str, Any]:
    """The geometry shifted by (dx, dy) points (check it with :func:`validate_geometry`)."""
    return _mapped(geometry, lambda x, y: (x + dx, y + dy))


def resized(geometry: Mapping[str, Any], target: Sequence[float]) -> dict[str, Any]:
    """The geometry stretched so that its bounds become *target* ``[x0, y0, x1, y1]``."""
    x0, y0, x1, y1 = bounds(geometry)
    tx0, ty0, tx1, ty1 = target
    sx = (tx1 - tx0) / (x1 - x0) if x1 > x0 else 1.0
    sy = (ty1 - ty0) / (y1 - y0) if y1 > y0 else 1.0
    return _mapped(geometry, lambda x, y: (tx0 + (x - x0) * sx, ty0 + (y - y0) * sy))


# -- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measurement:
    """A measured value in the calibrated unit (squared for an area)."""

    value: float
    unit: str
    area: bool

    def label(self) -> str:
        return f"{self.value:.2f} {self.unit}{'²' if self.area else ''}"


def _length(points: Sequence[Sequence[float]]) -> float:
    return sum(math.dist(a, b) for a, b in itertools.pairwise(points))


def _polygon_area(points: Sequence[Sequence[float]]) -> float:
    twice = sum(
        a[0] * b[1] - b[0] * a[1] for a, b in zip(points, [*points[1:], points[0]], strict=True)
    )
    return abs(twice) / 2.0


def units_per_point(calibration: Mapping[str, Any]) -> tuple[float, str]:
    """(real units per page point, unit) of a calibration geometry."""
    span = _length(calibration["points"])
    if span <= 0:
        raise InvalidAnnotationError("The calibration line has no length; draw it again.")
    return float(calibration["length"]) / span, str(calibration["unit"])


def measure(
    kind: AnnotationKind | str, geometry: Mapping[str, Any], calibration: Mapping[str, Any]
) -> Measurement:
    """The real distance or area of a measurement markup under the page's calibration."""
    kind = AnnotationKind(kind)
    scale, unit = units_per_point(calibration)
    if kind is AnnotationKind.DISTANCE:
        return Measurement(_length(geometry["points"]) * scale, unit, area=False)
    if kind is AnnotationKind.AREA:
        return Measurement(_polygon_area(geometry["points"]) * scale * scale, unit, area=True)
    raise InvalidAnnotationError("Only distance and area markups have a measurement.")
