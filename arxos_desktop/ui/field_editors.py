"""One editor per kind of field, each speaking wire values, with its error line under it.

A detail panel (equipment today, work orders and notes next) needs the same
pieces for every row: an editor that shows a stored value and reads back what
the user typed in the form the store validates (enum values, ISO dates, JSON
objects), a signal when the user is done with it (Enter, focus leaving, a pick
from a list), and a red sentence under it saying why the store refused it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.ui.theme import TOUCH_TARGET_PX

#: The date a date editor shows as "No date" (Qt date editors cannot be empty).
_NO_DATE = QDate(1900, 1, 1)


class ErrorLine(QLabel):
    """A red sentence under a field; hidden while there is nothing to say.

    The red follows the palette's lightness (dark red on light, light red on dark),
    so it stays readable when the theme switches while the panel is open.
    """

    def __init__(self, field_label: str) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setAccessibleName(f"{field_label}: problem")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._recolour()
        self.hide()

    def say(self, sentence: str) -> None:
        self.setText(sentence)
        self.setAccessibleDescription(sentence)
        self.setVisible(bool(sentence))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolour()
        super().changeEvent(event)

    def _recolour(self) -> None:
        palette = self.palette()
        dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
        red = QColor(255, 125, 125) if dark else QColor(176, 0, 32)
        if palette.color(QPalette.ColorRole.WindowText) != red:
            palette.setColor(QPalette.ColorRole.WindowText, red)
            self.setPalette(palette)


class FieldEditor(QObject):
    """A field's editor and error line; :attr:`edit_did_finish` when the user is done with it.

    :meth:`value` raises ``ValueError`` with a sentence when the text cannot even be
    turned into a value (JSON that does not parse): that is shown without asking the store.
    """

    edit_did_finish = Signal(str)

    def __init__(
        self,
        name: str,
        label: str,
        editor: QWidget,
        *,
        read: Callable[[], Any],
        write: Callable[[Any], None],
        extra: QWidget | None = None,
    ) -> None:
        super().__init__(editor)
        self.name = name
        self.label = label
        self.editor = editor
        self._read = read
        self._write = write
        self.error = ErrorLine(label)
        editor.setAccessibleName(label)
        editor.setMinimumHeight(max(editor.minimumHeight(), TOUCH_TARGET_PX))
        self.cell = QWidget()
        column = QVBoxLayout(self.cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if extra is None:
            column.addWidget(editor)
        else:
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(editor, 1)
            row.addWidget(extra)
            column.addLayout(row)
        column.addWidget(self.error)

    def value(self) -> Any:
        return self._read()

    def set_value(self, value: Any) -> None:
        blocker = self.editor.blockSignals(True)
        try:
            self._write(value)
        finally:
            self.editor.blockSignals(blocker)
        if isinstance(self.editor, QLineEdit):
            self.editor.setModified(False)

    def differs_from(self, stored: Any) -> bool:
        """Whether the editor holds something other than *stored* (unparseable text does)."""
        try:
            return bool(self.value() != stored)
        except ValueError:
            return True

    def show_error(self, sentence: str) -> None:
        self.error.say(sentence)
        self.editor.setAccessibleDescription(sentence)

    def finish(self) -> None:
        self.edit_did_finish.emit(self.name)


class _GlobalUndoWhenClean(QObject):
    """Let Ctrl+Z reach the app's undo when a line edit has no typing of its own to undo.

    A line edit claims Ctrl+Z whenever it has focus; after a saved edit it has nothing
    to undo, so the press would vanish instead of undoing the saved edit.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        # Filtered but not accepted: the shortcut map gets the key.
        return (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QLineEdit)
            and event.matches(QKeySequence.StandardKey.Undo)
            and not watched.isUndoAvailable()
        )


