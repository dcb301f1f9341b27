"""Find words on a drawing's pages: where each hit is, in page points.

Drawings label rooms and equipment with short tags (``AHU-3``, ``RM 204``), so a
technician searches for one and expects every place it appears highlighted.
Like rendering, this reads the document, so it runs on the document's own thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pymupdf

from arxos_desktop.pdf.errors import DamagedPdfError, PdfError

#: Longest search text: a tag or a phrase, not a paragraph.
MAX_QUERY: Final = 200
#: Most hits kept per page (a word on every grid line of a sheet is not useful past this).
MAX_HITS_PER_PAGE: Final = 500


class SearchTextError(PdfError):
    """The search text is empty or too long."""


@dataclass(frozen=True)
class SearchHit:
    """One place the text appears: page (from 0) and rectangle in page points."""

    page: int
    rect: tuple[float, float, float, float]


def clean_query(text: str) -> str:
    """The text to look for, trimmed; an empty or overlong one is refused."""
    query = " ".join(text.split())
    if not query:
        raise SearchTextError("Type the text to find on the drawing.")
    if len(query) > MAX_QUERY:
        raise SearchTextError(f"Search for at most {MAX_QUERY} characters.")
    return query


def search_page(document: pymupdf.Document, page: int, text: str) -> list[SearchHit]:
    """Every hit of *text* on one page (case-insensitive), top to bottom."""
    query = clean_query(text)
    try:
        rects = document[page].search_for(query)[:MAX_HITS_PER_PAGE]
    except (RuntimeError, ValueError) as exc:
        raise DamagedPdfError(f"Page {page + 1} of this PDF cannot be searched.") from exc
    hits = [SearchHit(page, (r.x0, r.y0, r.x1, r.y1)) for r in rects]
    hits.sort(key=lambda h: (h.rect[1], h.rect[0]))
    return hits


def search_document(document: pymupdf.Document, text: str) -> list[SearchHit]:
    """Every hit on every page, in reading order of pages."""
    query = clean_query(text)
    hits: list[SearchHit] = []
    for page in range(document.page_count):
        hits.extend(search_page(document, page, query))
    return hits
