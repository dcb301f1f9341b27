"""Discarding local changes: the change leaves the outbox and its row is the server's again.

A rejected change would otherwise sit in the outbox for ever, its refused value
on screen, and every later edit of a row whose insert was refused is refused in
turn. Discarding drops the chosen changes and rebuilds each row they touched
from the server's last known version (:mod:`shadow`) plus the row's other
changes still pending, offline. A row the server never had (its insert is among
the dropped) goes entirely, and so does everything that exists or points at it
only through changes of this device (notes on it, its own later edits): those
changes are dropped with it. Everything happens in one transaction and is
reported: which changes went and what each row is now.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.errors import (
    ChangeInFlightError,
    NotFoundError,
    ServerVersionUnknownError,
)
from arxos_desktop.store.replica import Replica
from arxos_desktop.store.shadow import Shadow, forget_settled, load
from sync.merge import overlay_pending
from sync.outbox import Change, ChangeState, Op, read_changes
from sync.schema import BLOB_FIELDS


@dataclass(frozen=True)
class RowAfter:
    """One row a discard touched: its values now, or None when it left the replica."""

    entity: str
    entity_id: str
    values: dict[str, Any] | None


@dataclass(frozen=True)
class DiscardReport:
    """What a discard did: the changes dropped (the asked-for ones and those that
    depended on them) and the state of every row they touched."""

    dropped: list[Change] = field(default_factory=list)
    rows: list[RowAfter] = field(default_factory=list)


def discard_change(replica: Replica, ref: str) -> DiscardReport:
    """Drop one change, named by its outbox sequence number or its change id."""
    return discard_changes(replica, [ref])


def discard_rejected(replica: Replica, *, building_id: str | None = None) -> DiscardReport:
    """Drop every change the server rejected (of one building, if given)."""
    rejected = read_changes(replica.conn, state=ChangeState.REJECTED, building_id=building_id)
    if not rejected:
        return DiscardReport()
    return discard_changes(replica, [c.change_id for c in rejected])


def discard_changes(replica: Replica, refs: Iterable[str]) -> DiscardReport:
    """Drop the named changes and those that cannot stand without them; rebuild their rows."""
    wanted = [ref.strip() for ref in refs]
    with replica.remote_transaction() as conn:
        outbox = read_changes(conn, state=None)
        chosen = [_find(outbox, ref) for ref in wanted]
        sent = replica.in_flight() & {c.change_id for c in chosen}
        if sent:
            raise ChangeInFlightError(
                "That change was sent to the server a moment ago and its answer has not"
                " arrived yet; it may already be applied. Let the sync finish, then try again."
            )
        dropping = _with_dependents(conn, outbox, chosen)
        if replica.in_flight() & set(dropping):
            raise ChangeInFlightError(
                "A change that depends on this one is being sent to the server right now;"
                " let the sync finish, then try again."
            )
        keep = [c for c in outbox if c.change_id not in dropping]
        touched: dict[str, str] = {}
        for change in dropping.values():
            touched.setdefault(change.entity_id, change.entity)
        plans = [
            _rebuild(conn, entity, entity_id, dropping, keep)
            for entity_id, entity in touched.items()
        ]
        conn.executemany("DELETE FROM outbox WHERE change_id = ?", ((i,) for i in sorted(dropping)))
        rows = [_write(conn, *plan) for plan in plans]
        gone = [row.entity_id for row in rows if row.values is None]
        conn.executemany("DELETE FROM conflicts WHERE entity_id = ?", ((i,) for i in gone))
        forget_settled(conn, touched)
    files = _files_of(dropping.values())
    if files:
        from arxos_desktop.store.rescope import discard_unreferenced_files

        discard_unreferenced_files(replica, files)
    ordered = sorted(dropping.values(), key=lambda c: c.seq)
    return DiscardReport(dropped=ordered, rows=rows)


def _find(outbox: list[Change], ref: str) -> Change:
    """A change by its sequence number (as ``arx outbox`` shows it) or its change id."""
    if ref.isdigit():
        matches = [c for c in outbox if c.seq == int(ref)]
    else:
        matches = [c for c in outbox if c.change_id == ref.lower()] if ref else []
    if not matches:
        raise NotFoundError("No such change in the outbox (arx outbox --all lists them)")
    return matches[0]


def _with_dependents(
    conn: sqlite3.Connection, outbox: list[Change], chosen: list[Change]
) -> dict[str, Change]:
    """*chosen* and, for each row that leaves with them, every change that needs that row."""
    dropping = {c.change_id: c for c in chosen}
    todo = [c for c in chosen if c.op is Op.INSERT]
    removed: set[str] = set()
    while todo:
        insert = todo.pop()
        row_id = insert.entity_id
        if row_id in removed or load(conn, row_id) is not None:
            continue  # the server has this row: it stays, as the server has it
        removed.add(row_id)
        for other in outbox:
            if other.change_id in dropping:
                continue
            if other.entity_id == row_id or _points_at(other, row_id):
                dropping[other.change_id] = other
                if other.op is Op.INSERT:
                    todo.append(other)
    return dropping


def _points_at(change: Change, row_id: str) -> bool:
    if change.building_id == row_id and change.entity != "building":
        return True
    return any(value == row_id for value in change.fields.values())


Plan = tuple[str, str, Shadow | None, list[Change], bool]


def _rebuild(
    conn: sqlite3.Connection,
    entity: str,
    entity_id: str,
    dropping: dict[str, Change],
    keep: list[Change],
) -> Plan:
    """How to write the row back: from the server's copy and the changes that stay."""
    base = load(conn, entity_id)
    staying = [c for c in keep if c.entity_id == entity_id]
    inserted_here = any(c.op is Op.INSERT for c in staying)
    dropped_insert = any(c.op is Op.INSERT and c.entity_id == entity_id for c in dropping.values())
    if base is None and not inserted_here and not dropped_insert:
        raise ServerVersionUnknownError(
            f"This device does not hold the server's version of that {entity} (it was edited"
            " before this version of the app kept one), so the change cannot be undone"
            " offline. Sync first: the rejected change then shows the server's version."
        )
    pending = [c for c in staying if c.state is ChangeState.PENDING]
    gone = base is None and not inserted_here
    return entity, entity_id, base, pending, gone


