"""Open a PDF only after checking what it costs and whether it can be shown.

Every file the app or `arx` hands to PyMuPDF comes through :func:`open_pdf`: real
drawings arrive truncated, encrypted, without pages or with pages the size of a
football field, and a field app must answer each with a sentence, not a crash or a
render that eats the tablet's memory. The limits are far above any real drawing
(the largest ISO/ANSI sheets are 1189 x 841 mm and 34 x 44 in).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pymupdf

from arxos_desktop.pdf.errors import (
    DamagedPdfError,
    EmptyPdfError,
    NotAPdfError,
    PdfFileMissingError,
    PdfPasswordRequiredError,
    PdfTooLargeError,
    WrongPdfPasswordError,
)

#: Largest file accepted: a scanned drawing set is tens of MB; past this it is not a sheet.
MAX_FILE_BYTES: Final = 512 * 1024 * 1024
#: Most pages in one document (a full construction set is a few hundred sheets).
MAX_PAGES: Final = 5_000
#: Longest page side in points: 200 inches, the PDF format's own limit for a page.
MAX_PAGE_SIDE_PT: Final = 14_400.0
#: Where the "%PDF-" header may sit: readers accept a little junk before it.
_HEADER_WINDOW: Final = 1024


def open_pdf(source: Path | bytes, *, password: str | None = None) -> pymupdf.Document:
    """The document, opened and authenticated, or a :class:`PdfError` saying why not.

    The caller closes the document (use it in ``with``).
    """
    data_head = _head_of(source)
    if b"%PDF-" not in data_head:
        raise NotAPdfError("This file is not a PDF. Choose a PDF drawing.")
    try:
        if isinstance(source, bytes):
            document = pymupdf.open(stream=source, filetype="pdf")
        else:
            document = pymupdf.open(source, filetype="pdf")
    except (RuntimeError, ValueError) as exc:  # pymupdf.FileDataError and kin
        raise DamagedPdfError(
            "This PDF is damaged and cannot be read. Ask for a fresh copy of the drawing."
        ) from exc
    try:
        _authenticate(document, password)
        _check_pages(document)
    except BaseException:
        document.close()
        raise
    return document


def _head_of(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        if len(source) > MAX_FILE_BYTES:
            raise PdfTooLargeError(_too_big_file())
        return source[:_HEADER_WINDOW]
    try:
        size = source.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PdfTooLargeError(_too_big_file())
        with source.open("rb") as handle:
            return handle.read(_HEADER_WINDOW)
    except FileNotFoundError as exc:
        raise PdfFileMissingError("The PDF file is not there any more.") from exc
    except IsADirectoryError as exc:
        raise NotAPdfError("This is a folder, not a PDF. Choose a PDF drawing.") from exc


def _too_big_file() -> str:
    return f"This PDF is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split the drawing set."


def _authenticate(document: pymupdf.Document, password: str | None) -> None:
    if not document.needs_pass:
        return
    if password is None:
        raise PdfPasswordRequiredError(
            "This PDF is protected by a password. Enter the password to open it."
        )
    if not document.authenticate(password):
        raise WrongPdfPasswordError("That password does not open this PDF. Try again.")


def _check_pages(document: pymupdf.Document) -> None:
    try:
        count = document.page_count
    except (RuntimeError, ValueError) as exc:
        raise DamagedPdfError(
            "This PDF is damaged and cannot be read. Ask for a fresh copy of the drawing."
        ) from exc
    if count == 0:
        raise EmptyPdfError("This PDF has no pages.")
    if count > MAX_PAGES:
        raise PdfTooLargeError(f"This PDF has more than {MAX_PAGES} pages; split the drawing set.")
    for number in range(count):
        try:
            rect = document[number].rect
        except (RuntimeError, ValueError) as exc:
            raise DamagedPdfError(
                f"Page {number + 1} of this PDF is damaged and cannot be read."
            ) from exc
        if not (0 < rect.width <= MAX_PAGE_SIDE_PT and 0 < rect.height <= MAX_PAGE_SIDE_PT):
            raise PdfTooLargeError(
                f"Page {number + 1} of this PDF is larger than 200 inches (or has no size);"
                " it cannot be shown."
            )
