"""The two questions a markup tool asks after its gesture: a callout's words, and the real
length of a calibration line ("5 m", "12.5 ft").

Both dialogs open window-modal without blocking (``open``), so the app keeps
painting and a test can answer them; a length that is not a positive number with
a known unit is refused in a sentence and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QInputDialog, QWidget

from arxos_desktop.pdf.errors import InvalidAnnotationError
from arxos_desktop.pdf.markup_geometry import parse_length


def _dialog(parent: QWidget, title: str, label: str, name: str) -> QInputDialog:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setAccessibleName(name)
    dialog.finished.connect(dialog.deleteLater)
    return dialog


def ask_calibration(
    parent: QWidget,
    done: Callable[[float, str], None],
    refused: Callable[[str], None],
    opened: SignalInstance,
) -> None:
    dialog = _dialog(
        parent,
        "Calibrate the scale",
        "How long is the line you drew, in reality? (e.g. 5 m, 12 ft)",
        "Calibration length",
    )

    def chosen(text: str) -> None:
        try:
            length, unit = parse_length(text)
        except InvalidAnnotationError as error:
            refused(f"The calibration was not saved. {error}")
            return
        done(length, unit)

    dialog.textValueSelected.connect(chosen)
    dialog.open()
    opened.emit(dialog)


def ask_text(parent: QWidget, done: Callable[[str], None], opened: SignalInstance) -> None:
    dialog = _dialog(parent, "Text callout", "What should the callout say?", "Callout text")
    dialog.textValueSelected.connect(done)
    dialog.open()
    opened.emit(dialog)
