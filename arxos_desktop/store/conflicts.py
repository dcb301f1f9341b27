"""Conflict records on the device: taken in from pulls, closed once their winner is gone.

The server records a conflict when one value of a field lost to another; every
device of the building pulls the record to offer the losing value back. Once
the field's server value is no longer the winner (someone restored the loser,
or edited the field again, on any device) there is nothing left to review: the
record is closed as ``superseded`` when the row's new state arrives, so no
device lists a conflict whose "kept" value is not the value any more.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sync.protocol import ConflictRecord, PulledChange

SUPERSEDED = "superseded"
_MISSING = object()

_INSERT = (
    "INSERT OR IGNORE INTO conflicts (id, building_id, entity, entity_id, field,"
    " winner_value, loser_value, winner_hlc, loser_hlc, winner_device,"
    " loser_device, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)


def record_pulled(
    conn: sqlite3.Connection, conflicts: list[ConflictRecord], rows: list[PulledChange]
) -> None:
    """Store a page's conflicts, then close open ones its row states have overtaken.

    A row's state is pulled at the sequence of its newest change, never before the
    conflicts recorded on it, so checking each page's rows once catches them all.
    """
    conn.executemany(
        _INSERT,
        [
            (
                c.id,
                c.building_id,
                c.entity,
                c.entity_id,
                c.field,
                json.dumps(c.winner_value),
                json.dumps(c.loser_value),
                c.winner_hlc,
                c.loser_hlc,
                c.winner_device,
                c.loser_device,
                c.seq,
            )
            for c in conflicts
        ],
    )
    if rows:
        close_overtaken(conn, {row.entity_id: row for row in rows})


def _server_value(row: PulledChange, field: str) -> Any:
    if field == "deleted":
        return row.deleted
    return row.fields.get(field, _MISSING)


def close_overtaken(conn: sqlite3.Connection, latest: dict[str, PulledChange]) -> int:
    """Close the open conflicts whose winning value is no longer the server's; how many."""
    stale = []
    # Open conflicts are few (people review them): one read of them all, not one per row.
    for conflict_id, entity_id, field, winner in conn.execute(
        "SELECT id, entity_id, field, winner_value FROM conflicts WHERE resolution = ''"
    ):
        row = latest.get(entity_id)
        if row is None:
            continue
        value = _server_value(row, field)
        if value is not _MISSING and value != (json.loads(winner) if winner else None):
            stale.append((SUPERSEDED, conflict_id))
    conn.executemany("UPDATE conflicts SET resolution = ? WHERE id = ?", stale)
    return len(stale)
