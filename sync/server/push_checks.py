"""Checks a pushed change must pass before it is applied, each with its reason in words.

Every reason is shown to the user and says what to correct, and none tells
whether an id exists in a building the caller may not see: a row that is
missing and a row of another building are refused alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from sync.clock import MAX_DRIFT_MS, Stamp
from sync.errors import SyncError
from sync.merge import DELETED
from sync.outbox import Op
from sync.protocol import ChangeIn
from sync.schema import BLOB_FIELDS, ENTITIES, VALUES, user_fields
from sync.server.blob_access import blob_shas
from sync.server.contested import POINTER_FIELDS, parents_of
from sync.server.scope import RowLookup, RowView


class ChangeRejectedError(SyncError):
    """A change the server will not apply; the message is shown to the user."""


def _settable_fields(entity: str, op: Op) -> frozenset[str]:
    """The fields a change of *op* may carry for *entity*."""
    if op is Op.DELETE:
        return frozenset({DELETED})
    fields = frozenset(user_fields(entity))
    return fields | {DELETED} if op is Op.UPDATE else fields


#: Built once: every pushed change is checked against it.
_SETTABLE = {(entity, op): _settable_fields(entity, op) for entity in ENTITIES for op in Op}


def check_fields(change: ChangeIn) -> None:
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


def check_clock(change: ChangeIn, now_ms: int) -> None:
    ahead = _wall_ms(change.hlc) - now_ms
    if ahead > MAX_DRIFT_MS:
        raise ChangeRejectedError(
            f"This device's clock is {ahead // 3_600_000} hours ahead; correct it and sync again"
        )


def validate_values(change: ChangeIn, values: dict[str, Any]) -> None:
    data = {**values, "id": change.entity_id, "building_id": change.building_id}
    try:
        # The pydantic core validator of the plain model: no SQLModel instance is built.
        VALUES[change.entity].__pydantic_validator__.validate_python(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ChangeRejectedError(f"Invalid {change.entity}: {details}") from exc


def check_existing(change: ChangeIn, row: RowView | None) -> RowView | None:
    """The stored row this change writes, refusing one of another building as if missing."""
    if row is not None and row.building_id != change.building_id:
        if change.op is Op.INSERT:
            raise ChangeRejectedError(f"This {change.entity} id cannot be used in this building")
        raise ChangeRejectedError(f"This {change.entity} does not exist in this building")
    if row is None and change.op is not Op.INSERT:
        raise ChangeRejectedError(f"This {change.entity} does not exist in this building")
    return row


def referenced(changes: Iterable[ChangeIn]) -> list[tuple[str, str]]:
    """Rows the pushed fields point at, to load in one query per entity before applying."""
    found = []
    for change in changes:
        found.extend(parents_of(change.entity, change.fields, change.building_id))
    return found


def check_references(
    change: ChangeIn, row: RowView | None, values: dict[str, Any], lookup: RowLookup
) -> list[tuple[str, str]] | None:
    """Every row the change newly points at must be a row of the change's own building.

    It may be stored already or written earlier in this push (*lookup* holds both),
    and it may be deleted (that is a contested delete, not an error). A pointer the
    row held before is left alone: it was checked when it was set. Returns what the
    row points at after the change, or None for an edit of a stored row that set no
    pointer field (it points where it did, so there is nothing to check).
    """
    if row is not None and change.fields.keys().isdisjoint(POINTER_FIELDS[change.entity]):
        return None
    after = parents_of(change.entity, values, change.building_id)
    before = parents_of(change.entity, row.values, row.building_id) if row is not None else ()
    for parent, parent_id in after:
        if (parent, parent_id) in before:
            continue
        target = lookup.get(parent, parent_id)
        if target is None or target.building_id != change.building_id:
            raise ChangeRejectedError(
                f"This {change.entity} points at a {parent} that is not in its building"
            )
    return after


def cited_blobs(changes: Iterable[ChangeIn]) -> set[str]:
    """Blobs the pushed fields cite, to check in one go before applying."""
    found: set[str] = set()
    for change in changes:
        if change.entity in BLOB_FIELDS:
            found |= blob_shas(change.entity, change.fields)
    return found


def check_blobs(
    change: ChangeIn, row: RowView | None, values: dict[str, Any], readable: set[str]
) -> None:
    """A row may newly cite only a blob its pusher uploaded or may already read."""
    if change.entity not in BLOB_FIELDS:
        return
    before = blob_shas(change.entity, row.values) if row is not None else set()
    for sha256 in blob_shas(change.entity, values) - before:
        if sha256 not in readable:
            raise ChangeRejectedError(
                f"This {change.entity} cites a file you have not uploaded; upload it first"
            )
