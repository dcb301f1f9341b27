"""Fixtures for the GUI tests: offscreen Qt, a replica worker, and no thread left behind.

Like napari's test suite, every GUI test fails if it leaves a QThread running or
one of the app's worker threads alive: a window that closes must stop its workers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QSettings, QThread

from arxos_desktop.store import Replica
from arxos_desktop.ui.ops import StoreOps
from arxos_desktop.ui.state import AppState
from sync.server.core import security
from tests.ui.sync_helpers import LiveServer, running_server

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def no_threads_left(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    started: list[QThread] = []
    original = QThread.start

    def recording_start(self: QThread, *args: object) -> None:
        started.append(self)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(QThread, "start", recording_start)
    before = {t.ident for t in threading.enumerate()}
    yield
    running = [t for t in started if t.isRunning()]
    assert not running, f"QThreads left running: {running}"
    ours = [
        t.name
        for t in threading.enumerate()
        if t.ident not in before and t.name.startswith("arxos-") and t.is_alive()
    ]
    assert not ours, f"worker threads left running: {ours}"


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    """Settings in a file of the test's own, so tests never read the user's layout."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def state(replica: Replica) -> Iterator[AppState]:
    ops = StoreOps(replica)
    app_state = AppState(ops, home=replica.home)
    yield app_state
    ops.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real sync server on loopback for the module's tests, with cheap password hashing
    (Argon2's real cost would be most of each sign-in's time)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        with running_server(tmp_path_factory.mktemp("server")) as live:
            yield live
