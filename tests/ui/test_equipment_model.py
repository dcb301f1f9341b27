"""The equipment table model: pages on demand, stale answers dropped, failures in words."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.equipment_table import PAGE_ROWS, EquipmentQuery
from arxos_desktop.store.errors import NotFoundError
from arxos_desktop.ui.equipment_model import EquipmentTableModel
from arxos_desktop.ui.state import AppState
from tests.big_building import BigBuilding, make_big_building

ROWS = 1_300


@pytest.fixture
def big(replica: Replica) -> BigBuilding:
    return make_big_building(replica, ROWS, floors=4, rooms_per_floor=5)


@pytest.fixture
def model(qtbot: QtBot, state: AppState, big: BigBuilding) -> EquipmentTableModel:
    table = EquipmentTableModel(state.ops)
    table.set_query(EquipmentQuery(big.building_id))
    qtbot.waitUntil(lambda: not table.loading and table.rowCount() > 0)
    return table


def _tags(model: EquipmentTableModel) -> list[str]:
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def test_rows_arrive_a_page_at_a_time_until_the_last(
    qtbot: QtBot, model: EquipmentTableModel
) -> None:
    assert model.rowCount() == PAGE_ROWS and model.total == ROWS and model.canFetchMore()
    while model.canFetchMore():
        with qtbot.waitSignal(model.rows_did_fetch):
            model.fetchMore()
    assert _tags(model) == [f"EQ-{i:06d}" for i in range(ROWS)]
    assert not model.canFetchMore()


def test_a_page_asked_for_before_the_query_changed_is_dropped(
    qtbot: QtBot, model: EquipmentTableModel, big: BigBuilding
) -> None:
    query = model.query
    assert query is not None
    inserted: list[int] = []
    model.rowsInserted.connect(lambda _parent, first, _last: inserted.append(first))
    model.fetchMore()  # answers after the new query is set: must not be appended to it
    model.set_query(replace(query, system="fire"))
    qtbot.waitUntil(lambda: not model.loading and model.total == ROWS // 5)
    qtbot.wait(50)
    assert inserted == []  # no flash of the old query's rows under the new filter
    assert _tags(model) == [f"EQ-{i:06d}" for i in range(ROWS) if i % 5 == 3]


def test_a_reload_keeps_every_row_already_loaded(
    qtbot: QtBot, model: EquipmentTableModel, state: AppState, replica: Replica
) -> None:
    with qtbot.waitSignal(model.rows_did_fetch):
        model.fetchMore()
    assert model.rowCount() == 2 * PAGE_ROWS
    target = model.id_at(700)
    model.current_id = target
    state.ops.run(lambda r: update_equipment(r, target, {"name": "Renamed"}), writes=True)
    with qtbot.waitSignal(model.rows_did_reload) as reloaded:
        model.reload()
    assert reloaded.args == [700]
    assert model.rowCount() == 2 * PAGE_ROWS
    assert model.index(700, 1).data() == "Renamed"


def test_a_failed_read_is_said_in_words_and_stops_the_busy_state(
    qtbot: QtBot, model: EquipmentTableModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise NotFoundError("No building with id 42 in this replica")

    monkeypatch.setattr("arxos_desktop.ui.equipment_model.load_view", broken)
    with qtbot.waitSignal(model.load_did_fail) as failed:
        model.reload()
    assert failed.args == ["No building with id 42 in this replica"]
    assert not model.loading and model.rowCount() == PAGE_ROWS  # the rows shown stay
