"""The Conflicts page: a conflict two devices made through a real server, kept or restored.

The server runs in this process on loopback (SQLite, cheap Argon2); device A is
the app's replica, device B a second replica of the same technician.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import find_by_tag, update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget, open_conflicts
from arxos_desktop.ui.conflicts_page import ConflictsPage
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.pages import build_pages
from arxos_desktop.ui.search_palette import SearchPalette
from arxos_desktop.ui.state import AppState
from sync.client import RefreshingAuth, SyncClient, sign_in
from sync.outbox import count_changes
from sync.server import crud
from sync.server.core import security
from sync.server.core.config import ServerSettings
from sync.server.db import session_scope
from sync.server.main import create_app
from tests.conftest import build_sample
from tests.live_server import serve
from tests.test_review import _answer, _pull_conflict

EMAIL, PASSWORD = "tech@example.com", "correct horse battery"


@pytest.fixture
def server_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(security, "hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    home = tmp_path / "server"
    settings = ServerSettings(
        home=home, database_url=f"sqlite:///{home / 'server.sqlite3'}", secret_key="k" * 48
    )
    app = create_app(settings)
    with serve(app) as url:
        with session_scope(app.state.engine) as session:
            crud.create_user(session, email=EMAIL, password=PASSWORD, full_name="Tess Tech")
        yield url


def _client(url: str, replica: Replica) -> SyncClient:
    tokens = sign_in(url, email=EMAIL, password=PASSWORD, device_id=replica.device_id)
    auth = RefreshingAuth(tokens, refresh_url=f"{url}/v1/auth/refresh")
    return SyncClient(url, target=ReplicaSyncTarget(replica), auth=auth)


def _loaded(qtbot: QtBot, page: ConflictsPage) -> None:
    with qtbot.waitSignal(page.review_did_load):
        page.reload()


def test_a_conflict_between_two_devices_is_listed_and_restoring_mine_reaches_both(
    qtbot: QtBot, state: AppState, server_url: str, tmp_path: Path
) -> None:
    a = state.replica
    b = Replica.open(tmp_path / "device-b")
    sample = build_sample(a)
    sync_a, sync_b = _client(server_url, a), _client(server_url, b)
    sync_a.sync_once()
    sync_b.sync_once()
    update_equipment(a, sample.ahu_id, {"status": "out_of_service"})
    time.sleep(0.01)  # b's edit is the later one: it wins
    update_equipment(b, sample.ahu_id, {"status": "needs_service"})
    sync_a.sync_once()
    sync_b.sync_once()
    sync_a.sync_once()
    page = ConflictsPage(state)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    _loaded(qtbot, page)

    (row,) = page.conflict_rows
    assert row.record_button.text() == "AHU-1 (equipment)"
    assert row.field_label.text() == "Field: <b>status</b>"
    assert row.kept_label.text() == f"Kept: needs_service (device …{b.device_id[-8:]})"
    assert row.lost_label.text() == "Lost: out_of_service (yours)"
    assert row.restore_button.text() == "Restore mine"
    with qtbot.waitSignal(state.record_was_requested) as asked:
        qtbot.mouseClick(row.record_button, Qt.MouseButton.LeftButton)
    assert asked.args == ["equipment", sample.ahu_id]

    with qtbot.waitSignal(page.review_did_load):
        qtbot.mouseClick(row.restore_button, Qt.MouseButton.LeftButton)
    assert page.conflict_rows == []
    assert page.notice.text() == (
        "Restored status of equipment AHU-1 to out_of_service; your next sync sends it."
    )
    assert find_by_tag(a, sample.building_id, "AHU-1").status == "out_of_service"
    assert count_changes(a.conn) == 1  # a queued edit, like any other
    assert open_conflicts(a) == []

    sync_a.sync_once()
    sync_b.sync_once()
    assert find_by_tag(b, sample.building_id, "AHU-1").status == "out_of_service"
    assert open_conflicts(b) == []  # the resolution closed it on the other device too
    (closed,) = open_conflicts(b, include_resolved=True)
    assert closed["resolution"] == "restored"
    sync_a.close()
    sync_b.close()
    b.close()


def test_keep_closes_the_conflict_and_says_when_the_value_changed_since(
    qtbot: QtBot, state: AppState
) -> None:
    replica = state.replica
    sample = build_sample(replica)
    _answer(ReplicaSyncTarget(replica))
    _pull_conflict(replica, sample, winner_device="office", loser_device="van")
    _pull_conflict(replica, sample, winner_device="office", loser_device=replica.device_id)
    page = ConflictsPage(state)
    qtbot.addWidget(page)
    _loaded(qtbot, page)
    first, second = page.conflict_rows
    assert {first.restore_button.text(), second.restore_button.text()} == {
        "Restore other",
        "Restore mine",
    }

    with qtbot.waitSignal(page.review_did_load):
        qtbot.mouseClick(first.keep_button, Qt.MouseButton.LeftButton)
    assert page.notice.text() == (
        "Kept operational as status of equipment AHU-1; your next sync closes it on other devices."
    )
    assert len(page.conflict_rows) == 1
    update_equipment(replica, sample.ahu_id, {"status": "decommissioned"})
    (left,) = page.conflict_rows
    with qtbot.waitSignal(page.review_did_load):
        qtbot.mouseClick(left.keep_button, Qt.MouseButton.LeftButton)
    assert page.notice.text() == (
        "Nothing kept: status of equipment AHU-1 is now decommissioned, not operational"
        " (it was changed after the conflict). The conflict is closed."
    )
    assert page.conflict_rows == []
    resolutions = {c["resolution"] for c in open_conflicts(replica, include_resolved=True)}
    assert resolutions == {"kept", "superseded"}
    assert count_changes(replica.conn) == 1  # keep adds no edit: only the status change


def test_the_tab_shows_how_many_wait_and_ctrl_k_opens_search(
    qtbot: QtBot, state: AppState, qsettings: QSettings
) -> None:
    replica = state.replica
    sample = build_sample(replica)
    _answer(ReplicaSyncTarget(replica))
    _pull_conflict(replica, sample, winner_device="office", loser_device="van")
    window = MainWindow(qsettings)
    qtbot.addWidget(window)
    window.attach(state)
    build_pages(window, state)
    window.show()
    tabs = window.pages
    titles = lambda: [tabs.tabText(i) for i in range(tabs.count())]  # noqa: E731
    qtbot.waitUntil(lambda: "Conflicts (1)" in titles(), timeout=15_000)
    search = next(a for a in window.edit_menu.actions() if a.text() == "Search…")
    assert search.shortcut().toString() == "Ctrl+K"
    search.trigger()
    palette = window.findChild(SearchPalette)
    assert palette is not None and palette.isVisible()
