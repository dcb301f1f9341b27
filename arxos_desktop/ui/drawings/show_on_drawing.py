"""The "Show on drawing" button of a piece of equipment: its newest pin's sheet, centred.

Which pin is found by the replica worker; the Drawings page takes the request
for the pin (an ``annotation`` record) and opens its sheet at it. Equipment not
pinned anywhere gets a sentence saying so, not a silent click.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from arxos_desktop.store import Replica
from arxos_desktop.store.annotations import pins_of_equipment
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX

NOT_PINNED = "This equipment is not pinned on any drawing yet: pin it with the Pin tool."


class ShowOnDrawingButton(QPushButton):
    """Opens the Drawings page at the pin of :attr:`equipment_id` (disabled without one)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__("Show on drawing", parent)
        self.state = state
        self.equipment_id: str | None = None
        self.setAccessibleName("Show on drawing")
        self.setToolTip("Open the drawing this equipment is pinned on, at its pin")
        self.setMinimumSize(TOUCH_TARGET_PX * 2, TOUCH_TARGET_PX)
        self.setEnabled(False)
        self.clicked.connect(lambda _c=False: self.show_pin())

    def set_equipment(self, equipment_id: str | None) -> None:
        self.equipment_id = equipment_id
        self.setEnabled(equipment_id is not None)

    def show_pin(self) -> None:
        equipment_id = self.equipment_id
        if equipment_id is None:
            return

        def newest_pin(replica: Replica) -> str | None:
            pins = pins_of_equipment(replica, equipment_id)
            return str(pins[0].id) if pins else None

        def found(pin_id: str | None) -> None:
            if pin_id is None:
                self.state.post(NOT_PINNED)
            else:
                self.state.show_record("annotation", pin_id)

        self.state.ops.run(
            newest_pin,
            success=found,
            failure=lambda error: self.state.post(plain_words(error)),
            owner=self,
        )
