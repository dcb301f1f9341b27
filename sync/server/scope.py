"""Who may see and change which rows: a grant's role, narrowed by systems and floors.

A contractor granted ``--systems hvac --floors 1,2`` sees the building, the
floors 1 and 2, their rooms and documents, the HVAC equipment on them and what
hangs off that equipment (connections, work orders, notes, attachments,
drawing markups) — and nothing else, on pull as on push.
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

from sync.server.id_lists import IdListSelect
from sync.server.replication import ROWS_TABLE


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


#: Part of every scope tag: bump it when the visibility rules in this module change, so
#: every device re-checks each building it holds under the new rules.
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


#: The fields :func:`in_scope` reads, per entity: changing one can move a row (and what
#: hangs off it) into or out of a narrowed grant's view.
SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    "floor": ("level",),
    "room": ("floor_id",),
    "document": ("floor_id",),
    "equipment": ("system", "floor_id"),
    "connection": ("source_id",),
    "workorder": ("equipment_id",),
    "annotation": ("document_id",),
    "note": ("target_kind", "target_id"),
    "attachment": ("target_kind", "target_id"),
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


def _floor_ok(access: Access, lookup: RowLookup, floor_id: Any) -> bool:
    if access.floors is None:
        return True
    floor = lookup.get("floor", floor_id)
    return floor is not None and floor.values.get("level") in access.floors


def _equipment_ok(access: Access, lookup: RowLookup, values: dict[str, Any]) -> bool:
    if access.systems is not None and values.get("system") not in access.systems:
        return False
    return _floor_ok(access, lookup, values.get("floor_id"))


def _target_ok(access: Access, lookup: RowLookup, kind: Any, target_id: Any, depth: int) -> bool:
    if kind == "building":
        return not is_narrowed(access)
    target = lookup.get(str(kind), target_id)
    if target is None or depth > 3:
        return False
    return in_scope(access, target.entity, target.values, lookup, depth=depth + 1)


def in_scope(
    access: Access, entity: str, values: dict[str, Any], lookup: RowLookup, *, depth: int = 0
) -> bool:
    """Whether a row with these values is inside the grant's systems and floors.

    Reads only the fields listed in :data:`SCOPE_FIELDS`: keep the two in step.
    """
    if not is_narrowed(access) or entity in ("building", "organization"):
        return True
    if entity == "floor":
        return access.floors is None or values.get("level") in access.floors
    if entity in ("room", "document"):
        return _floor_ok(access, lookup, values.get("floor_id"))
    if entity == "equipment":
        return _equipment_ok(access, lookup, values)
    if entity in ("connection", "workorder", "annotation"):
        parent_entity, key = {
            "connection": ("equipment", "source_id"),
            "workorder": ("equipment", "equipment_id"),
            "annotation": ("document", "document_id"),
        }[entity]
        parent = lookup.get(parent_entity, values.get(key))
        if parent is None:
            return False
        return in_scope(access, parent_entity, parent.values, lookup, depth=depth + 1)
    if entity in ("note", "attachment"):
        return _target_ok(access, lookup, values.get("target_kind"), values.get("target_id"), depth)
    return False


#: What an annotator may add and change: remarks about the building, never the building.
ANNOTATION_ENTITIES: Final = frozenset({"note", "annotation", "attachment"})


def write_refusal(
    access: Access | None,
    entity: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    lookup: RowLookup,
) -> str | None:
    """Why this user may not make this change, in plain words; ``None`` if allowed."""
    if access is None:
        return "You have no access to this building"
    if not access.can_write:
        return f"Your role on this building ({access.role}) is read-only"
    if access.role == "annotator" and entity not in ANNOTATION_ENTITIES:
        return "Your role on this building (annotator) adds notes, markups and photos only"
    if is_narrowed(access) and entity in ("building", "floor", "organization"):
        return f"Your access is limited to some systems or floors, so you cannot change {entity}s"
    if before is not None and not in_scope(access, entity, before, lookup):
        return f"This {entity} is outside the systems or floors you were granted"
    if not in_scope(access, entity, after, lookup):
        return f"This change would put the {entity} outside the systems or floors you were granted"
    return None
