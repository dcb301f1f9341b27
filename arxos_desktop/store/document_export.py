"""Write a stored drawing with its markups to a PDF file other tools can open.

The drawing's own file comes from the blob store, the markups from their rows
(live ones written, and every imported one the file already carried taken out
first, deleted ones included, so a markup deleted here leaves the export too),
and photo markers take their photo along. The file is written to a temporary
name and moved into place, so a failed export never leaves half a PDF.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from arxos_desktop.pdf.annotation_model import READ_ONLY_KINDS
from arxos_desktop.pdf.errors import PdfFileMissingError
from arxos_desktop.pdf.export import Photo, export_drawing
from arxos_desktop.store.annotations import list_annotations
from arxos_desktop.store.errors import NotFoundError, StoreError
from arxos_desktop.store.records import read_row, read_rows
from arxos_desktop.store.replica import Replica


@dataclass(frozen=True, slots=True)
class ExportReport:
    path: Path
    markups: int
    #: Markups left out because their shape does not fit the page (see ``export_drawing``).
    skipped: int


def export_document(replica: Replica, document_id: str, dest: Path) -> ExportReport:
    """Write the drawing *document_id* with its markups to *dest* (replaced if there)."""
    document = read_row(replica, "document", document_id)
    try:
        source = replica.blobs.get(document.blob_sha256)
    except NotFoundError:
        raise PdfFileMissingError(
            "This drawing's file is not on this device yet; sync, then export again."
        ) from None
    rows = list_annotations(replica, document.id)
    replaced = {
        str(row.pdf_name)
        for row in read_rows(
            replica,
            "annotation",
            where="document_id = ? AND pdf_name != ''",
            params=(document.id,),
            include_deleted=True,
        )
        if row.kind not in READ_ONLY_KINDS
    }
    exported = export_drawing(
        source,
        [row.wire for row in rows],
        document_id=document.id,
        replaced_names=replaced,
        photos=_photos(replica, [row.id for row in rows if row.kind == "photo"]),
    )
    _write_atomically(dest, exported.data)
    return ExportReport(dest, exported.written, exported.skipped)


def _photos(replica: Replica, annotation_ids: list[str]) -> dict[str, Photo]:
    """Each photo marker's newest photo that is on this device."""
    found: dict[str, Photo] = {}
    for annotation_id in annotation_ids:
        attachments = read_rows(
            replica, "attachment", where="target_id = ?", params=(annotation_id,)
        )
        for attachment in reversed(attachments):
            if not str(attachment.mime_type).startswith("image/"):
                continue
            if replica.blobs.has(attachment.blob_sha256):
                data = replica.blobs.get(attachment.blob_sha256).read_bytes()
                found[annotation_id] = Photo(data, attachment.file_name or "photo.jpg")
                break
    return found


def _write_atomically(dest: Path, data: bytes) -> None:
    folder = dest.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=".pdf", dir=folder)
    except OSError as exc:
        raise StoreError(f"Cannot write into the folder {folder} ({exc.strerror}).") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp_name).replace(dest)
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        raise StoreError(f"Cannot write {dest.name} ({exc.strerror}).") from None
