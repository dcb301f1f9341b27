"""Push and pull: the server half of the sync protocol (``docs/sync-protocol.md``).

A push is one transaction, taken under a global lock so change sequences
commit in order (a puller can never skip a lower sequence that commits later).
Each change is answered on its own: accepted, merged (some fields lost to
newer edits, with the winning values) or rejected (with a reason); the answer
is stored under the change id, so a retried batch applies nothing twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Table, Update, bindparam, func, insert, or_, text, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from sync import jsonfast
from sync.clock import MAX_DRIFT_MS, Stamp
from sync.errors import ClockError, SyncError
from sync.ids import new_id
from sync.merge import DELETED, MergeResult, RowState, merge_change
from sync.outbox import Op
from sync.protocol import (
    ChangeIn,
    ConflictRecord,
    PulledChange,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync.schema import (
    BUILDING_SCOPED,
    ENTITIES,
    VALUES,
    user_fields,
)
from sync.server.blob_access import record_blob_refs
from sync.server.bulk_insert import BulkInsert, BulkWrite
from sync.server.contested import POINTING, conflict_rows, contests, late_pointers, parents_of
from sync.server.field_clocks import after_change, field_clocks
from sync.server.id_lists import IdListSelect
from sync.server.models import utcnow
from sync.server.replication import (
    ANSWERS_TABLE,
    CONFLICTS_TABLE,
    DELETE_MARKS_TABLE,
    EPOCHS_TABLE,
    LOG_TABLE,
    ROWS_TABLE,
    ConflictEntry,
    StoredRow,
)
from sync.server.scope import (
    Access,
    RowLookup,
    RowView,
    in_scope,
    is_narrowed,
    moves_scope,
    scope_tags,
    write_refusal,
)

_OP_TEXT = {op: op.value for op in Op}
_ROW_FIELDS = [name for name in RowView.__slots__ if name not in ("entity", "id")]

#: Gives the pusher a grant on a building it creates, or None if its organisation forbids it.
ClaimBuilding = Callable[[str], Access | None]

_PUSH_LOCK_KEY = 0x4152584F53  # "ARXOS": the PostgreSQL advisory lock serialising pushes

#: Built once: constructing and cache-keying a statement per push cost more than running it.
_STORED_ANSWERS = IdListSelect(
    select_columns(ANSWERS_TABLE.c.change_id, ANSWERS_TABLE.c.result).where(
        ANSWERS_TABLE.c.change_id.in_(bindparam("ids", expanding=True))
    ),
    "ids",
)
_LOGGED_CHANGES = IdListSelect(
    select_columns(LOG_TABLE.c.change_id, LOG_TABLE.c.seq).where(
        LOG_TABLE.c.change_id.in_(bindparam("ids", expanding=True))
    ),
    "ids",
)
_INSERT_LOG = BulkInsert(LOG_TABLE, [c.key for c in LOG_TABLE.c])
_LOCK_SQLITE = text("UPDATE srv_change_log SET seq = seq WHERE 0")
_LOCK_POSTGRES = text("SELECT pg_advisory_xact_lock(:key)")
_NEWEST_SEQ = select_columns(func.max(LOG_TABLE.c.seq))
_SYNC_LOG_SEQUENCE = text("SELECT setval(pg_get_serial_sequence('srv_change_log', 'seq'), :seq)")
_INSERT_ROWS = BulkInsert(ROWS_TABLE, [c.key for c in ROWS_TABLE.c], from_attributes=True)
#: One pull page: plain columns, not ORM objects, and not ``clocks`` (a page never sends
#: the per-field clocks; decoding that JSON was a third of the time). Core and built
#: once: the ORM's result machinery cost more than the query.
_PAGE = (
    select_columns(
        ROWS_TABLE.c.seq,
        ROWS_TABLE.c.entity,
        ROWS_TABLE.c.id,
        ROWS_TABLE.c.building_id,
        ROWS_TABLE.c["values"],
        ROWS_TABLE.c.deleted,
        ROWS_TABLE.c.updated_hlc,
    )
    .where(ROWS_TABLE.c.seq > bindparam("after"), ROWS_TABLE.c.seq <= bindparam("upto"))
    .where(
        or_(
            ROWS_TABLE.c.building_id.in_(bindparam("buildings", expanding=True)),
            ROWS_TABLE.c.building_id.is_(None),
        )
    )
    .order_by(ROWS_TABLE.c.seq)
    .limit(bindparam("limit"))
)


def _newest_seq_update(table: Table) -> Update:
    return (
        update(table)
        .where(table.c.building_id == bindparam("key_building"))
        .values(seq=bindparam("new_seq"))
    )


def _building_seqs(table: Table) -> IdListSelect:
    return IdListSelect(
        select_columns(table.c.building_id, table.c.seq).where(
            table.c.building_id.in_(bindparam("buildings", expanding=True))
        ),
        "buildings",
    )


#: Per-building "newest sequence of …" tables: scope epochs and delete marks.
_MOVE_EPOCH, _EPOCHS_OF = _newest_seq_update(EPOCHS_TABLE), _building_seqs(EPOCHS_TABLE)
_MARK_DELETE, _MARKS_OF = _newest_seq_update(DELETE_MARKS_TABLE), _building_seqs(DELETE_MARKS_TABLE)
#: One row's new state, by primary key (``key_*``: bind names may not be column names).
_UPDATE_ROW = BulkWrite(
    update(ROWS_TABLE)
    .where(ROWS_TABLE.c.entity == bindparam("key_entity"), ROWS_TABLE.c.id == bindparam("key_id"))
    .values({name: bindparam(name) for name in _ROW_FIELDS}),
    from_attributes=True,
    sources={"key_entity": "entity", "key_id": "id"},
)


class _CreatorAccess:
    """The access of a user creating a new organisation record."""

    role = "admin"
    systems: frozenset[str] | None = None
    floors: frozenset[int] | None = None
    can_write = True


class ChangeRejectedError(SyncError):
    """A change the server will not apply; the message is shown to the user."""


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


def _row_state(row: RowView) -> RowState:
    return RowState(values=dict(row.values), clocks=field_clocks(row.clocks), deleted=row.deleted)


def _settable_fields(entity: str, op: Op) -> frozenset[str]:
    """The fields a change of *op* may carry for *entity*."""
    if op is Op.DELETE:
        return frozenset({DELETED})
    fields = frozenset(user_fields(entity))
    return fields | {DELETED} if op is Op.UPDATE else fields


#: Built once: every pushed change is checked against it.
_SETTABLE = {(entity, op): _settable_fields(entity, op) for entity in ENTITIES for op in Op}


def _check_fields(change: ChangeIn) -> None:
    allowed = _SETTABLE.get((change.entity, change.op))
    if allowed is None:
        raise ChangeRejectedError(f"Unknown kind of record: {change.entity}")
    if change.fields.keys() <= allowed:
        return
    unknown = sorted(set(change.fields) - allowed)
    raise ChangeRejectedError(f"Unknown field(s) for {change.entity}: {', '.join(unknown)}")


def _wall_ms(hlc: str) -> int:
    """A stamp's wall-clock part; the request model already checked the stamp's form."""
    if len(hlc) > 16 and hlc[15] == "-" and hlc[:15].isdigit():
        return int(hlc[:15])
    return Stamp.parse(hlc).wall_ms  # not from the wire: check it (raises ClockError)


def _check_clock(change: ChangeIn, now_ms: int) -> None:
    ahead = _wall_ms(change.hlc) - now_ms
    if ahead > MAX_DRIFT_MS:
        raise ChangeRejectedError(
            f"This device's clock is {ahead // 3_600_000} hours ahead; correct it and sync again"
        )


def _validate_values(change: ChangeIn, values: dict[str, Any]) -> None:
    data = {**values, "id": change.entity_id, "building_id": change.building_id}
    try:
        # The pydantic core validator of the plain model: no SQLModel instance is built.
        VALUES[change.entity].__pydantic_validator__.validate_python(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ChangeRejectedError(f"Invalid {change.entity}: {details}") from exc


class PushContext:
    """What one push request needs while it applies its changes."""

    def __init__(
        self,
        session: Session,
        *,
        user_id: str,
        device_id: str,
        accesses: dict[str, Access],
        claim_building: ClaimBuilding,
    ) -> None:
        self.session = session
        self.user_id = user_id
        self.device_id = device_id
        self.accesses = accesses
        self.claim_building = claim_building
        self.lookup = RowLookup(session)
        #: Sequences are handed out here, under the push lock, so no flush is needed per change.
        self.next_seq = current_cursor(session) + 1
        self.now = utcnow()
        #: Read once per push: a push takes milliseconds, the drift allowed is a day.
        self.now_ms = time.time_ns() // 1_000_000
        self.log_rows: list[dict[str, Any]] = []
        self.new_rows: dict[tuple[str, str], RowView] = {}
        self.changed_rows: dict[tuple[str, str], RowView] = {}
        self.conflict_rows: list[dict[str, Any]] = []
        #: Building → the newest change of this push that moved a row across scope lines.
        self.scope_moves: dict[str, int] = {}
        #: Rows this push deleted: live rows still pointing at one contest it (``contested``).
        self.deleted_now: list[tuple[str, str]] = []
        #: Building → the newest delete of this push (``srv_delete_marks``).
        self.delete_marks: dict[str, int] = {}
        #: Buildings where a delete happened that the pushing device had not pulled: rows
        #: this push points at there are checked (→ hlc, seq of the last change to do so).
        self.unseen_deletes: set[str] = set()
        self.pointers: dict[tuple[str, str], tuple[str, int]] = {}

    def access_for(self, change: ChangeIn, row: RowView | None) -> Access | None:
        if change.entity == "organization":
            managing = [a for a in self.accesses.values() if a.role in ("admin", "manager")]
            if managing:
                return managing[0]
            if row is None:
                # A new organisation record is created with its first building (the
                # device sends it first); it is only shown to users of its buildings.
                return _CreatorAccess()
            raise ChangeRejectedError(
                "Only a building's admin or manager can change its organisation"
            )
        building_id = change.building_id or ""
        access = self.accesses.get(building_id)
        if access is None and change.entity == "building" and row is None:
            # Claimed last, once every other check has passed: the grant it writes must
            # not outlive a rejected change (there is no per-change savepoint any more).
            access = self.claim_building(building_id)
            if access is None:
                raise ChangeRejectedError("Your organisation does not let you add buildings")
            self.accesses[building_id] = access
        return access

    def _claims_building(self, change: ChangeIn, row: RowView | None) -> bool:
        return (
            change.entity == "building"
            and row is None
            and (change.building_id or "") not in self.accesses
        )

    def apply(self, change: ChangeIn) -> dict[str, Any]:
        """Apply *change* (queued for :meth:`write`) and return its answer, or raise."""
        if change.entity in BUILDING_SCOPED and not change.building_id:
            raise ChangeRejectedError(f"A {change.entity} must belong to a building")
        if change.entity == "building" and change.building_id != change.entity_id:
            raise ChangeRejectedError("A building's building_id must be its own id")
        _check_fields(change)
        _check_clock(change, self.now_ms)
        row = self.lookup.get(change.entity, change.entity_id)
        if row is not None and row.building_id != change.building_id:
            raise ChangeRejectedError(f"This {change.entity} belongs to another building")
        if row is None and change.op is not Op.INSERT:
            raise ChangeRejectedError(f"This {change.entity} does not exist on the server")
        claims = self._claims_building(change, row)
        access = None if claims else self.access_for(change, row)
        seq = self.next_seq
        merged = merge_change(
            _row_state(row) if row is not None else None,
            op=change.op,
            fields=change.fields,
            hlc=change.hlc,
            base_seq=change.base_rev,
            seq=seq,
        )
        _validate_values(change, merged.row.values)
        if claims:
            access = self.access_for(change, row)
        refusal = write_refusal(
            access, change.entity, row.values if row else None, merged.row.values, self.lookup
        )
        if refusal:
            raise ChangeRejectedError(refusal)
        # Accepted: from here on nothing raises, so the writes are only queued.
        self.next_seq += 1
        self.log_rows.append(
            {
                "seq": seq,
                "change_id": change.change_id,
                "building_id": change.building_id,
                "entity": change.entity,
                "entity_id": change.entity_id,
                "op": _OP_TEXT[change.op],
                "fields": merged.applied,
                "hlc": change.hlc,
            }
        )
        if merged.applied or row is None:
            self._store(change, row, merged, seq)
        moved = row is not None and moves_scope(change.entity, row.values, merged.row.values)
        if moved and change.building_id:
            self.scope_moves[change.building_id] = seq
        self._note_delete(change, row, merged.row, seq)
        if change.building_id in self.unseen_deletes and change.entity in POINTING:
            self._note_pointers(change, row, merged.row, seq)
        for conflict in merged.conflicts:
            self.conflict_rows.append(
                {
                    "id": new_id(),
                    "building_id": change.building_id,
                    "entity": change.entity,
                    "entity_id": change.entity_id,
                    "field": conflict.field,
                    "winner_value": conflict.winner_value,
                    "loser_value": conflict.loser_value,
                    "winner_hlc": conflict.winner_hlc,
                    "loser_hlc": conflict.loser_hlc,
                    "winner_device": Stamp.parse(conflict.winner_hlc).node,
                    "loser_device": Stamp.parse(conflict.loser_hlc).node,
                    "seq": seq,
                    "created_at": self.now,
                }
            )
        # A ChangeResult-shaped dict: the route encodes it straight to JSON.
        return {
            "change_id": change.change_id,
            "status": "merged" if merged.winning else "accepted",
            "reason": "",
            "winning": merged.winning,
            "seq": seq,
        }

    def _note_delete(
        self, change: ChangeIn, row: RowView | None, state: RowState, seq: int
    ) -> None:
        """Remember a row this push deleted, for :meth:`write` to check what still needs it."""
        if state.deleted and (row is None or not row.deleted):
            self.deleted_now.append((change.entity, change.entity_id))
            if change.building_id:
                self.delete_marks[change.building_id] = seq

    def _note_pointers(
        self, change: ChangeIn, row: RowView | None, state: RowState, seq: int
    ) -> None:
        """Remember the rows a live row came to point at, for :meth:`write` to check."""
        if state.deleted:
            return
        was_live = row is not None and not row.deleted
        before = (
            parents_of(change.entity, row.values, row.building_id)
            if row is not None and was_live
            else ()
        )
        for parent in parents_of(change.entity, state.values, change.building_id):
            if parent not in before:
                self.pointers[parent] = (change.hlc, seq)

    def _store(self, change: ChangeIn, row: RowView | None, merged: MergeResult, seq: int) -> None:
        state = merged.row
        new = RowView(
            entity=change.entity,
            id=change.entity_id,
            building_id=change.building_id,
            values=state.values,
            clocks=after_change(
                row.clocks if row is not None else None, merged.applied, change.hlc, seq
            ),
            deleted=state.deleted,
            created_hlc=row.created_hlc if row is not None else change.hlc,
            updated_hlc=max(row.updated_hlc, change.hlc) if row is not None else change.hlc,
            seq=seq,
        )
        key = (new.entity, new.id)
        if key in self.new_rows or row is None:
            self.new_rows[key] = new
        else:
            self.changed_rows[key] = new
        self.lookup.remember(new)

    def write(self, answers: list[dict[str, Any]]) -> None:
        """Everything the batch changed, in a handful of multi-row Core statements.

        Core, not the ORM's bulk methods: the rows are plain dicts already, and the
        ORM's per-row bookkeeping cost more than the database did.
        """
        session = self.session
        # Core statements on the connection: the ORM session adds per-statement work.
        db = session.connection()
        if self.log_rows:
            # One value for the whole push: processed once, not per row.
            writer = {"device_id": self.device_id, "user_id": self.user_id}
            _INSERT_LOG.run(db, self.log_rows, {**writer, "created_at": self.now})
            if db.dialect.name == "postgresql":
                # Sequences are handed out under the push lock; keep the column's own
                # sequence in step so an insert that relies on it can never collide.
                db.execute(_SYNC_LOG_SEQUENCE, {"seq": self.next_seq - 1})
        if self.new_rows:
            _INSERT_ROWS.run(db, list(self.new_rows.values()))
        if self.changed_rows:
            _UPDATE_ROW.run(db, list(self.changed_rows.values()))
        record_blob_refs(session, [*self.new_rows.values(), *self.changed_rows.values()])
        if self.deleted_now or self.pointers:
            written = {**self.new_rows, **self.changed_rows}
            found = {(c.entity, c.entity_id): c for c in contests(db, written, self.deleted_now)}
            for late in late_pointers(db, written, self.pointers):
                found.setdefault((late.entity, late.entity_id), late)
            self.conflict_rows.extend(conflict_rows(list(found.values()), self.now))
        _store_newest(db, _MARK_DELETE, DELETE_MARKS_TABLE, self.delete_marks)
        if self.conflict_rows:
            db.execute(insert(CONFLICTS_TABLE), self.conflict_rows)
        if answers:
            db.execute(insert(ANSWERS_TABLE), answers)
        _store_newest(db, _MOVE_EPOCH, EPOCHS_TABLE, self.scope_moves)


def _store_newest(db: Connection, move: Update, table: Table, seqs: Mapping[str, int]) -> None:
    """Set each building's newest sequence in *table* (a row is added the first time)."""
    for building_id, seq in seqs.items():
        moved = db.execute(move, {"key_building": building_id, "new_seq": seq})
        if moved.rowcount == 0:  # pushes are serialised: nobody inserts it meanwhile
            db.execute(insert(table), {"building_id": building_id, "seq": seq})


