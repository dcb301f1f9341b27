"""The words of a page, and which of them a highlighter drag covers.

A highlight dragged over a room label should cover the label's words exactly,
one band per line of text, as a PDF Highlight's QuadPoints do, not the wobbly
box the finger drew. Reading the words reads the document, so
:func:`page_words` runs on the drawing's render thread; choosing the words is
plain arithmetic on the result, done on the UI thread. Boxes are in stored page
points (PyMuPDF's unrotated page space, like every markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import pymupdf

from arxos_desktop.pdf.annotation_model import MAX_QUADS
from arxos_desktop.pdf.errors import DamagedPdfError

#: Most words kept per page (a dense sheet's grid labels, dimensions and notes).
MAX_WORDS: Final = 20_000
Rect = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Word:
    """One word's box and the text line it belongs to (block and line number)."""

    rect: Rect
    line: tuple[int, int]


def page_words(document: pymupdf.Document, page: int) -> list[Word]:
    """The words of page *page* in reading order (at most :data:`MAX_WORDS`)."""
    try:
        found = document[page].get_text("words")
    except (RuntimeError, ValueError) as exc:
        raise DamagedPdfError(f"The text of page {page + 1} of this PDF cannot be read.") from exc
    return [
        Word((float(w[0]), float(w[1]), float(w[2]), float(w[3])), (int(w[5]), int(w[6])))
        for w in found[:MAX_WORDS]
        if w[2] > w[0] and w[3] > w[1]
    ]


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def covered_words(words: Sequence[Word], drag: Rect) -> list[Word]:
    """The whole words any part of which lies under the dragged rectangle."""
    return [w for w in words if _overlaps(w.rect, drag)]


def highlight_geometry(words: Sequence[Word], drag: Rect) -> dict[str, Any] | None:
    """``{"rect": bounds, "quads": [one rect per line]}`` of the words under *drag*,
    or None when the drag covers no text (the highlight is then the dragged box)."""
    lines: dict[tuple[int, int], Rect] = {}
    for word in covered_words(words, drag):
        x0, y0, x1, y1 = lines.get(word.line, word.rect)
        lines[word.line] = (
            min(x0, word.rect[0]),
            min(y0, word.rect[1]),
            max(x1, word.rect[2]),
            max(y1, word.rect[3]),
        )
    if not lines:
        return None
    quads = sorted(lines.values(), key=lambda r: (r[1], r[0]))[:MAX_QUADS]
    bounds = (
        min(q[0] for q in quads),
        min(q[1] for q in quads),
        max(q[2] for q in quads),
        max(q[3] for q in quads),
    )
    return {"rect": list(bounds), "quads": [list(q) for q in quads]}
