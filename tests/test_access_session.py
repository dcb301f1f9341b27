"""A contractor session on the device: kept across restarts, ended at expiry without
losing an edit, and the building's data gone afterwards (offline, fake clock)."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import cv2
import pytest

from arxos_desktop.access import audit_log
from arxos_desktop.access.errors import OutOfScopeError
from arxos_desktop.access.session import (
    end_session,
    load_session,
    resume_session,
    session_path,
    start_session,
)
from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget
from sync.client import OfflineError
from sync.outbox import count_changes
from sync.tokens import issue, public_key_text
from sync.trust import AccessTrust, TrustKey
from tests.scan_images import on_canvas, qr_image
from tests.test_access_device import KEY, KID, NOW, ORG, claims_for
from tests.zbar_check import zbar_missing

LATER = NOW + dt.timedelta(hours=9)


@pytest.fixture
def site(replica: Replica) -> tuple[str, str]:
    """Riverside Tower with one HVAC unit on floor 1, the pass's issuer trusted."""
    with replica.transaction() as writer:
        tower = writer.insert("building", {"name": "Riverside Tower"})["id"]
        floor = writer.insert("floor", {"building_id": tower, "level": 1, "name": "L1"})["id"]
    unit = create_equipment(replica, building_id=tower, tag="AHU-1", system="hvac", floor_id=floor)
    trust = AccessTrust(
        keys=[TrustKey(kid=KID, org_id=ORG, public_key=public_key_text(KEY.public_key()),
                       status="active")],
        revoked=[],
        buildings={tower: ORG},
    )  # fmt: skip
    ReplicaSyncTarget(replica).store_trust(trust)
    return tower, unit.id


def test_a_session_survives_a_restart_owner_only_and_guards_writes(
    replica: Replica, site: tuple[str, str]
) -> None:
    tower, unit = site
    token = issue(claims_for(tower, permissions=("read",)), KEY, KID)
    session, check = start_session(replica, token, now=NOW)
    assert check.claims.building_id == tower and session.server is None
    mode = stat.S_IMODE(session_path(replica.home).stat().st_mode)
    assert mode == 0o600
    replica.access_scope = None  # as after a restart: nothing guards until the session resumes
    resumed = resume_session(replica, now=NOW + dt.timedelta(hours=1))
    assert resumed is not None and resumed.ended is None and resumed.token == token
    with pytest.raises(OutOfScopeError, match="look only"):
        update_equipment(replica, unit, {"name": "mine"})


def test_a_session_started_from_a_photo_of_the_pass_keeps_the_pass(
    replica: Replica, site: tuple[str, str], tmp_path: Path
) -> None:
    if reason := zbar_missing():
        pytest.skip(reason)
    tower, _ = site
    token = issue(claims_for(tower, permissions=("read",)), KEY, KID)
    photo = tmp_path / "pass.png"
    cv2.imwrite(str(photo), on_canvas(qr_image(token, module_px=3), size=(400, 400)))
    session, _ = start_session(replica, photo, now=NOW)
    assert session.token == token
    resumed = resume_session(replica, now=NOW + dt.timedelta(hours=1))
    assert resumed is not None and resumed.ended is None