def _unseen_deletes(session: Session, request: PushRequest) -> set[str]:
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


def _earlier_answers(session: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Answers already given for these change ids, so a retried batch applies nothing twice.

    Only merged and rejected changes store their answer; an accepted one is known by
    its change-log entry, which saves a write (and a JSON document) per change.
    """
    answered: dict[str, dict[str, Any]] = {}
    db = session.connection()
    for change_id, result in _STORED_ANSWERS.rows(db, ids):
        answered[change_id] = result
    for change_id, seq in _LOGGED_CHANGES.rows(db, ids):
        answered.setdefault(change_id, _accepted(change_id, seq))
    return answered


@dataclass
class PushOutcome:
    """A push's answers as ``ChangeResult``-shaped dicts, and the cursor after it.

    Dicts, not models: the route encodes them straight to JSON; building a model
    per answer only to serialise it again cost more than applying the change.
    """

    results: list[dict[str, Any]]
    cursor: int

    def response(self) -> PushResponse:
        """The answers as the protocol model, for in-process callers."""
        return PushResponse.model_validate({"results": self.results, "cursor": self.cursor})

    def json(self) -> bytes:
        """The ``PushResponse`` JSON."""
        return jsonfast.dumps_bytes({"results": self.results, "cursor": self.cursor})


def push(
    session: Session,
    request: PushRequest,
    *,
    user_id: str,
    accesses: dict[str, Access],
    claim_building: ClaimBuilding,
) -> PushResponse:
    """Apply a batch in order, in one transaction (the caller commits)."""
    return apply_push(
        session, request, user_id=user_id, accesses=accesses, claim_building=claim_building
    ).response()


def apply_push(
    session: Session,
    request: PushRequest,
    *,
    user_id: str,
    accesses: dict[str, Access],
    claim_building: ClaimBuilding,
) -> PushOutcome:
    """:func:`push`, answering with plain dicts (what the route sends as they are)."""
    lock_for_push(session)
    context = PushContext(
        session,
        user_id=user_id,
        device_id=request.device_id,
        accesses=dict(accesses),
        claim_building=claim_building,
    )
    context.unseen_deletes = _unseen_deletes(session, request)
    answered = _earlier_answers(session, [change.change_id for change in request.changes])
    context.lookup.prefetch((c.entity, c.entity_id) for c in request.changes)
    results: list[dict[str, Any]] = []
    to_store: list[dict[str, Any]] = []
    for change in request.changes:
        earlier = answered.get(change.change_id)
        if earlier is not None:
            results.append(earlier)
            continue
        try:
            answer = context.apply(change)
        except (ChangeRejectedError, ClockError) as exc:
            answer = {
                "change_id": change.change_id,
                "status": "rejected",
                "reason": str(exc),
                "winning": {},
                "seq": None,
            }
        answered[change.change_id] = answer
        if answer["status"] != "accepted":
            to_store.append(
                {
                    "change_id": change.change_id,
                    "device_id": request.device_id,
                    "user_id": user_id,
                    "result": answer,
                    "created_at": context.now,
                }
            )
        results.append(answer)
    context.write(to_store)
    return PushOutcome(results, max(context.next_seq - 1, 0))


def _visible(
    access: Access | None, row: StoredRow | RowView | Any, lookup: RowLookup, orgs: frozenset[str]
) -> bool:
    if row.entity == "organization":
        return row.id in orgs
    return access is not None and in_scope(access, row.entity, row.values, lookup)


def _organizations_of(buildings: list[str], lookup: RowLookup) -> frozenset[str]:
    """Organisations that own a building the caller may see: the only ones it may see."""
    owners = set()
    for building_id in buildings:
        row = lookup.get("building", building_id)
        if row is not None and row.values.get("org_id"):
            owners.add(str(row.values["org_id"]))
    return frozenset(owners)


def _scopes(
    session: Session, accesses: Mapping[str, Access], wanted: bool
) -> dict[str, str] | None:
    """Every building the caller was granted with its scope tag, if the device asked.

    Always the whole list, even on a page of one building: a building missing from
    it is one the caller lost, and the device removes what it holds of it.
    """
    if not wanted:
        return None
    narrowed = [building_id for building_id, access in accesses.items() if is_narrowed(access)]
    epochs: dict[str, int] = {}
    if narrowed:
        found = _EPOCHS_OF.rows(session.connection(), sorted(narrowed))
        epochs = {building_id: int(seq) for building_id, seq in found}
    return scope_tags(accesses, epochs)


@dataclass
class PullPage:
    """One pull page with its row states as plain ``PulledChange``-shaped dicts.

    Dicts, not models: the route encodes the page straight to JSON, and building
    a model per row only to serialise it again was a third of a page's server time.
    """

    changes: list[dict[str, Any]]
    conflicts: list[ConflictRecord]
    cursor: int
    has_more: bool
    scopes: dict[str, str] | None

    def response(self) -> PullResponse:
        """The page as the protocol model (what :meth:`json` parses to), for in-process use."""
        return PullResponse(
            changes=[PulledChange.model_construct(**change) for change in self.changes],
            conflicts=self.conflicts,
            cursor=self.cursor,
            has_more=self.has_more,
            scopes=self.scopes,
        )

    def json(self) -> bytes:
        """The page's ``PullResponse`` JSON (``scopes`` only when asked for)."""
        document: dict[str, Any] = {
            "changes": self.changes,
            "conflicts": [conflict.model_dump(mode="json") for conflict in self.conflicts],
            "cursor": self.cursor,
            "has_more": self.has_more,
        }
        if self.scopes is not None:
            document["scopes"] = self.scopes
        return jsonfast.dumps_bytes(document)


def pull_page(
    session: Session,
    *,
    accesses: Mapping[str, Access],
    cursor: int,
    limit: int,
    building_id: str | None = None,
    with_scopes: bool = False,
) -> PullPage:
    """Row states after *cursor* that the caller may see, oldest change first.

    The page ends at the newest sequence read *before* the rows: pushes commit in
    sequence order, so everything up to that bound is visible to the row query.
    Reading the bound afterwards (each statement sees the commits made before it,
    on PostgreSQL and on SQLite alike) would let a push that committed in between
    raise the cursor past rows this page never held, and the device would never
    receive them.
    """
    buildings = [b for b in accesses if building_id is None or b == building_id]
    if not buildings:
        return PullPage([], [], max(cursor, 0), False, _scopes(session, accesses, with_scopes))
    newest = current_cursor(session)
    rows = list(
        session.connection().execute(
            _PAGE, {"after": cursor, "upto": newest, "buildings": buildings, "limit": limit + 1}
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    end = rows[-1].seq if has_more else max(newest, cursor)
    lookup = RowLookup(session)
    orgs = _organizations_of(buildings, lookup)
    changes = [
        {
            "seq": row.seq,
            "entity": row.entity,
            "entity_id": row.id,
            "building_id": row.building_id,
            "fields": row.values,
            "deleted": bool(row.deleted),
            "hlc": row.updated_hlc,
            "device_id": row.updated_hlc.split("-", 2)[2],  # wall-counter-node
            "change_id": None,
        }
        for row in rows
        if _visible(accesses.get(row.building_id or ""), row, lookup, orgs)
    ]
    conflict_rows = session.exec(
        select(ConflictEntry)
        .where(col(ConflictEntry.seq) > cursor, col(ConflictEntry.seq) <= end)
        .where(col(ConflictEntry.building_id).in_(buildings))
        .order_by(col(ConflictEntry.seq))
    )
    conflicts = []
    for entry in conflict_rows:
        subject = lookup.get(entry.entity, entry.entity_id)
        access = accesses.get(entry.building_id or "")
        if subject is not None and _visible(access, subject, lookup, orgs):
            conflicts.append(ConflictRecord.model_validate(entry, from_attributes=True))
    return PullPage(changes, conflicts, end, has_more, _scopes(session, accesses, with_scopes))
