"""Each page's size, as a document row records it (``Document.page_sizes``)."""

from __future__ import annotations

from typing import Any

import pymupdf

from arxos_desktop.pdf.page_space import PageSpace


def page_space_of(page: pymupdf.Page) -> PageSpace:
    """The page's rotation and shown size (``Page.rect`` is the crop box, rotation applied)."""
    rect = page.rect
    return PageSpace(int(page.rotation), float(rect.width), float(rect.height))


def page_sizes(document: pymupdf.Document) -> dict[str, Any]:
    """``{"sizes": [[width, height], ...]}`` in points, as the page is shown (rotation applied).

    A document with a turned page adds ``"rotations": [0, 90, ...]``, so a markup (stored
    on the unrotated page) is checked against the right width and height.
    """
    sizes, rotations = [], []
    for number in range(document.page_count):
        space = page_space_of(document[number])
        sizes.append([round(space.shown_width, 2), round(space.shown_height, 2)])
        rotations.append(space.rotation)
    found: dict[str, Any] = {"sizes": sizes}
    if any(rotations):
        found["rotations"] = rotations
    return found


def page_sizes_of_bytes(data: bytes) -> dict[str, Any]:
    """:func:`page_sizes` of a PDF made in memory (a generated sheet)."""
    with pymupdf.open(stream=data, filetype="pdf") as document:
        return page_sizes(document)
