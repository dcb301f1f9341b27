"""Who may see and change which rows: a grant's role, narrowed by systems and floors.

A contractor granted ``--systems hvac --floors 1,2`` sees the building, the
floors 1 and 2, their rooms and documents, the HVAC equipment on them and what
hangs off that equipment (connections, work orders, notes, attachments,
drawing markups) — and nothing else, on pull as on push.

The rules themselves are :mod:`sync.scope_rules`, which the app applies too under a
contractor's pass; this module runs them over the server's rows and grants.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from sqlalchemy import bindparam
from sqlalchemy import select as select_columns
from sqlmodel import Session

from sync import scope_rules as _rules
from sync.scope_rules import ANNOTATION_ENTITIES, SCOPE_FIELDS, Refusal, Rights, refusal_text
from sync.server.id_lists import IdListSelect
from sync.server.replication import ROWS_TABLE

__all__ = [
    "ANNOTATION_ENTITIES",
    "SCOPE_FIELDS",
    "Access",
    "RowLookup",
    "RowView",
    "in_scope",
    "is_narrowed",
    "moves_scope",
    "scope_tag",
    "scope_tags",
    "write_decision",
    "write_refusal",
]


class Access(Protocol):
    """What ``crud.BuildingAccess`` offers; kept structural so scope needs no crud import."""

    @property
    def role(self) -> str: ...
    @property
    def systems(self) -> frozenset[str] | None: ...
    @property
    def floors(self) -> frozenset[int] | None: ...
    @property
    def can_write(self) -> bool: ...


def is_narrowed(access: Access) -> bool:
    return access.systems is not None or access.floors is not None


#: Part of every scope tag: bump it when the visibility rules (:mod:`sync.scope_rules`)
#: change, so every device re-checks each building it holds under the new rules.
SCOPE_RULES = 1


def scope_tag(access: Access, epoch: int = 0) -> str:
    """A fingerprint of what a grant lets its holder *see*: its systems and floors.

    Devices remember the tag each building was last synchronised under and re-pull
    the building when it differs (``docs/sync-protocol.md``, "Access changes"). It is
    derived, not stored: re-running the same grant changes nothing, and a grant
    revoked and given back unchanged while a device was away leaves that device's
    rows exactly right. The role is left out on purpose: it limits writes, not what
    a pull shows, so a new role never costs a device a re-download.

    *epoch* is the building's newest change that moved a row across systems or
    floors (:func:`moves_scope`). It only counts for a narrowed grant, since a grant
    that shows everything is not affected by where a row sits.
    """
    canonical: dict[str, Any] = {
        "rules": SCOPE_RULES,
        "systems": sorted(access.systems) if access.systems is not None else None,
        "floors": sorted(access.floors) if access.floors is not None else None,
    }
    if epoch and is_narrowed(access):
        canonical["epoch"] = epoch
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
    return digest[:16]


def scope_tags(accesses: Mapping[str, Access], epochs: Mapping[str, int]) -> dict[str, str]:
    """Building id → :func:`scope_tag` for every building the caller was granted."""
    return {
        building_id: scope_tag(access, epochs.get(building_id, 0))
        for building_id, access in accesses.items()
    }


def moves_scope(entity: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether an edit changed a field that decides who may see the row."""
    return any(before.get(name) != after.get(name) for name in SCOPE_FIELDS.get(entity, ()))


@dataclass(slots=True)
class RowView:
    """A plain copy of a ``srv_rows`` row: cheap to load, no ORM identity or autoflush."""

    entity: str
    id: str
    building_id: str | None
    values: dict[str, Any]
    #: As stored: see ``sync.server.field_clocks``.
    clocks: Any
    deleted: bool
    created_hlc: str
    updated_hlc: str
    seq: int

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


