"""The markup tool bar above the sheet: one touch-sized button per tool, plus the
equipment a pin will name and the filters that narrow which markups show (those
sit in the side panel, where there is room for their words: :meth:`choices`).

The bar only says what the user chose; :class:`MarkupLayer` does the drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QToolButton,
    QWidget,
)

from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.schema import AnnotationKind


class Tool(StrEnum):
    """What a press on the sheet does."""

    SELECT = "select"
    PIN = "pin"
    INK = "ink"
    RECTANGLE = "rectangle"
    ELLIPSE = "ellipse"
    CLOUD = "cloud"
    LINE = "line"
    ARROW = "arrow"
    TEXT = "text"
    HIGHLIGHT = "highlight"
    PHOTO = "photo"
    CALIBRATE = "calibrate"
    DISTANCE = "distance"
    AREA = "area"


@dataclass(frozen=True, slots=True)
class ToolSpec:
    tool: Tool
    label: str
    name: str
    shortcut: str


TOOLS: Final = (
    ToolSpec(Tool.SELECT, "Select", "Select markups", "Ctrl+Alt+1"),
    ToolSpec(Tool.PIN, "Pin", "Equipment pin", "Ctrl+Alt+2"),
    ToolSpec(Tool.INK, "Ink", "Freehand ink", "Ctrl+Alt+3"),
    ToolSpec(Tool.RECTANGLE, "Rect", "Rectangle", "Ctrl+Alt+4"),
    ToolSpec(Tool.ELLIPSE, "Ellipse", "Ellipse", "Ctrl+Alt+5"),
    ToolSpec(Tool.CLOUD, "Cloud", "Revision cloud", "Ctrl+Alt+6"),
    ToolSpec(Tool.LINE, "Line", "Straight line", "Ctrl+Alt+L"),
    ToolSpec(Tool.ARROW, "Arrow", "Arrow", "Ctrl+Alt+7"),
    ToolSpec(Tool.TEXT, "Text", "Text callout", "Ctrl+Alt+8"),
    ToolSpec(Tool.HIGHLIGHT, "Highlight", "Highlight", "Ctrl+Alt+9"),
    ToolSpec(Tool.PHOTO, "Photo", "Photo marker", "Ctrl+Alt+P"),
    ToolSpec(Tool.CALIBRATE, "Calibrate", "Calibrate the scale", "Ctrl+Alt+K"),
    ToolSpec(Tool.DISTANCE, "Distance", "Measure a distance", "Ctrl+Alt+D"),
    ToolSpec(Tool.AREA, "Area", "Measure an area (tap its corners, or drag a box)", "Ctrl+Alt+A"),
)
ALL_KINDS: Final = "All kinds"
ALL_AUTHORS: Final = "Everyone"


class MarkupToolbar(QWidget):
    """Tool buttons (one checked at a time), the pin's equipment, kind and author filters."""

    #: The user picked another tool.
    tool_was_chosen = Signal(str)
    #: The kind or author filter changed.
    filter_did_change = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Markup tools")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[Tool, QToolButton] = {}
        for spec in TOOLS:
            button = QToolButton()
            button.setText(spec.label)
            button.setAccessibleName(spec.name)
            button.setToolTip(f"{spec.name} ({spec.shortcut})")
            button.setCheckable(True)
            button.setMinimumSize(TOUCH_TARGET_PX, TOUCH_TARGET_PX)
            self.group.addButton(button)
            button.clicked.connect(lambda _c=False, t=spec.tool: self.choose(t))
            self.buttons[spec.tool] = button
            row.addWidget(button)
        self.equipment = QComboBox()
        self.equipment.setEditable(True)
        self.equipment.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.equipment.setAccessibleName("Equipment to pin")
        self.equipment.setToolTip("The equipment a new pin marks (type to search)")
        self.equipment.setMinimumHeight(TOUCH_TARGET_PX)
        self.equipment.setMinimumWidth(160)
        completer = QCompleter(self.equipment.model(), self.equipment)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.equipment.setCompleter(completer)
        self.kind_filter = self._combo("Show kind", [ALL_KINDS, *(k.value for k in AnnotationKind)])
        self.author_filter = self._combo("Show author", [ALL_AUTHORS])
        row.addStretch(1)
        self.choose(Tool.SELECT)

    def _combo(self, name: str, items: list[str]) -> QComboBox:
        combo = QComboBox()
        combo.addItems(items)
        combo.setAccessibleName(name)
        combo.setToolTip(name)
        combo.setMinimumHeight(TOUCH_TARGET_PX)
        combo.currentIndexChanged.connect(lambda _i: self.filter_did_change.emit())
        return combo

    def choices(self) -> list[tuple[str, QWidget]]:
        """(caption, widget) of the pin's equipment and the two filters, for the side panel."""
        return [
            ("Equipment for new pins", self.equipment),
            ("Show kinds", self.kind_filter),
            ("Show markups by", self.author_filter),
        ]

    @property
    def tool(self) -> Tool:
        for tool, button in self.buttons.items():
            if button.isChecked():
                return tool
        return Tool.SELECT

    def choose(self, tool: Tool) -> None:
        self.buttons[tool].setChecked(True)
        self.tool_was_chosen.emit(tool.value)

    def set_equipment(self, choices: list[tuple[str, str]]) -> None:
        """(equipment id, label) pairs, sorted by tag; the chosen one stays chosen."""
        chosen = self.equipment.currentData()
        self.equipment.clear()
        for equipment_id, label in choices:
            self.equipment.addItem(label, equipment_id)
        index = self.equipment.findData(chosen)
        self.equipment.setCurrentIndex(max(index, 0) if choices else -1)
        line = self.equipment.lineEdit()
        if line is not None:
            line.setCursorPosition(0)

    def chosen_equipment(self) -> str | None:
        index = self.equipment.findText(self.equipment.currentText())
        data = self.equipment.itemData(index) if index >= 0 else None
        return data if isinstance(data, str) else None

    def set_authors(self, authors: list[str]) -> None:
        chosen = self.author_filter.currentText()
        self.author_filter.blockSignals(True)
        self.author_filter.clear()
        self.author_filter.addItems([ALL_AUTHORS, *authors])
        self.author_filter.setCurrentIndex(max(self.author_filter.findText(chosen), 0))
        self.author_filter.blockSignals(False)

    def kinds(self) -> list[str] | None:
        text = self.kind_filter.currentText()
        return None if text == ALL_KINDS else [text]

    def author(self) -> str | None:
        text = self.author_filter.currentText()
        return None if text == ALL_AUTHORS else text
