"""Search everywhere (Ctrl+K): results as you type, keys to choose, Enter to jump, no stalls."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building
from arxos_desktop.store.bulk import insert_indexed
from arxos_desktop.store.notes import add_note
from arxos_desktop.ui.search_palette import SearchPalette
from arxos_desktop.ui.state import AppState
from sync.ids import new_id
from tests.conftest import build_sample
from tests.ui.stall_probe import StallProbe


def _palette(qtbot: QtBot, state: AppState) -> tuple[QWidget, SearchPalette]:
    window = QWidget()
    window.resize(1280, 800)
    qtbot.addWidget(window)
    window.show()
    palette = SearchPalette(state, window)
    palette.open_over_window()
    return window, palette


def _type(qtbot: QtBot, palette: SearchPalette, text: str) -> None:
    with qtbot.waitSignal(palette.results_did_show, timeout=10_000) as shown:
        palette.box.clear()
        qtbot.keyClicks(palette.box, text)
    assert shown.args == [text]


def _titles(palette: SearchPalette) -> list[tuple[str, str]]:
    return [
        (palette.hit_at(i).kind, palette.hit_at(i).title) for i in range(palette.results.count())
    ]


def test_a_tag_is_found_and_enter_jumps_to_it(qtbot: QtBot, state: AppState) -> None:
    sample = build_sample(state.replica)
    state.set_building(sample.building_id)
    _window, palette = _palette(qtbot, state)
    _type(qtbot, palette, "ahu-1")
    assert _titles(palette)[0] == ("equipment", "AHU-1")
    assert palette.status.text().endswith("Up and Down choose, Enter opens, Esc closes.")
    with qtbot.waitSignal(state.record_was_requested) as asked:
        qtbot.keyClick(palette.box, Qt.Key.Key_Return)
    assert asked.args == ["equipment", sample.ahu_id]
    assert not palette.isVisible()


def test_note_text_is_found_with_its_snippet_and_arrows_choose(
    qtbot: QtBot, state: AppState
) -> None:
    sample = build_sample(state.replica)
    other = add_note(
        state.replica, target_kind="room", target_id=sample.room_id, text="Squeals from the fan"
    )
    state.set_building(sample.building_id)
    _window, palette = _palette(qtbot, state)
    _type(qtbot, palette, "squeal")
    assert [kind for kind, _ in _titles(palette)] == ["note", "note"]
    details = [palette.hit_at(i).detail for i in range(2)]
    assert any("[squeals]" in d.lower() for d in details)
    assert palette.results.currentRow() == 0
    qtbot.keyClick(palette.box, Qt.Key.Key_Down)
    assert palette.results.currentRow() == 1
    qtbot.keyClick(palette.box, Qt.Key.Key_Down)  # stays on the last
    assert palette.results.currentRow() == 1
    qtbot.keyClick(palette.box, Qt.Key.Key_Up)
    chosen = palette.hit_at(0)
    with qtbot.waitSignal(state.record_was_requested) as asked:
        qtbot.keyClick(palette.box, Qt.Key.Key_Enter)
    assert asked.args == ["note", chosen.id]
    assert other.id in {palette.hit_at(i).id for i in range(2)}


def test_esc_closes_and_a_result_in_another_building_switches_to_it(
    qtbot: QtBot, state: AppState
) -> None:
    sample = build_sample(state.replica)
    elsewhere = create_building(state.replica, name="Annex")
    state.set_building(elsewhere.id)
    _window, palette = _palette(qtbot, state)
    _type(qtbot, palette, "RTU")
    (hit,) = [palette.hit_at(i) for i in range(palette.results.count())]
    with qtbot.waitSignal(state.building_did_change):
        qtbot.keyClick(palette.box, Qt.Key.Key_Return)
    assert state.building_id == sample.building_id
    palette.open_over_window()
    assert palette.box.selectedText() == "RTU"
    qtbot.keyClick(palette.box, Qt.Key.Key_Escape)
    assert not palette.isVisible()
    assert hit.title == "RTU-9"


def test_nothing_found_says_so_and_an_older_answer_is_dropped(
    qtbot: QtBot, state: AppState
) -> None:
    build_sample(state.replica)
    _window, palette = _palette(qtbot, state)
    _type(qtbot, palette, "zzqx")
    assert palette.results.count() == 0
    assert palette.status.text() == "Nothing matches. Try fewer or shorter words."
    # An answer that arrives after newer typing is not shown.
    state.ops.run(lambda _r: time.sleep(0.3))  # the worker is busy: searches wait
    qtbot.keyClicks(palette.box, "x")  # "zzqxx" queued...
    qtbot.wait(200)
    palette.box.setText("ahu")  # ...then overtaken before its answer comes
    with qtbot.waitSignal(palette.results_did_show, timeout=5_000) as shown:
        pass
    assert shown.args == ["ahu"]
    assert _titles(palette)[0] == ("equipment", "AHU-1")


def _many_equipment(replica: Replica, count: int) -> None:
    """*count* rows straight into the table and indexed in one statement (a few seconds)."""
    building = create_building(replica, name="Campus")
    rows = [
        (new_id(), building.id, f"AHU-{n:06d}", f"Air handler {n}", "hvac", "operational")
        for n in range(count)
    ]
    sql = "INSERT INTO equipment (id, building_id, tag, name, system, status) VALUES (?,?,?,?,?,?)"
    replica.conn.execute("BEGIN")
    insert_indexed(replica.conn, "equipment", sql, rows)
    replica.conn.execute("COMMIT")


def test_typing_over_100000_equipment_rows_never_stalls_the_window(
    qtbot: QtBot, state: AppState
) -> None:
    _many_equipment(state.replica, 100_000)
    _window, palette = _palette(qtbot, state)
    with StallProbe().running() as probe:
        with qtbot.waitSignal(palette.results_did_show, timeout=30_000) as shown:
            qtbot.keyClicks(palette.box, "ahu 0421", delay=40)
        qtbot.waitUntil(lambda: not state.ops.busy, timeout=30_000)
    print(f"longest UI stall while searching 100,000 rows: {probe.longest_ms:.1f} ms")
    assert shown.args == ["ahu 0421"]
    assert palette.hit_at(0).title.startswith("AHU-0421")
    assert probe.ticks > 20
    assert probe.longest_ms < 100
