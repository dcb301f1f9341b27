"""Two devices and a real server on loopback (SQLite and PostgreSQL): edits travel, conflicts
are kept, scope holds.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI

from arxos_desktop.repo_format import export_building
from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import find_by_tag, update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget, open_conflicts, restore_losing_value
from sync.client import RefreshingAuth, SyncClient, Tokens, sign_in
from sync.outbox import ChangeState, count_changes, read_changes
from sync.server import crud
from sync.server.db import session_scope
from tests.conftest import SampleBuilding, build_sample
from tests.server.conftest import Account, UserFactory, on_both_databases

pytestmark = on_both_databases


def device(tmp_path: Path, name: str) -> Replica:
    return Replica.open(tmp_path / name)


def client_for(base_url: str, replica: Replica, account: Account, **kwargs: object) -> SyncClient:
    tokens = sign_in(
        base_url, email=account.email, password=account.password, device_id=replica.device_id
    )
    auth = RefreshingAuth(tokens, refresh_url=f"{base_url}/v1/auth/refresh")
    return SyncClient(base_url, target=ReplicaSyncTarget(replica), auth=auth, **kwargs)  # type: ignore[arg-type]


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_a_building_made_offline_reaches_a_second_device_identically(
    base_url: str, tech: Account, tmp_path: Path
) -> None:
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    sample = build_sample(a)
    report = client_for(base_url, a, tech, batch_size=7).sync_once()
    assert report.rejected == 0 and report.pushed == report.accepted == 18
    assert report.blobs_uploaded == 2
    assert count_changes(a.conn) == 0
    client_for(base_url, b, tech, page_size=5).sync_once()
    export_building(a, sample.building_id, tmp_path / "export-a")
    export_building(b, sample.building_id, tmp_path / "export-b")
    assert tree(tmp_path / "export-a") == tree(tmp_path / "export-b")


def test_edits_travel_both_ways_and_unsent_edits_survive_a_pull(
    base_url: str, tech: Account, tmp_path: Path
) -> None:
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    sample = build_sample(a)
    sync_a, sync_b = client_for(base_url, a, tech), client_for(base_url, b, tech)
    sync_a.sync_once()
    sync_b.sync_once()
    update_equipment(a, sample.ahu_id, {"status": "needs_service"})
    update_equipment(b, sample.vav_id, {"name": "VAV box by the door"})  # not yet sent
    sync_a.sync_once()
    sync_b.pull_all(__import__("sync.client", fromlist=["SyncReport"]).SyncReport())
    assert find_by_tag(b, sample.building_id, "AHU-1").status == "needs_service"
    assert find_by_tag(b, sample.building_id, "VAV-101").name == "VAV box by the door"
    sync_b.sync_once()
    sync_a.sync_once()
    assert find_by_tag(a, sample.building_id, "VAV-101").name == "VAV box by the door"


def test_concurrent_edits_converge_and_the_loser_can_be_restored(
    base_url: str, tech: Account, tmp_path: Path
) -> None:
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    sample = build_sample(a)
    sync_a, sync_b = client_for(base_url, a, tech), client_for(base_url, b, tech)
    sync_a.sync_once()
    sync_b.sync_once()
    update_equipment(a, sample.ahu_id, {"status": "out_of_service"})
    time.sleep(0.01)  # a later wall-clock millisecond, so b's stamp is the newer one
    update_equipment(b, sample.ahu_id, {"status": "needs_service"})  # later: wins
    sync_a.sync_once()
    report = sync_b.sync_once()
    assert report.accepted == 1
    sync_a.sync_once()
    for replica in (a, b):
        assert find_by_tag(replica, sample.building_id, "AHU-1").status == "needs_service"
        (conflict,) = open_conflicts(replica)
        assert (conflict["loser_value"], conflict["winner_value"]) == (
            "out_of_service",
            "needs_service",
        )
    restore_losing_value(a, open_conflicts(a)[0]["id"])
    sync_a.sync_once()
    sync_b.sync_once()
    assert find_by_tag(b, sample.building_id, "AHU-1").status == "out_of_service"


def test_out_of_scope_change_is_rejected_and_stays_visible(
    app: FastAPI, base_url: str, tech: Account, user_factory: UserFactory, tmp_path: Path
) -> None:
    a, c = device(tmp_path, "admin"), device(tmp_path, "contractor")
    sample: SampleBuilding = build_sample(a)
    client_for(base_url, a, tech).sync_once()
    contractor = user_factory(email="hvac@contractor.example")
    with session_scope(app.state.engine) as session:
        crud.grant(
            session,
            user_id=contractor.id,
            building_id=sample.building_id,
            role="contractor",
            systems=["hvac"],
            floors=[1],
        )
    sync_c = client_for(base_url, c, contractor)
    sync_c.sync_once()
    assert find_by_tag(c, sample.building_id, "AHU-1").system == "hvac"
    assert (
        c.conn.execute("SELECT count(*) FROM floors").fetchone()[0] == 1
    )  # the basement is hidden
    update_equipment(c, sample.ahu_id, {"system": "electrical"})
    report = sync_c.sync_once()
    assert report.rejected == 1 and "outside the systems or floors" in report.rejections[0]
    (kept,) = read_changes(c.conn, state=ChangeState.REJECTED)
    assert kept.fields == {"system": "electrical"} and "outside" in kept.reason


def test_an_expired_access_token_is_refreshed(base_url: str, tech: Account, tmp_path: Path) -> None:
    a = device(tmp_path, "a")
    build_sample(a)
    good = sign_in(base_url, email=tech.email, password=tech.password, device_id=a.device_id)
    saved: list[Tokens] = []
    auth = RefreshingAuth(
        Tokens("expired.or.garbage", good.refresh_token),
        refresh_url=f"{base_url}/v1/auth/refresh",
        on_refresh=saved.append,
    )
    report = SyncClient(base_url, target=ReplicaSyncTarget(a), auth=auth).sync_once()
    assert report.rejected == 0 and report.accepted > 0
    assert saved and saved[0].refresh_token != good.refresh_token


def test_a_push_wakes_the_other_devices_event_stream(
    base_url: str, tech: Account, tmp_path: Path
) -> None:
    import threading
    import time

    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    sample = build_sample(a)
    sync_a, sync_b = client_for(base_url, a, tech), client_for(base_url, b, tech)
    sync_a.sync_once()
    sync_b.sync_once()
    assert sync_b.wait_for_news(0.5) is False  # nothing new: the wait times out
    woke: list[float] = []

    def listen() -> None:
        started = time.monotonic()
        if sync_b.wait_for_news(20):
            woke.append(time.monotonic() - started)

    listener = threading.Thread(target=listen)
    listener.start()
    time.sleep(0.3)
    update_equipment(a, sample.ahu_id, {"status": "needs_service"})
    sync_a.sync_once()
    listener.join(timeout=25)
    assert woke and woke[0] < 3.0


def test_the_event_stream_closes_when_asked(base_url: str, tech: Account) -> None:
    import time

    import httpx

    tokens = sign_in(base_url, email=tech.email, password=tech.password, device_id="dev1")
    started = time.monotonic()
    response = httpx.get(
        f"{base_url}/v1/sync/events",
        params={"cursor": 0, "seconds": 1},
        headers={"Authorization": f"Bearer {tokens.access_token}"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith("retry:")
    assert time.monotonic() - started < 5
