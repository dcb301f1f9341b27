"""Planning a `arx server import`: the repository compared with the server's rows.

Reads nothing but what it is given and writes nothing: :func:`plan_import` turns
a repository snapshot and the server's rows into the changes to send (with their
deterministic change ids, see :mod:`arxos_desktop.admin.server_import`) and counts
what differs into the report.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import or_
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from arxos_desktop.admin.import_report import ServerImportReport
from arxos_desktop.repo_format.snapshot import BuildingSnapshot
from sync.clock import HybridClock, Stamp
from sync.errors import ClockError
from sync.outbox import Op
from sync.protocol import ChangeIn
from sync.schema import ENTITIES, SHAPES, Replicated, user_fields
from sync.server.replication import StoredRow

#: Device id (and clock node) the imported changes are logged under.
IMPORT_DEVICE: Final = "server-import"
#: Namespace of the deterministic change ids; never change it, or re-imports duplicate.
CHANGE_ID_NAMESPACE: Final = uuid.UUID("6f1d3c2e-8a4b-5c7d-9e0f-a1b2c3d4e5f6")
#: Entities ``prune`` may delete, children first (the reverse of the dependency order).
#: Never the building (the repository is that building) nor organisations (shared).
PRUNE_ORDER: Final = tuple(e for e in reversed(ENTITIES) if e not in ("building", "organization"))

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ServerRow:
    """What the import needs of a row the server holds."""

    entity: str
    id: str
    building_id: str | None
    values: dict[str, Any]
    deleted: bool
    seq: int
    updated_hlc: str


@dataclass
class ImportPlan:
    """The changes one import will send, in the order they must be applied."""

    inserts: list[ChangeIn] = field(default_factory=list)
    updates: list[ChangeIn] = field(default_factory=list)
    #: Live rows the repository lacks, by key (deleted only when pruning).
    server_only: dict[Key, ServerRow] = field(default_factory=dict)


def bump(counts: dict[str, int], entity: str, by: int = 1) -> None:
    counts[entity] = counts.get(entity, 0) + by


def _digest(content: Any) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def change_id_for(building_id: str, entity: str, entity_id: str, fields: dict[str, Any]) -> str:
    """The same insert of the same row always gets the same (canonical UUID) change id."""
    digest = _digest(fields)
    return str(uuid.uuid5(CHANGE_ID_NAMESPACE, f"{building_id}/{entity}/{entity_id}/{digest}"))


def edit_change_id(
    building_id: str, entity: str, entity_id: str, op: Op, fields: dict[str, Any], base_rev: int
) -> str:
    """The id of an update or delete: the same edit of the same row version, the same id.

    The base ``seq`` is part of it, so a later revision setting a field back to a value
    an earlier import once sent is a new change, not a replay of the old answer.
    """
    digest = _digest(fields)
    name = f"{building_id}/{entity}/{entity_id}/{op.value}@{base_rev}/{digest}"
    return str(uuid.uuid5(CHANGE_ID_NAMESPACE, name))


def _rows_in_push_order(snap: BuildingSnapshot) -> Iterator[tuple[str, Replicated]]:
    """The organisation first (a building may only name one that exists), then the building
    (pushing it makes the owner its admin), then every entity parents first."""
    if snap.organization is not None:
        yield "organization", snap.organization
    yield "building", snap.building
    for entity, rows in snap.entity_lists().items():
        for row in rows:
            assert isinstance(row, Replicated)
            yield entity, row


def _repo_fields(entity: str, row: Replicated) -> dict[str, Any]:
    wire = row.model_dump(mode="json")
    return {name: wire.get(name) for name in user_fields(entity)}


def _comparable(entity: str, row: ServerRow) -> dict[str, Any]:
    """The server's values in the repository's JSON form (so ``1`` and ``1.0``, or two
    spellings of one date, do not count as a change); as stored if they no longer validate."""
    data = {**row.values, "id": row.id, "building_id": row.building_id}
    try:
        # The pydantic core validator directly, as the push path does: ~10x cheaper.
        shape = SHAPES[entity].__pydantic_validator__.validate_python(data)
        wire = shape.model_dump(mode="json")
    except ValidationError:
        wire = row.values
    return {name: wire.get(name) for name in user_fields(entity)}


def _scope(entity: str, building_id: str) -> str | None:
    return None if entity == "organization" else building_id


def _stamp_after(clock: HybridClock, seen: str) -> str:
    """A fresh stamp that sorts after *seen* (a stamp implausibly far ahead is not followed)."""
    with suppress(ClockError):
        clock.observe(Stamp.parse(seen))
    return clock.tick().pack()


def _insert(entity: str, row: Replicated, building_id: str, clock: HybridClock) -> ChangeIn:
    fields = _repo_fields(entity, row)
    return ChangeIn(
        change_id=change_id_for(building_id, entity, row.id, fields),
        entity=entity,
        entity_id=row.id,
        building_id=_scope(entity, building_id),
        op=Op.INSERT,
        fields=fields,
        base_rev=0,
        hlc=clock.tick().pack(),
    )


def edit_change(
    op: Op, row: ServerRow, fields: dict[str, Any], building_id: str, clock: HybridClock
) -> ChangeIn:
    """An update or delete of a row the server holds, based on the version it holds now."""
    return ChangeIn(
        change_id=edit_change_id(building_id, row.entity, row.id, op, fields, row.seq),
        entity=row.entity,
        entity_id=row.id,
        building_id=_scope(row.entity, building_id),
        op=op,
        fields=fields,
        base_rev=row.seq,
        hlc=_stamp_after(clock, row.updated_hlc),
    )


def server_rows(session: Session, snap: BuildingSnapshot) -> dict[Key, ServerRow]:
    """Every row of the building on the server (deleted ones too), and its organisation's.

    Plain columns, not ORM objects: read again after pushing, they must show the pushed
    state, not a cached identity.
    """
    scope = col(StoredRow.building_id) == snap.building.id
    if snap.organization is not None:
        org = (col(StoredRow.entity) == "organization") & (
            col(StoredRow.id) == snap.organization.id
        )
        scope = or_(scope, org)
    query = select_columns(
        col(StoredRow.entity),
        col(StoredRow.id),
        col(StoredRow.building_id),
        col(StoredRow.values),
        col(StoredRow.deleted),
        col(StoredRow.seq),
        col(StoredRow.updated_hlc),
    ).where(scope)
    return {(r.entity, r.id): ServerRow(*r) for r in session.execute(query)}


def plan_import(
    snap: BuildingSnapshot,
    server: Mapping[Key, ServerRow],
    report: ServerImportReport,
    clock: HybridClock,
) -> ImportPlan:
    """Compare the repository with the server row by row, counting into *report*."""
    building_id = snap.building.id
    plan = ImportPlan()
    in_repo: set[Key] = set()
    for entity, row in _rows_in_push_order(snap):
        in_repo.add((entity, row.id))
        stored = server.get((entity, row.id))
        if stored is None:
            plan.inserts.append(_insert(entity, row, building_id, clock))
            continue
        if stored.deleted:
            report.skipped_deleted.setdefault(entity, []).append(row.id)
            continue
        current, wanted = _comparable(entity, stored), _repo_fields(entity, row)
        diff = {name: value for name, value in wanted.items() if current.get(name) != value}
        if not diff:
            bump(report.unchanged, entity)
            continue
        bump(report.differing, entity)
        if report.update:
            plan.updates.append(edit_change(Op.UPDATE, stored, diff, building_id, clock))
    for key, stored in server.items():
        if key not in in_repo and not stored.deleted and stored.entity in PRUNE_ORDER:
            plan.server_only[key] = stored
            bump(report.server_only, stored.entity)
    return plan