def text_field(name: str, label: str, *, placeholder: str = "") -> FieldEditor:
    """A line of text; surrounding spaces are dropped (a tag may not have them)."""
    line = QLineEdit()
    line.setPlaceholderText(placeholder)

    def write(text: str) -> None:
        line.setText(text)
        line.setCursorPosition(0)  # a long value shows its start, not its end

    field = FieldEditor(name, label, line, read=lambda: line.text().strip(), write=write)
    line.editingFinished.connect(field.finish)
    guard = _GlobalUndoWhenClean(line)
    line.installEventFilter(guard)
    return field


def choice_field(
    name: str, label: str, choices: Sequence[tuple[str, Any]], *, nothing: str | None = None
) -> FieldEditor:
    """A pick from a list of (text, value); with *nothing*, a first entry meaning None."""
    combo = QComboBox()

    def write(value: Any) -> None:
        index = combo.findData(value)
        if index < 0 and value is not None:  # a value this device does not know yet
            combo.addItem(str(value), value)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))

    field = FieldEditor(name, label, combo, read=combo.currentData, write=write)
    set_choices(field, choices, nothing=nothing)
    combo.activated.connect(lambda _index: field.finish())
    return field


def set_choices(
    field: FieldEditor, choices: Sequence[tuple[str, Any]], *, nothing: str | None = None
) -> None:
    """Replace the entries of a :func:`choice_field`, keeping its value if still offered."""
    combo = field.editor
    assert isinstance(combo, QComboBox)
    keep = combo.currentData()
    blocker = combo.blockSignals(True)
    combo.clear()
    if nothing is not None:
        combo.addItem(nothing, None)
    for text, value in choices:
        combo.addItem(text, value)
    combo.blockSignals(blocker)
    field.set_value(keep)


def date_field(name: str, label: str) -> FieldEditor:
    """A date with a calendar, or none ("No date"; the clear button sets that)."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(_NO_DATE)
    edit.setSpecialValueText("No date")
    clear = QToolButton()
    clear.setText("Clear")
    clear.setAccessibleName(f"Clear {label.lower()}")
    clear.setMinimumSize(TOUCH_TARGET_PX, TOUCH_TARGET_PX)

    def read() -> str | None:
        date = edit.date()
        return None if date == _NO_DATE else date.toString(Qt.DateFormat.ISODate)

    def write(value: Any) -> None:
        date = QDate.fromString(value, Qt.DateFormat.ISODate) if value else _NO_DATE
        edit.setDate(date if date.isValid() else _NO_DATE)

    field = FieldEditor(name, label, edit, read=read, write=write, extra=clear)
    edit.editingFinished.connect(field.finish)
    calendar = edit.calendarWidget()
    calendar.clicked.connect(lambda _date: field.finish())

    def clear_date() -> None:
        edit.setDate(_NO_DATE)
        field.finish()

    clear.clicked.connect(clear_date)
    return field


class _FinishOnFocusOut(QObject):
    """A multi-line editor is done when focus leaves it or on Ctrl+Enter (Enter is a newline)."""

    def __init__(self, field: FieldEditor) -> None:
        super().__init__(field)
        self._field = field

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.FocusOut:
            self._field.finish()
        elif (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._field.finish()
            return True
        return False


def json_field(name: str, label: str, *, example: str) -> FieldEditor:
    """A JSON object as text; anything else is refused here, before the store sees it."""
    text = QPlainTextEdit()
    text.setTabChangesFocus(True)
    text.setPlaceholderText(example)
    text.setMinimumHeight(TOUCH_TARGET_PX * 3)

    def read() -> dict[str, Any]:
        raw = text.toPlainText().strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        if not isinstance(value, dict):
            raise ValueError(f"must be a JSON object, like {example}")
        return value

    def write(value: Any) -> None:
        shown = json.dumps(value, indent=2, ensure_ascii=False) if value else ""
        text.setPlainText(shown)

    field = FieldEditor(name, label, text, read=read, write=write)
    text.installEventFilter(_FinishOnFocusOut(field))
    return field
