"""Notes as a panel lists them: newest first, with which device wrote them and when.

Notes carry no author column; the clock stamp every row is created with names the
device that wrote it and the wall time it was written, and it travels with the
row through sync, so every device shows the same "who and when" for a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from arxos_desktop.store.records import note_records
from arxos_desktop.store.replica import Replica
from sync.clock import Stamp


@dataclass(frozen=True, slots=True)
class NoteEntry:
    id: str
    text: str
    #: ``typed`` or ``dictated``.
    source: str
    #: The id of the device that wrote the note.
    device: str
    #: Whether that device is this one.
    by_this_device: bool
    #: When it was written (UTC).
    written_at: dt.datetime


def note_feed(replica: Replica, target_id: str) -> list[NoteEntry]:
    """The live notes on a row (equipment, room, work order...), newest first."""
    stamped = []
    for record in note_records(replica, target_id):
        stamp = Stamp.parse(record.created_hlc)
        entry = NoteEntry(
            id=record.id,
            text=record.text,
            source=record.source,
            device=stamp.node,
            by_this_device=stamp.node == replica.device_id,
            written_at=dt.datetime.fromtimestamp(stamp.wall_ms / 1000, tz=dt.UTC),
        )
        stamped.append((stamp, entry))
    stamped.sort(key=lambda pair: (pair[0], pair[1].id), reverse=True)
    return [entry for _stamp, entry in stamped]
