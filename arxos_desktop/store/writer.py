"""The only code that writes replicated rows: each write appends its outbox change.

Callers hold a transaction (:meth:`Replica.transaction`) so the row and its
change commit together or not at all. Values are validated against the schema
before anything is written; a bad edit raises :class:`InvalidEditError` and
leaves the replica untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.errors import InvalidEditError, NotFoundError, StoreError
from arxos_desktop.store.shadow import remember_before_edit
from sync.clock import HybridClock
from sync.ids import new_id
from sync.outbox import Op, append_change, new_change
from sync.schema import BUILDING_SCOPED, SYSTEM_FIELDS

if TYPE_CHECKING:
    from arxos_desktop.store.replica import AccessScope


def _invalid(entity: str, exc: ValidationError) -> InvalidEditError:
    fields: dict[str, str] = {}
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or entity
        fields[name] = err["msg"]
    return InvalidEditError(entity, fields)


def _integrity(entity: str, exc: sqlite3.IntegrityError) -> StoreError:
    text = str(exc)
    if "FOREIGN KEY" in text:
        return StoreError(f"The {entity} refers to something that is not in this replica")
    if "UNIQUE" in text:
        return StoreError(f"A {entity} with this id already exists")
    return StoreError(f"The {entity} could not be saved: {text}")


_NOT_INSERTABLE = SYSTEM_FIELDS - {"id", "building_id"}
#: Looked up once: reading an enum member off its class is a descriptor call each time.
_INSERT = Op.INSERT


class ChangeWriter:
    """Validated inserts, updates and tombstones, each captured in the outbox."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        clock: HybridClock,
        on_tick: Any,
        guard: Callable[[], AccessScope | None] = lambda: None,
    ) -> None:
        self._conn = conn
        self._clock = clock
        self._on_tick = on_tick
        self._guard = guard

    def _vet(self, entity: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        """Let the replica's write guard refuse the edit before any of it is written."""
        guard = self._guard()
        if guard is not None:
            guard.check_write(self._conn, entity, before, after)

    def _require_transaction(self) -> None:
        if not self._conn.in_transaction:
            raise RuntimeError("replica writes must run inside Replica.transaction()")

    def _stamp(self) -> str:
        stamp = self._clock.tick()
        self._on_tick(stamp)
        return stamp.pack()

    def insert(self, entity: str, values: dict[str, Any]) -> dict[str, Any]:
        """Create a row; returns its wire values (with the generated ``id``).

        Imports and bulk loads call this thousands of times in one transaction, so
        everything that depends only on the entity comes precomputed from its codec.
        """
        conn = self._conn
        if not conn.in_transaction:
            raise RuntimeError("replica writes must run inside Replica.transaction()")
        codec = codec_for(entity)
        data = dict(values)
        if not _NOT_INSERTABLE.isdisjoint(data):
            data = {k: v for k, v in data.items() if k not in _NOT_INSERTABLE}
        if not codec.column_set.issuperset(data):
            unknown = sorted(data.keys() - codec.column_set)
            raise InvalidEditError(entity, dict.fromkeys(unknown, "no such field"))
        if "id" not in data:
            data["id"] = new_id()
        if entity == "building":
            data["building_id"] = data["id"]
        elif entity in BUILDING_SCOPED and not data.get("building_id"):
            raise InvalidEditError(entity, {"building_id": "is required"})
        values_model = codec.values_model
        try:
            model = values_model.__pydantic_validator__.validate_python(data)
        except ValidationError as exc:
            raise _invalid(entity, exc) from exc
        wire: dict[str, Any] = values_model.__pydantic_serializer__.to_python(model, mode="json")
        guard = self._guard()
        if guard is not None:
            guard.check_write(conn, entity, None, wire)
        hlc = self._stamp()
        wire["created_hlc"] = wire["updated_hlc"] = hlc
        wire["deleted"] = False
        wire["server_rev"] = 0
        try:
            conn.execute(codec.insert_sql, codec.wire_to_params(wire))
        except sqlite3.IntegrityError as exc:
            raise _integrity(entity, exc) from exc
        append_change(
            conn,
            new_change(
                entity=entity,
                entity_id=wire["id"],
                building_id=wire["building_id"],
                op=_INSERT,
                fields=dict(zip(codec.user_fields, codec.take_user_fields(wire), strict=True)),
                base_rev=0,
                hlc=hlc,
            ),
        )
        return wire

    def current(self, entity: str, entity_id: str) -> dict[str, Any]:
        """The stored wire values of a live row, or :class:`NotFoundError`."""
        codec = codec_for(entity)
        row = self._conn.execute(f"{codec.select_sql} WHERE id = ?", (entity_id,)).fetchone()
        if row is None or row[codec.columns.index("deleted")]:
            raise NotFoundError(f"No {entity} with id {entity_id} in this replica")
        return codec.row_to_wire(row)

    def update(self, entity: str, entity_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some fields; returns the fields that really changed (new wire values).

        Setting a field to the value it already has records nothing.
        """
        self._require_transaction()
        codec = codec_for(entity)
        bad = {n: "cannot be edited" for n in changes if n in SYSTEM_FIELDS}
        bad.update({n: "no such field" for n in changes if n not in codec.columns})
        if bad:
            raise InvalidEditError(entity, bad)
        current = self.current(entity, entity_id)
        try:
            model = codec.values_model.model_validate({**current, **changes})
        except ValidationError as exc:
            raise _invalid(entity, exc) from exc
        wire = model.model_dump(mode="json", include=set(changes))
        changed = {n: v for n, v in wire.items() if v != current[n]}
        if not changed:
            return {}
        self._vet(entity, current, {**current, **changed})
        hlc = self._stamp()
        remember_before_edit(self._conn, entity, current)
        assignments = ", ".join(f"{n} = ?" for n in changed)
        params = [codec.wire_to_column(n, v) for n, v in changed.items()]
        try:
            self._conn.execute(
                f"UPDATE {codec.table} SET {assignments}, updated_hlc = ? WHERE id = ?",
                [*params, hlc, entity_id],
            )
        except sqlite3.IntegrityError as exc:
            raise _integrity(entity, exc) from exc
        append_change(
            self._conn,
            new_change(
                entity=entity,
                entity_id=entity_id,
                building_id=current["building_id"],
                op=Op.UPDATE,
                fields=changed,
                base_rev=current["server_rev"],
                hlc=hlc,
            ),
        )
        return changed

    def restore(self, entity: str, entity_id: str) -> None:
        """Undo a delete: the row is live again, and that is a change like any other."""
        self._set_deleted(entity, entity_id, deleted=False)

    def tombstone(self, entity: str, entity_id: str) -> None:
        """Mark a row deleted; it stays in the table so the delete can sync and be undone."""
        self._set_deleted(entity, entity_id, deleted=True)

    def _set_deleted(self, entity: str, entity_id: str, *, deleted: bool) -> None:
        self._require_transaction()
        codec = codec_for(entity)
        row = self._conn.execute(f"{codec.select_sql} WHERE id = ?", (entity_id,)).fetchone()
        before = None if row is None else codec.row_to_wire(row)
        if before is None or (deleted and before["deleted"]):
            raise NotFoundError(f"No {entity} with id {entity_id} in this replica")
        if before["deleted"] == deleted:
            return
        self._vet(entity, before, {**before, "deleted": deleted})
        hlc = self._stamp()
        remember_before_edit(self._conn, entity, before)
        self._conn.execute(
            f"UPDATE {codec.table} SET deleted = ?, updated_hlc = ? WHERE id = ?",
            (int(deleted), hlc, entity_id),
        )
        append_change(
            self._conn,
            new_change(
                entity=entity,
                entity_id=entity_id,
                building_id=before["building_id"],
                op=Op.DELETE if deleted else Op.UPDATE,
                fields={"deleted": deleted},
                base_rev=before["server_rev"],
                hlc=hlc,
            ),
        )
