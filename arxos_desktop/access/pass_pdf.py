"""A pass as a PDF: the drawing the contractor needs, with the pass inside and on top.

The signed pass goes into the document's trailer ``/Info`` dictionary under
``/ArxOS-Access`` (a PDF text string), where the scanner and ``arx token
verify`` read it without rendering anything, and onto a cover page as a QR code
with the scope in plain words, for a phone or a person to read. Nothing else in
the drawing changes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final

import pymupdf
import segno

from arxos_desktop.access.errors import MalformedPassPdfError, NoPassInPdfError
from arxos_desktop.pdf.opening import open_pdf

#: The trailer /Info key a pass is stored under (shared with the scanner).
INFO_KEY: Final = "ArxOS-Access"
_A4: Final = (595.0, 842.0)
_MARGIN: Final = 56.0


def _info_xref(doc: pymupdf.Document, *, create: bool) -> int | None:
    kind, value = doc.xref_get_key(-1, "Info")
    if kind == "xref":
        return int(value.split()[0])
    if not create:
        return None
    xref = int(doc.get_new_xref())
    doc.update_object(xref, "<<>>")
    doc.xref_set_key(-1, "Info", f"{xref} 0 R")
    return xref


def _qr_png(token: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(token, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def _cover(doc: pymupdf.Document, token: str, scope: str, title: str) -> None:
    width, height = _A4
    page = doc.new_page(0, width=width, height=height)
    page.insert_text((_MARGIN, _MARGIN + 20), "ArxOS access pass", fontsize=24, fontname="hebo")
    page.insert_textbox(
        pymupdf.Rect(_MARGIN, _MARGIN + 40, width - _MARGIN, _MARGIN + 110),
        scope,
        fontsize=14,
        fontname="helv",
    )
    side = width - 2 * _MARGIN - 120
    top = _MARGIN + 120
    page.insert_image(
        pymupdf.Rect((width - side) / 2, top, (width + side) / 2, top + side),
        stream=_qr_png(token),
    )
    page.insert_textbox(
        pymupdf.Rect(_MARGIN, top + side + 20, width - _MARGIN, height - _MARGIN),
        "Scan this code with the ArxOS app, or open this file in it, to check the pass"
        f" offline. {title} follows on the next pages.",
        fontsize=10,
        fontname="helv",
    )


def write_pass_pdf(drawing: Path | bytes, *, token: str, scope: str) -> bytes:
    """*drawing* with the pass in its metadata and a cover page in front of it."""
    with open_pdf(drawing) as doc:
        title = (doc.metadata or {}).get("title") or ""
        name = f"The drawing {drawing.name}" if isinstance(drawing, Path) else "The drawing"
        _cover(doc, token, scope, f'The drawing "{title}"' if title else name)
        xref = _info_xref(doc, create=True)
        assert xref is not None
        doc.xref_set_key(xref, INFO_KEY, pymupdf.get_pdf_str(token))
        return bytes(doc.tobytes(garbage=1, deflate=True))


def read_pass_token(pdf: Path | bytes) -> str:
    """The pass stored in a PDF's metadata; an error saying why when there is none."""
    with open_pdf(pdf) as doc:
        xref = _info_xref(doc, create=False)
        if xref is None:
            raise NoPassInPdfError()
        kind, value = doc.xref_get_key(xref, INFO_KEY)
    if kind == "null":
        raise NoPassInPdfError()
    if kind != "string":
        raise MalformedPassPdfError()
    return str(value)
