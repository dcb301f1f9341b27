"""Add a PDF drawing to a building, with the markups already in it, all or nothing.

The file is checked (:func:`~arxos_desktop.pdf.opening.open_pdf`) and its markups
read before anything is written, so a bad file changes nothing. A file the PDF
library could open only by repairing it (cut short in a download, a broken
index) is refused too: the repair may have dropped pages' content, and the copy
would go to every device of the building. Files go into the
blob store first (content-addressed, so a repeated import stores nothing new; a
file no row cites is swept later), then the document, its markup rows and the
photos of photo markers are written in one transaction with their outbox changes.

Importing a file this building already holds adds no second document: its
markups are matched by name (``/NM``, or the row id the app wrote there on
export) and only those not seen before are added. A markup matched to a row
is left as the row has it, so an edit made here is never overwritten by an
older copy of the file, and a markup deleted here does not come back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from arxos_desktop.pdf.annotation_model import bounds, page_box
from arxos_desktop.pdf.errors import (
    DamagedPdfError,
    InvalidAnnotationError,
    PdfFileMissingError,
)
from arxos_desktop.pdf.import_annotations import (
    FoundAnnotation,
    exported_from,
    read_annotations,
)
from arxos_desktop.pdf.opening import open_pdf
from arxos_desktop.pdf.page_sizes import page_sizes
from arxos_desktop.store.annotation_rules import checked_values
from arxos_desktop.store.errors import InvalidEditError, NotFoundError
from arxos_desktop.store.records import Record, read_row, read_rows
from arxos_desktop.store.replica import Replica
from arxos_desktop.store.writer import ChangeWriter
from sync.schema import AnnotationKind, Discipline

_MAX_NAME: Final = 200


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: the document, and how many markups were added or already there."""

    document: Record
    new_document: bool
    added: int
    already_there: int
    read_only: int


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_name(source: Path) -> str:
    name = "".join(c for c in source.name if c not in "/\\" and c.isprintable()).strip()
    name = name or "drawing.pdf"
    if len(name) <= _MAX_NAME:
        return name
    return name[: _MAX_NAME - 4] + ".pdf"


def import_document(
    replica: Replica,
    source: Path,
    *,
    building_id: str,
    discipline: Discipline | str = Discipline.OTHER,
    title: str | None = None,
    floor_id: str | None = None,
    password: str | None = None,
) -> ImportReport:
    """Add *source* as a drawing of the building (or find it there) and import its markups."""
    try:
        discipline = Discipline(discipline)
    except ValueError:
        choices = ", ".join(d.value for d in Discipline)
        raise InvalidEditError("document", {"discipline": f"must be one of {choices}"}) from None
    building = read_row(replica, "building", building_id)
    with open_pdf(source, password=password) as pdf:
        if pdf.is_repaired:
            raise DamagedPdfError(
                "This PDF is damaged (cut short, or its index is broken), so it was not added."
                " Ask for a fresh copy of the drawing."
            )
        sizes = page_sizes(pdf)
        page_count = pdf.page_count
        found = read_annotations(pdf)
        origin = exported_from(pdf)
    try:
        sha = _sha256_of(source)
        existing = _same_drawing(replica, building.id, origin, sha)
        stored = replica.blobs.put_file(source) if not existing else sha
        photos = {id(f): replica.blobs.put_bytes(f.photo.data) for f in found if f.photo}
    except OSError as exc:
        raise PdfFileMissingError("The PDF file could not be read to the end.") from exc
    with replica.transaction() as writer:
        if existing:
            document = existing[0]
        else:
            document = Record(
                "document",
                writer.insert(
                    "document",
                    {
                        "building_id": building.id,
                        "discipline": discipline.value,
                        "title": (title or source.stem or "Drawing").strip()[:200] or "Drawing",
                        "file_name": _file_name(source),
                        "blob_sha256": stored,
                        "page_count": page_count,
                        "floor_id": floor_id,
                        "page_sizes": sizes,
                    },
                ),
            )
        added, already = _add_markups(replica, writer, document, found, photos)
    read_only = sum(1 for f in found if f.kind is AnnotationKind.FOREIGN)
    return ImportReport(document, not existing, added, already, read_only)


def _same_drawing(replica: Replica, building_id: str, origin: str | None, sha: str) -> list[Record]:
    """The building's drawing this file is: the one it was exported from, else the same file."""
    if origin:
        rows = read_rows(
            replica, "document", building_id=building_id, where="id = ?", params=(origin,)
        )
        if rows:
            return rows
    return read_rows(
        replica, "document", building_id=building_id, where="blob_sha256 = ?", params=(sha,)
    )


def _known_names(replica: Replica, document_id: str) -> set[str]:
    """Names and ids of every markup of the document, deleted ones too."""
    rows = replica.conn.execute(
        "SELECT id, pdf_name FROM annotations WHERE document_id = ?", (document_id,)
    )
    names: set[str] = set()
    for row_id, pdf_name in rows:
        names.add(row_id)
        if pdf_name:
            names.add(pdf_name)
    return names


def _add_markups(
    replica: Replica,
    writer: ChangeWriter,
    document: Record,
    found: list[FoundAnnotation],
    photos: dict[int, str],
) -> tuple[int, int]:
    known = _known_names(replica, document.id)
    added = already = 0
    for item in found:
        if item.pdf_name in known:
            already += 1
            continue
        values = _row_values(replica, document, item)
        row = writer.insert("annotation", values)
        known.add(item.pdf_name)
        added += 1
        if item.photo is not None:
            writer.insert(
                "attachment",
                {
                    "building_id": document.building_id,
                    "target_kind": "annotation",
                    "target_id": row["id"],
                    "blob_sha256": photos[id(item)],
                    "mime_type": item.photo.mime_type,
                    "file_name": item.photo.file_name,
                    "caption": item.text[:2000],
                },
            )
    return added, already


def _row_values(replica: Replica, document: Record, item: FoundAnnotation) -> dict[str, Any]:
    """The checked row for a found markup; what cannot be kept as found is made plainer.

    A link to equipment this building does not hold is dropped (a pin without its
    equipment becomes a note), and a shape the rules refuse is kept read-only.
    """
    values = {**item.row_values(), "document_id": document.id}
    equipment_id = values["equipment_id"]
    if equipment_id and not _equipment_of_building(replica, equipment_id, document.building_id):
        values["equipment_id"] = None
    if values["kind"] == AnnotationKind.PIN.value and not values["equipment_id"]:
        x, y = values["geometry"]["point"]
        box = page_box(document.page_sizes, item.page)
        values["kind"] = AnnotationKind.TEXT.value
        corners = [max(x - 10, 0), max(y - 10, 0), min(x + 10, box.width), min(y + 10, box.height)]
        values["geometry"] = {"rect": corners}
    try:
        return checked_values(replica, values)
    except (InvalidAnnotationError, InvalidEditError):
        x0, y0, x1, y1 = bounds(item.geometry)
        box = page_box(document.page_sizes, item.page)
        x0, y0 = min(x0, box.width - 1), min(y0, box.height - 1)
        values.update(
            kind=AnnotationKind.FOREIGN.value,
            geometry={"rect": [x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)], "pdf_type": "Markup"},
            equipment_id=None,
            style={},
        )
        return checked_values(replica, values)


def _equipment_of_building(replica: Replica, equipment_id: str, building_id: str | None) -> bool:
    try:
        return bool(read_row(replica, "equipment", equipment_id).building_id == building_id)
    except NotFoundError:
        return False
