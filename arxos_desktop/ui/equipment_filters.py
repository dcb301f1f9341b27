"""The filter bar over the equipment table: system, status, floor and a quick filter box.

The boxes offer what the building's equipment really has (read off the UI thread).
The quick filter applies as the user types, after a short pause, so a fast typist
starts one query, not one per key.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from arxos_desktop.store.equipment_table import FilterChoices
from arxos_desktop.ui.equipment_model import words

#: Pause after the last key before the quick filter applies.
DEBOUNCE_MS = 200


def _combo(name: str, every: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.setToolTip(name)
    combo.addItem(every, None)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


class EquipmentFilters(QWidget):
    """Filters the user sets; the page turns them into the table's query."""

    #: A filter changed (the quick filter only after :data:`DEBOUNCE_MS` without typing).
    filters_did_change = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit()
        self.text.setAccessibleName("Quick filter")
        self.text.setPlaceholderText("Filter by tag or name (Ctrl+F)")
        self.text.setClearButtonEnabled(True)
        self.system = _combo("System filter", "All systems")
        self.status = _combo("Status filter", "All statuses")
        self.floor = _combo("Floor filter", "All floors")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.filters_did_change)
        self.text.textChanged.connect(lambda _text: self._debounce.start())
        self.text.returnPressed.connect(self._apply_text_now)
        for combo in (self.system, self.status, self.floor):
            combo.activated.connect(lambda _index: self.filters_did_change.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 3)
        for combo in (self.system, self.status, self.floor):
            layout.addWidget(combo, 1)

    @property
    def system_value(self) -> str | None:
        return self._value(self.system)

    @property
    def status_value(self) -> str | None:
        return self._value(self.status)

    @property
    def floor_value(self) -> str | None:
        return self._value(self.floor)

    @property
    def typing(self) -> bool:
        """Whether quick-filter keys are waiting for the pause that applies them."""
        return self._debounce.isActive()

    @property
    def text_value(self) -> str:
        return self.text.text().strip()

    def set_choices(self, choices: FilterChoices) -> None:
        """Offer *choices*; a value chosen before stays chosen even if no row has it now."""
        self._fill(self.system, [(value, words(value)) for value in choices.systems])
        self._fill(self.status, [(value, words(value)) for value in choices.statuses])
        self._fill(self.floor, choices.floors)

    def set_values(
        self, *, system: str | None, status: str | None, floor_id: str | None, text: str
    ) -> None:
        """Show these filters without announcing a change (the caller reloads)."""
        for combo, value in ((self.system, system), (self.status, status)):
            self._choose(combo, value, words(value) if value else "")
        self._choose(self.floor, floor_id, "")
        self.text.blockSignals(True)
        self.text.setText(text)
        self.text.blockSignals(False)
        self._debounce.stop()

    def set_floor(self, floor_id: str | None) -> None:
        self._choose(self.floor, floor_id, "")

    def clear(self) -> None:
        """Every filter back to "all"; announced once."""
        self.set_values(system=None, status=None, floor_id=None, text="")
        self.filters_did_change.emit()

    def _apply_text_now(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self.filters_did_change.emit()

    @staticmethod
    def _value(combo: QComboBox) -> str | None:
        value = combo.currentData()
        return value if isinstance(value, str) else None

    @staticmethod
    def _choose(combo: QComboBox, value: str | None, label: str) -> None:
        index = combo.findData(value) if value is not None else 0
        if index < 0:
            combo.addItem(label or value or "", value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    @classmethod
    def _fill(cls, combo: QComboBox, items: list[tuple[str, str]]) -> None:
        current = cls._value(combo)
        current_label = combo.currentText()
        every = combo.itemText(0)
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(every, None)
        for value, label in items:
            combo.addItem(label, value)
        cls._choose(combo, current, current_label)
        combo.blockSignals(False)