def _write(
    conn: sqlite3.Connection,
    entity: str,
    entity_id: str,
    base: Shadow | None,
    pending: list[Change],
    gone: bool,
) -> RowAfter:
    codec = codec_for(entity)
    if gone:
        conn.execute(f"DELETE FROM {codec.table} WHERE id = ?", (entity_id,))
        return RowAfter(entity, entity_id, None)
    exists = conn.execute(f"SELECT 1 FROM {codec.table} WHERE id = ?", (entity_id,)).fetchone()
    if exists is None:
        return RowAfter(entity, entity_id, None)  # already let go (access to it ended)
    start: dict[str, Any] = {"deleted": False}
    if base is not None:
        start = {**base.fields, "deleted": base.deleted}
    values = overlay_pending(start, [c.fields for c in pending])
    columns = {k: v for k, v in values.items() if k in codec.column_set}
    if base is not None:
        columns["server_rev"] = base.server_rev
    stamps = [c.hlc for c in pending] + ([base.hlc] if base is not None else [])
    columns["updated_hlc"] = max(stamps)
    assignments = ", ".join(f"{name} = ?" for name in columns)
    params = [codec.wire_to_column(name, value) for name, value in columns.items()]
    conn.execute(f"UPDATE {codec.table} SET {assignments} WHERE id = ?", [*params, entity_id])
    row = conn.execute(f"{codec.select_sql} WHERE id = ?", (entity_id,)).fetchone()
    wire = codec.row_to_wire(row)
    now = {name: wire[name] for name in codec.user_fields}
    return RowAfter(entity, entity_id, {**now, "deleted": wire["deleted"]})


def _files_of(changes: Iterable[Change]) -> set[str]:
    shas: set[str] = set()
    for change in changes:
        for name in BLOB_FIELDS.get(change.entity, ()):
            sha = change.fields.get(name)
            if isinstance(sha, str) and sha:
                shas.add(sha)
    return shas


def changes_to_discard(replica: Replica, ref: str) -> list[Change]:
    """What :func:`discard_change` would drop for *ref*, oldest first, changing nothing.

    Asked before a person confirms a discard, so they see every change of theirs
    that goes with it (a note on a row the server never had) before it is gone.
    """
    conn = replica.conn
    outbox = read_changes(conn, state=None)
    chosen = _find(outbox, ref.strip())
    return sorted(_with_dependents(conn, outbox, [chosen]).values(), key=lambda c: c.seq)
