"""The rules a markup row obeys beyond the schema, checked on every create and edit.

The schema caps an annotation's JSON at a size; here the geometry is checked for
its kind and its page (finite, on the page, a bounded number of points), a pin
must name a piece of equipment of the drawing's own building, and a markup that
came from another PDF tool is read-only. Edits and their undos both go through
:func:`update_annotation`, so an undo cannot bring back a shape the rules refuse.
"""

from __future__ import annotations

from typing import Any, Final

from arxos_desktop.pdf.annotation_model import (
    READ_ONLY_KINDS,
    page_box,
    validate_geometry,
    validate_style,
)
from arxos_desktop.pdf.errors import InvalidAnnotationError, ReadOnlyAnnotationError
from arxos_desktop.store.errors import InvalidEditError, NotFoundError
from arxos_desktop.store.records import read_row
from arxos_desktop.store.replica import Replica
from sync.schema import AnnotationKind

#: Fields fixed when a markup is made: it stays on its drawing, keeps its kind and the
#: PDF annotation it was imported from.
FIXED_FIELDS: Final = frozenset({"document_id", "kind", "pdf_name"})


def checked_values(replica: Replica, values: dict[str, Any]) -> dict[str, Any]:
    """*values* (a whole annotation row) with geometry and style checked and normalised."""
    try:
        kind = AnnotationKind(str(values.get("kind")))
    except ValueError:
        raise InvalidEditError("annotation", {"kind": "is not a kind of markup"}) from None
    try:
        document = read_row(replica, "document", str(values.get("document_id")))
    except NotFoundError:
        raise NotFoundError("The drawing of this markup is not in this replica.") from None
    page = values.get("page")
    if not isinstance(page, int) or isinstance(page, bool) or page < 0:
        raise InvalidEditError("annotation", {"page": "is not a page number"})
    if document.page_count and page >= document.page_count:
        raise InvalidEditError("annotation", {"page": "is past the drawing's last page"})
    box = page_box(document.page_sizes, page)
    checked = dict(values)
    checked["kind"] = kind.value
    checked["geometry"] = validate_geometry(kind, values.get("geometry") or {}, box)
    checked["style"] = validate_style(values.get("style") or {})
    equipment_id = values.get("equipment_id")
    if kind is AnnotationKind.PIN and not equipment_id:
        raise InvalidAnnotationError("An equipment pin must name the equipment it marks.")
    if equipment_id:
        try:
            equipment = read_row(replica, "equipment", str(equipment_id))
        except NotFoundError:
            raise NotFoundError("The equipment of this markup is not in this replica.") from None
        if equipment.building_id != document.building_id:
            raise InvalidAnnotationError(
                "A markup can only name equipment of the drawing's own building."
            )
    checked["building_id"] = document.building_id
    return checked


def update_annotation(
    replica: Replica, annotation_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change some fields of a markup; returns the fields that really changed."""
    fixed = sorted(FIXED_FIELDS & changes.keys())
    if fixed:
        raise InvalidEditError("annotation", {name: "cannot be changed" for name in fixed})
    with replica.transaction() as writer:
        current = writer.current("annotation", annotation_id)
        if current["kind"] in READ_ONLY_KINDS:
            raise ReadOnlyAnnotationError(
                "This markup was made by another PDF program in a form this app cannot edit."
            )
        merged = checked_values(replica, {**current, **changes})
        return writer.update("annotation", annotation_id, {n: merged[n] for n in changes})
