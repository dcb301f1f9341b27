"""Write a drawing with its markups as standard PDF annotations other tools can show and edit.

Each markup becomes the PDF annotation type Acrobat, Bluebeam, Okular and pdf.js
all know (a pin a Text note, a callout FreeText, ink Ink, a cloud a Polygon with
a cloudy border, a measurement a PolyLine/Polygon with a measuring intent, a
photo a FileAttachment holding the photo), with an appearance stream so viewers
that draw only appearances show it too, its author and dates, its row id as
``/NM`` and the keys of :mod:`pdf_keys`; importing the file again finds the rows
by that name. Annotations the file already carried that became rows on import
are taken out first and written from their rows (which may have been edited or
deleted since); the ones kept read-only are left untouched.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pymupdf

from arxos_desktop.pdf import pdf_keys
from arxos_desktop.pdf.annotation_model import (
    READ_ONLY_KINDS,
    PageBox,
    validate_geometry,
    validate_style,
)
from arxos_desktop.pdf.errors import DamagedPdfError, InvalidAnnotationError
from arxos_desktop.pdf.import_annotations import named_annotations
from arxos_desktop.pdf.opening import open_pdf
from arxos_desktop.pdf.page_sizes import page_space_of
from sync.schema import AnnotationKind

_K = AnnotationKind
#: PDF line-end styles (PyMuPDF's ``PDF_ANNOT_LE_*``, which its type stubs lack).
_LE_NONE: Final = 0
_LE_BUTT: Final = 6
_LE_CLOSED_ARROW: Final = 5


@dataclass(frozen=True, slots=True)
class Exported:
    """The exported PDF, how many markups it holds, and how many did not fit their page."""

    data: bytes
    written: int
    skipped: int


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo marker's picture, to embed in its FileAttachment."""

    data: bytes
    file_name: str


def _rgb(colour: str) -> tuple[float, float, float]:
    return (int(colour[1:3], 16) / 255, int(colour[3:5], 16) / 255, int(colour[5:7], 16) / 255)


def export_drawing(
    source: Path | bytes,
    annotations: Iterable[Mapping[str, Any]],
    *,
    document_id: str = "",
    replaced_names: Collection[str] = (),
    photos: Mapping[str, Photo] | None = None,
    password: str | None = None,
) -> Exported:
    """The PDF *source* with *annotations* (live annotation rows, wire values) written in.

    *replaced_names* are the names (``/NM`` or derived) of annotations already in the
    file that rows stand for: they are removed first so nothing appears twice.
    *document_id* is recorded in the catalog, so importing the file back finds its drawing.
    Rows are checked again here (a synced row may come from a device with other rules):
    one whose shape does not fit its page is left out and counted, not written askew.
    """
    photos = photos or {}
    written = skipped = 0
    with open_pdf(source, password=password) as document:
        try:
            _remove_replaced(document, set(replaced_names))
            if document_id:
                document.xref_set_key(
                    document.pdf_catalog(), pdf_keys.DOCUMENT_KEY, pymupdf.get_pdf_str(document_id)
                )
            for row in annotations:
                if row["kind"] in READ_ONLY_KINDS:
                    continue
                checked = _checked(document, row)
                if checked is None:
                    skipped += 1
                    continue
                page = document[checked["page"]]
                annot = _write(page, checked, photos.get(checked["id"]))
                _describe(document, annot, checked)
                written += 1
            return Exported(bytes(document.tobytes(garbage=1, deflate=True)), written, skipped)
        except (RuntimeError, ValueError) as exc:
            raise DamagedPdfError(
                "The drawing could not be written with its markups; its PDF may be damaged."
            ) from exc


def _checked(document: pymupdf.Document, row: Mapping[str, Any]) -> dict[str, Any] | None:
    """*row* with its geometry and style checked against its page, or None if they do not fit."""
    try:
        number = int(row["page"])
        if not 0 <= number < document.page_count:
            return None
        box = PageBox(*page_space_of(document[number]).stored_size)
        geometry = validate_geometry(str(row["kind"]), row["geometry"], box)
        style = validate_style(row.get("style") or {})
    except (InvalidAnnotationError, KeyError, TypeError, ValueError):
        return None
    return {**row, "page": number, "geometry": geometry, "style": style}


def _remove_replaced(document: pymupdf.Document, names: set[str]) -> None:
    if not names:
        return
    doomed = [(page, annot) for page, annot, name in named_annotations(document) if name in names]
    for page, annot in doomed:
        page.delete_annot(annot)


