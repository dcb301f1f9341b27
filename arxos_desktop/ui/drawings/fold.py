"""Side panels of the Drawings page that fold away, so the sheet gets the screen.

On a 1280 px tablet the library and the sheet thumbnails took ~500 px beside the
drawing. Each folds with one tap on its toggle (or its shortcut) and the choice is
remembered in the window's settings, so the next window opens the same way. The
page may also fold a panel by itself (the library, once a drawing is open on a
narrow window); such a fold is not a choice and is not remembered, and a panel
the user chose to keep open is never folded for them.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from arxos_desktop.ui.theme import TOUCH_TARGET_PX

#: Saved values of a panel's setting.
SHOWN: Final = "shown"
FOLDED: Final = "folded"


class Fold(QObject):
    """One panel, its checkable toggle button (checked while the panel shows) and its setting."""

    #: The panel was shown (True) or folded (False).
    panel_did_toggle = Signal(bool)

    def __init__(self, panel: QWidget, *, label: str, name: str, key: str) -> None:
        super().__init__(panel)
        self.panel = panel
        self.key = key
        self.name = name
        self.settings: QSettings | None = None
        self._choice: str | None = None
        self.button = QPushButton(label)
        self.button.setCheckable(True)
        self.button.setChecked(True)
        self.button.setMinimumSize(TOUCH_TARGET_PX, TOUCH_TARGET_PX)
        self.button.setAccessibleName(f"Show {name}")
        self.button.setToolTip(f"Show or hide {name}")
        self.button.clicked.connect(lambda checked=False: self.choose(bool(checked)))

    @property
    def shown(self) -> bool:
        return not self.panel.isHidden()

    def chosen(self) -> str | None:
        """What the user last chose (:data:`SHOWN` or :data:`FOLDED`), None if never."""
        if self.settings is None:
            return self._choice
        value = self.settings.value(self.key)
        return value if value in (SHOWN, FOLDED) else None

    def remember_in(self, settings: QSettings) -> None:
        """Keep choices in *settings*, and show the panel as the last choice there left it."""
        self.settings = settings
        chosen = self.chosen()
        if chosen is not None:
            self.set_shown(chosen == SHOWN)

    def choose(self, shown: bool) -> None:
        """The user shows or folds the panel: remembered for the next window."""
        self._choice = SHOWN if shown else FOLDED
        if self.settings is not None:
            self.settings.setValue(self.key, self._choice)
        self.set_shown(shown)

    def toggle(self) -> None:
        self.choose(not self.shown)

    def fold_unless_kept(self) -> None:
        """Fold the panel by itself, unless the user chose to keep it open."""
        if self.chosen() != SHOWN:
            self.set_shown(False)

    def set_shown(self, shown: bool) -> None:
        self.panel.setVisible(shown)
        self.button.setChecked(shown)
        self.button.setAccessibleName(f"{'Hide' if shown else 'Show'} {self.name}")
        self.panel_did_toggle.emit(shown)
