"""Markups on drawings: made, moved, resized, restyled, reviewed and deleted as synced rows.

Each call is what one markup tool does in one gesture, written with its outbox
change in one transaction; every edit returns the :class:`~arxos_desktop.store.undo.Edit`
to put on the undo history (a delete's undo restores the markup). The rules a
markup obeys (shape per kind, on its page, a pin names equipment of the same
building, foreign markups are read-only) live in :mod:`annotation_rules`, so an
edit and its undo are checked alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from arxos_desktop.pdf.annotation_model import (
    READ_ONLY_KINDS,
    Measurement,
    measure,
    moved,
    resized,
)
from arxos_desktop.pdf.errors import InvalidAnnotationError, ReadOnlyAnnotationError
from arxos_desktop.store.annotation_rules import checked_values
from arxos_desktop.store.records import Record, read_row, read_rows
from arxos_desktop.store.replica import Replica
from arxos_desktop.store.undo import Edit, save_delete, save_edit
from sync.schema import AnnotationKind, ReviewStatus


def now_utc() -> str:
    """The time a markup is made, as stored (ISO 8601, UTC, whole seconds)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def create_annotation(
    replica: Replica,
    *,
    document_id: str,
    page: int,
    kind: AnnotationKind | str,
    geometry: Mapping[str, Any],
    style: Mapping[str, Any] | None = None,
    text: str = "",
    equipment_id: str | None = None,
    author: str = "",
    review_status: ReviewStatus | str = ReviewStatus.OPEN,
) -> Record:
    """Place a new markup; a foreign kind can only arrive by importing a PDF."""
    if AnnotationKind(kind) in READ_ONLY_KINDS:
        raise InvalidAnnotationError("Markups of another PDF program can only be imported.")
    values = checked_values(
        replica,
        {
            "document_id": document_id,
            "page": page,
            "kind": AnnotationKind(kind).value,
            "geometry": dict(geometry),
            "style": dict(style or {}),
            "text": text,
            "equipment_id": equipment_id,
            "author": author,
            "authored_at": now_utc(),
            "review_status": ReviewStatus(review_status).value,
        },
    )
    with replica.transaction() as writer:
        wire = writer.insert("annotation", values)
    return Record("annotation", wire)


def _label(record: Record) -> str:
    return f"the {str(record.kind).replace('_', ' ')} markup"


def edit_annotation(replica: Replica, annotation_id: str, changes: dict[str, Any]) -> Edit | None:
    """Change any editable fields at once; the edit for the undo history (None: no change)."""
    current = read_row(replica, "annotation", annotation_id)
    return save_edit(replica, "annotation", annotation_id, changes, label=_label(current))


def move_annotation(replica: Replica, annotation_id: str, dx: float, dy: float) -> Edit | None:
    """Drag a markup by (dx, dy) points; refused if any part would leave the page."""
    current = read_row(replica, "annotation", annotation_id)
    return edit_annotation(replica, annotation_id, {"geometry": moved(current.geometry, dx, dy)})


def resize_annotation(replica: Replica, annotation_id: str, rect: Sequence[float]) -> Edit | None:
    """Stretch a markup so its bounds become *rect* ``[x0, y0, x1, y1]``."""
    current = read_row(replica, "annotation", annotation_id)
    if len(rect) != 4 or rect[2] <= rect[0] or rect[3] <= rect[1]:
        raise InvalidAnnotationError("The new size has no area; drag the handle further.")
    return edit_annotation(replica, annotation_id, {"geometry": resized(current.geometry, rect)})


def edit_annotation_text(replica: Replica, annotation_id: str, text: str) -> Edit | None:
    return edit_annotation(replica, annotation_id, {"text": text})


def restyle_annotation(
    replica: Replica, annotation_id: str, style: Mapping[str, Any]
) -> Edit | None:
    """Change some style settings (colour, width...); the others stay as they are."""
    current = read_row(replica, "annotation", annotation_id)
    return edit_annotation(replica, annotation_id, {"style": {**current.style, **style}})


def set_review_status(
    replica: Replica, annotation_id: str, status: ReviewStatus | str
) -> Edit | None:
    try:
        value = ReviewStatus(status).value
    except ValueError:
        raise InvalidAnnotationError(
            "A review status is one of: " + ", ".join(s.value for s in ReviewStatus) + "."
        ) from None
    return edit_annotation(replica, annotation_id, {"review_status": value})


def delete_annotation(replica: Replica, annotation_id: str) -> Edit:
    """Delete a markup (it syncs as a delete); undoing the returned edit brings it back."""
    current = read_row(replica, "annotation", annotation_id)
    if current.kind in READ_ONLY_KINDS:
        raise ReadOnlyAnnotationError(
            "This markup was made by another PDF program in a form this app cannot edit."
        )
    return save_delete(replica, "annotation", annotation_id, label=_label(current))


# -- reading -------------------------------------------------------------------------------


def list_annotations(
    replica: Replica,
    document_id: str,
    *,
    page: int | None = None,
    kinds: Iterable[AnnotationKind | str] | None = None,
    author: str | None = None,
    review_status: ReviewStatus | str | None = None,
) -> list[Record]:
    """A drawing's live markups, oldest first, narrowed by any of the filters given."""
    clauses: list[str] = ["document_id = ?"]
    params: list[Any] = [document_id]
    if page is not None:
        clauses.append("page = ?")
        params.append(page)
    if kinds is not None:
        names = sorted({AnnotationKind(k).value for k in kinds})
        if not names:
            return []
        clauses.append(f"kind IN ({', '.join('?' * len(names))})")
        params.extend(names)
    if author is not None:
        clauses.append("author = ?")
        params.append(author)
    if review_status is not None:
        clauses.append("review_status = ?")
        params.append(ReviewStatus(review_status).value)
    return read_rows(
        replica, "annotation", where=" AND ".join(clauses), params=tuple(params), order_by="id"
    )


def page_calibration(replica: Replica, document_id: str, page: int) -> Record | None:
    """The page's newest calibration markup, if the sheet was calibrated."""
    found = list_annotations(replica, document_id, page=page, kinds=[AnnotationKind.CALIBRATION])
    return found[-1] if found else None


def measurement_of(replica: Replica, annotation: Record) -> Measurement | None:
    """The real distance or area of a measurement markup (None before calibration)."""
    if annotation.kind not in (AnnotationKind.DISTANCE.value, AnnotationKind.AREA.value):
        return None
    calibration = page_calibration(replica, annotation.document_id, annotation.page)
    if calibration is None:
        return None
    return measure(annotation.kind, annotation.geometry, calibration.geometry)


def pins_of_equipment(replica: Replica, equipment_id: str) -> list[Record]:
    """Where a piece of equipment is marked on drawings (newest pin first): "show on
    drawing" opens the first one's sheet at its point."""
    return read_rows(
        replica,
        "annotation",
        where="equipment_id = ? AND kind = ?",
        params=(equipment_id, AnnotationKind.PIN.value),
        order_by="id DESC",
    )
