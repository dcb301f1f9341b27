"""The equipment detail panel: every field of one piece of equipment, edited in place.

A technician edits one field at a time on a tablet, so a field saves when they
are done with it (Enter, a pick from a list, or focus moving on); Save (Ctrl+S)
saves whatever is still unsaved at once, Revert (Esc) drops it. What the store
refuses is shown in red under the field it concerns, nothing is saved, and the
typed value stays in its editor. Showing another piece of equipment first saves
the unsaved fields; if the store refuses them the panel stays (the switch waits
until they are fixed or reverted), so an edit is never lost by moving on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from arxos_desktop.store.equipment_view import EquipmentView, equipment_view
from arxos_desktop.store.errors import InvalidEditError, NotFoundError
from arxos_desktop.store.undo import Edit
from arxos_desktop.ui.connections_view import ConnectionList
from arxos_desktop.ui.drawings.show_on_drawing import ShowOnDrawingButton
from arxos_desktop.ui.edits import queue_edit
from arxos_desktop.ui.equipment_form import EquipmentForm
from arxos_desktop.ui.field_editors import ErrorLine, FieldEditor
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.clock import Stamp
from sync.errors import ClockError

#: From this width on, the connections sit beside the fields instead of below them.
_SIDE_BY_SIDE_PX = 1000
_PICK = "Pick a piece of equipment to see and edit everything about it."


def _when(hlc: str) -> str:
    try:
        stamp = Stamp.parse(hlc)
    except ClockError:
        return "an unknown time"
    moment = dt.datetime.fromtimestamp(stamp.wall_ms / 1000).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


class EquipmentDetail(QWidget):
    """Views and edits the equipment :meth:`show_equipment` names; follows record requests."""

    #: An edit of the shown equipment was saved: (equipment id).
    edit_did_save = Signal(str)
    #: What is on screen changed: another equipment, or a re-read (tests wait on it).
    view_did_load = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._id: str | None = None
        self._target: str | None = None
        self._loaded: dict[str, Any] = {}
        self._saving = 0
        self.setAccessibleName("Equipment detail")
        self.title = QLabel(_PICK)
        self.title.setWordWrap(True)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName("Equipment")
        self.record_line = QLabel()
        self.record_line.setWordWrap(True)
        self.record_line.setAccessibleName("Record")
        self.record_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.general_error = ErrorLine("Equipment")
        self.form = EquipmentForm()
        self.fed_by = ConnectionList("Fed by", "Nothing feeds it.")
        self.feeds = ConnectionList("Feeds", "It feeds nothing.")
        links = QWidget()
        links_column = QVBoxLayout(links)
        links_column.setContentsMargins(0, 0, 0, 0)
        links_column.addWidget(self.fed_by)
        links_column.addWidget(self.feeds)
        links_column.addStretch(1)
        body = QWidget()
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom, body)
        self._body.addWidget(self.form, 3)
        self._body.addWidget(links, 2)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(body)
        self.scroller.setAccessibleName("Equipment fields")
        self.save_button = self._button("Save", "Save the unsaved fields (Ctrl+S)", self.save)
        self.revert_button = self._button("Revert", "Drop unsaved typing (Esc)", self.revert)
        self.show_on_drawing = ShowOnDrawingButton(state)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_on_drawing)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.record_line)
        layout.addWidget(self.general_error)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(buttons)
        for field in self.form.fields.values():
            field.edit_did_finish.connect(self._field_was_finished)
        for links in (self.fed_by, self.feeds):
            links.record_was_chosen.connect(state.show_record)
        state.record_was_requested.connect(self._record_was_requested)
        state.data_did_change.connect(self._reread)
        self._set_editable(False)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Connections beside the fields when the panel is wide (a page), below when narrow."""
        wide = event.size().width() >= _SIDE_BY_SIDE_PX
        self._body.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        super().resizeEvent(event)

    def _button(self, text: str, tip: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text)
        button.setToolTip(tip)
        button.setMinimumSize(TOUCH_TARGET_PX * 2, TOUCH_TARGET_PX)
        button.clicked.connect(slot)
        return button

    @property
    def equipment_id(self) -> str | None:
        """The equipment on screen (the one the editors belong to)."""
        return self._id

    @property
    def fields(self) -> dict[str, FieldEditor]:
        return self.form.fields

    def attach_to(self, window: MainWindow) -> None:
        """Edit ▸ Save equipment (Ctrl+S) in the menu, and a last save when the window closes.

        The closing save is queued before the window stops the replica worker, which
        finishes queued work, so typing that was never confirmed is still kept.
        """
        window.add_action(window.edit_menu, "&Save equipment", "Ctrl+S", self.save)
        window.on_close(self._save_before_close)

    def _save_before_close(self) -> None:
        if not Shiboken.isValid(self):
            return
        if self._id is not None:
            self._save_unsaved(None)
        # The worker stops next: the last save's change must not start a re-read.
        self.state.data_did_change.disconnect(self._reread)
        self.state.record_was_requested.disconnect(self._record_was_requested)

    # -- which equipment is shown ---------------------------------------------------------

    def show_equipment(self, equipment_id: str | None) -> None:
        """Show *equipment_id* (None: nothing) once the current one's unsaved fields are saved."""
        self._target = equipment_id
        if equipment_id == self._id:
            return
        if self._saving:
            return  # the save in progress moves on when it lands
        if self._id is not None and self._save_unsaved(None) != "clean":
            return
        self._load(equipment_id)

    def _record_was_requested(self, entity: str, record_id: str) -> None:
        if entity == "equipment":
            self.show_equipment(record_id)

    def _move_on(self) -> None:
        if self._saving == 0 and self._target != self._id and not self._unsaved():
            self._load(self._target)

    def _load(self, equipment_id: str | None) -> None:
        self.show_on_drawing.set_equipment(equipment_id)
        if equipment_id is None:
            self._id, self._loaded = None, {}
            self.title.setText(_PICK)
            self.record_line.clear()
            self.general_error.say("")
            self._set_editable(False)
            self.view_did_load.emit("")
            return
        self.state.ops.run(
            lambda replica: equipment_view(replica, equipment_id),
            success=self._show_view,
            failure=lambda error: self._load_failed(equipment_id, error),
            owner=self,
        )

    def _reread(self) -> None:
        if self._id is not None:
            self._load(self._id)

    def _show_view(self, view: EquipmentView) -> None:
        row = view.row
        if row["id"] == self._id:
            self.form.set_places(view.floors, view.rooms)
            keep = {n for n, f in self.fields.items() if f.differs_from(self._loaded.get(n))}
            self.form.show_row(row, only=set(self.fields) - keep)
        elif row["id"] == self._target:
            if self._id is not None and self._save_unsaved(None) != "clean":
                return  # typed while the next one was loading: save first
            self._id = row["id"]
            self.form.set_places(view.floors, view.rooms)
            self.form.show_row(row, force=True)
            for field in self.fields.values():
                field.show_error("")
            self.general_error.say("")
            self.scroller.verticalScrollBar().setValue(0)
        else:
            return  # an answer for a row no longer wanted
        self._loaded = row
        self.fed_by.show_links(view.fed_by)
        self.feeds.show_links(view.feeds)
        self._show_header(row)
        self._set_editable(True)
        self.view_did_load.emit(row["id"])

    def _load_failed(self, equipment_id: str, error: Exception) -> None:
        if isinstance(error, NotFoundError) and equipment_id in (self._id, self._target):
            self._id, self._target, self._loaded = None, None, {}
            self.title.setText("This equipment is no longer here (deleted, or out of your access).")
            self.record_line.clear()
            self._set_editable(False)
            self.view_did_load.emit("")
        self.state.post(plain_words(error))

    def _show_header(self, row: dict[str, Any]) -> None:
        name = f" — {row['name']}" if row["name"] else ""
        self.title.setText(f"{row['tag']}{name}")
        synced = (
            f"on the server at revision {row['server_rev']}"
            if row["server_rev"]
            else "not on the server yet"
        )
        self.record_line.setText(
            f"Changed {_when(row['updated_hlc'])}, created {_when(row['created_hlc'])};"
            f" {synced}. Id {row['id']}"
        )

    def _set_editable(self, editable: bool) -> None:
        self.scroller.setVisible(editable)
        self.save_button.setEnabled(editable)
        self.revert_button.setEnabled(editable)

    # -- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        """Save every unsaved field in one edit (one step of undo)."""
        if self._id is not None and self._save_unsaved(None) == "clean":
            self.state.post("Nothing to save: every field is as stored.")

    def revert(self) -> None:
        """Put the stored values back in the editors (unsaved typing is dropped)."""
        self.form.show_row(self._loaded, force=True)
        for field in self.fields.values():
            field.show_error("")
        self.general_error.say("")
        self._move_on()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Escape and self._id is not None:
            self.revert()
            return
        super().keyPressEvent(event)

    def _field_was_finished(self, name: str) -> None:
        self._save_unsaved({"floor_id", "room_id"} if name in ("floor_id", "room_id") else {name})

    def _unsaved(self) -> dict[str, FieldEditor]:
        return {n: f for n, f in self.fields.items() if f.differs_from(self._loaded.get(n))}

    def _save_unsaved(self, names: set[str] | None) -> str:
        """Queue a save of the unsaved fields among *names* (None: all).

        Returns ``"clean"`` (nothing to save), ``"queued"`` or ``"invalid"`` (a value
        that cannot even be read, shown under its field; nothing is saved).
        """
        assert self._id is not None
        chosen = {n: f for n, f in self.fields.items() if names is None or n in names}
        changes: dict[str, Any] = {}
        unreadable: dict[str, str] = {}
        for name, field in chosen.items():
            try:
                value = field.value()
            except ValueError as exc:
                unreadable[name] = str(exc)
                continue
            if value != self._loaded.get(name):
                changes[name] = value
            else:
                field.show_error("")
        for name, why in unreadable.items():
            chosen[name].show_error(f"{chosen[name].label} {why}.")
        if unreadable:
            self._tell_switch_waits()
            return "invalid"
        if not changes:
            return "clean"
        equipment_id, label = self._id, str(self._loaded["tag"])
        self._saving += 1
        queue_edit(
            self.state,
            "equipment",
            equipment_id,
            changes,
            label=label,
            success=lambda edit: self._saved(equipment_id, changes, edit),
            failure=lambda error: self._refused(equipment_id, error),
            owner=self,
        )
        return "queued"

    def _saved(self, equipment_id: str, changes: dict[str, Any], edit: Edit | None) -> None:
        self._saving -= 1
        if equipment_id == self._id:
            after = edit.after if edit is not None else {}
            self._loaded = {**self._loaded, **changes, **after}
            # What the store set besides the typed values (a room's floor, a normalised value);
            # a typed value now saved is written again so Ctrl+Z undoes the save, not the typing.
            moved = {n for n, v in after.items() if n not in changes or changes[n] != v}
            saved = {n for n, v in changes.items() if not self.fields[n].differs_from(v)}
            self.form.show_row(self._loaded, only=moved | saved, force=True)
            for name in changes:
                self.fields[name].show_error("")
            self.general_error.say("")
        if edit is not None:
            self.state.post(f"Saved the {edit.describe()}.")
            self.edit_did_save.emit(equipment_id)
        self._move_on()

    def _refused(self, equipment_id: str, error: Exception) -> None:
        self._saving -= 1
        if equipment_id != self._id:
            self.state.post(plain_words(error))
            return
        if isinstance(error, InvalidEditError):
            general = []
            for key, why in error.fields.items():
                name = key.split(".")[0]
                if name in self.fields:
                    self.fields[name].show_error(f"{self.fields[name].label}: {why}.")
                else:
                    general.append(f"{key}: {why}")
            self.general_error.say("; ".join(general))
            self.state.post(f"Not saved: {self._loaded.get('tag')} has a value the store refused.")
        else:
            self.general_error.say(plain_words(error))
            self.state.post(plain_words(error))
        self._tell_switch_waits()

    def _tell_switch_waits(self) -> None:
        if self._target != self._id:
            self.state.post(
                f"Still showing {self._loaded.get('tag')}: fix the fields marked in red, or"
                " Revert (Esc) to drop the unsaved typing; then the panel moves on."
            )
