"""The Conflicts page: values that lost a concurrent edit, and edits the server refused.

It is the review inbox after a sync. Every decision is one tap and becomes a
queued change or resolution that syncs, exactly as ``arx conflicts`` and
``arx outbox discard`` do; the store work runs on the replica worker and the page
re-reads itself whenever the replica changes (a local decision, or a pull).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from arxos_desktop.store import Replica
from arxos_desktop.store.discard import DiscardReport, changes_to_discard, discard_change
from arxos_desktop.store.remote import dismiss_conflict, restore_losing_value
from arxos_desktop.store.review import (
    ConflictItem,
    OutboxItem,
    conflicts_to_review,
    describe_changes,
    rejected_changes,
)
from arxos_desktop.ui.messages import plain_words
from arxos_desktop.ui.review_rows import ConflictRow, RejectedRow, entity_words, shown_value
from arxos_desktop.ui.state import AppState
from sync.outbox import Op

Review = tuple[list[ConflictItem], list[OutboxItem]]


def _load(replica: Replica) -> Review:
    return conflicts_to_review(replica), rejected_changes(replica)


def _preview(replica: Replica, change_id: str) -> list[OutboxItem]:
    return describe_changes(replica, changes_to_discard(replica, change_id))


def page_title(count: int) -> str:
    """The tab's title: the number of things waiting for a decision, when there are any."""
    return f"Conflicts ({count})" if count else "Conflicts"


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    return label


