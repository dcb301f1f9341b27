"""Read the annotations already in a PDF (made by any tool) as markup values to store.

Each PDF annotation type maps to a kind of markup (Text → text or pin, FreeText →
text callout, Ink, Square, Circle, Line → line/arrow/calibration, Polygon → cloud
or area, PolyLine → distance or ink, Highlight, FileAttachment holding a photo →
photo marker); the keys this app writes on export (:mod:`pdf_keys`) restore the
exact kind, equipment link and review status. Every other type (Stamp, Caret,
Sound, Redact, form fields...) is kept as a read-only ``foreign`` markup with its
type name and place. Links (navigation) and Popups (a note's window) are not
markups and are skipped.

Each annotation gets a name that is stable across imports of the same file: its
``/NM`` if it has a usable one, else a digest of where and what it is; a later
import matches rows by that name and adds nothing twice. Real files are messy:
coordinates are clamped onto the page, long point lists thinned, texts cut, and
the whole read is bounded in count and time, so no file can crash or stall it.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import pymupdf

from arxos_desktop.pdf import pdf_keys
from arxos_desktop.pdf.annotation_model import MAX_POINTS, MAX_STROKES
from arxos_desktop.pdf.errors import DamagedPdfError, PdfTooLargeError
from arxos_desktop.pdf.import_geometry import (
    highlight_of,
    icon_corner,
    page_point,
    page_points,
    page_rect,
    style_of,
    thinned,
)
from arxos_desktop.pdf.page_sizes import page_space_of
from sync.schema import MAX_TEXT_CHARS, AnnotationKind, ReviewStatus

_K = AnnotationKind

#: Most annotations imported from one file, and from one page: a marked-up drawing set
#: carries hundreds; tens of thousands is generated noise that would swamp every device.
MAX_ANNOTATIONS: Final = 5_000
MAX_PER_PAGE: Final = 1_000
#: Longest time spent reading one file's annotations.
MAX_SECONDS: Final = 20.0
#: Largest photo taken from a FileAttachment.
MAX_PHOTO_BYTES: Final = 25 * 1024 * 1024
_MAX_NAME: Final = 200
_MAX_AUTHOR: Final = 200
_REVIEW_STATUSES: Final = frozenset(s.value for s in ReviewStatus)


@dataclass(frozen=True, slots=True)
class FoundPhoto:
    data: bytes
    file_name: str
    mime_type: str


@dataclass(slots=True)
class FoundAnnotation:
    """One annotation read from a PDF, as the values of a markup row."""

    page: int
    kind: AnnotationKind
    geometry: dict[str, Any]
    pdf_name: str
    style: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    author: str = ""
    authored_at: str | None = None
    review_status: str = ReviewStatus.OPEN.value
    equipment_id: str | None = None
    photo: FoundPhoto | None = None

    def row_values(self) -> dict[str, Any]:
        """The annotation row's fields (without document, building and photo)."""
        return {
            "page": self.page,
            "kind": self.kind.value,
            "geometry": self.geometry,
            "style": self.style,
            "text": self.text,
            "author": self.author,
            "authored_at": self.authored_at,
            "review_status": self.review_status,
            "equipment_id": self.equipment_id,
            "pdf_name": self.pdf_name,
        }


def _digest(page: int, annot: pymupdf.Annot) -> str:
    rect = ",".join(f"{v:.1f}" for v in annot.rect)
    seed = f"{page}|{annot.type[1]}|{rect}|{annot.info.get('content', '')}"
    return "sha256:" + hashlib.sha256(seed.encode("utf-8", "replace")).hexdigest()[:40]


def annotation_name(page: int, annot: pymupdf.Annot) -> str:
    """The annotation's ``/NM`` when usable, else a digest of its page, type, place and text."""
    name = str(annot.info.get("id") or "")
    if 0 < len(name) <= _MAX_NAME and name.isprintable():
        return name
    return _digest(page, annot)


