"""Between where a page is shown and where its markups are stored, for pages with /Rotate.

Markups are stored in PyMuPDF's page space: origin at the top left of the
*unrotated* page (its crop box), y downwards. That is the format other PDF tools,
the export and the import rely on. The viewer, its tiles and a finger on the
screen see the page *as shown*, with its /Rotate of 0, 90, 180 or 270 degrees
applied (landscape sheets are often portrait pages turned by 90). The two are
one rotation apart, and this module is the one place that knows it: the same
matrix as PyMuPDF's ``Page.rotation_matrix`` (stored → shown) and its inverse
``Page.derotation_matrix``, computed from the rotation and the shown size alone,
so the UI thread never touches the document (PyMuPDF is used on one thread only).
A crop box offset needs nothing here: PyMuPDF measures both spaces from the crop
box's corner. No Qt here, so this arithmetic is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from arxos_desktop.pdf.errors import DamagedPdfError

Point = tuple[float, float]
Rect = tuple[float, float, float, float]
#: An affine matrix (a, b, c, d, e, f): x' = a·x + c·y + e, y' = b·x + d·y + f.
Matrix = tuple[float, float, float, float, float, float]

#: The rotations a PDF page may have (``/Rotate`` is a multiple of 90).
ROTATIONS: Final = (0, 90, 180, 270)


def normal_rotation(rotation: int) -> int:
    """*rotation* as one of :data:`ROTATIONS` (``/Rotate -90`` is 270)."""
    if rotation % 90:
        raise DamagedPdfError("A page of this PDF is turned by an angle PDF does not allow.")
    return rotation % 360


def _apply(matrix: Matrix, point: Point) -> Point:
    a, b, c, d, e, f = matrix
    x, y = point
    return (a * x + c * y + e, b * x + d * y + f)


@dataclass(frozen=True, slots=True)
class PageSpace:
    """One page's rotation and its size as shown (width, height in points)."""

    rotation: int = 0
    shown_width: float = 0.0
    shown_height: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "rotation", normal_rotation(self.rotation))

    @classmethod
    def of_shown(cls, size: tuple[float, float], rotation: int = 0) -> PageSpace:
        return cls(rotation, float(size[0]), float(size[1]))

    @property
    def turned(self) -> bool:
        """Whether width and height swap between the two spaces (90 and 270 degrees)."""
        return self.rotation in (90, 270)

    @property
    def stored_size(self) -> tuple[float, float]:
        """Width and height of the unrotated page: the box stored markups must lie in."""
        if self.turned:
            return (self.shown_height, self.shown_width)
        return (self.shown_width, self.shown_height)

    @property
    def to_shown_matrix(self) -> Matrix:
        """Stored → shown; equal to PyMuPDF's ``Page.rotation_matrix``."""
        width, height = self.stored_size
        if self.rotation == 90:
            return (0.0, 1.0, -1.0, 0.0, height, 0.0)
        if self.rotation == 180:
            return (-1.0, 0.0, 0.0, -1.0, width, height)
        if self.rotation == 270:
            return (0.0, -1.0, 1.0, 0.0, 0.0, width)
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

    @property
    def to_stored_matrix(self) -> Matrix:
        """Shown → stored; equal to PyMuPDF's ``Page.derotation_matrix``."""
        width, height = self.stored_size
        if self.rotation == 90:
            return (0.0, -1.0, 1.0, 0.0, 0.0, height)
        if self.rotation == 180:
            return (-1.0, 0.0, 0.0, -1.0, width, height)
        if self.rotation == 270:
            return (0.0, 1.0, -1.0, 0.0, width, 0.0)
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

    def to_shown(self, point: Point) -> Point:
        return _apply(self.to_shown_matrix, point)

    def to_stored(self, point: Point) -> Point:
        return _apply(self.to_stored_matrix, point)

    def rect_to_shown(self, rect: Rect) -> Rect:
        return _rect(self.to_shown((rect[0], rect[1])), self.to_shown((rect[2], rect[3])))

    def rect_to_stored(self, rect: Rect) -> Rect:
        return _rect(self.to_stored((rect[0], rect[1])), self.to_stored((rect[2], rect[3])))


def _rect(a: Point, b: Point) -> Rect:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
