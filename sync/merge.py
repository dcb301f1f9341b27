"""Field-level merge: hybrid-logical-clock last-writer-wins, with conflict records.

The server runs :func:`merge_change` for every pushed change; devices use
:func:`overlay_pending` to keep their unsent edits on top of pulled state. The
rule is deterministic (a stamp's node id breaks ties), so every replica that
sees the same changes ends with the same values. Nothing is lost silently:
whenever a value is overwritten by a concurrent edit, or an incoming value
loses, a :class:`Conflict` keeps the other value so it can be restored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.clock import Stamp
from sync.outbox import Op

#: The pseudo-field that carries a row's tombstone through the merge.
DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class FieldClock:
    """When a field last changed: the edit's stamp and the server sequence that applied it."""

    hlc: str
    seq: int


@dataclass
class RowState:
    """What the server knows of a row: values, a clock per field, and the tombstone."""

    values: dict[str, Any]
    clocks: dict[str, FieldClock]
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Conflict:
    field: str
    winner_value: Any
    loser_value: Any
    winner_hlc: str
    loser_hlc: str


@dataclass
class MergeResult:
    row: RowState
    #: Incoming fields that took effect (what goes into the change log).
    applied: dict[str, Any] = field(default_factory=dict)
    #: Fields where the stored value beat the incoming one, with that value.
    winning: dict[str, Any] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)


def _node(hlc: str) -> str:
    # A packed stamp is 15 digits, "-", 6 hex digits, "-", then the node: slicing it
    # is what a push does per stored field, so only stamps not of that form are parsed.
    if len(hlc) > 23 and hlc[15] == "-" and hlc[22] == "-":
        return hlc[23:]
    return Stamp.parse(hlc).node


def merge_change(
    current: RowState | None,
    *,
    op: Op,
    fields: Mapping[str, Any],
    hlc: str,
    base_seq: int,
    seq: int,
) -> MergeResult:
    """Merge one change into a row and return the new state and what happened.

    ``base_seq`` is the server sequence the device had seen for this row when
    it made the edit; a stored field changed after it by another device is
    concurrent with the edit. ``seq`` is the sequence this change will get.
    """
    incoming = dict(fields)
    if op is Op.DELETE:
        incoming = {DELETED: True}
    # One clock object for every field this change sets: the server stores clocks per
    # field, and sharing the object lets it encode each distinct clock only once.
    stamp = FieldClock(hlc, seq)
    if current is None:
        values = dict(incoming)
        deleted = bool(values.pop(DELETED, False))
        row = RowState(values=values, clocks=dict.fromkeys(incoming, stamp), deleted=deleted)
        return MergeResult(row=row, applied=incoming)

    row = RowState(dict(current.values), dict(current.clocks), current.deleted)
    result = MergeResult(row=row)
    node = _node(hlc)
    was_deleted = current.deleted
    for name, value in incoming.items():
        stored = row.deleted if name == DELETED else row.values.get(name)
        clock = row.clocks.get(name)
        concurrent = (
            clock is not None
            and clock.seq > base_seq
            and _node(clock.hlc) != node
            and stored != value
        )
        if clock is None or hlc > clock.hlc:
            if name == DELETED:
                row.deleted = bool(value)
            else:
                row.values[name] = value
            row.clocks[name] = stamp
            result.applied[name] = value
            if concurrent and clock is not None:
                result.conflicts.append(Conflict(name, value, stored, hlc, clock.hlc))
        elif stored != value and clock is not None:
            result.winning[name] = stored
            result.conflicts.append(Conflict(name, stored, value, clock.hlc, hlc))

    edits = {n for n in result.applied if n != DELETED}
    deleted_clock = current.clocks.get(DELETED)
    if was_deleted and row.deleted and edits and deleted_clock is not None:
        # An edit reached a deleted row: its values are kept under the tombstone and
        # the delete is recorded as contested, so restoring the row brings them back.
        result.conflicts.append(Conflict(DELETED, True, False, deleted_clock.hlc, hlc))
    if op is Op.DELETE and DELETED in result.applied:
        for name, clock in current.clocks.items():
            if name != DELETED and clock.seq > base_seq and _node(clock.hlc) != node:
                result.conflicts.append(Conflict(DELETED, True, False, hlc, clock.hlc))
                break
    return result


def overlay_pending(
    values: Mapping[str, Any], pending: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Pulled values with the device's still-unsent edits re-applied on top, oldest first.

    The user must never see their own unsent edit vanish because a pull arrived.
    """
    merged = dict(values)
    for fields in pending:
        merged.update(fields)
    return merged
