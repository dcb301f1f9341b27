"""Pull: the pages of row states a caller may see, oldest change first.

Only rows of buildings the caller was granted, inside the grant's systems and
floors, and only the organisation rows of those buildings' organisations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, or_
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from sync import jsonfast
from sync.protocol import ConflictRecord, PulledChange, PullResponse
from sync.server.push_write import building_seqs, current_cursor
from sync.server.replication import EPOCHS_TABLE, ROWS_TABLE, ConflictEntry, StoredRow
from sync.server.scope import Access, RowLookup, RowView, in_scope, is_narrowed, scope_tags

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
_EPOCHS_OF = building_seqs(EPOCHS_TABLE)


def _visible(
    access: Access | None, row: StoredRow | RowView | Any, lookup: RowLookup, orgs: frozenset[str]
) -> bool:
    if row.entity == "organization":
        return row.id in orgs
    return access is not None and in_scope(access, row.entity, row.values, lookup)


def visible_conflict(entry: ConflictEntry, access: Access | None, lookup: RowLookup) -> bool:
    """Whether a holder of *access* to the record's building pulls the record.

    A record names a row of its own building (an organisation row belongs to none),
    and is seen by those who see that row.
    """
    subject = lookup.get(entry.entity, entry.entity_id)
    if subject is None or subject.building_id != entry.building_id or access is None:
        return False
    return subject.entity != "organization" and in_scope(
        access, subject.entity, subject.values, lookup
    )


def _record(entry: ConflictEntry, with_resolutions: bool) -> ConflictRecord:
    """The record as sent; its resolution only to a device that asked for resolutions."""
    fields = {name: getattr(entry, name) for name in _RECORD_FIELDS}
    if with_resolutions and entry.resolution:
        at = entry.resolved_at
        fields.update(
            resolution=entry.resolution,
            resolved_by=entry.resolved_by or "",
            resolved_device=entry.resolved_device or "",
            resolved_at=at.isoformat(timespec="seconds") if at is not None else "",
        )
    return ConflictRecord.model_validate(fields)


_RECORD_FIELDS = [
    name
    for name in ConflictRecord.model_fields
    if name not in ("resolution", "resolved_by", "resolved_device", "resolved_at")
]


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
    with_resolutions: bool = False,
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
    conflicts = [
        _record(entry, with_resolutions)
        for entry in conflict_rows
        if visible_conflict(entry, accesses.get(entry.building_id or ""), lookup)
    ]
    return PullPage(changes, conflicts, end, has_more, _scopes(session, accesses, with_scopes))
