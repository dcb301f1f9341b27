"""Applying one pushed change: checks, access, merge, and the writes it queues.

:class:`PushContext` holds what one push request needs. Each change is
checked and merged in memory; only once it is accepted (nothing can raise any
more) are its writes queued, for ``push_write`` to store in a handful of
statements at the end of the push.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from sync.clock import Stamp
from sync.ids import new_id
from sync.merge import MergeResult, RowState, merge_change
from sync.outbox import Op
from sync.protocol import ChangeIn
from sync.schema import BUILDING_SCOPED
from sync.server.contested import POINTING, parents_of
from sync.server.field_clocks import after_change, field_clocks
from sync.server.models import utcnow
from sync.server.organizations import NOT_YOUR_ORG, OrganizationRules
from sync.server.push_checks import (
    ChangeRejectedError,
    check_blobs,
    check_clock,
    check_existing,
    check_fields,
    check_references,
    validate_values,
)
from sync.server.push_write import current_cursor
from sync.server.scope import Access, RowLookup, RowView, moves_scope, write_refusal

_OP_TEXT = {op: op.value for op in Op}

#: Gives the pusher a grant on a building it creates, or None if its organisation forbids it.
ClaimBuilding = Callable[[str], Access | None]


class _OrganizationAccess:
    """Lets an organisation change through :func:`write_refusal` once its own rules passed."""

    role = "admin"
    systems: frozenset[str] | None = None
    floors: frozenset[int] | None = None
    can_write = True


def _row_state(row: RowView) -> RowState:
    return RowState(values=dict(row.values), clocks=field_clocks(row.clocks), deleted=row.deleted)


class PushContext:
    """What one push request needs while it applies its changes."""

    def __init__(
        self,
        session: Session,
        *,
        user_id: str,
        device_id: str,
        accesses: dict[str, Access],
        claim_building: ClaimBuilding,
    ) -> None:
        self.session = session
        self.user_id = user_id
        self.device_id = device_id
        self.accesses = accesses
        self.claim_building = claim_building
        self.lookup = RowLookup(session)
        self.organizations = OrganizationRules(
            session, user_id=user_id, accesses=accesses, lookup=self.lookup
        )
        #: Blobs cited by this push that its user may cite (``push_checks.check_blobs``).
        self.readable_blobs: set[str] = set()
        #: Sequences are handed out here, under the push lock, so no flush is needed per change.
        self.next_seq = current_cursor(session) + 1
        self.now = utcnow()
        #: Read once per push: a push takes milliseconds, the drift allowed is a day.
        self.now_ms = time.time_ns() // 1_000_000
        self.log_rows: list[dict[str, Any]] = []
        self.new_rows: dict[tuple[str, str], RowView] = {}
        self.changed_rows: dict[tuple[str, str], RowView] = {}
        self.conflict_rows: list[dict[str, Any]] = []
        #: Building → the newest change of this push that moved a row across scope lines.
        self.scope_moves: dict[str, int] = {}
        #: Rows this push deleted: live rows still pointing at one contest it (``contested``).
        self.deleted_now: list[tuple[str, str]] = []
        #: Building → the newest delete of this push (``srv_delete_marks``).
        self.delete_marks: dict[str, int] = {}
        #: Buildings where a delete happened that the pushing device had not pulled: rows
        #: this push points at there are checked (→ hlc, seq of the last change to do so).
        self.unseen_deletes: set[str] = set()
        self.pointers: dict[tuple[str, str], tuple[str, int, str | None]] = {}

    def access_for(self, change: ChangeIn, row: RowView | None) -> Access | None:
        if change.entity == "organization":
            if change.building_id:
                raise ChangeRejectedError("An organisation belongs to no building")
            refusal = self.organizations.change_refusal(
                change.entity_id, exists=row is not None, inserting=change.op is Op.INSERT
            )
            if refusal:
                raise ChangeRejectedError(refusal)
            return _OrganizationAccess()
        building_id = change.building_id or ""
        access = self.accesses.get(building_id)
        if access is None and change.entity == "building" and row is None:
            # Claimed last, once every other check has passed: the grant it writes must
            # not outlive a rejected change (there is no per-change savepoint any more).
            access = self.claim_building(building_id)
            if access is None:
                raise ChangeRejectedError("Your organisation does not let you add buildings")
            self.accesses[building_id] = access
        return access

    def _claims_building(self, change: ChangeIn, row: RowView | None) -> bool:
        return (
            change.entity == "building"
            and row is None
            and (change.building_id or "") not in self.accesses
        )

    def _check_organization_named(
        self, change: ChangeIn, row: RowView | None, values: dict[str, Any]
    ) -> None:
        org_id = values.get("org_id")
        if change.entity != "building" or not org_id:
            return
        if row is not None and row.values.get("org_id") == org_id:
            return
        if not self.organizations.may_name(str(org_id)):
            raise ChangeRejectedError(NOT_YOUR_ORG)

    def apply(self, change: ChangeIn) -> dict[str, Any]:
        """Apply *change* (queued for ``push_write``) and return its answer, or raise."""
        if change.entity in BUILDING_SCOPED and not change.building_id:
            raise ChangeRejectedError(f"A {change.entity} must belong to a building")
        if change.entity == "building" and change.building_id != change.entity_id:
            raise ChangeRejectedError("A building's building_id must be its own id")
        check_fields(change)
        check_clock(change, self.now_ms)
        found = self.lookup.get(change.entity, change.entity_id)
        claims = self._claims_building(change, found)
        # An organisation is decided by its own rules, which answer alike whether it exists.
        access = None if claims else self.access_for(change, found)
        if access is None and not claims:
            raise ChangeRejectedError("You have no access to this building")
        row = check_existing(change, found)
        seq = self.next_seq
        merged = merge_change(
            _row_state(row) if row is not None else None,
            op=change.op,
            fields=change.fields,
            hlc=change.hlc,
            base_seq=change.base_rev,
            seq=seq,
        )
        values = merged.row.values
        validate_values(change, values)
        pointers = check_references(change, row, values, self.lookup)
        check_blobs(change, row, values, self.readable_blobs)
        self._check_organization_named(change, row, values)
        if claims:
            access = self.access_for(change, row)
        refusal = write_refusal(
            access, change.entity, row.values if row else None, values, self.lookup
        )
        if refusal:
            raise ChangeRejectedError(refusal)
        # Accepted: from here on nothing raises, so the writes are only queued.
        self._queue(change, row, merged, seq, pointers)
        # A ChangeResult-shaped dict: the route encodes it straight to JSON.
        return {
            "change_id": change.change_id,
            "status": "merged" if merged.winning else "accepted",
            "reason": "",
            "winning": merged.winning,
            "seq": seq,
        }

    def _queue(
        self,
        change: ChangeIn,
        row: RowView | None,
        merged: MergeResult,
        seq: int,
        pointers: list[tuple[str, str]] | None,
    ) -> None:
        self.next_seq += 1
        self.log_rows.append(
            {
                "seq": seq,
                "change_id": change.change_id,
                "building_id": change.building_id,
                "entity": change.entity,
                "entity_id": change.entity_id,
                "op": _OP_TEXT[change.op],
                "fields": merged.applied,
                "hlc": change.hlc,
            }
        )
        if change.entity == "organization" and row is None:
            self.organizations.created(change.entity_id)
        if merged.applied or row is None:
            self._store(change, row, merged, seq)
        moved = row is not None and moves_scope(change.entity, row.values, merged.row.values)
        if moved and change.building_id:
            self.scope_moves[change.building_id] = seq
        self._note_delete(change, row, merged.row, seq)
        if change.building_id in self.unseen_deletes and change.entity in POINTING:
            self._note_pointers(change, row, merged.row, seq, pointers)
        for conflict in merged.conflicts:
            self.conflict_rows.append(
                {
                    "id": new_id(),
                    "building_id": change.building_id,
                    "entity": change.entity,
                    "entity_id": change.entity_id,
                    "field": conflict.field,
                    "winner_value": conflict.winner_value,
                    "loser_value": conflict.loser_value,
                    "winner_hlc": conflict.winner_hlc,
                    "loser_hlc": conflict.loser_hlc,
                    "winner_device": Stamp.parse(conflict.winner_hlc).node,
                    "loser_device": Stamp.parse(conflict.loser_hlc).node,
                    "seq": seq,
                    "created_at": self.now,
                }
            )

    def _note_delete(
        self, change: ChangeIn, row: RowView | None, state: RowState, seq: int
    ) -> None:
        """Remember a row this push deleted, for the write to check what still needs it."""
        if state.deleted and (row is None or not row.deleted):
            self.deleted_now.append((change.entity, change.entity_id))
            if change.building_id:
                self.delete_marks[change.building_id] = seq

    def _note_pointers(
        self,
        change: ChangeIn,
        row: RowView | None,
        state: RowState,
        seq: int,
        after: list[tuple[str, str]] | None,
    ) -> None:
        """Remember the rows a live row came to point at, for the write to check.

        *after* is what the row points at now, as ``check_references`` found it
        (None when it did not look).
        """
        if state.deleted:
            return
        was_live = row is not None and not row.deleted
        if after is None:
            if was_live:
                return  # a live row that kept its pointers points at nothing new
            after = parents_of(change.entity, state.values, change.building_id)
        before = (
            parents_of(change.entity, row.values, row.building_id)
            if row is not None and was_live
            else ()
        )
        for parent in after:
            if parent not in before:
                self.pointers[parent] = (change.hlc, seq, change.building_id)

    def _store(self, change: ChangeIn, row: RowView | None, merged: MergeResult, seq: int) -> None:
        state = merged.row
        new = RowView(
            entity=change.entity,
            id=change.entity_id,
            building_id=change.building_id,
            values=state.values,
            clocks=after_change(
                row.clocks if row is not None else None, merged.applied, change.hlc, seq
            ),
            deleted=state.deleted,
            created_hlc=row.created_hlc if row is not None else change.hlc,
            updated_hlc=max(row.updated_hlc, change.hlc) if row is not None else change.hlc,
            seq=seq,
        )
        key = (new.entity, new.id)
        if key in self.new_rows or row is None:
            self.new_rows[key] = new
        else:
            self.changed_rows[key] = new
        self.lookup.remember(new)