#: Table columns, not ORM attributes: a Core select skips the ORM's per-statement work,
#: which cost more than the query itself for the many small lookups of a push.
_COLUMNS = tuple(ROWS_TABLE.c[name] for name in RowView.__slots__)
#: Built once and run with new parameters: building a statement per lookup (and its
#: cache key) cost more than the query.
_ROW_BY_ID = select_columns(*_COLUMNS).where(
    ROWS_TABLE.c.entity == bindparam("entity"), ROWS_TABLE.c.id == bindparam("id")
)
_ROWS_BY_ID = IdListSelect(
    select_columns(*_COLUMNS).where(
        ROWS_TABLE.c.entity == bindparam("entity"),
        ROWS_TABLE.c.id.in_(bindparam("ids", expanding=True)),
    ),
    "ids",
)


class RowLookup:
    """Reads rows that scope decisions depend on, each once per request."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[tuple[str, str], RowView | None] = {}

    def __call__(self, entity: str, row_id: Any) -> dict[str, Any] | None:
        """The row's values: the :data:`sync.scope_rules.Lookup` the rules read rows with."""
        if not row_id:
            return None
        try:
            view = self._cache[(entity, row_id)]
        except KeyError:
            view = self.get(entity, row_id)
        return None if view is None else view.values

    def get(self, entity: str, row_id: str | None) -> RowView | None:
        if not row_id:
            return None
        key = (entity, row_id)
        if key not in self._cache:
            found = (
                self._session.connection()
                .execute(_ROW_BY_ID, {"entity": entity, "id": row_id})
                .first()
            )
            self._cache[key] = RowView(*found) if found is not None else None
        return self._cache[key]

    def prefetch(self, keys: Iterable[tuple[str, str]], chunk: int = 500) -> None:
        """Load many rows with one query per entity (and per *chunk* ids)."""
        wanted: dict[str, set[str]] = {}
        for entity, row_id in keys:
            if (entity, row_id) not in self._cache:
                wanted.setdefault(entity, set()).add(row_id)
        for entity, ids in wanted.items():
            ordered = sorted(ids)
            for k in range(0, len(ordered), chunk):
                part = ordered[k : k + chunk]
                for row_id in part:
                    self._cache[(entity, row_id)] = None
                rows = _ROWS_BY_ID.rows(self._session.connection(), part, entity=entity)
                for found in rows:
                    view = RowView(*found)
                    self._cache[(entity, view.id)] = view

    def remember(self, row: RowView) -> None:
        self._cache[(row.entity, row.id)] = row


def in_scope(access: Access, entity: str, values: Mapping[str, Any], lookup: RowLookup) -> bool:
    """Whether a row with these values is inside the grant's systems and floors
    (:func:`sync.scope_rules.in_scope`, over the server's rows)."""
    return _rules.in_scope(access.systems, access.floors, entity, values, lookup)


# Read once: an enum member read through its class is slow on Python 3.11 (``scope_rules``).
_NO_ACCESS: Final = Refusal.NO_ACCESS
_READ: Final = Rights.READ
_ANNOTATE: Final = Rights.ANNOTATE
_WRITE: Final = Rights.WRITE


def write_decision(
    access: Access | None,
    entity: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    lookup: RowLookup,
) -> Refusal | None:
    """Why this user may not make this change (:func:`sync.scope_rules.write_refusal`)."""
    if access is None:
        return _NO_ACCESS
    rights = _WRITE if access.can_write else _READ
    if rights is _WRITE and access.role == "annotator":
        rights = _ANNOTATE
    return _rules.write_refusal(
        rights, access.systems, access.floors, entity, before, after, lookup
    )


def write_refusal(
    access: Access | None,
    entity: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    lookup: RowLookup,
) -> str | None:
    """Why this user may not make this change, in plain words; ``None`` if allowed."""
    refusal = write_decision(access, entity, before, after, lookup)
    if refusal is None:
        return None
    holder = "" if access is None else f"Your access to this building ({access.role})"
    return refusal_text(refusal, entity, holder=holder)
