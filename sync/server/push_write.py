"""Storing a push: the sequence lock, the answers already given, and the batched writes.

A push is one transaction, taken under a global lock so change sequences
commit in order (a puller can never skip a lower sequence that commits later).
Everything a push changed is written at its end in a handful of multi-row Core
statements: the rows are plain dicts already, and the ORM's per-row
bookkeeping cost more than the database did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, Update, bindparam, func, insert, text, update
from sqlalchemy import select as select_columns
from sqlmodel import Session

from sync.protocol import PushRequest
from sync.server.blob_access import record_blob_refs
from sync.server.bulk_insert import BulkInsert, BulkWrite
from sync.server.contested import conflict_rows, contests, late_pointers
from sync.server.id_lists import IdListSelect
from sync.server.replication import (
    ANSWERS_TABLE,
    CONFLICTS_TABLE,
    DELETE_MARKS_TABLE,
    EPOCHS_TABLE,
    LOG_TABLE,
    ROWS_TABLE,
)
from sync.server.scope import RowView

if TYPE_CHECKING:
    from sync.server.push_apply import PushContext

_ROW_FIELDS = [name for name in RowView.__slots__ if name not in ("entity", "id")]
_PUSH_LOCK_KEY = 0x4152584F53  # "ARXOS": the PostgreSQL advisory lock serialising pushes

#: Built once: constructing and cache-keying a statement per push cost more than running it.
#: Answers are the pushing user's own: another user's change id is not theirs to replay.
_STORED_ANSWERS = IdListSelect(
    select_columns(ANSWERS_TABLE.c.change_id, ANSWERS_TABLE.c.result).where(
        ANSWERS_TABLE.c.user_id == bindparam("user_id"),
        ANSWERS_TABLE.c.change_id.in_(bindparam("ids", expanding=True)),
    ),
    "ids",
)
_LOGGED_CHANGES = IdListSelect(
    select_columns(LOG_TABLE.c.change_id, LOG_TABLE.c.seq).where(
        LOG_TABLE.c.user_id == bindparam("user_id"),
        LOG_TABLE.c.change_id.in_(bindparam("ids", expanding=True)),
    ),
    "ids",
)
_INSERT_LOG = BulkInsert(LOG_TABLE, [c.key for c in LOG_TABLE.c])
_LOCK_SQLITE = text("UPDATE srv_change_log SET seq = seq WHERE 0")
_LOCK_POSTGRES = text("SELECT pg_advisory_xact_lock(:key)")
_NEWEST_SEQ = select_columns(func.max(LOG_TABLE.c.seq))
_SYNC_LOG_SEQUENCE = text("SELECT setval(pg_get_serial_sequence('srv_change_log', 'seq'), :seq)")
_INSERT_ROWS = BulkInsert(ROWS_TABLE, [c.key for c in ROWS_TABLE.c], from_attributes=True)


def _newest_seq_update(table: Table) -> Update:
    return (
        update(table)
        .where(table.c.building_id == bindparam("key_building"))
        .values(seq=bindparam("new_seq"))
    )


def building_seqs(table: Table) -> IdListSelect:
    """Per-building newest sequences of *table*, for a list of buildings."""
    return IdListSelect(
        select_columns(table.c.building_id, table.c.seq).where(
            table.c.building_id.in_(bindparam("buildings", expanding=True))
        ),
        "buildings",
    )


#: Per-building "newest sequence of …" tables: scope epochs and delete marks.
_MOVE_EPOCH = _newest_seq_update(EPOCHS_TABLE)
_MARK_DELETE, _MARKS_OF = _newest_seq_update(DELETE_MARKS_TABLE), building_seqs(DELETE_MARKS_TABLE)
#: One row's new state, by primary key (``key_*``: bind names may not be column names).
_UPDATE_ROW = BulkWrite(
    update(ROWS_TABLE)
    .where(ROWS_TABLE.c.entity == bindparam("key_entity"), ROWS_TABLE.c.id == bindparam("key_id"))
    .values({name: bindparam(name) for name in _ROW_FIELDS}),
    from_attributes=True,
    sources={"key_entity": "entity", "key_id": "id"},
)


def lock_for_push(session: Session) -> None:
    """Serialise pushes so sequence numbers become visible in order."""
    db = session.connection()
    dialect = db.dialect.name
    if dialect == "postgresql":
        db.execute(_LOCK_POSTGRES, {"key": _PUSH_LOCK_KEY})
    elif dialect == "sqlite":
        # A write as the first statement takes SQLite's write lock before anything is read.
        db.execute(_LOCK_SQLITE)


def current_cursor(session: Session) -> int:
    """The newest change sequence on the server (0 when empty)."""
    newest = session.connection().execute(_NEWEST_SEQ).scalar()
    return int(newest or 0)


def write_push(context: PushContext, answers: list[dict[str, Any]]) -> None:
    """Everything the batch changed, in a handful of multi-row Core statements."""
    session = context.session
    # Core statements on the connection: the ORM session adds per-statement work.
    db = session.connection()
    if context.log_rows:
        # One value for the whole push: processed once, not per row.
        writer = {"device_id": context.device_id, "user_id": context.user_id}
        _INSERT_LOG.run(db, context.log_rows, {**writer, "created_at": context.now})
        if db.dialect.name == "postgresql":
            # Sequences are handed out under the push lock; keep the column's own
            # sequence in step so an insert that relies on it can never collide.
            db.execute(_SYNC_LOG_SEQUENCE, {"seq": context.next_seq - 1})
    if context.new_rows:
        _INSERT_ROWS.run(db, list(context.new_rows.values()))
    if context.changed_rows:
        _UPDATE_ROW.run(db, list(context.changed_rows.values()))
    record_blob_refs(session, [*context.new_rows.values(), *context.changed_rows.values()])
    context.organizations.write(session)
    if context.deleted_now or context.pointers:
        written = {**context.new_rows, **context.changed_rows}
        found = {(c.entity, c.entity_id): c for c in contests(db, written, context.deleted_now)}
        for late in late_pointers(db, written, context.pointers):
            found.setdefault((late.entity, late.entity_id), late)
        context.conflict_rows.extend(conflict_rows(list(found.values()), context.now))
    _store_newest(db, _MARK_DELETE, DELETE_MARKS_TABLE, context.delete_marks)
    if context.conflict_rows:
        db.execute(insert(CONFLICTS_TABLE), context.conflict_rows)
    if answers:
        db.execute(insert(ANSWERS_TABLE), answers)
    _store_newest(db, _MOVE_EPOCH, EPOCHS_TABLE, context.scope_moves)


def _store_newest(db: Connection, move: Update, table: Table, seqs: Mapping[str, int]) -> None:
    """Set each building's newest sequence in *table* (a row is added the first time)."""
    for building_id, seq in seqs.items():
        moved = db.execute(move, {"key_building": building_id, "new_seq": seq})
        if moved.rowcount == 0:  # pushes are serialised: nobody inserts it meanwhile
            db.execute(insert(table), {"building_id": building_id, "seq": seq})


