"""The server's last known version of each locally edited row.

A row with changes in the outbox shows the server's state with those edits on
top; discarding one of them (:mod:`discard`) must rebuild the row from what the
server holds, offline. So the first local edit of a row the server knows
copies the row as it stood (the server's state, since no edit of it was
waiting); pulled states replace that copy while edits are waiting; an accepted
change moves it forward; and it is dropped once the row has nothing in the
outbox. A row created on this device has no copy until the server took its
insert: until then the server has no version of it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from arxos_desktop.store.codec import codec_for
from sync.outbox import Change, Op


@dataclass(frozen=True, slots=True)
class Shadow:
    """A row as the server last had it: user fields (wire values), deletion, revision, stamp."""

    entity: str
    entity_id: str
    fields: dict[str, Any]
    deleted: bool
    server_rev: int
    hlc: str


_UPSERT = (
    "INSERT INTO server_shadow (entity_id, entity, fields, deleted, server_rev, hlc)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(entity_id) DO UPDATE SET entity = excluded.entity,"
    " fields = excluded.fields, deleted = excluded.deleted, server_rev = excluded.server_rev,"
    " hlc = excluded.hlc"
)


def _params(shadow: Shadow) -> tuple[Any, ...]:
    text = json.dumps(shadow.fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (
        shadow.entity_id,
        shadow.entity,
        text,
        int(shadow.deleted),
        shadow.server_rev,
        shadow.hlc,
    )


def remember_before_edit(conn: sqlite3.Connection, entity: str, wire: dict[str, Any]) -> None:
    """Keep *wire* (the row before a local edit) unless a copy exists or the server lacks it.

    Without a copy no edit of the row was waiting, so the row is the server's
    state; a row whose insert is still in the outbox has no server state yet.
    """
    codec = codec_for(entity)
    shadow = Shadow(
        entity,
        wire["id"],
        {name: wire[name] for name in codec.user_fields},
        bool(wire["deleted"]),
        int(wire["server_rev"]),
        str(wire["updated_hlc"]),
    )
    conn.execute(
        "INSERT OR IGNORE INTO server_shadow (entity_id, entity, fields, deleted, server_rev, hlc)"
        " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS"
        " (SELECT 1 FROM outbox WHERE entity_id = ? AND op = 'insert')",
        (*_params(shadow), wire["id"]),
    )


def store_pulled(conn: sqlite3.Connection, shadows: Iterable[Shadow]) -> None:
    """The server's states of rows with waiting edits, as a pull page delivered them."""
    conn.executemany(_UPSERT, (_params(s) for s in shadows))


def load(conn: sqlite3.Connection, entity_id: str) -> Shadow | None:
    row = conn.execute(
        "SELECT entity, fields, deleted, server_rev, hlc FROM server_shadow WHERE entity_id = ?",
        (entity_id,),
    ).fetchone()
    if row is None:
        return None
    return Shadow(row[0], entity_id, json.loads(row[1]), bool(row[2]), int(row[3]), str(row[4]))


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def with_outbox_entries(conn: sqlite3.Connection, entity_ids: Iterable[str]) -> set[str]:
    """Which of *entity_ids* still have a change in the outbox (any state)."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(entity_ids))):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT DISTINCT entity_id FROM outbox WHERE entity_id IN ({marks})", chunk
        )
        found.update(row[0] for row in rows)
    return found


def forget_settled(conn: sqlite3.Connection, entity_ids: Iterable[str]) -> None:
    """Drop the copies of rows among *entity_ids* that have nothing left in the outbox."""
    ids = set(entity_ids)
    settled = ids - with_outbox_entries(conn, ids)
    conn.executemany("DELETE FROM server_shadow WHERE entity_id = ?", ((i,) for i in settled))


def advance(
    conn: sqlite3.Connection, accepted: list[tuple[Change, dict[str, Any], int | None]]
) -> None:
    """The server took these changes (with, for each, the values that won instead).

    Rows with nothing left in the outbox lose their copy; the others' copies move
    forward to what the server now holds, so discarding a later edit keeps this one.
    """
    if not accepted:
        return
    ids = {change.entity_id for change, _, _ in accepted}
    waiting = with_outbox_entries(conn, ids)
    conn.executemany("DELETE FROM server_shadow WHERE entity_id = ?", ((i,) for i in ids - waiting))
    for change, winning, seq in accepted:
        if change.entity_id not in waiting:
            continue
        current = load(conn, change.entity_id)
        if current is None and change.op is not Op.INSERT:
            continue  # edited before this replica kept copies: nothing to move forward
        fields = dict(current.fields) if current is not None else {}
        deleted = current.deleted if current is not None else False
        for name, value in {**change.fields, **winning}.items():
            if name == "deleted":
                deleted = bool(value)
            else:
                fields[name] = value
        rev = seq if seq is not None else current.server_rev if current is not None else 0
        conn.execute(
            _UPSERT,
            _params(Shadow(change.entity, change.entity_id, fields, deleted, rev, change.hlc)),
        )
