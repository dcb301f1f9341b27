"""Undo of saved edits, for any entity: each undo is a new edit, queued like any other.

A saved edit has already gone into the outbox (it may even be on the server), so
undo cannot take it back; it writes the previous values again through the same
store update, which validates them and queues a change of its own. The history
remembers, per edit, the row, the fields it changed, their values before and
after.

An undo never overwrites someone else's newer value: if a field no longer holds
the value this edit gave it (a sync brought another device's edit, or another
local edit came after it), the undo is refused as a whole, names the fields, and
changes nothing. Restoring only some of the fields of one edit could leave a
row half undone (a room without its floor), so it is all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from arxos_desktop.errors import ErrorKind
from arxos_desktop.store.annotation_rules import update_annotation
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.errors import NotFoundError, StoreError
from arxos_desktop.store.replica import Replica
from arxos_desktop.store.workorders import update_work_order

#: A store update: (replica, row id, field changes) → the fields that really changed.
Update = Callable[[Replica, str, dict[str, Any]], dict[str, Any]]

#: How many edits the history keeps (older ones drop off; each is a change already queued).
HISTORY_LIMIT: Final = 200


def _plain_update(entity: str) -> Update:
    def update(replica: Replica, entity_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        with replica.transaction() as writer:
            return writer.update(entity, entity_id, changes)

    return update


#: Entities whose store service adds rules to the plain validated update (a unique tag,
#: a room that decides the floor): undo goes through the same service as the edit did.
_UPDATES: Final[dict[str, Update]] = {
    "annotation": update_annotation,
    "equipment": update_equipment,
    "workorder": update_work_order,
}


def update_for(entity: str) -> Update:
    """The store update that edits (and undoes edits of) *entity*."""
    return _UPDATES.get(entity) or _plain_update(entity)


class UndoRefusedError(StoreError):
    """Undoing would overwrite a newer value, or the row is gone: nothing was changed."""

    kind = ErrorKind.CONFLICT


@dataclass(frozen=True, slots=True)
class Edit:
    """One saved edit: which row, and each changed field's value before and after (wire)."""

    entity: str
    entity_id: str
    label: str
    before: dict[str, Any]
    after: dict[str, Any]
    #: (entity, id) of the notes and files deleted along with a deleted row, which its
    #: undo brings back too.
    dependants: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """``"status and name of AHU-1"``: what an undo of this edit puts back."""
        names = [name.replace("_id", "").replace("_", " ") for name in self.after]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{listed} of {self.label}"


def save_edit(
    replica: Replica, entity: str, entity_id: str, changes: dict[str, Any], *, label: str = ""
) -> Edit | None:
    """Apply *changes* through the entity's store update; the edit to remember, or None.

    None means nothing changed (every value was already there), so there is nothing to
    undo. The previous values are read in the same transaction as the update, so they
    are exactly what the edit replaced.
    """
    with replica.transaction() as writer:
        current = writer.current(entity, entity_id)
        changed = update_for(entity)(replica, entity_id, changes)
    if not changed:
        return None
    before = {name: current[name] for name in changed}
    return Edit(entity, entity_id, label or entity, before, dict(changed))


#: Rows that point at another row by ``target_id`` and mean nothing without it.
_TARGETED: Final = (("note", "notes"), ("attachment", "attachments"))


def save_delete(replica: Replica, entity: str, entity_id: str, *, label: str = "") -> Edit:
    """Delete a row with its notes and files (tombstones, queued like any edit); the edit
    whose undo restores them all. Nothing is left pointing at the deleted row: the server
    would keep that as a conflict on every device of the building."""
    with replica.transaction() as writer:
        writer.current(entity, entity_id)
        dependants = tuple(
            (child, row_id)
            for child, table in _TARGETED
            for (row_id,) in replica.conn.execute(
                f"SELECT id FROM {table} WHERE target_id = ? AND deleted = 0", (entity_id,)
            ).fetchall()
        )
        for child, row_id in dependants:
            writer.tombstone(child, row_id)
        writer.tombstone(entity, entity_id)
    return Edit(
        entity, entity_id, label or entity, {"deleted": False}, {"deleted": True}, dependants
    )


def _undo_tombstone(replica: Replica, edit: Edit) -> Edit:
    """Undo a delete (restore the row and its dependants) or the undo of one (delete again)."""
    was_deleted = bool(edit.after["deleted"])
    with replica.transaction() as writer:
        try:
            writer.current(edit.entity, edit.entity_id)
            live = True
        except NotFoundError:
            live = False
        if live == was_deleted:
            what = "delete" if was_deleted else "restore"
            raise UndoRefusedError(
                f"Did not undo the {what} of {edit.label}: it has changed again since."
            )
        if was_deleted:
            writer.restore(edit.entity, edit.entity_id)
            for child, row_id in edit.dependants:
                writer.restore(child, row_id)
        else:
            for child, row_id in edit.dependants:
                try:
                    writer.tombstone(child, row_id)
                except NotFoundError:
                    continue  # deleted again on its own since: nothing to do
            writer.tombstone(edit.entity, edit.entity_id)
    return Edit(
        edit.entity,
        edit.entity_id,
        edit.label,
        dict(edit.after),
        dict(edit.before),
        edit.dependants,
    )


def undo_edit(replica: Replica, edit: Edit) -> Edit | None:
    """Put back the values *edit* replaced, as a new queued change; the undo's own edit.

    Raises :class:`UndoRefusedError` (changing nothing) when the row was deleted or a
    field holds a value other than the one this edit gave it.
    """
    if set(edit.after) == {"deleted"}:
        return _undo_tombstone(replica, edit)
    with replica.transaction() as writer:
        try:
            current = writer.current(edit.entity, edit.entity_id)
        except NotFoundError:
            raise UndoRefusedError(
                f"Cannot undo the edit of {edit.label}: it has been deleted since."
            ) from None
        newer = [name for name, value in edit.after.items() if current.get(name) != value]
        if newer:
            fields = ", ".join(name.replace("_id", "").replace("_", " ") for name in newer)
            raise UndoRefusedError(
                f"Did not undo the edit of {edit.label}: its {fields} changed again since"
                " (another edit or a sync), and undo would overwrite that newer value."
            )
        changed = update_for(edit.entity)(replica, edit.entity_id, dict(edit.before))
    if not changed:
        return None
    return Edit(edit.entity, edit.entity_id, edit.label, dict(edit.after), dict(changed))


class UndoHistory:
    """The saved edits of this session, newest last; Qt-free, used from the UI thread.

    An edit is taken off (:meth:`take`) when its undo is queued, so a second undo
    pressed before the first finished walks one step further back instead of
    repeating it; :meth:`put_back` returns it if the undo failed for a reason
    other than a newer value (a full disk), so it can be tried again.
    """

    def __init__(self, *, limit: int = HISTORY_LIMIT) -> None:
        self._edits: list[Edit] = []
        self._limit = limit

    def __len__(self) -> int:
        return len(self._edits)

    def record(self, edit: Edit | None) -> None:
        """Remember a saved edit (None, an edit that changed nothing, is ignored)."""
        if edit is None:
            return
        self._edits.append(edit)
        del self._edits[: -self._limit]

    def peek(self) -> Edit | None:
        """The edit the next undo would take back, if any."""
        return self._edits[-1] if self._edits else None

    def take(self) -> Edit | None:
        """Remove and return the newest edit (None when there is nothing to undo)."""
        return self._edits.pop() if self._edits else None

    def put_back(self, edit: Edit) -> None:
        """Return an edit whose undo could not run, as the newest again."""
        self._edits.append(edit)
