"""The right-hand side of a record page: fields, notes, photos and dictation, a tab each.

Equipment, rooms and work orders all carry notes and attachments; one widget keeps
the three together so every page shows them the same way and a technician finds
the camera button in the same place whatever they are looking at.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from arxos_desktop.ui.attachments import AttachmentsPanel
from arxos_desktop.ui.dictation import DictationPanel
from arxos_desktop.ui.notes_panel import NotesPanel
from arxos_desktop.ui.state import AppState

#: Record kinds as the notes panel names them → as attachments name them (sync.schema.TargetKind).
_ATTACHMENT_KINDS = {"equipment": "equipment", "room": "room", "work_order": "workorder"}


class RecordSide(QTabWidget):
    """Details (optional), Notes and Photos of one record; :meth:`show_record` switches it."""

    def __init__(
        self, state: AppState, *, details: QWidget | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Record details, notes and photos")
        self.setDocumentMode(True)
        self.details = details
        self.notes = NotesPanel(state)
        self.photos = AttachmentsPanel(state)
        self.dictation = DictationPanel(state)
        if details is not None:
            self.addTab(details, "&Details")
        self.addTab(self.notes, "&Notes")
        self.addTab(self.photos, "&Photos")
        self.addTab(self.dictation, "Dic&tate")
        self.entity: str | None = None
        self.record_id: str | None = None

    def show_record(self, entity: str, record_id: str | None, *, label: str = "") -> None:
        """Show the notes and photos of *record_id* (an ``equipment``, ``room`` or ``work_order``).

        The Details tab belongs to one kind of record (equipment); for another kind it
        is disabled rather than showing the wrong record's fields.
        """
        if entity not in _ATTACHMENT_KINDS:
            raise ValueError(f"no notes or photos on {entity!r}")
        self.entity, self.record_id = entity, record_id
        self.notes.show_target(entity, record_id)
        self.dictation.show_target(entity, record_id)
        if record_id is None:
            self.photos.clear()
        else:
            self.photos.show_target(_ATTACHMENT_KINDS[entity], record_id, label=label)
        if self.details is not None:
            details_index = self.indexOf(self.details)
            self.setTabEnabled(details_index, entity == "equipment")
            if entity != "equipment" and self.currentIndex() == details_index:
                self.setCurrentWidget(self.notes)
