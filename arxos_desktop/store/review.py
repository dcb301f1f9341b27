"""What a person reviews after a sync: values that lost a concurrent edit, and refused edits.

Both lists are what ``arx conflicts`` and ``arx outbox --rejected`` show, named
for people (``AHU-1``, ``Room 101``) rather than by id, and saying which side
was this device's, so a screen can offer "restore mine" or "restore theirs".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from arxos_desktop.store.records import read_rows
from arxos_desktop.store.remote import open_conflicts
from arxos_desktop.store.replica import Replica
from sync.clock import Stamp
from sync.outbox import Change, ChangeState, Op, read_changes

#: The field that names a row for people, per entity (fallback: the id's tail).
LABEL_FIELDS = {
    "equipment": "tag",
    "room": "number",
    "workorder": "title",
    "floor": "name",
    "building": "name",
    "organization": "name",
    "document": "title",
    "note": "text",
    "attachment": "file_name",
}
_LONGEST_LABEL = 40


@dataclass(frozen=True, slots=True)
class ConflictItem:
    """One open conflict: the value kept (it won) and the value that lost."""

    id: str
    building_id: str | None
    entity: str
    entity_id: str
    label: str
    field: str
    kept_value: Any
    lost_value: Any
    kept_device: str
    lost_device: str
    #: Which side this device wrote: "kept", "lost", or None (two other devices).
    mine: Literal["kept", "lost"] | None
    #: The later of the two edits, in UTC.
    when: dt.datetime


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One change of this device (a refused one carries the server's reason), and its row."""

    seq: int
    change_id: str
    entity: str
    entity_id: str
    building_id: str | None
    label: str
    op: Op
    fields: dict[str, Any]
    state: ChangeState
    reason: str


def label_of(replica: Replica, entity: str, entity_id: str) -> str:
    """The row's name for people (``AHU-1``, ``Room 101``), or the tail of its id."""
    rows = read_rows(replica, entity, where="id = ?", params=(entity_id,), include_deleted=True)
    field = LABEL_FIELDS.get(entity, "")
    name = str(rows[0].wire.get(field) or "") if rows and field else ""
    if entity == "room" and name:
        name = f"Room {name}"
    if len(name) > _LONGEST_LABEL:
        name = name[: _LONGEST_LABEL - 1] + "…"
    return name or f"…{entity_id[-8:]}"


def conflicts_to_review(replica: Replica, *, building_id: str | None = None) -> list[ConflictItem]:
    """Open conflicts, newest first, as ``arx conflicts`` lists them."""
    me = replica.device_id
    labels: dict[str, str] = {}
    items = []
    for row in open_conflicts(replica, building_id=building_id):
        entity_id = row["entity_id"]
        if entity_id not in labels:
            labels[entity_id] = label_of(replica, row["entity"], entity_id)
        mine: Literal["kept", "lost"] | None = (
            "lost" if row["loser_device"] == me else "kept" if row["winner_device"] == me else None
        )
        newest = max(Stamp.parse(s).wall_ms for s in (row["winner_hlc"], row["loser_hlc"]))
        items.append(
            ConflictItem(
                id=row["id"],
                building_id=row["building_id"],
                entity=row["entity"],
                entity_id=entity_id,
                label=labels[entity_id],
                field=row["field"],
                kept_value=row["winner_value"],
                lost_value=row["loser_value"],
                kept_device=row["winner_device"],
                lost_device=row["loser_device"],
                mine=mine,
                when=dt.datetime.fromtimestamp(newest / 1000, tz=dt.UTC),
            )
        )
    return items


def rejected_changes(replica: Replica, *, building_id: str | None = None) -> list[OutboxItem]:
    """Changes the server refused, oldest first (as ``arx outbox --rejected``)."""
    changes = read_changes(replica.conn, state=ChangeState.REJECTED, building_id=building_id)
    return [_rejected_item(replica, c) for c in changes]


def _rejected_item(replica: Replica, change: Change) -> OutboxItem:
    return OutboxItem(
        seq=change.seq,
        change_id=change.change_id,
        entity=change.entity,
        entity_id=change.entity_id,
        building_id=change.building_id,
        label=label_of(replica, change.entity, change.entity_id),
        op=change.op,
        fields=change.fields,
        state=change.state,
        reason=change.reason,
    )


def describe_changes(replica: Replica, changes: list[Change]) -> list[OutboxItem]:
    """Changes (pending or refused) named for people: what a discard would take with it."""
    return [_rejected_item(replica, c) for c in changes]
