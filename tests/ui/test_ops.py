"""The replica worker: jobs run off the UI thread, in order, and no edit is dropped."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from arxos_desktop.store import Replica
from arxos_desktop.store.buildings import create_building, list_buildings
from arxos_desktop.store.errors import NotFoundError
from arxos_desktop.ui.ops import StoreOps
from arxos_desktop.ui.state import AppState


def test_a_job_runs_off_the_ui_thread_and_its_result_comes_back_on_it(
    qtbot: QtBot, state: AppState
) -> None:
    seen: dict[str, str] = {}

    def job(replica: Replica) -> str:
        seen["job"] = threading.current_thread().name
        return "done"

    def success(result: str) -> None:
        seen["callback"] = threading.current_thread().name
        seen["result"] = result

    with qtbot.waitSignal(state.ops.busy_did_change, check_params_cb=lambda busy: not busy):
        state.ops.run(job, success=success)
    assert seen["job"].startswith("arxos-store")
    assert seen["callback"] == threading.main_thread().name
    assert seen["result"] == "done"


def test_writes_announce_a_change_and_apply_in_the_order_asked(
    qtbot: QtBot, state: AppState
) -> None:
    names = [f"Building {n}" for n in range(20)]
    with qtbot.waitSignal(state.ops.replica_did_change):
        for name in names:
            state.ops.run(lambda r, name=name: create_building(r, name=name), writes=True)
        qtbot.waitUntil(lambda: not state.ops.busy)
    created = [b.name for b in list_buildings(state.replica)]
    assert sorted(created) == sorted(names)


def test_an_unhandled_failure_is_announced_in_plain_words(qtbot: QtBot, state: AppState) -> None:
    def job(replica: Replica) -> None:
        raise NotFoundError("No equipment tagged AHU-9 in this building")

    with qtbot.waitSignal(state.ops.op_did_fail) as failed:
        state.ops.run(job)
    assert failed.args == ["No equipment tagged AHU-9 in this building"]


def test_an_unexpected_failure_never_shows_a_traceback(qtbot: QtBot, state: AppState) -> None:
    def job(replica: Replica) -> None:
        raise KeyError("internal detail")

    with qtbot.waitSignal(state.ops.op_did_fail) as failed:
        state.ops.run(job)
    (message,) = failed.args
    assert "KeyError" in message and "internal detail" not in message
    assert "edits are safe" in message


def test_a_handled_failure_goes_to_its_handler_only(qtbot: QtBot, state: AppState) -> None:
    errors: list[Exception] = []
    announced: list[str] = []
    state.ops.op_did_fail.connect(announced.append)
    state.ops.run(lambda r: int("x"), failure=errors.append)
    qtbot.waitUntil(lambda: not state.ops.busy)
    assert isinstance(errors[0], ValueError) and announced == []


def test_callbacks_of_a_deleted_owner_are_skipped_but_the_write_counts(
    qtbot: QtBot, state: AppState
) -> None:
    owner = QWidget()
    release = threading.Event()
    called: list[object] = []

    def job(replica: Replica) -> str:
        release.wait(5)
        return create_building(replica, name="Kept").id

    state.ops.run(job, success=called.append, writes=True, owner=owner)
    owner.deleteLater()
    qtbot.wait(10)
    with qtbot.waitSignal(state.ops.replica_did_change):
        release.set()
    assert called == []
    assert [b.name for b in list_buildings(state.replica)] == ["Kept"]


def test_shutdown_finishes_queued_edits_first(replica: Replica) -> None:
    ops = StoreOps(replica)
    for n in range(5):
        ops.run(lambda r, n=n: create_building(r, name=f"B{n}"), writes=True)
    ops.shutdown()
    assert len(list_buildings(replica)) == 5
    with pytest.raises(RuntimeError, match="shut down"):
        ops.run(lambda r: create_building(r, name="Too late"), writes=True)
    assert ops.run(lambda r: list_buildings(r)).cancelled()
    assert len(list_buildings(replica)) == 5


def test_results_arriving_after_shutdown_start_no_new_work(qtbot: QtBot, replica: Replica) -> None:
    ops = StoreOps(replica)
    release = threading.Event()
    called: list[object] = []
    ops.run(lambda r: release.wait(5), success=called.append)
    release.set()
    ops.shutdown()  # the job has finished; its delivery is still queued
    qtbot.wait(50)
    assert called == []


def test_a_slow_job_does_not_stall_the_ui_thread(qtbot: QtBot, state: AppState) -> None:
    from tests.ui.stall_probe import StallProbe

    def slow(replica: Replica) -> None:
        for _ in range(30):
            replica.conn.execute("SELECT 1").fetchone()
            threading.Event().wait(0.01)

    with StallProbe().running() as probe:
        state.ops.run(slow)
        qtbot.waitUntil(lambda: not state.ops.busy, timeout=5000)
    assert probe.ticks > 10
    assert probe.longest_ms < 100, f"UI thread stalled for {probe.longest_ms:.0f} ms"
