"""The pass view and the contractor session in the window, driven like a user would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from arxos_desktop.access import audit_log
from arxos_desktop.access.pass_pdf import write_pass_pdf
from arxos_desktop.access.scope import PassScope
from arxos_desktop.access.session import load_session, start_session
from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.ui.access.session_controller import AccessController
from arxos_desktop.ui.equipment_detail import EquipmentDetail
from arxos_desktop.ui.equipment_page import EquipmentPage
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.pages import build_pages
from arxos_desktop.ui.scanner import ScanPage
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.theme import TOUCH_TARGET_PX
from sync.outbox import count_changes
from sync.tokens import issue, public_key_text
from sync.trust import AccessTrust, TrustKey
from tests.conftest import SampleBuilding, make_pdf
from tests.test_access_device import KEY, KID, ORG, claims_for

NOW = dt.datetime.now().astimezone()


def trust_the_issuer(replica: Replica, building_id: str) -> None:
    with replica.transaction() as writer:
        writer.insert("organization", {"id": ORG, "name": "Harbor Facilities"})
    trust = AccessTrust(
        keys=[TrustKey(kid=KID, org_id=ORG, public_key=public_key_text(KEY.public_key()),
                       status="active")],
        revoked=[],
        buildings={building_id: ORG},
    )  # fmt: skip
    ReplicaSyncTarget(replica).store_trust(trust)


def pass_for(building_id: str, *, hours: float = 8, **changes: object) -> str:
    start = int(NOW.timestamp()) - 60
    claims = claims_for(
        building_id,
        not_before=start,
        expires=int(start + hours * 3600),
        floors=(1,),
        systems=("hvac",),
        **changes,
    )
    return issue(claims, KEY, KID)


@pytest.fixture
def window(
    state: AppState, qsettings: QSettings, qtbot: QtBot, sample: SampleBuilding
) -> MainWindow:
    trust_the_issuer(state.replica, sample.building_id)
    main = MainWindow(qsettings)
    qtbot.addWidget(main)
    main.attach(state)
    build_pages(main, state)
    state.set_building(sample.building_id)
    main.resize(1280, 800)
    main.show()
    qtbot.waitExposed(main)
    return main


def forget_sample_changes(replica: Replica) -> None:
    """As if the sample building had been synced long ago: nothing waits to be sent."""
    with replica.conn:
        replica.conn.execute("DELETE FROM outbox")


def floors_shown(page: EquipmentPage) -> list[str]:
    model = page.navigator.view.model()
    root = model.index(0, 0)
    return [model.index(row, 0, root).data() for row in range(model.rowCount(root))]


def controller_of(window: MainWindow) -> AccessController:
    found = window.findChild(AccessController)
    assert found is not None
    return found


def test_a_pass_pdf_scanned_from_a_file_is_verified_and_shown_then_starts_a_session(
    window: MainWindow,
    state: AppState,
    replica: Replica,
    sample: SampleBuilding,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    token = pass_for(sample.building_id, permissions=("read", "write"))
    pdf = tmp_path / "pass.pdf"
    pdf.write_bytes(write_pass_pdf(make_pdf(), token=token, scope="ACME-42 pass"))
    controller = controller_of(window)
    (page,) = window.findChildren(ScanPage)
    with qtbot.waitSignal(controller.pass_was_checked, timeout=10_000) as checked:
        page.scan_path(pdf)
    summary = checked.args[0]
    view = controller.view
    assert summary.accepted and view.isVisible()
    assert view.heading.text() == "Pass accepted"
    assert view.sentence.text().startswith(
        "ACME-42 may read and write HVAC on floor 1 of Sample Tower until "
    )
    assert view.issuer.text() == "Harbor Facilities"
    assert view.valid_until.text()[:5].count(":") == 1
    assert view.start_button.isVisible() and view.start_button.height() >= TOUCH_TARGET_PX
    assert all(b.accessibleName() for b in (view.start_button, view.close_button))
    accepted = audit_log.entries(replica.conn)[-1]
    assert (accepted["event"], accepted["outcome"]) == ("verify", "accepted")

    equipment = window.findChild(EquipmentPage)
    assert equipment is not None
    qtbot.waitUntil(lambda: floors_shown(equipment) == ["Basement", "Level 1"], timeout=5000)
    with qtbot.waitSignal(controller.session_did_start, timeout=5000):
        qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    assert isinstance(replica.access_scope, PassScope)
    assert not view.isVisible()
    # The navigator shows the pass's floor only: the basement has gone from the tree.
    qtbot.waitUntil(lambda: floors_shown(equipment) == ["Level 1"], timeout=5000)
    qtbot.waitUntil(lambda: equipment.model.rowCount() == 2, timeout=5000)  # AHU-1, VAV-101

    # A write outside the pass (RTU-9 is on no floor of it) is refused with the sentence,
    # through the real equipment panel; the replica and the outbox are unchanged.
    # (find_by_tag no longer finds it: under the pass, lookups by tag are narrowed too.)
    rtu = replica.conn.execute("SELECT id FROM equipment WHERE tag = 'RTU-9'").fetchone()[0]
    detail = window.findChild(EquipmentDetail)
    assert detail is not None
    with qtbot.waitSignal(detail.view_did_load, timeout=5000):
        detail.show_equipment(rtu)
    before = (count_changes(replica.conn), replica.conn.execute(
        "SELECT name FROM equipment WHERE id = ?", (rtu,)).fetchone())  # fmt: skip
    name = detail.fields["name"].editor
    window.pages.setCurrentIndex(0)
    name.setFocus()
    name.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(name, "Mine now")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    refused = "outside the systems or floors you were granted"
    qtbot.waitUntil(lambda: refused in window.statusBar().currentMessage()
                    or refused in detail.fields["name"].error.text(), timeout=5000)  # fmt: skip
    qtbot.waitUntil(lambda: not state.ops.busy)
    after = (count_changes(replica.conn), replica.conn.execute(
        "SELECT name FROM equipment WHERE id = ?", (rtu,)).fetchone())  # fmt: skip
    assert after == before
    window.close()


def test_an_expired_pass_is_refused_with_the_reason_and_logged(
    window: MainWindow, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    expired = issue(
        claims_for(
            sample.building_id,
            not_before=int(NOW.timestamp()) - 7200,
            expires=int(NOW.timestamp()) - 3600,
        ),
        KEY,
        KID,
    )
    controller = controller_of(window)
    (page,) = window.findChildren(ScanPage)
    with qtbot.waitSignal(controller.pass_was_checked, timeout=5000) as checked:
        page.access_token_was_read.emit(expired)
    view = controller.view
    assert not checked.args[0].accepted
    assert view.heading.text() == "Pass refused"
    assert view.sentence.text() == "This pass has expired; ask the building manager for a new one."
    assert not view.start_button.isVisible() and not view.details.isVisible()
    refused = audit_log.entries(replica.conn)[-1]
    assert (refused["outcome"], refused["reason"]) == ("refused", "expired")
    assert replica.access_scope is None
    window.close()


def test_at_expiry_the_session_ends_keeps_the_unsent_edit_and_the_building_leaves(
    window: MainWindow, state: AppState, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    forget_sample_changes(replica)
    controller = controller_of(window)
    now = [NOW]
    controller.clock = lambda: now[0]
    (page,) = window.findChildren(ScanPage)
    with qtbot.waitSignal(controller.pass_was_checked, timeout=5000):
        page.access_token_was_read.emit(pass_for(sample.building_id, hours=1,
                                                 permissions=("read", "write")))  # fmt: skip
    with qtbot.waitSignal(controller.session_did_start, timeout=5000):
        qtbot.mouseClick(controller.view.start_button, Qt.MouseButton.LeftButton)
    assert controller.timer.isActive() and controller.timer.remainingTime() > 50 * 60 * 1000
    assert controller.badge.isVisible() and controller.badge.text().startswith("Contractor pass")
    assert controller.end_action.isEnabled()
    file_actions = [a.text() for a in window.file_menu.actions() if a.text()]
    assert file_actions.index("End contractor session") < file_actions.index("&Quit")
    update_equipment(replica, sample.ahu_id, {"name": "Belt replaced"})

    now[0] = NOW + dt.timedelta(hours=2)  # the device slept past the pass's end
    with qtbot.waitSignal(controller.session_did_end, timeout=10_000) as ended:
        controller.timer.start(0)
    result = ended.args[0]
    assert result.kept >= 1 and not result.pushed  # not signed in: kept, and said so
    assert "could not be sent" in window.statusBar().currentMessage()
    conn = replica.conn
    assert conn.execute("SELECT name FROM equipment WHERE id = ?", (sample.ahu_id,)).fetchone() == (
        "Belt replaced",
    )
    assert conn.execute("SELECT COUNT(*) FROM equipment").fetchone() == (1,)
    assert replica.access_scope is None and controller.session is None
    assert not controller.badge.isVisible() and not controller.end_action.isEnabled()
    window.close()


def test_a_session_found_over_at_start_up_ends_at_once(
    window: MainWindow, replica: Replica, sample: SampleBuilding, qtbot: QtBot
) -> None:
    forget_sample_changes(replica)
    token = pass_for(sample.building_id, hours=1)
    start_session(replica, token, now=NOW)
    replica.access_scope = None  # as a restart finds it: only the file
    controller = controller_of(window)
    controller.clock = lambda: NOW + dt.timedelta(hours=3)
    with qtbot.waitSignal(controller.session_did_end, timeout=10_000):
        controller.resume()
    assert replica.conn.execute("SELECT COUNT(*) FROM equipment").fetchone() == (0,)
    assert load_session(replica.home) is None
    window.close()
