"""What a contractor's pass lets this device show and change: the app's side of the grant.

The server enforces the same grant on every push and pull, but a refusal there
comes after the edit sat in the outbox. Checked here, in the store's write path,
an edit outside the pass is refused before anything is written, with a sentence
the contractor can act on, and no widget can get round it. Both ends decide with
the one copy of the rules in :mod:`sync.scope_rules`; this module only reads the
replica's rows for them and adds what only a pass has: one building, and no say
over organisations (the server leaves those to their managers).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

from arxos_desktop.access import audit_log
from arxos_desktop.access.errors import OutOfScopeError
from sync import scope_rules as rules
from sync.scope_rules import ANNOTATION_ENTITIES, Refusal, Rights, refusal_text
from sync.tokens import AccessClaims, Permission

__all__ = ["ANNOTATION_ENTITIES", "PassScope"]

#: How refusals name what the contractor holds (``sync.scope_rules.refusal_text``).
_HOLDER: Final = "Your pass"
_TABLE: Final = {
    "floor": "floors",
    "room": "rooms",
    "equipment": "equipment",
    "document": "documents",
    "connection": "connections",
    "workorder": "work_orders",
    "annotation": "annotations",
    "note": "notes",
    "attachment": "attachments",
}


def _row(conn: sqlite3.Connection, entity: str, row_id: Any) -> dict[str, Any] | None:
    """The replica's row as wire values: the ``sync.scope_rules.Lookup`` of this end."""
    table = _TABLE.get(entity)
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

    @property
    def rights(self) -> Rights:
        """What the pass lets its holder write at all, in the shared rules' terms."""
        if Permission.WRITE in self.permissions:
            return Rights.WRITE
        return Rights.ANNOTATE if Permission.ANNOTATE in self.permissions else Rights.READ

    def shows(self, conn: sqlite3.Connection, entity: str, values: Mapping[str, Any]) -> bool:
        """Whether a row with these values is inside the pass (its building, floors, systems)."""
        if not self._of_building(entity, values):
            return False
        return rules.in_scope(self.systems, self.floors, entity, values, partial(_row, conn))

    def _of_building(self, entity: str, values: Mapping[str, Any]) -> bool:
        if entity == "organization":
            return True
        if entity == "building":
            return values.get("id") == self.building_id
        return values.get("building_id") == self.building_id

    def write_decision(
        self,
        conn: sqlite3.Connection,
        entity: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
    ) -> Refusal | None:
        """Why this pass does not allow this change; None if it does. Organisations
        are :meth:`write_refusal`'s: no pass changes one, whatever the rules say."""
        if not all(v is None or self._of_building(entity, v) for v in (before, after)):
            return Refusal.NO_ACCESS  # as the server answers for a building not granted
        return rules.write_refusal(
            self.rights, self.systems, self.floors, entity, before, after, partial(_row, conn)
        )

    def write_refusal(
        self,
        conn: sqlite3.Connection,
        entity: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
    ) -> str | None:
        """Why this pass does not allow this change, as a sentence; None if it does."""
        if entity == "organization":  # only an organisation's managers change its record
            return "Your pass does not let you change organisations"
        refusal = self.write_decision(conn, entity, before, after)
        return None if refusal is None else refusal_text(refusal, entity, holder=_HOLDER)

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
