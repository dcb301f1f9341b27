"""The editors of every user field of an equipment row, laid out in the order a technician reads.

Identity first (tag, name, what it is, how it is), then where it is, then the
nameplate, then the free-form data. Floor and room are picked from the
building's own floors and rooms, and stay consistent: a room decides its floor,
and picking another floor drops a room that is not on it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from arxos_desktop.store.equipment_view import Place
from arxos_desktop.ui.field_editors import (
    FieldEditor,
    choice_field,
    date_field,
    json_field,
    set_choices,
    text_field,
)
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.schema import EquipmentStatus, System

_NO_FLOOR = "No floor"
_NO_ROOM = "No room"


def _enum_label(value: str) -> str:
    return "HVAC" if value == "hvac" else value.replace("_", " ").capitalize()


class EquipmentForm(QWidget):
    """Editors by field name (:attr:`fields`), in a form; knows the floor/room rule."""

    def __init__(self) -> None:
        super().__init__()
        systems = [(_enum_label(s.value), s.value) for s in System]
        statuses = [(_enum_label(s.value), s.value) for s in EquipmentStatus]
        sections: list[tuple[str, list[FieldEditor]]] = [
            (
                "Identity",
                [
                    text_field("tag", "Tag", placeholder="AHU-1"),
                    text_field("name", "Name", placeholder="Air handling unit 1"),
                    choice_field("system", "System", systems),
                    text_field("type", "Type", placeholder="air_handler"),
                    choice_field("status", "Status", statuses),
                ],
            ),
            (
                "Location",
                [
                    choice_field("floor_id", "Floor", [], nothing=_NO_FLOOR),
                    choice_field("room_id", "Room", [], nothing=_NO_ROOM),
                ],
            ),
            (
                "Nameplate",
                [
                    text_field("manufacturer", "Manufacturer"),
                    text_field("model", "Model"),
                    text_field("serial", "Serial number"),
                    date_field("install_date", "Installed on"),
                ],
            ),
            (
                "Data",
                [
                    json_field("properties", "Properties", example='{"cfm": 12000}'),
                    json_field("position", "Position on plan", example='{"x": 2.5, "y": 1.0}'),
                ],
            ),
        ]
        self.fields: dict[str, FieldEditor] = {}
        self._rooms: list[Place] = []
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for title, editors in sections:
            heading = QLabel(f"<b>{title}</b>")
            heading.setAccessibleName(title)
            form.addRow(heading)
            for field in editors:
                label = QLabel(f"{field.label}:")
                label.setBuddy(field.editor)
                label.setFixedHeight(TOUCH_TARGET_PX)  # level with the first line of its editor
                label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                form.addRow(label, field.cell)
                self.fields[field.name] = field
        self.fields["floor_id"].edit_did_finish.connect(lambda _name: self._floor_was_picked())
        self.fields["room_id"].edit_did_finish.connect(lambda _name: self._room_was_picked())

    def set_places(self, floors: list[Place], rooms: list[Place]) -> None:
        """Offer this building's floors and rooms (the room list follows the floor shown)."""
        self._rooms = rooms
        set_choices(self.fields["floor_id"], [(f.label, f.id) for f in floors], nothing=_NO_FLOOR)
        self._offer_rooms()

    def show_row(
        self, row: dict[str, Any], *, only: set[str] | None = None, force: bool = False
    ) -> None:
        """Put the stored values of *row* in the editors (all, or the fields in *only*).

        An editor already showing its value is left alone (its cursor stays where the
        user put it) unless *force*: another row's typing must not be undoable here.
        """
        for name, field in self.fields.items():
            if (only is None or name in only) and (force or field.differs_from(row.get(name))):
                field.set_value(row.get(name))
                if name == "floor_id":
                    self._offer_rooms()

    def _offer_rooms(self) -> None:
        floor_id = self.fields["floor_id"].value()
        rooms = [r for r in self._rooms if floor_id is None or r.floor_id == floor_id]
        set_choices(self.fields["room_id"], [(r.label, r.id) for r in rooms], nothing=_NO_ROOM)

    def _floor_was_picked(self) -> None:
        room_field = self.fields["room_id"]
        room = next((r for r in self._rooms if r.id == room_field.value()), None)
        if room is not None and room.floor_id != self.fields["floor_id"].value():
            room_field.set_value(None)
        self._offer_rooms()

    def _room_was_picked(self) -> None:
        room = next((r for r in self._rooms if r.id == self.fields["room_id"].value()), None)
        if room is not None:
            self.fields["floor_id"].set_value(room.floor_id)
            self._offer_rooms()
