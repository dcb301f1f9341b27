"""The pass view: a scanned pass, accepted with its scope in words, or refused with why.

A contractor at the door reads it at arm's length: one large heading, the
sentence, then who signed it and until when. From an accepted pass the
contractor's own device starts a session limited to it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from arxos_desktop.access.pass_summary import PassSummary
from arxos_desktop.ui.theme import TOUCH_TARGET_PX

_ICON_PX = 48


class PassView(QDialog):
    """Shows one :class:`PassSummary`; not modal, so scanning can go on behind it."""

    #: "Start session with this pass" was pressed (the summary of the accepted pass).
    session_was_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Access pass")
        self.setAccessibleName("Access pass")
        self.setMinimumWidth(560)
        self.summary: PassSummary | None = None
        self.icon = QLabel()
        self.icon.setAccessibleName("Pass outcome icon")
        self.icon.setFixedSize(_ICON_PX, _ICON_PX)
        self.heading = QLabel()
        self.heading.setAccessibleName("Pass outcome")
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.heading.setFont(font)
        self.sentence = QLabel()
        self.sentence.setAccessibleName("What the pass grants")
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bigger = QFont(self.sentence.font())
        bigger.setPointSizeF(bigger.pointSizeF() * 1.2)
        self.sentence.setFont(bigger)
        self.issuer = self._value("Issued by")
        self.valid_until = self._value("Valid until")
        self.contractor = self._value("Contractor")
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Issued by", self.issuer)
        form.addRow("Valid until", self.valid_until)
        form.addRow("Contractor", self.contractor)
        self.start_button = self._button(
            "Start session with this pass", "Start a contractor session with this pass"
        )
        self.start_button.clicked.connect(self._start)
        self.close_button = self._button("Close", "Close the pass view")
        self.close_button.clicked.connect(self.close)
        top = QHBoxLayout()
        top.addWidget(self.icon)
        top.addWidget(self.heading, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addWidget(self.sentence)
        layout.addWidget(self.details)
        layout.addSpacing(8)
        layout.addLayout(buttons)

    def show_summary(self, summary: PassSummary, *, can_start: bool | None = None) -> None:
        """Show *summary* (replacing any pass shown before) and bring the view up.

        *can_start* offers a session (default: for an accepted pass only); a pass this
        device cannot vouch for yet may still be offered, to be checked by the server.
        """
        if can_start is None:
            can_start = summary.accepted
        self.summary = summary
        self.heading.setText(summary.heading)
        self.sentence.setText(summary.sentence)
        icon = (
            QStyle.StandardPixmap.SP_DialogApplyButton
            if summary.accepted
            else QStyle.StandardPixmap.SP_MessageBoxCritical
        )
        self.icon.setPixmap(self.style().standardIcon(icon).pixmap(_ICON_PX, _ICON_PX))
        self.issuer.setText(summary.issuer)
        self.valid_until.setText(summary.valid_until)
        self.contractor.setText(summary.contractor)
        self.details.setVisible(summary.accepted)
        self.start_button.setVisible(can_start)
        self.start_button.setEnabled(can_start)
        (self.start_button if can_start else self.close_button).setDefault(True)
        self.adjustSize()  # a refusal is shorter than an accepted pass's details
        self.show()
        self.raise_()

    def _start(self) -> None:
        if self.summary is not None and self.start_button.isVisible():
            self.start_button.setEnabled(False)
            self.session_was_requested.emit(self.summary)

    def _value(self, name: str) -> QLabel:
        label = QLabel()
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _button(self, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.setMinimumSize(2 * TOUCH_TARGET_PX, TOUCH_TARGET_PX)
        button.setAutoDefault(False)
        return button