class ConflictsPage(QWidget):
    """Open conflicts (keep or restore) above refused changes (fix or discard)."""

    #: How many conflicts and refused changes wait for a decision (the tab shows it).
    count_did_change = Signal(int)
    #: The tab title that says how many wait (``page_title`` of the count).
    title_did_change = Signal(str)
    #: The lists on screen were re-read (tests and the tab title wait on it).
    review_did_load = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setAccessibleName("Conflicts and refused changes")
        self._generation = 0
        self.conflict_rows: list[ConflictRow] = []
        self.rejected_rows: list[RejectedRow] = []

        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("What just happened")
        self.notice.hide()
        content = QWidget()
        self._column = QVBoxLayout(content)
        self._column.addWidget(self.notice)
        self._column.addWidget(_heading("Conflicts", content))
        self.conflicts_hint = QLabel(
            "When two devices change the same field, one value is kept and the other"
            " is listed here: keep it, or restore the value that lost.",
            content,
        )
        self.conflicts_hint.setWordWrap(True)
        self._column.addWidget(self.conflicts_hint)
        self._conflicts_box = QVBoxLayout()
        self._column.addLayout(self._conflicts_box)
        self._column.addSpacing(16)
        self._column.addWidget(_heading("Refused changes", content))
        self.rejected_hint = QLabel(
            "Changes the server did not accept stay on this device until you fix the"
            " record or discard the change (the server's value comes back).",
            content,
        )
        self.rejected_hint.setWordWrap(True)
        self._column.addWidget(self.rejected_hint)
        self._rejected_box = QVBoxLayout()
        self._column.addLayout(self._rejected_box)
        self._column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.addWidget(scroll)

        state.data_did_change.connect(self.reload)
        self.reload()

    # -- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read both lists; an older read still on its way is dropped when it lands."""
        self._generation += 1
        generation = self._generation
        self.state.ops.run(
            _load,
            success=lambda review: self._show(generation, review),
            failure=self._tell_failure,
            owner=self,
        )

    def _show(self, generation: int, review: Review) -> None:
        if generation != self._generation:
            return
        found, refused = review
        for row in self.conflict_rows + self.rejected_rows:
            row.deleteLater()
        self.conflict_rows = [self._conflict_row(item) for item in found]
        self.rejected_rows = [self._rejected_row(item) for item in refused]
        for conflict in self.conflict_rows:
            self._conflicts_box.addWidget(conflict)
        for rejected in self.rejected_rows:
            self._rejected_box.addWidget(rejected)
        self.conflicts_hint.setText(
            "Two devices changed the same field: one value was kept, the other lost."
            " Keep the kept value, or restore the one that lost; either syncs."
            if found
            else "No conflicts to review."
        )
        self.rejected_hint.setText(
            "The server did not accept these changes. Fix the record and save again, or"
            " discard the change to bring back the server's value."
            if refused
            else "No refused changes."
        )
        self.count_did_change.emit(len(found) + len(refused))
        self.title_did_change.emit(page_title(len(found) + len(refused)))
        self.review_did_load.emit()

    def _conflict_row(self, item: ConflictItem) -> ConflictRow:
        row = ConflictRow(item)
        row.record_was_asked.connect(self.state.show_record)
        # Bound methods, not lambdas holding the page: a row deleted on reload must
        # not release the last reference to its page from inside its own destructor.
        row.keep_was_asked.connect(self._keep)
        row.restore_was_asked.connect(self._restore)
        return row

    def _rejected_row(self, item: OutboxItem) -> RejectedRow:
        row = RejectedRow(item)
        row.record_was_asked.connect(self.state.show_record)
        row.retry_was_asked.connect(self._retry)
        row.discard_was_asked.connect(self._ask_discard)
        row.discard_was_confirmed.connect(self._discard)
        return row

    # -- deciding --------------------------------------------------------------------------

    def _tell(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.show()
        self.state.post(message)

    def _tell_failure(self, error: Exception) -> None:
        self._tell(plain_words(error))

    def _failed(self, row: ConflictRow | RejectedRow) -> Callable[[Exception], None]:
        def failure(error: Exception) -> None:
            row.set_busy(False)
            self._tell_failure(error)

        return failure

    def _keep(self, row: ConflictRow) -> None:
        item = row.item
        row.set_busy(True)
        what = f"{item.field} of {entity_words(item.entity)} {item.label}"

        def done(outcome: dict[str, Any]) -> None:
            value = shown_value(outcome["value"])
            if outcome["resolution"] == "kept":
                self._tell(f"Kept {value} as {what}; your next sync closes it on other devices.")
            else:
                self._tell(
                    f"Nothing kept: {what} is now {value}, not {shown_value(item.kept_value)}"
                    " (it was changed after the conflict). The conflict is closed."
                )

        self.state.ops.run(
            lambda r: dismiss_conflict(r, item.id),
            success=done,
            failure=self._failed(row),
            writes=True,
            owner=self,
        )

    def _restore(self, row: ConflictRow) -> None:
        item = row.item
        row.set_busy(True)
        what = f"{item.field} of {entity_words(item.entity)} {item.label}"
        value = shown_value(item.lost_value)
        self.state.ops.run(
            lambda r: restore_losing_value(r, item.id),
            success=lambda _changed: self._tell(
                f"Restored {what} to {value}; your next sync sends it."
            ),
            failure=self._failed(row),
            writes=True,
            owner=self,
        )

    def _retry(self, row: RejectedRow) -> None:
        """Open the record: a fresh edit is a new change, sent with the next sync."""
        item = row.item
        if item.op is Op.INSERT:
            self._tell(
                f"The server never accepted {item.label}, so edits to it are refused too."
                " Discard it and create it again once the reason is dealt with."
            )
        else:
            self._tell(
                f"Fix {item.label} and save: your edit is sent as a new change with the next"
                " sync. Then discard the refused change."
            )
        self.state.show_record(item.entity, item.entity_id)

    def _ask_discard(self, row: RejectedRow) -> None:
        item = row.item
        row.set_busy(True)
        self.state.ops.run(
            lambda r: _preview(r, item.change_id),
            success=row.ask_to_confirm,
            failure=self._failed(row),
            owner=row,
        )

    def _discard(self, row: RejectedRow) -> None:
        item = row.item
        row.set_busy(True)

        def done(report: DiscardReport) -> None:
            count = len(report.dropped)
            mine = next((r for r in report.rows if r.entity_id == item.entity_id), None)
            if mine is None or mine.values is None:
                now = f"{item.label} is gone: the server never had it."
            elif mine.values.get("deleted"):
                now = f"{item.label} is deleted, as on the server."
            else:
                now = f"{item.label} is back to the server's version."
            self._tell(f"Discarded {count} change{'s' if count != 1 else ''}; {now}")

        self.state.ops.run(
            lambda r: discard_change(r, item.change_id),
            success=done,
            failure=self._failed(row),
            writes=True,
            owner=self,
        )
