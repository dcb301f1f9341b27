"""What a contractor's pass lets this device show and change: the app's side of the grant.

The server enforces the same grant on every push and pull (``sync/server/scope.py``;
the rules here follow it row for row), but a refusal there comes after the edit
sat in the outbox. Checked here, in the store's write path, an edit outside the
pass is refused before anything is written, with a sentence the contractor can
act on, and no widget can get round it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from arxos_desktop.access import audit_log
from arxos_desktop.access.errors import OutOfScopeError
from sync.tokens import AccessClaims, Permission

#: What an annotate-only pass may add or change: remarks on the building, not the building.
ANNOTATION_ENTITIES: Final = frozenset({"note", "annotation", "attachment"})
_TABLE: Final = {
    "floor": "floors",
    "room": "rooms",
    "equipment": "equipment",
    "document": "documents",
    "connection": "connections",
    "workorder": "work_orders",
    "annotation": "annotations",
}
_PARENT: Final = {
    "connection": ("equipment", "source_id"),
    "workorder": ("equipment", "equipment_id"),
    "annotation": ("document", "document_id"),
}
#: Links deeper than this (a note on a note on ...) are not followed: refused.
_MAX_DEPTH: Final = 3


def _row(conn: sqlite3.Connection, entity: str, row_id: Any) -> dict[str, Any] | None:
    table = _TABLE.get(entity) or {"note": "notes", "attachment": "attachments"}.get(entity)
    if table is None or not isinstance(row_id, str):
        return None
    cursor = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
    found = cursor.fetchone()
    if found is None:
        return None
    return {column[0]: value for column, value in zip(cursor.description, found, strict=True)}


@dataclass(frozen=True)
class PassScope:
    """One pass's building, systems, floors and permissions (None: every system/floor).

    With a *token_id* (a contractor session), every write it lets through is logged
    in the write's own transaction, and every write it refuses is kept until
    :meth:`settle` logs it once the refused edit has been rolled back, so the
    refusal outlives the edit it stopped.
    """

    building_id: str
    systems: frozenset[str] | None
    floors: frozenset[int] | None
    permissions: frozenset[Permission]
    token_id: str | None = None
    _refused: list[dict[str, Any]] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def of(cls, claims: AccessClaims) -> PassScope:
        return cls(
            building_id=claims.building_id,
            systems=None if claims.systems is None else frozenset(str(s) for s in claims.systems),
            floors=None if claims.floors is None else frozenset(claims.floors),
            permissions=frozenset(claims.permissions),
            token_id=claims.token_id,
        )

    @property
    def narrowed(self) -> bool:
        return self.systems is not None or self.floors is not None

    def row_filter(self, entity: str, alias: str) -> tuple[str, list[Any]]:
        """SQL keeping only *entity* rows (``alias``) of the building, floors and systems.

        Exact for floors, rooms, documents and equipment (what the navigator and the
        equipment table list); other rows are kept to the building here and checked
        one by one with :meth:`shows` where they are listed.
        """
        if entity == "organization":
            return "1", []
        if entity == "building":
            return f"{alias}.id = ?", [self.building_id]
        clauses: list[str] = [f"{alias}.building_id = ?"]
        params: list[Any] = [self.building_id]
        if self.floors is not None:
            levels = sorted(self.floors)
            marks = ", ".join("?" * len(levels)) or "NULL"
            if entity == "floor":
                clauses.append(f"{alias}.level IN ({marks})")
                params += levels
            elif entity in ("room", "document", "equipment"):
                clauses.append(
                    f"{alias}.floor_id IN (SELECT id FROM floors WHERE level IN ({marks}))"
                )
                params += levels
        if self.systems is not None and entity == "equipment":
            systems = sorted(self.systems)
            clauses.append(f"{alias}.system IN ({', '.join('?' * len(systems)) or 'NULL'})")
            params += systems
        return " AND ".join(clauses), params

    def shows(self, conn: sqlite3.Connection, entity: str, values: Mapping[str, Any]) -> bool:
        """Whether a row with these values is inside the pass (its building, floors, systems)."""
        if entity == "organization":
            return True
        if entity == "building":
            return values.get("id") == self.building_id
        if values.get("building_id") != self.building_id:
            return False
        return self._in_scope(conn, entity, values, 0)

    def _floor_ok(self, conn: sqlite3.Connection, floor_id: Any) -> bool:
        if self.floors is None:
            return True
        floor = _row(conn, "floor", floor_id)
        return floor is not None and floor["level"] in self.floors

    def _in_scope(
        self, conn: sqlite3.Connection, entity: str, values: Mapping[str, Any], depth: int
    ) -> bool:
        if not self.narrowed or entity == "building":
            return True
        if depth > _MAX_DEPTH:
            return False
        if entity == "floor":
            return self.floors is None or values.get("level") in self.floors
        if entity in ("room", "document"):
            return self._floor_ok(conn, values.get("floor_id"))
        if entity == "equipment":
            if self.systems is not None and values.get("system") not in self.systems:
                return False
            return self._floor_ok(conn, values.get("floor_id"))
        if entity in _PARENT:
            parent_entity, key = _PARENT[entity]
            parent = _row(conn, parent_entity, values.get(key))
            return parent is not None and self._in_scope(conn, parent_entity, parent, depth + 1)
        if entity in ANNOTATION_ENTITIES:
            kind = values.get("target_kind")
            if kind == "building":
                return False
            target = _row(conn, str(kind), values.get("target_id"))
            return target is not None and self._in_scope(conn, str(kind), target, depth + 1)
        return False

    def write_refusal(
        self,
        conn: sqlite3.Connection,
        entity: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
    ) -> str | None:
        """Why this pass does not allow this change, as a sentence; None if it does."""
        if Permission.WRITE not in self.permissions:
            if Permission.ANNOTATE not in self.permissions:
                return "Your pass lets you look only; it does not let you change anything."
            if entity not in ANNOTATION_ENTITIES:
                return (
                    "Your pass lets you add notes, markups and photos only; it does not let you"
                    f" change {_plural(entity)}."
                )
        if entity == "organization":  # only an organisation's managers change its record
            return "Your pass does not let you change organisations."
        for values in (before, after):
            if values is not None and not self.shows(conn, entity, values):
                return (
                    "That is outside what your pass covers (its building, floors and systems);"
                    " nothing was changed."
                )
        if self.narrowed and entity in ("building", "floor"):
            return (
                f"Your pass covers only some floors or systems, so it does not let you change"
                f" {_plural(entity)}."
            )
        return None

    def check_write(
        self,
        conn: sqlite3.Connection,
        entity: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
    ) -> None:
        """The store's write guard: :class:`OutOfScopeError` for an edit the pass forbids."""
        reason = self.write_refusal(conn, entity, before, after)
        if self.token_id is not None:
            body = self._log_body(entity, before, after, reason)
            if reason is None:
                audit_log.append(conn, body)
            else:
                self._refused.append(body)
        if reason is not None:
            raise OutOfScopeError(reason)

    @property
    def unsettled(self) -> bool:
        """Whether refusals wait to be logged (see :meth:`settle`)."""
        return bool(self._refused)

    def settle(self, conn: sqlite3.Connection) -> None:
        """Log the refusals kept since the last call (inside the caller's transaction)."""
        while self._refused:
            audit_log.append(conn, self._refused.pop(0))

    def _log_body(
        self,
        entity: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
        reason: str | None,
    ) -> dict[str, Any]:
        """What the log keeps of a write: which row and what kind of change, never its values."""
        return {
            "event": "write",
            "outcome": "accepted" if reason is None else "refused",
            "reason": reason or "",
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "token_id": self.token_id,
            "building_id": str(after.get("building_id") or ""),
            "entity": entity,
            "entity_id": str(after.get("id") or ""),
            "op": _op(before, after),
        }


def _op(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> str:
    if before is None:
        return "insert"
    if bool(after.get("deleted")) != bool(before.get("deleted")):
        return "delete" if after.get("deleted") else "restore"
    return "update"


def _plural(entity: str) -> str:
    return {
        "equipment": "equipment",
        "workorder": "work orders",
        "building": "the building",
        "organization": "organisations",
    }.get(entity, f"{entity}s")