def _names(page: int, annots: list[pymupdf.Annot], seen: set[str]) -> list[str]:
    """Unique names in file order: a repeated ``/NM`` (tools reuse them per page) gets a
    suffix from its page and position, the same on every import of the file."""
    names = []
    for index, annot in enumerate(annots):
        name = annotation_name(page, annot)
        if name in seen:
            name = f"{name[:150]}@{page}.{index}"
        seen.add(name)
        names.append(name)
    return names


def named_annotations(
    document: pymupdf.Document,
) -> Iterator[tuple[pymupdf.Page, pymupdf.Annot, str]]:
    """(page, annotation, name) of every annotation, in file order (export uses this to
    find the ones that rows stand for, so both sides name them alike). The page is
    handed out with its annotations: they stay usable only while it lives."""
    seen: set[str] = set()
    for number in range(document.page_count):
        page = document[number]
        annots = list(page.annots())
        yield from (
            (page, annot, name)
            for annot, name in zip(annots, _names(number, annots, seen), strict=True)
        )


def exported_from(document: pymupdf.Document) -> str | None:
    """The drawing id an exported file was written from (see :func:`export_drawing`)."""
    try:
        value = _key(document, document.pdf_catalog(), pdf_keys.DOCUMENT_KEY)
    except (RuntimeError, ValueError):
        return None
    return value if len(value) == 36 else None


