"""Saving an edit and undoing the last one: the two user actions every detail panel shares.

Both run on the replica worker (:meth:`StoreOps.run`, ``writes=True``), so views
re-read when they land. Saving records the edit in the session's
:class:`~arxos_desktop.store.undo.UndoHistory` (on the :class:`AppState`), which
is what Ctrl+Z walks back, whichever panel the edit was made in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from shiboken6 import Shiboken

from arxos_desktop.store.replica import Replica
from arxos_desktop.store.undo import Edit, UndoRefusedError, save_edit, undo_edit
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState


def queue_edit(
    state: AppState,
    entity: str,
    entity_id: str,
    changes: dict[str, Any],
    *,
    label: str,
    success: Callable[[Edit | None], None],
    failure: Callable[[Exception], None],
    owner: QObject | None = None,
) -> None:
    """Save *changes* to one row; the edit goes into the undo history once it is saved."""

    def job(replica: Replica) -> Edit | None:
        return save_edit(replica, entity, entity_id, changes, label=label)

    def saved(edit: Edit | None) -> None:
        state.undo_history.record(edit)  # even if the panel that asked has closed since
        if owner is None or Shiboken.isValid(owner):
            success(edit)

    def refused(error: Exception) -> None:
        if owner is None or Shiboken.isValid(owner):
            failure(error)
        else:
            state.post(plain_words(error))

    state.ops.run(job, success=saved, failure=refused, writes=True)


def undo_last_edit(state: AppState) -> None:
    """Queue the undo of the newest saved edit, telling the user what happened either way."""
    edit = state.undo_history.take()
    if edit is None:
        state.post("Nothing to undo: no edit was saved since the app started.")
        return

    def undone(back: Edit | None) -> None:
        state.redo_history.record(back)
        state.post(f"Undid the edit of {edit.describe()}; the undo is queued to sync.")

    def refused(error: Exception) -> None:
        if not isinstance(error, UndoRefusedError):
            state.undo_history.put_back(edit)  # e.g. a full disk: it can be tried again
        state.post(plain_words(error))

    state.ops.run(
        lambda replica: undo_edit(replica, edit), success=undone, failure=refused, writes=True
    )


def redo_last_undo(state: AppState) -> None:
    """Queue the redo of the newest undo (itself undone, so it goes back on the undo
    history); refused in words if the row changed since the undo."""
    undo = state.redo_history.take()
    if undo is None:
        state.post("Nothing to redo: no edit was undone since the app started.")
        return

    def redone(back: Edit | None) -> None:
        state.undo_history.record(back)
        state.post(f"Redid the edit of {undo.describe()}; it is queued to sync.")

    def refused(error: Exception) -> None:
        if not isinstance(error, UndoRefusedError):
            state.redo_history.put_back(undo)
        state.post(plain_words(error))

    state.ops.run(
        lambda replica: undo_edit(replica, undo), success=redone, failure=refused, writes=True
    )


def install_undo(window: MainWindow, state: AppState) -> QAction:
    """Edit ▸ Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z), for edits saved from any page."""
    undo = window.add_action(
        window.edit_menu, "&Undo last edit", "Ctrl+Z", lambda: undo_last_edit(state)
    )
    window.add_action(
        window.edit_menu, "&Redo last undo", "Ctrl+Shift+Z", lambda: redo_last_undo(state)
    )
    return undo