def _write(page: pymupdf.Page, row: Mapping[str, Any], photo: Photo | None) -> pymupdf.Annot:
    kind, geometry, style = _K(row["kind"]), row["geometry"], row["style"]
    colour = _rgb(style.get("color", "#d32f2f"))
    width = float(style.get("width", 2.0))
    text = str(row.get("text") or "")
    if kind is _K.TEXT:
        return page.add_freetext_annot(
            geometry["rect"],
            text,
            fontsize=float(style.get("font_size", 11.0)),
            text_color=colour,
            border_width=width,
            fill_color=_rgb(style["fill"]) if "fill" in style else (1, 1, 1),
            rotate=page.rotation,  # the words read upright on a turned sheet
            callout=[pymupdf.Point(p) for p in geometry["callout"]]
            if "callout" in geometry
            else None,
        )
    if kind is _K.PHOTO and photo is not None:
        annot = page.add_file_annot(
            geometry["point"], photo.data, photo.file_name, desc=text or photo.file_name
        )
        return _finish(annot, colour, None)
    if kind in (_K.PIN, _K.PHOTO):
        icon = "Comment" if kind is _K.PIN else "Note"
        return _finish(page.add_text_annot(geometry["point"], text, icon=icon), colour, None)
    fill = _rgb(style["fill"]) if "fill" in style else None
    if kind in (_K.RECTANGLE, _K.ELLIPSE):
        add = page.add_rect_annot if kind is _K.RECTANGLE else page.add_circle_annot
        return _finish(add(geometry["rect"]), colour, width, fill=fill)
    if kind is _K.HIGHLIGHT:
        quads = [pymupdf.Rect(q) for q in geometry.get("quads", [geometry["rect"]])]
        return _finish(page.add_highlight_annot(quads=quads), colour, None)
    if kind is _K.INK:
        return _finish(page.add_ink_annot(geometry["strokes"]), colour, width)
    points = [pymupdf.Point(p) for p in geometry["points"]]
    if kind in (_K.LINE, _K.ARROW, _K.CALIBRATION):
        annot = page.add_line_annot(points[0], points[1])
        if kind is _K.ARROW:
            annot.set_line_ends(_LE_NONE, _LE_CLOSED_ARROW)
        elif kind is _K.CALIBRATION:
            annot.set_line_ends(_LE_BUTT, _LE_BUTT)
        return _finish(annot, colour, width, fill=colour if kind is _K.ARROW else None)
    if kind is _K.DISTANCE:
        return _finish(page.add_polyline_annot(points), colour, width)
    return _finish(
        page.add_polygon_annot(points), colour, width, fill=fill, cloudy=kind is _K.CLOUD
    )


def _finish(
    annot: pymupdf.Annot,
    colour: tuple[float, float, float],
    width: float | None,
    *,
    fill: tuple[float, float, float] | None = None,
    cloudy: bool = False,
) -> pymupdf.Annot:
    if width is not None:
        annot.set_border(width=width, clouds=2 if cloudy else -1)
    annot.set_colors(stroke=colour, fill=fill)
    return annot


#: The measuring intent (``/IT``) PDF gives each measurement kind.
_INTENTS = {
    _K.DISTANCE: "/PolyLineDimension",
    _K.AREA: "/PolygonDimension",
    _K.CALIBRATION: "/LineDimension",
}


def _describe(document: pymupdf.Document, annot: pymupdf.Annot, row: Mapping[str, Any]) -> None:
    """Author, dates, text, name and the app's own keys; then the appearance stream."""
    kind = _K(row["kind"])
    stamp = pdf_keys.pdf_date(row.get("authored_at"))
    content = str(row.get("text") or "")
    if kind is _K.CALIBRATION:
        geometry = row["geometry"]
        content = content or f"Scale: {geometry['length']:g} {geometry['unit']}"
    annot.set_info(
        content=content,
        title=str(row.get("author") or ""),
        creationDate=stamp,
        modDate=stamp,
        subject=kind.value.replace("_", " ").capitalize(),
    )
    annot.update()
    xref = annot.xref
    document.xref_set_key(xref, "NM", pymupdf.get_pdf_str(str(row["id"])))
    document.xref_set_key(xref, pdf_keys.KIND_KEY, pymupdf.get_pdf_str(kind.value))
    document.xref_set_key(
        xref, pdf_keys.REVIEW_KEY, pymupdf.get_pdf_str(str(row.get("review_status") or "open"))
    )
    if row.get("equipment_id"):
        document.xref_set_key(
            xref, pdf_keys.EQUIPMENT_KEY, pymupdf.get_pdf_str(str(row["equipment_id"]))
        )
    if kind in _INTENTS:
        document.xref_set_key(xref, "IT", _INTENTS[kind])
    if kind is _K.CALIBRATION:
        geometry = row["geometry"]
        document.xref_set_key(
            xref,
            pdf_keys.CALIBRATION_KEY,
            pymupdf.get_pdf_str(f"{geometry['length']!r} {geometry['unit']}"),
        )