def test_expiry_offline_keeps_unsent_changes_reports_them_and_removes_the_rest(
    replica: Replica, site: tuple[str, str]
) -> None:
    tower, unit = site
    token = issue(claims_for(tower, permissions=("read", "write")), KEY, KID)
    other = create_equipment(replica, building_id=tower, tag="AHU-2", system="hvac").id
    session, _ = start_session(replica, token, now=NOW)
    with replica.conn:  # the second unit's insert was sent and answered long ago
        replica.conn.execute("DELETE FROM outbox WHERE entity_id = ?", (other,))
    update_equipment(replica, unit, {"name": "Fixed belt"})
    resumed = resume_session(replica, now=LATER)
    assert resumed is not None and resumed.ended is not None and "expired" in resumed.ended
    with pytest.raises(OutOfScopeError):
        update_equipment(replica, unit, {"name": "after the end"})

    def offline() -> None:
        raise OfflineError("Cannot reach the sync server")

    ended = end_session(replica, resumed, push=offline)
    assert ended.pushed is False and ended.kept >= 1 and "could not be sent" in ended.sentence()
    conn = replica.conn
    # The edit waiting to be sent is still here, with its row; the rest of the building left.
    assert conn.execute("SELECT name FROM equipment WHERE id = ?", (unit,)).fetchone() == (
        "Fixed belt",
    )
    assert conn.execute("SELECT 1 FROM equipment WHERE id = ?", (other,)).fetchone() is None
    assert count_changes(conn) >= 1
    assert load_session(replica.home) is None and replica.access_scope is None
    events = [(e["event"], e["outcome"]) for e in audit_log.entries(conn)]
    assert ("session", "ended") in events and ("session", "started") in events
    assert session.token_id == resumed.token_id


def test_expiry_after_a_successful_push_removes_every_row_of_the_building(
    replica: Replica, site: tuple[str, str]
) -> None:
    tower, _unit = site
    session, _ = start_session(replica, issue(claims_for(tower), KEY, KID), now=NOW)
    pushed: list[int] = []

    def push() -> None:  # what the server's acceptance does to the outbox
        pushed.append(count_changes(replica.conn))
        with replica.conn:
            replica.conn.execute("DELETE FROM outbox")

    ended = end_session(replica, session, push=push)
    assert pushed and ended.pushed and ended.kept == 0
    assert replica.conn.execute("SELECT COUNT(*) FROM equipment").fetchone() == (0,)
    assert replica.conn.execute(
        "SELECT COUNT(*) FROM buildings WHERE id = ?", (tower,)
    ).fetchone() == (0,)


def test_removing_the_session_file_ends_the_session_instead_of_keeping_the_building(
    replica: Replica, site: tuple[str, str]
) -> None:
    tower, unit = site
    with replica.conn:  # the site was synced long ago: nothing waits to be sent
        replica.conn.execute("DELETE FROM outbox")
    start_session(replica, issue(claims_for(tower), KEY, KID), now=NOW)
    session_path(replica.home).unlink()  # the contractor hopes to keep the data
    replica.access_scope = None
    resumed = resume_session(replica, now=NOW)
    assert resumed is not None and resumed.ended is not None and "removed" in resumed.ended
    with pytest.raises(OutOfScopeError):
        update_equipment(replica, unit, {"name": "still mine"})
    end_session(replica, resumed)
    assert replica.conn.execute("SELECT COUNT(*) FROM equipment").fetchone() == (0,)
    assert resume_session(replica, now=NOW) is None


def test_arx_on_a_contractor_device_lists_and_changes_only_what_the_pass_allows(
    replica: Replica, site: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from arxos_desktop.cli.main import run

    tower, _ = site
    now = int(dt.datetime.now(dt.UTC).timestamp())
    hvac_pass = claims_for(tower, permissions=("read",), not_before=now - 60, expires=now + 3600)
    create_equipment(replica, building_id=tower, tag="WH-1", system="plumbing")
    start_session(replica, issue(hvac_pass, KEY, KID))
    queued = count_changes(replica.conn)
    replica.close()

    def arx(*args: str) -> tuple[int, str]:
        code = run(["--home", str(replica.home), *args, "--json"])
        return code, capsys.readouterr().out

    code, out = arx("equipment", "list")
    assert code == 0 and "AHU-1" in out and "WH-1" not in out  # a system the pass lacks
    code, out = arx("equipment", "set", "AHU-1", "status=out_of_service")
    assert code == 12 and "access_refused" in out
    reopened = Replica.open(replica.home)
    try:
        assert count_changes(reopened.conn) == queued  # the refused edit was never queued
    finally:
        reopened.close()
