"""Conflict resolutions: a person's "keep" or "restore" recorded once, for every device.

A resolution takes the push lock and a place in the change sequence (a change-log
entry of its own), and the conflict record moves to that place: pulls select
records by sequence, so every device that can see the record receives it again,
now resolved, and a device pulling from scratch receives it resolved.

Only someone who could pull the record (the row it names is in their view) and
may write in its building resolves it. Anything else gets one answer, whether
the record exists or not, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import bindparam, insert, text, update
from sqlmodel import Session, col, select

from sync.ids import new_id
from sync.protocol import ResolutionResult, ResolveRequest, ResolveResponse
from sync.server.models import utcnow
from sync.server.pull import visible_conflict
from sync.server.push_write import current_cursor, lock_for_push
from sync.server.replication import CONFLICTS_TABLE, LOG_TABLE, ConflictEntry
from sync.server.scope import ANNOTATION_ENTITIES, Access, RowLookup

REFUSED: Final = "No conflict with this id that you may resolve"
#: The change-log entity and operation of a resolution (no row of that entity exists).
LOG_ENTITY: Final = "conflict"
LOG_OP: Final = "resolve"

_SYNC_LOG_SEQUENCE = text("SELECT setval(pg_get_serial_sequence('srv_change_log', 'seq'), :seq)")
_RESOLVE = (
    update(CONFLICTS_TABLE)
    .where(CONFLICTS_TABLE.c.id == bindparam("key_id"))
    .values(
        resolution=bindparam("resolution"),
        resolved_by=bindparam("resolved_by"),
        resolved_device=bindparam("resolved_device"),
        resolved_at=bindparam("resolved_at"),
        seq=bindparam("seq"),
    )
)


def _refused(conflict_id: str) -> ResolutionResult:
    return ResolutionResult(conflict_id=conflict_id, status="refused", reason=REFUSED)


def resolve(
    session: Session, request: ResolveRequest, *, user_id: str, accesses: Mapping[str, Access]
) -> ResolveResponse:
    """Record each resolution once (the first wins; a retry gets the same answer).

    One transaction; the caller commits. Costs a bounded number of statements: the
    request holds at most ``MAX_RESOLUTIONS``.
    """
    lock_for_push(session)
    ids = sorted({r.conflict_id for r in request.resolutions})
    entries = {
        entry.id: entry
        for entry in session.exec(select(ConflictEntry).where(col(ConflictEntry.id).in_(ids)))
    }
    lookup = RowLookup(session)
    lookup.prefetch((e.entity, e.entity_id) for e in entries.values())
    now = utcnow()
    next_seq = current_cursor(session) + 1
    resolved: dict[str, str] = {}
    log_rows: list[dict[str, Any]] = []
    writes: list[dict[str, Any]] = []
    results = []
    for item in request.resolutions:
        entry = entries.get(item.conflict_id)
        access = accesses.get(entry.building_id or "") if entry is not None else None
        if (
            entry is None
            or access is None
            or not access.can_write
            or (access.role == "annotator" and entry.entity not in ANNOTATION_ENTITIES)
            or not visible_conflict(entry, access, lookup)
        ):
            results.append(_refused(item.conflict_id))
            continue
        held = resolved.get(entry.id) or entry.resolution
        if not held:
            held = resolved[entry.id] = item.resolution.value
            writes.append(
                {
                    "key_id": entry.id,
                    "resolution": held,
                    "resolved_by": user_id,
                    "resolved_device": request.device_id,
                    "resolved_at": now,
                    "seq": next_seq,
                }
            )
            log_rows.append(
                {
                    "seq": next_seq,
                    "change_id": new_id(),
                    "building_id": entry.building_id,
                    "entity": LOG_ENTITY,
                    "entity_id": entry.id,
                    "op": LOG_OP,
                    "fields": {"resolution": held},
                    "hlc": "",
                    "device_id": request.device_id,
                    "user_id": user_id,
                    "created_at": now,
                }
            )
            next_seq += 1
        results.append(
            ResolutionResult(conflict_id=item.conflict_id, status="resolved", resolution=held)
        )
    db = session.connection()
    if log_rows:
        db.execute(insert(LOG_TABLE), log_rows)
        if db.dialect.name == "postgresql":
            # As a push does: the column's own sequence stays in step with the ones given out.
            db.execute(_SYNC_LOG_SEQUENCE, {"seq": next_seq - 1})
        db.execute(_RESOLVE, writes)
    return ResolveResponse(results=results, cursor=next_seq - 1)
