"""The Conflicts page's second half: refused changes with the server's reason, fixed or given up."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.notes import add_note
from arxos_desktop.store.queries import get_row
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.ui.conflicts_page import ConflictsPage
from arxos_desktop.ui.state import AppState
from sync.outbox import ChangeState, count_changes, read_changes
from sync.protocol import ChangeResult, ResultStatus
from tests.conftest import build_sample

REASON = "Your access to this building covers the plumbing system only"


def _answer(target: ReplicaSyncTarget, *, reject: frozenset[str] = frozenset()) -> None:
    """Push everything pending; the server refuses changes to rows in *reject*."""
    batch = target.pending_changes(10_000)
    target.record_push(
        batch,
        [
            ChangeResult(change_id=c.change_id, status=ResultStatus.REJECTED, reason=REASON)
            if c.entity_id in reject
            else ChangeResult(change_id=c.change_id, status=ResultStatus.ACCEPTED, seq=100 + i)
            for i, c in enumerate(batch)
        ],
    )


def _page(qtbot: QtBot, state: AppState) -> ConflictsPage:
    page = ConflictsPage(state)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitUntil(lambda: not state.ops.busy)
    return page


def test_a_refused_change_shows_why_and_discard_brings_back_the_servers_value(
    qtbot: QtBot, state: AppState
) -> None:
    replica = state.replica
    sample = build_sample(replica)
    target = ReplicaSyncTarget(replica)
    _answer(target)
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    _answer(target, reject=frozenset({sample.ahu_id}))
    page = _page(qtbot, state)
    counts: list[int] = []
    page.count_did_change.connect(counts.append)

    (row,) = page.rejected_rows
    assert row.record_button.text() == "AHU-1 (equipment)"
    assert row.what_label.text() == "Change of status"
    assert row.reason_label.text() == f"Refused by the server: {REASON}"
    assert page.conflicts_hint.text() == "No conflicts to review."

    qtbot.mouseClick(row.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.confirm.isVisible())
    assert row.confirm_label.text() == "AHU-1 goes back to the server's version."
    assert count_changes(replica.conn, state=ChangeState.REJECTED) == 1  # nothing yet
    with qtbot.waitSignal(page.review_did_load):
        qtbot.mouseClick(row.confirm_button, Qt.MouseButton.LeftButton)

    assert page.rejected_rows == [] and page.rejected_hint.text() == "No refused changes."
    assert page.notice.text() == "Discarded 1 change; AHU-1 is back to the server's version."
    assert counts[-1] == 0
    assert get_row(replica, "equipment", sample.ahu_id).status == "operational"
    assert read_changes(replica.conn, state=None) == []


def test_edit_and_retry_opens_the_record(qtbot: QtBot, state: AppState) -> None:
    replica = state.replica
    sample = build_sample(replica)
    target = ReplicaSyncTarget(replica)
    _answer(target)
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    _answer(target, reject=frozenset({sample.ahu_id}))
    page = _page(qtbot, state)
    (row,) = page.rejected_rows
    with qtbot.waitSignal(state.record_was_requested) as asked:
        qtbot.mouseClick(row.retry_button, Qt.MouseButton.LeftButton)
    assert asked.args == ["equipment", sample.ahu_id]
    assert "sent as a new change" in page.notice.text()
    assert count_changes(replica.conn, state=ChangeState.REJECTED) == 1  # kept until discarded


def test_dependents_are_listed_and_a_change_in_flight_is_refused_in_words(
    qtbot: QtBot, state: AppState
) -> None:
    replica = state.replica
    sample = build_sample(replica)
    target = ReplicaSyncTarget(replica)
    _answer(target)
    pump = create_equipment(replica, building_id=sample.building_id, tag="P-7", system="hvac")
    _answer(target, reject=frozenset({pump.id}))
    add_note(replica, target_kind="equipment", target_id=pump.id, text="Leaks at the seal")
    page = _page(qtbot, state)
    (row,) = page.rejected_rows
    assert row.what_label.text() == "New equipment"

    qtbot.mouseClick(row.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.confirm.isVisible())
    assert row.confirm_label.text().splitlines() == [
        "P-7 goes: the server never had it.",
        "This change of yours needs it and goes too:",
        "• new note — Leaks at the seal (note)",
    ]
    assert row.confirm_button.text() == "Discard 2 changes"
    target.pending_changes(10)  # the sync worker sends the note now
    qtbot.mouseClick(row.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.notice.isVisible())

    assert page.notice.text().startswith("A change that depends on this one is being sent")
    assert row.discard_button.isEnabled()
    assert len(read_changes(replica.conn, state=None)) == 2  # nothing dropped
    assert get_row(replica, "equipment", pump.id).tag == "P-7"
