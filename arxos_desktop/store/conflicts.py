"""Conflict records on the device: taken in from pulls, closed once their winner is gone.

A person's "keep" or "restore" closes the record here at once and is queued in
``resolution_outbox`` (same transaction) until the server takes it; the server
hands it to every other device with the record, which closes it there too.

The server records a conflict when one value of a field lost to another; every
device of the building pulls the record to offer the losing value back. Once
the field's server value is no longer the winner (someone restored the loser,
or edited the field again, on any device) there is nothing left to review: the
record is closed as ``superseded`` when the row's new state arrives, so no
device lists a conflict whose "kept" value is not the value any more.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from sync.protocol import ConflictRecord, PulledChange, ResolutionResult

SUPERSEDED = "superseded"
_MISSING = object()

_INSERT = (
    "INSERT OR IGNORE INTO conflicts (id, building_id, entity, entity_id, field,"
    " winner_value, loser_value, winner_hlc, loser_hlc, winner_device,"
    " loser_device, seq, resolution, resolved_by, resolved_device, resolved_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
#: A resolution from the server wins over this device's own, unless this device's is
#: still queued (the server's answer to it will say which one won).
_ADOPT = (
    "UPDATE conflicts SET resolution = ?, resolved_by = ?, resolved_device = ?, resolved_at = ?"
    " WHERE id = ? AND id NOT IN (SELECT conflict_id FROM resolution_outbox)"
)


def close(conn: sqlite3.Connection, conflict_id: str, resolution: str, *, device_id: str) -> None:
    """Close a conflict on this device now; a person's choice is queued for the server.

    ``superseded`` is not sent: it is what every device concludes by itself from
    the row's newer value.
    """
    if resolution == SUPERSEDED:
        conn.execute("UPDATE conflicts SET resolution = ? WHERE id = ?", (resolution, conflict_id))
    else:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        conn.execute(
            "UPDATE conflicts SET resolution = ?, resolved_device = ?, resolved_at = ?"
            " WHERE id = ?",
            (resolution, device_id, now, conflict_id),
        )
        conn.execute(
            "INSERT OR REPLACE INTO resolution_outbox (conflict_id, resolution) VALUES (?, ?)",
            (conflict_id, resolution),
        )


def queued_resolutions(conn: sqlite3.Connection, limit: int) -> list[tuple[str, str]]:
    """Resolutions the server has not taken yet: (conflict id, resolution)."""
    rows = conn.execute(
        "SELECT conflict_id, resolution FROM resolution_outbox ORDER BY rowid LIMIT ?", (limit,)
    )
    return [(str(conflict_id), str(resolution)) for conflict_id, resolution in rows]


def record_resolved(conn: sqlite3.Connection, results: list[ResolutionResult]) -> None:
    """The server answered: each answered resolution leaves the queue.

    A refused one (the conflict is not this user's to resolve any more) stays closed
    here; a resolved one takes the server's resolution, which is another device's
    when that one was sent first.
    """
    for result in results:
        conn.execute("DELETE FROM resolution_outbox WHERE conflict_id = ?", (result.conflict_id,))
        if result.status == "resolved" and result.resolution:
            conn.execute(
                "UPDATE conflicts SET resolution = ? WHERE id = ?",
                (result.resolution, result.conflict_id),
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
                c.resolution or "",
                c.resolved_by or "",
                c.resolved_device or "",
                c.resolved_at or "",
            )
            for c in conflicts
        ],
    )
    conn.executemany(
        _ADOPT,
        [
            (c.resolution, c.resolved_by or "", c.resolved_device or "", c.resolved_at or "", c.id)
            for c in conflicts
            if c.resolution
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
