"""Each page's size, as a document row records it (``Document.page_sizes``)."""

from __future__ import annotations

from typing import Any

import pymupdf


def page_sizes(document: pymupdf.Document) -> dict[str, Any]:
    """``{"sizes": [[width, height], ...]}`` in points, as the page is shown (rotation applied)."""
    sizes = []
    for number in range(document.page_count):
        rect = document[number].rect
        sizes.append([round(rect.width, 2), round(rect.height, 2)])
    return {"sizes": sizes}


def page_sizes_of_bytes(data: bytes) -> dict[str, Any]:
    """:func:`page_sizes` of a PDF made in memory (a generated sheet)."""
    with pymupdf.open(stream=data, filetype="pdf") as document:
        return page_sizes(document)
