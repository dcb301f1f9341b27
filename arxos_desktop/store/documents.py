"""The drawings of a building as the library shows them, and where a drawing's file is.

A drawing row arrives with a sync before its file does (files follow rows, and a
large drawing set takes a while), so the library says per drawing whether its
file is already on this device, instead of failing when it is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from arxos_desktop.store.errors import NotFoundError
from arxos_desktop.store.records import read_row, read_rows
from arxos_desktop.store.replica import Replica
from sync.schema import Discipline

#: The order disciplines are listed in (the usual order of a drawing set).
DISCIPLINE_ORDER: tuple[Discipline, ...] = (
    Discipline.ARCHITECTURAL,
    Discipline.MECHANICAL,
    Discipline.ELECTRICAL,
    Discipline.PLUMBING,
    Discipline.OTHER,
)


@dataclass(frozen=True)
class DrawingEntry:
    """One drawing in the library."""

    id: str
    title: str
    file_name: str
    discipline: Discipline
    page_count: int
    blob_sha256: str
    floor_id: str | None
    #: Whether its file is on this device (it can be opened offline).
    is_local: bool


@dataclass(frozen=True)
class DisciplineGroup:
    discipline: Discipline
    drawings: list[DrawingEntry]


def drawing_library(replica: Replica, building_id: str) -> list[DisciplineGroup]:
    """The building's live drawings grouped by discipline (in drawing-set order), by title."""
    entries = [
        _entry(replica, record.wire)
        for record in read_rows(replica, "document", building_id=building_id)
    ]
    groups: list[DisciplineGroup] = []
    for discipline in DISCIPLINE_ORDER:
        mine = sorted(
            (e for e in entries if e.discipline is discipline), key=lambda e: e.title.casefold()
        )
        if mine:
            groups.append(DisciplineGroup(discipline, mine))
    return groups


def drawing_entry(replica: Replica, document_id: str) -> DrawingEntry:
    """One live drawing, or :class:`NotFoundError`."""
    return _entry(replica, read_row(replica, "document", document_id).wire)


def local_drawing_path(replica: Replica, document_id: str) -> Path:
    """The drawing's file on this device; :class:`NotFoundError` while it is not here yet."""
    entry = drawing_entry(replica, document_id)
    if not entry.is_local:
        raise NotFoundError(
            "This drawing is not on this tablet yet; it downloads when you are online."
        )
    return replica.blobs.get(entry.blob_sha256)


def _entry(replica: Replica, values: dict[str, object]) -> DrawingEntry:
    sha = str(values["blob_sha256"])
    raw_discipline = str(values.get("discipline") or Discipline.OTHER.value)
    try:
        discipline = Discipline(raw_discipline)
    except ValueError:
        discipline = Discipline.OTHER
    page_count = values.get("page_count")
    floor = values.get("floor_id")
    return DrawingEntry(
        id=str(values["id"]),
        title=str(values["title"]),
        file_name=str(values["file_name"]),
        discipline=discipline,
        page_count=page_count if isinstance(page_count, int) else 0,
        blob_sha256=sha,
        floor_id=None if floor is None else str(floor),
        is_local=replica.blobs.has(sha),
    )
