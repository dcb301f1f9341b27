"""The store calls the markup layer runs on the replica worker: reading a page's markups
(measured under the page's calibration) and writing a new one with its undo entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from arxos_desktop.account import load_credentials
from arxos_desktop.pdf.annotation_model import measure
from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import list_annotations, page_calibration
from arxos_desktop.store.records import Record
from arxos_desktop.store.undo import Edit
from arxos_desktop.ui.drawings.markup.items import Shown
from sync.schema import AnnotationKind

_MEASURED: Final = frozenset({AnnotationKind.DISTANCE.value, AnnotationKind.AREA.value})

Loaded = tuple[list[Shown], list[str]]


def author_of(home: Path) -> str:
    """Who new markups are by: the signed-in email ("" before anyone signed in)."""
    credentials = load_credentials(home)
    return credentials.email if credentials is not None else ""


def created_edit(record: Record) -> Edit:
    """The undo-history entry of a new markup: undoing it deletes the markup."""
    label = f"the new {str(record.kind).replace('_', ' ')} markup"
    return Edit("annotation", str(record.id), label, {"deleted": True}, {"deleted": False})


def read_page(
    replica: Replica, document_id: str, page: int, kinds: list[str] | None, author: str | None
) -> Loaded:
    """The page's markups under the filters, measured, and every author on the page."""
    every = list_annotations(replica, document_id, page=page)
    rows = list_annotations(replica, document_id, page=page, kinds=kinds, author=author)
    calibration = page_calibration(replica, document_id, page)
    shown = []
    for row in rows:
        words = None
        if calibration is not None and str(row.kind) in _MEASURED:
            words = measure(str(row.kind), row.geometry, calibration.geometry).label()
        shown.append(Shown(row, words))
    return shown, sorted({str(r.author) for r in every if r.author})
