"""One row per item to review: a conflict (keep or restore) or a refused change (fix or discard).

Rows only show and ask (their signals carry the row): the page runs the store
work and tells a row what happened, so a row never touches the replica. Every
action is a 40 px button with a name a screen reader says in full
("Restore mine: status of AHU-1").
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from arxos_desktop.store.review import ConflictItem, OutboxItem
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.outbox import Op

ENTITY_WORDS = {
    "equipment": "equipment",
    "room": "room",
    "workorder": "work order",
    "floor": "floor",
    "building": "building",
    "organization": "organisation",
    "document": "document",
    "note": "note",
    "attachment": "attachment",
}


#: The narrowest a kept or lost value may be squeezed to before it wraps.
_SIDE_MIN_PX = 280


def entity_words(entity: str) -> str:
    return ENTITY_WORDS.get(entity, entity)


def shown_value(value: Any) -> str:
    """A value as a person reads it: empty shows as "(empty)", structures as JSON."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _button(text: str, name: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setAccessibleName(name)
    button.setMinimumHeight(TOUCH_TARGET_PX)
    button.setMinimumWidth(TOUCH_TARGET_PX * 2)
    return button


def _record_button(label: str, entity: str, parent: QWidget) -> QPushButton:
    """The record's name as a flat button: a tap opens it (never hover-only)."""
    button = _button(f"{label} ({entity_words(entity)})", f"Open {label}", parent)
    button.setFlat(True)
    font = button.font()
    font.setBold(True)
    button.setFont(font)
    button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def _wrapping(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _card(frame: QFrame) -> None:
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame.setAutoFillBackground(True)
    frame.setBackgroundRole(frame.palette().ColorRole.Base)


class ConflictRow(QFrame):
    """A field two devices changed at once: which value was kept, which lost, and by whom."""

    record_was_asked = Signal(str, str)
    keep_was_asked = Signal(object)
    restore_was_asked = Signal(object)

    def __init__(self, item: ConflictItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        _card(self)
        what = f"{item.field} of {item.label}"
        self.setAccessibleName(f"Conflict: {what}")
        self.record_button = _record_button(item.label, item.entity, self)
        self.record_button.clicked.connect(
            lambda: self.record_was_asked.emit(item.entity, item.entity_id)
        )
        kept_who = "yours" if item.mine == "kept" else f"device …{item.kept_device[-8:]}"
        lost_who = "yours" if item.mine == "lost" else f"device …{item.lost_device[-8:]}"
        self.field_label = QLabel(f"Field: <b>{item.field}</b>", self)
        self.kept_label = _wrapping(f"Kept: {shown_value(item.kept_value)} ({kept_who})", self)
        self.lost_label = _wrapping(f"Lost: {shown_value(item.lost_value)} ({lost_who})", self)
        for side in (self.kept_label, self.lost_label):
            side.setMinimumWidth(_SIDE_MIN_PX)  # wrapped labels otherwise shrink to a word
        when = item.when.astimezone().strftime("%Y-%m-%d %H:%M")
        self.when_label = QLabel(when, self)
        self.when_label.setForegroundRole(self.palette().ColorRole.PlaceholderText)
        self.keep_button = _button("Keep", f"Keep the kept value: {what}", self)
        restore = "Restore mine" if item.mine == "lost" else "Restore other"
        self.restore_button = _button(restore, f"{restore}: {what}", self)
        self.keep_button.clicked.connect(lambda: self.keep_was_asked.emit(self))
        self.restore_button.clicked.connect(lambda: self.restore_was_asked.emit(self))

        grid = QGridLayout(self)
        grid.addWidget(self.record_button, 0, 0)
        grid.addWidget(self.field_label, 0, 1)
        grid.addWidget(self.when_label, 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.kept_label, 1, 0)
        grid.addWidget(self.lost_label, 1, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.restore_button)
        grid.addLayout(buttons, 1, 2)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 1)

    def set_busy(self, busy: bool) -> None:
        self.keep_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy)


