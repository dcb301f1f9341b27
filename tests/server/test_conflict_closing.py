"""A conflict resolved on one device closes on every device (real server, both databases)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from arxos_desktop.store import NotFoundError, Replica
from arxos_desktop.store.equipment import find_by_tag, update_equipment
from arxos_desktop.store.remote import dismiss_conflict, open_conflicts, restore_losing_value
from sync.client import SyncClient
from tests.conftest import SampleBuilding, build_sample
from tests.server.conftest import Account, on_both_databases
from tests.server.test_end_to_end import client_for, device

pytestmark = on_both_databases


def _conflicted(
    base_url: str, tech: Account, tmp_path: Path
) -> tuple[Replica, Replica, SyncClient, SyncClient, SampleBuilding]:
    """Two synced devices holding one conflict: b's `needs_service` beat a's `out_of_service`."""
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    sample = build_sample(a)
    sync_a, sync_b = client_for(base_url, a, tech), client_for(base_url, b, tech)
    sync_a.sync_once()
    sync_b.sync_once()
    update_equipment(a, sample.ahu_id, {"status": "out_of_service"})
    time.sleep(0.01)
    update_equipment(b, sample.ahu_id, {"status": "needs_service"})
    sync_a.sync_once()
    sync_b.sync_once()
    sync_a.sync_once()
    for replica in (a, b):
        (conflict,) = open_conflicts(replica)
        assert conflict["winner_value"] == "needs_service"
    return a, b, sync_a, sync_b, sample


def test_a_restore_on_one_device_closes_the_conflict_on_the_others(
    base_url: str, tech: Account, tmp_path: Path
) -> None:
    a, b, sync_a, sync_b, sample = _conflicted(base_url, tech, tmp_path)
    conflict_id = open_conflicts(a)[0]["id"]
    restore_losing_value(a, conflict_id)
    sync_a.sync_once()
    sync_b.sync_once()
    assert find_by_tag(b, sample.building_id, "AHU-1").status == "out_of_service"
    assert open_conflicts(b) == []
    (closed,) = open_conflicts(b, include_resolved=True)
    # The restore itself travels too: B learns how it was closed, not just that it was.
    assert (closed["id"], closed["resolution"]) == (conflict_id, "restored")
    assert closed["resolved_device"] == a.device_id
    with pytest.raises(NotFoundError, match="No open conflict"):
        dismiss_conflict(b, conflict_id)  # nothing to "keep": the winner is not the value
    # A device syncing for the first time gets the record and the newer row together.
    c = device(tmp_path, "c")
    client_for(base_url, c, tech).sync_once()
    assert open_conflicts(c) == []
    assert open_conflicts(c, include_resolved=True)[0]["resolution"] == "restored"
    # The device that restored keeps its own answer.
    assert open_conflicts(a, include_resolved=True)[0]["resolution"] == "restored"


def test_keep_acts_on_the_value_there_now(base_url: str, tech: Account, tmp_path: Path) -> None:
    a, b, _, _, sample = _conflicted(base_url, tech, tmp_path)
    conflict_id = open_conflicts(b)[0]["id"]
    update_equipment(b, sample.ahu_id, {"status": "decommissioned"})  # not synced yet
    outcome = dismiss_conflict(b, conflict_id)
    assert outcome == {"resolution": "superseded", "value": "decommissioned"}
    assert open_conflicts(b) == []
    # Where the winner is still the value, keeping it is what it says.
    assert dismiss_conflict(a, conflict_id) == {"resolution": "kept", "value": "needs_service"}
