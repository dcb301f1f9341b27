"""Discarding rejected changes against a real server: nothing stuck, and devices converge."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI

from arxos_desktop.store import NotFoundError
from arxos_desktop.store.discard import discard_rejected
from arxos_desktop.store.equipment import create_equipment, find_by_tag, update_equipment
from arxos_desktop.store.notes import add_note
from arxos_desktop.store.queries import get_row
from sync.outbox import ChangeState, count_changes
from sync.server import crud
from sync.server.db import session_scope
from tests.conftest import build_sample
from tests.server.conftest import Account, UserFactory, on_both_databases
from tests.server.test_end_to_end import client_for, device

pytestmark = on_both_databases


def test_a_contractors_refused_edits_are_discarded_and_nothing_stays_stuck(
    app: FastAPI, base_url: str, tech: Account, user_factory: UserFactory, tmp_path: Path
) -> None:
    a, c = device(tmp_path, "admin"), device(tmp_path, "contractor")
    sample = build_sample(a)
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
    update_equipment(c, sample.ahu_id, {"system": "electrical"})
    panel = create_equipment(c, building_id=sample.building_id, tag="EP-1", system="electrical")
    report = sync_c.sync_once()
    assert report.rejected == 2
    # Made after the refusal: a note on the refused panel (refused too once sent).
    note = add_note(c, target_kind="equipment", target_id=panel.id, text="Breaker 4 trips")
    sync_c.sync_once()
    assert count_changes(c.conn, state=ChangeState.REJECTED) == 3

    dropped = discard_rejected(c)

    assert len(dropped.dropped) == 3
    assert find_by_tag(c, sample.building_id, "AHU-1").system == "hvac"
    for entity, entity_id in (("equipment", panel.id), ("note", note.id)):
        with pytest.raises(NotFoundError):
            get_row(c, entity, entity_id)
    assert count_changes(c.conn, state=ChangeState.REJECTED) == count_changes(c.conn) == 0
    # The contractor's next edit of the same row goes through.
    update_equipment(c, sample.ahu_id, {"name": "AHU one"})
    assert sync_c.sync_once().accepted == 1
    client_for(base_url, a, tech).sync_once()
    ahu_a = find_by_tag(a, sample.building_id, "AHU-1")
    ahu_c = find_by_tag(c, sample.building_id, "AHU-1")
    assert ahu_a.model_dump() == ahu_c.model_dump()