def read_annotations(document: pymupdf.Document) -> list[FoundAnnotation]:
    """Every markup in *document*, or a :class:`PdfError` if the file is too big to read."""
    deadline = time.monotonic() + MAX_SECONDS
    found: list[FoundAnnotation] = []
    seen: set[str] = set()
    try:
        for number in range(document.page_count):
            page = document[number]
            box = page_space_of(page).stored_size  # annotations sit on the unrotated page
            annots = list(_bounded(page.annots(), MAX_PER_PAGE + 1))
            widgets = list(_bounded(page.widgets(), MAX_PER_PAGE + 1))
            if len(annots) + len(widgets) > MAX_PER_PAGE:
                raise PdfTooLargeError(
                    f"Page {number + 1} of this PDF has more than {MAX_PER_PAGE} markups;"
                    " it is not imported."
                )
            for annot, name in zip(annots, _names(number, annots, seen), strict=True):
                if time.monotonic() > deadline:
                    raise PdfTooLargeError("This PDF's markups take too long to read.")
                item = _read(document, number, annot, name, box)
                if item is not None:
                    found.append(item)
            found += [_widget(number, w, box, seen) for w in widgets]
            if len(found) > MAX_ANNOTATIONS:
                raise PdfTooLargeError(
                    f"This PDF has more than {MAX_ANNOTATIONS} markups; it is not imported."
                )
    except (RuntimeError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise DamagedPdfError(
            "The markups in this PDF are damaged and cannot be read. Ask for a fresh copy."
        ) from exc
    return found


def _widget(
    page: int, widget: pymupdf.Widget, box: tuple[float, float], seen: set[str]
) -> FoundAnnotation:
    """A form field: kept read-only where it is (this app does not fill in forms)."""
    rect = page_rect(widget.rect, box)
    seed = f"{page}|Widget|{rect}|{widget.field_name or ''}"
    name = "sha256:" + hashlib.sha256(seed.encode("utf-8", "replace")).hexdigest()[:40]
    if name in seen:
        name = f"{name}@{page}.{len(seen)}"
    seen.add(name)
    geometry = {"rect": rect, "pdf_type": "Widget"}
    return FoundAnnotation(page=page, kind=_K.FOREIGN, geometry=geometry, pdf_name=name)


def _bounded(items: Iterator[Any], most: int) -> Iterator[Any]:
    for count, item in enumerate(items):
        if count >= most:
            return
        yield item


def _key(document: pymupdf.Document, xref: int, key: str) -> str:
    kind, value = document.xref_get_key(xref, key)
    if kind == "string":
        return str(value)
    if kind == "name":
        return str(value).lstrip("/")
    return ""


# -- one annotation ----------------------------------------------------------------------


def _read(
    document: pymupdf.Document,
    page: int,
    annot: pymupdf.Annot,
    name: str,
    box: tuple[float, float],
) -> FoundAnnotation | None:
    type_name = str(annot.type[1])
    if type_name in ("Popup", "Link"):
        return None
    info = annot.info
    ours = _key(document, annot.xref, pdf_keys.KIND_KEY)
    review = _key(document, annot.xref, pdf_keys.REVIEW_KEY)
    item = FoundAnnotation(
        page=page,
        kind=_K.FOREIGN,
        geometry={},
        pdf_name=name,
        style=style_of(annot),
        text=str(info.get("content") or "")[:MAX_TEXT_CHARS],
        author=str(info.get("title") or "")[:_MAX_AUTHOR],
        authored_at=pdf_keys.iso_from_pdf_date(
            str(info.get("modDate") or info.get("creationDate") or "")
        ),
        review_status=review if review in _REVIEW_STATUSES else ReviewStatus.OPEN.value,
        equipment_id=_key(document, annot.xref, pdf_keys.EQUIPMENT_KEY)[:36] or None,
    )
    _shape(document, annot, item, type_name, ours, box)
    if item.kind is _K.FOREIGN:
        item.geometry = {"rect": page_rect(annot.rect, box), "pdf_type": _type_name(type_name)}
        item.equipment_id = None
    return item


def _type_name(type_name: str) -> str:
    cleaned = "".join(c for c in type_name if c.isascii() and c.isalnum())[:40]
    return cleaned or "Unknown"


def _shape(
    document: pymupdf.Document,
    annot: pymupdf.Annot,
    item: FoundAnnotation,
    type_name: str,
    ours: str,
    box: tuple[float, float],
) -> None:
    """Set the item's kind and geometry from the PDF type (left foreign if unknown)."""
    rect = annot.rect
    vertices = annot.vertices
    if type_name == "Text":
        point = page_point(icon_corner(annot), box)
        if ours in (_K.PIN.value, _K.PHOTO.value) and (ours != "pin" or item.equipment_id):
            item.kind, item.geometry = _K(ours), {"point": point}
        else:  # a sticky note: its text gets a box it can be read in
            note = (rect.x0, rect.y0, max(rect.x1, rect.x0 + 160), max(rect.y1, rect.y0 + 40))
            item.kind, item.geometry = _K.TEXT, {"rect": page_rect(note, box)}
    elif type_name == "FreeText":
        item.kind, item.geometry = _K.TEXT, {"rect": page_rect(_inner(document, annot), box)}
        callout = _callout(document, annot, box)
        if callout:
            item.geometry["callout"] = callout
    elif type_name in ("Square", "Circle"):
        kind = _K.RECTANGLE if type_name == "Square" else _K.ELLIPSE
        item.kind, item.geometry = kind, {"rect": page_rect(_inner(document, annot), box)}
    elif type_name == "Highlight":
        item.kind, item.geometry = _K.HIGHLIGHT, highlight_of(vertices, rect, box)
    elif type_name == "Ink" and vertices:
        strokes = [page_points(s, box) for s in list(vertices)[:MAX_STROKES] if len(s)]
        budget = max(MAX_POINTS // max(len(strokes), 1), 1)
        item.kind = _K.INK
        item.geometry = {"strokes": [thinned(s, budget) for s in strokes if s]}
    elif type_name == "Line" and vertices and len(vertices) >= 2:
        _line(document, annot, item, ours, page_points(vertices[:2], box))
    elif type_name in ("Polygon", "PolyLine") and vertices and len(vertices) >= 2:
        _poly(document, annot, item, type_name, ours, page_points(vertices, box))
    elif type_name == "FileAttachment":
        _attachment(annot, item, page_point((rect.x0, rect.y0), box))


def _inner(document: pymupdf.Document, annot: pymupdf.Annot) -> pymupdf.Rect:
    """The annotation's rectangle without the margin (``/RD``) kept for its border or callout.

    The margins are read as MuPDF writes them (left, bottom, right, top in PDF space).
    """
    rect = pymupdf.Rect(annot.rect)
    kind, value = document.xref_get_key(annot.xref, "RD")
    if kind != "array":
        return rect
    try:
        left, bottom, right, top = (float(v) for v in value.strip("[]").split())
    except ValueError:
        return rect
    inner = pymupdf.Rect(rect.x0 + left, rect.y0 + top, rect.x1 - right, rect.y1 - bottom)
    return inner if inner.is_valid and not inner.is_empty else rect


def _callout(
    document: pymupdf.Document, annot: pymupdf.Annot, box: tuple[float, float]
) -> list[list[float]]:
    """A FreeText's callout line (``/CL``), in page space; empty if it has none or a bad one."""
    kind, value = document.xref_get_key(annot.xref, "CL")
    if kind != "array":
        return []
    try:
        numbers = [float(v) for v in value.strip("[]").split()]
    except ValueError:
        return []
    if len(numbers) not in (4, 6):
        return []
    matrix = annot.parent.transformation_matrix
    points = [
        pymupdf.Point(x, y) * matrix for x, y in zip(numbers[::2], numbers[1::2], strict=True)
    ]
    return [page_point(p, box) for p in points]


def _line(
    document: pymupdf.Document,
    annot: pymupdf.Annot,
    item: FoundAnnotation,
    ours: str,
    points: list[list[float]],
) -> None:
    if ours == _K.CALIBRATION.value:
        length, _, unit = _key(document, annot.xref, pdf_keys.CALIBRATION_KEY).partition(" ")
        try:
            value = float(length)
        except ValueError:
            value = 0.0
        if math.isfinite(value) and 0 < value <= 1e6 and unit in ("mm", "cm", "m", "in", "ft"):
            item.kind = _K.CALIBRATION
            item.geometry = {"points": points, "length": value, "unit": unit}
            return
    ends = annot.line_ends or (0, 0)
    item.kind = _K.ARROW if any(ends) else _K.LINE
    item.geometry = {"points": points}


def _poly(
    document: pymupdf.Document,
    annot: pymupdf.Annot,
    item: FoundAnnotation,
    type_name: str,
    ours: str,
    points: list[list[float]],
) -> None:
    intent = _key(document, annot.xref, "IT")
    if type_name == "PolyLine":
        measured = ours == _K.DISTANCE.value or intent == "PolyLineDimension"
        item.kind = _K.DISTANCE if measured else _K.INK
        item.geometry = {"points": points} if measured else {"strokes": [points]}
        return
    if len(points) < 3:
        return
    measured = ours == _K.AREA.value or intent == "PolygonDimension"
    item.kind = _K.AREA if measured else _K.CLOUD
    item.geometry = {"points": points}


_IMAGE_TYPES: Final = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _attachment(annot: pymupdf.Annot, item: FoundAnnotation, point: list[float]) -> None:
    """A FileAttachment that holds a JPEG or PNG is a photo marker; other files stay foreign."""
    info = annot.file_info
    if not 0 < int(info.get("size") or 0) <= MAX_PHOTO_BYTES:
        return
    data = annot.get_file()
    mime = next((m for magic, m in _IMAGE_TYPES.items() if data.startswith(magic)), None)
    if mime is None or len(data) > MAX_PHOTO_BYTES:
        return
    file_name = str(info.get("filename") or "photo")
    file_name = "".join(c for c in file_name if c not in "/\\").strip()[:200] or "photo"
    item.kind, item.geometry = _K.PHOTO, {"point": point}
    item.photo = FoundPhoto(data, file_name, mime)
