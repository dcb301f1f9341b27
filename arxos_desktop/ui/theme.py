"""Light and dark palettes, following the system's choice unless the user picked one.

Fusion is used on every platform so the palette (and the 40 px touch targets set in
the style sheet) look the same on a Linux tablet and a Windows laptop; Qt tells
us when the system switches between light and dark, and the app follows at once.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

#: Minimum height of anything a finger must hit on a tablet.
TOUCH_TARGET_PX = 40

_TOUCH_STYLE = f"""
QPushButton, QToolButton, QComboBox, QLineEdit, QDateEdit, QSpinBox, QDoubleSpinBox {{
    min-height: {TOUCH_TARGET_PX - 8}px; padding: 4px 8px;
}}
QTabBar::tab {{ min-height: {TOUCH_TARGET_PX - 8}px; padding: 4px 14px; }}
QTableView::item, QTreeView::item, QListView::item {{ min-height: {TOUCH_TARGET_PX - 8}px; }}
"""


class Theme(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


def dark_palette() -> QPalette:
    palette = QPalette()
    base, window, text = QColor(30, 32, 36), QColor(45, 48, 54), QColor(230, 232, 235)
    accent, disabled = QColor(64, 156, 255), QColor(128, 132, 140)
    for role, color in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor(255, 90, 90)),
        (QPalette.ColorRole.Link, accent),
        (QPalette.ColorRole.Highlight, accent),
        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
        (QPalette.ColorRole.PlaceholderText, disabled),
    ):
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, theme: Theme) -> bool:
    """Style *app* for *theme*; returns whether the result is dark."""
    app.setStyle("Fusion")
    dark = theme is Theme.DARK or (theme is Theme.SYSTEM and system_is_dark())
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    app.setStyleSheet(_TOUCH_STYLE)
    app.setProperty("arxos_dark", dark)
    return dark


def follow_system(app: QApplication, theme: Theme) -> None:
    """Re-apply *theme* whenever the system switches light/dark (for ``Theme.SYSTEM``)."""
    if theme is Theme.SYSTEM:
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            lambda _scheme: apply_theme(app, Theme.SYSTEM)
        )