def unseen_deletes(session: Session, request: PushRequest) -> set[str]:
    """Buildings of this push with a delete newer than what the device had pulled."""
    buildings = sorted({c.building_id for c in request.changes if c.building_id})
    seen = request.cursor or 0  # a device that does not say: every delete counts
    return {
        building_id
        for building_id, seq in _MARKS_OF.rows(session.connection(), buildings)
        if seq > seen
    }


def _accepted(change_id: str, seq: int) -> dict[str, Any]:
    """The answer to an accepted change, rebuilt from its change-log entry."""
    return {"change_id": change_id, "status": "accepted", "reason": "", "winning": {}, "seq": seq}


def earlier_answers(session: Session, user_id: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Answers already given to this user for these change ids: a retry applies nothing twice.

    Only merged and rejected changes store their answer; an accepted one is known by
    its change-log entry, which saves a write (and a JSON document) per change. Both
    are looked up under the pushing user, so a change id copied from another user's
    push is a new change of the replayer's, never the other user's answer.
    """
    answered: dict[str, dict[str, Any]] = {}
    db = session.connection()
    for change_id, result in _STORED_ANSWERS.rows(db, ids, user_id=user_id):
        answered[change_id] = result
    for change_id, seq in _LOGGED_CHANGES.rows(db, ids, user_id=user_id):
        answered.setdefault(change_id, _accepted(change_id, seq))
    return answered
