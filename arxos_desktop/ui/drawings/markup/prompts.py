"""The two questions a markup tool asks after its gesture: a callout's words, and the real
length of a calibration line ("5 m", "12.5 ft").

Both dialogs open window-modal without blocking (``open``), so the app keeps
painting and a test can answer them; a length that is not a positive number with
a known unit is refused in a sentence and nothing is saved.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QInputDialog, QWidget

from arxos_desktop.pdf.annotation_model import UNITS

_LENGTH: Final = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*([a-zA-Z]+)\s*$")


class LengthError(ValueError):
    """The calibration length typed is not a positive number with a unit."""

    kind = "invalid_length"


def parse_length(text: str) -> tuple[float, str]:
    """``"5 m"`` → ``(5.0, "m")``; a :class:`LengthError` (in plain words) otherwise."""
    match = _LENGTH.match(text)
    units = ", ".join(UNITS)
    if match is None:
        raise LengthError(f"Type the real length as a number and a unit ({units}), e.g. 5 m.")
    value, unit = float(match.group(1).replace(",", ".")), match.group(2).lower()
    if unit not in UNITS:
        raise LengthError(f"The unit must be one of {units}.")
    if not (math.isfinite(value) and 0 < value <= 1e6):
        raise LengthError("The real length must be a positive number.")
    return value, unit


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
        except LengthError as error:
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
