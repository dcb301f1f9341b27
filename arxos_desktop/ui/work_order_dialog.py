"""Create or edit one work order; the store's validation errors appear beside their fields.

The dialog never checks values itself: it hands them to the store (off the UI thread)
and, when the store refuses, shows each reason under the field it is about and
keeps everything typed, so a refused edit loses nothing and saves nothing.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.store import Replica
from arxos_desktop.store.errors import InvalidEditError
from arxos_desktop.store.work_board import EquipmentChoice, WorkOrderCard, equipment_choices
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from arxos_desktop.ui.work_order_model import PRIORITIES, STATUSES, priority_label, status_label

#: The fields the dialog edits, as the store names them, with their labels.
FIELDS: Final = {
    "title": "Title",
    "description": "Description",
    "equipment_id": "Equipment",
    "priority": "Priority",
    "status": "Status",
    "due": "Due date",
    "assignee": "Assignee",
}


class WorkOrderDialog(QDialog):
    """A new work order (``card`` is ``None``) or changes to an existing one."""

    #: Saved in the replica: the work order's id.
    work_order_did_save = Signal(str)

    def __init__(
        self,
        state: AppState,
        *,
        building_id: str,
        card: WorkOrderCard | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.building_id = building_id
        self.card = card
        self.setWindowTitle("New work order" if card is None else f"Edit: {card.title}")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(520)
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        self.title_edit = QLineEdit(card.title if card else "")
        self.title_edit.setPlaceholderText("What needs doing")
        self.description_edit = QPlainTextEdit(card.description if card else "")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(96)
        self.equipment_combo = QComboBox()
        self.equipment_combo.addItem("No equipment", None)
        if card is not None and card.equipment_id:
            self.equipment_combo.addItem(card.equipment_tag or card.equipment_id, card.equipment_id)
            self.equipment_combo.setCurrentIndex(1)
        self.priority_combo = _choices(
            PRIORITIES, priority_label, card.priority if card else "normal"
        )
        self.status_combo = _choices(STATUSES, status_label, card.status if card else "open")
        if card is None:  # a new work order is open; its status changes on the board
            self.status_combo.setParent(self)
            self.status_combo.hide()
        self.due_check = QCheckBox("Due by")
        self.due_check.setMinimumHeight(TOUCH_TARGET_PX)
        self.due_edit = QDateEdit()
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("d MMM yyyy")
        due = QDate.fromString(card.due, "yyyy-MM-dd") if card and card.due else None
        self.due_edit.setDate(due or QDate.currentDate().addDays(7))
        self.due_check.setChecked(due is not None)
        self.due_edit.setEnabled(due is not None)
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        due_row = QHBoxLayout()
        due_row.addWidget(self.due_check)
        due_row.addWidget(self.due_edit, 1)
        self.assignee_edit = QLineEdit(card.assignee if card else "")
        self.assignee_edit.setPlaceholderText("Who does it")
        controls: dict[str, QWidget | QHBoxLayout] = {
            "title": self.title_edit,
            "description": self.description_edit,
            "equipment_id": self.equipment_combo,
            "priority": self.priority_combo,
            "status": self.status_combo,
            "due": due_row,
            "assignee": self.assignee_edit,
        }
        for name, control in controls.items():
            if name == "status" and card is None:
                continue
            form.addRow(FIELDS[name], _with_error(control, self._error_label(name)))
        for widget, name in (
            (self.title_edit, "Title"),
            (self.description_edit, "Description"),
            (self.equipment_combo, "Equipment"),
            (self.priority_combo, "Priority"),
            (self.status_combo, "Status"),
            (self.due_check, "Has a due date"),
            (self.due_edit, "Due date"),
            (self.assignee_edit, "Assignee"),
        ):
            widget.setAccessibleName(name)
        self.general_error = self._error_label("")
        buttons = QDialogButtonBox()
        self.save_button = QPushButton("Create" if card is None else "Save")
        self.save_button.setAccessibleName(self.save_button.text())
        self.save_button.setDefault(True)
        cancel = QPushButton("Cancel")
        cancel.setAccessibleName("Cancel")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.state.ops.run(
            lambda replica: equipment_choices(replica, building_id),
            success=self._fill_equipment,
            owner=self,
        )

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error-{name or 'general'}")
        label.setAccessibleName(f"{FIELDS.get(name, 'Work order')} error")
        label.setWordWrap(True)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.hide()
        self.errors[name] = label
        return label

    def _fill_equipment(self, choices: list[EquipmentChoice]) -> None:
        wanted = self.equipment_combo.currentData()
        self.equipment_combo.clear()
        self.equipment_combo.addItem("No equipment", None)
        for choice in choices:
            self.equipment_combo.addItem(choice.label, choice.id)
        index = self.equipment_combo.findData(wanted)
        self.equipment_combo.setCurrentIndex(max(index, 0))

    def values(self) -> dict[str, Any]:
        """What the form holds, as the store's field values."""
        values: dict[str, Any] = {
            "title": self.title_edit.text(),
            "description": self.description_edit.toPlainText(),
            "equipment_id": self.equipment_combo.currentData(),
            "priority": self.priority_combo.currentData(),
            "due": self.due_edit.date().toString("yyyy-MM-dd")
            if self.due_check.isChecked()
            else None,
            "assignee": self.assignee_edit.text().strip(),
        }
        if self.card is not None:
            values["status"] = self.status_combo.currentData()
        return values

    def changes(self) -> dict[str, Any]:
        """For an edit, only the fields that differ from the work order as it was shown."""
        values = self.values()
        if self.card is None:
            return values
        return {k: v for k, v in values.items() if getattr(self.card, k) != v}

    def save(self) -> None:
        self._show_errors({})
        changes = self.changes()
        if self.card is not None and not changes:
            self.accept()
            return
        self.save_button.setEnabled(False)
        card = self.card
        building_id = self.building_id

        def job(replica: Replica) -> str:
            from arxos_desktop.store.workorders import create_work_order, update_work_order

            if card is None:
                fields = {k: v for k, v in changes.items() if k != "title"}
                return create_work_order(
                    replica, building_id=building_id, title=changes["title"], **fields
                ).id
            update_work_order(replica, card.id, changes)
            return card.id

        self.state.ops.run(job, success=self._saved, failure=self._refused, writes=True, owner=self)

    def _saved(self, work_order_id: str) -> None:
        title = self.title_edit.text()
        verb = "Created" if self.card is None else "Saved"
        self.state.post(f"{verb} work order {title}.")
        self.work_order_did_save.emit(work_order_id)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, InvalidEditError):
            self._show_errors(error.fields)
        else:
            self._show_errors({"": plain_words(error)})

    def _show_errors(self, fields: dict[str, str]) -> None:
        shown: dict[str, list[str]] = {}
        for name, why in fields.items():
            key = name if name in self.errors else ""
            text = why if key else (f"{FIELDS.get(name, name)}: {why}" if name else why)
            shown.setdefault(key, []).append(_sentence(text))
        for name, label in self.errors.items():
            label.setText(" ".join(shown.get(name, [])))
            label.setVisible(name in shown)


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _choices(values: tuple[str, ...], label: Any, current: str) -> QComboBox:
    combo = QComboBox()
    for value in values:
        combo.addItem(label(value), value)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


def _with_error(control: QWidget | QHBoxLayout, error: QLabel) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    if isinstance(control, QHBoxLayout):
        layout.addLayout(control)
    else:
        layout.addWidget(control)
    layout.addWidget(error)
    return box
