"""What a page shows when the device holds no building the user may see.

Rather than empty tables that look like a building with nothing in it, each
page that lists a building's records is covered by one sentence and the two
ways to get a building: sign in and sync, or scan a contractor's access pass.
The cover appears when the window is told there is no building (start-up found
none, or the last one left the device) and goes as soon as one is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX

NO_BUILDING: Final = "No building on this device. Sign in and sync, or scan an access pass."


class NoBuildingCover(QWidget):
    """Covers *page* (its whole area, in the palette's window colour) while no building is shown."""

    def __init__(
        self,
        page: QWidget,
        state: AppState,
        *,
        sign_in: Callable[[], None],
        scan: Callable[[], None],
    ) -> None:
        super().__init__(page)
        self.setObjectName("noBuildingCover")
        self.setAccessibleName("No building")
        self.setAutoFillBackground(True)  # the palette's Window role: light and dark alike
        self.sentence = QLabel(NO_BUILDING)
        self.sentence.setAccessibleName("No building on this device")
        self.sentence.setWordWrap(True)
        self.sentence.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.sentence.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.sentence.setFont(font)
        self.sign_in_button = self._button("Sign in…", "Sign in to a sync server", sign_in)
        self.scan_button = self._button("Scan an access pass…", "Scan an access pass", scan)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.scan_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(self.sentence)
        column.addSpacing(TOUCH_TARGET_PX // 2)
        column.addLayout(buttons)
        column.addStretch(2)
        page.installEventFilter(self)
        state.building_did_change.connect(self._building_changed)
        self.hide()

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setMinimumHeight(TOUCH_TARGET_PX)
        button.setMinimumWidth(TOUCH_TARGET_PX * 4)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._cover()
        return False

    def _building_changed(self, building_id: str) -> None:
        self.setVisible(not building_id)
        if not building_id:
            self._cover()

    def _cover(self) -> None:
        page = self.parentWidget()
        if page is not None:
            self.setGeometry(page.rect())
            self.raise_()