def change_words(item: OutboxItem) -> str:
    """What the change did, in words: "new equipment", "change of status, name"."""
    if item.op is Op.INSERT:
        return f"new {entity_words(item.entity)}"
    if item.op is Op.DELETE:
        return f"deletion of this {entity_words(item.entity)}"
    names = [n for n in sorted(item.fields) if n != "deleted"]
    if not names and item.fields.get("deleted") is False:
        return f"restoring this {entity_words(item.entity)}"
    return "change of " + ", ".join(names)


class RejectedRow(QFrame):
    """A change the server refused and why; fix the record, or give the change up."""

    record_was_asked = Signal(str, str)
    retry_was_asked = Signal(object)
    discard_was_asked = Signal(object)
    discard_was_confirmed = Signal(object)

    def __init__(self, item: OutboxItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        _card(self)
        self.setAccessibleName(f"Refused change to {item.label}")
        self.record_button = _record_button(item.label, item.entity, self)
        self.record_button.clicked.connect(
            lambda: self.record_was_asked.emit(item.entity, item.entity_id)
        )
        self.what_label = QLabel(change_words(item).capitalize(), self)
        reason = item.reason or "the server gave no reason"
        self.reason_label = _wrapping(f"Refused by the server: {reason}", self)
        self.retry_button = _button("Edit and retry", f"Edit {item.label} and retry", self)
        self.discard_button = _button(
            "Discard", f"Discard the refused change to {item.label}", self
        )
        self.retry_button.clicked.connect(lambda: self.retry_was_asked.emit(self))
        self.discard_button.clicked.connect(lambda: self.discard_was_asked.emit(self))

        self.confirm = QFrame(self)
        self.confirm_label = _wrapping("", self.confirm)
        self.confirm_button = _button("Discard", "Confirm the discard", self.confirm)
        self.cancel_button = _button("Cancel", "Keep the change", self.confirm)
        self.confirm_button.clicked.connect(lambda: self.discard_was_confirmed.emit(self))
        self.cancel_button.clicked.connect(self.cancel_confirm)
        strip = QHBoxLayout(self.confirm)
        strip.setContentsMargins(0, 0, 0, 0)
        strip.addWidget(self.confirm_label, 1)
        strip.addWidget(self.cancel_button)
        strip.addWidget(self.confirm_button)
        self.confirm.hide()

        grid = QGridLayout(self)
        grid.addWidget(self.record_button, 0, 0)
        grid.addWidget(self.what_label, 0, 1)
        grid.addWidget(self.reason_label, 1, 0, 1, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.discard_button)
        grid.addLayout(buttons, 0, 2, 2, 1)
        grid.addWidget(self.confirm, 2, 0, 1, 3)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 1)

    def ask_to_confirm(self, going: list[OutboxItem]) -> None:
        """Say everything the discard takes with it, then wait for a second tap."""
        others = [g for g in going if g.change_id != self.item.change_id]
        if self.item.op is Op.INSERT:
            first = f"{self.item.label} goes: the server never had it."
        else:
            first = f"{self.item.label} goes back to the server's version."
        lines = [first]
        if others:
            lines.append(
                "This change of yours needs it and goes too:"
                if len(others) == 1
                else f"These {len(others)} changes of yours need it and go too:"
            )
            lines += [f"• {change_words(o)} — {o.label} ({entity_words(o.entity)})" for o in others]
        self.confirm_label.setText("\n".join(lines))
        count = len(going)
        self.confirm_button.setText(f"Discard {count} changes" if count > 1 else "Discard")
        self.confirm.show()
        self.set_busy(False)

    def cancel_confirm(self) -> None:
        self.confirm.hide()

    def set_busy(self, busy: bool) -> None:
        for button in (self.retry_button, self.discard_button, self.confirm_button):
            button.setEnabled(not busy)
