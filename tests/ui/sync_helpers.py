"""A real sync service on loopback, accounts on it, and a window wired for sync."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from arxos_desktop.account import Credentials, save_credentials
from arxos_desktop.store import Replica
from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.ui.main_window import MainWindow
from arxos_desktop.ui.ops import StoreOps
from arxos_desktop.ui.state import AppState
from arxos_desktop.ui.sync_controller import SyncController, install_sync
from sync.client import RefreshingAuth, SyncClient, Tokens, sign_in
from sync.server import crud
from sync.server.core.config import ServerSettings
from sync.server.db import session_scope
from sync.server.main import create_app
from tests.live_server import serve

PASSWORD = "correct horse battery"
SECRET = "test-secret-key-" + "x" * 40


@dataclass
class LiveServer:
    url: str
    engine: object

    def new_account(self) -> str:
        """A fresh technician (own buildings only, so tests do not see each other's)."""
        email = f"tech-{secrets.token_hex(4)}@example.com"
        with session_scope(self.engine) as session:  # type: ignore[arg-type]
            crud.create_user(session, email=email, password=PASSWORD, full_name="Tess Tech")
        return email


@contextmanager
def running_server(root: Path) -> Iterator[LiveServer]:
    settings = ServerSettings(
        home=root, database_url=f"sqlite:///{root / 'server.sqlite3'}", secret_key=SECRET
    )
    app = create_app(settings)
    with serve(app) as url:
        yield LiveServer(url, app.state.engine)


def sign_in_saved(replica: Replica, url: str, email: str) -> Credentials:
    """What the sign-in dialog leaves behind: credentials.json in the replica's home."""
    tokens = sign_in(url, email=email, password=PASSWORD, device_id=replica.device_id)
    credentials = Credentials(url, email, tokens.access_token, tokens.refresh_token)
    save_credentials(replica.home, credentials)
    return credentials


def plain_client(replica: Replica, url: str, email: str) -> SyncClient:
    """A second device without any GUI: a store and a sync client."""
    tokens = sign_in(url, email=email, password=PASSWORD, device_id=replica.device_id)
    auth = RefreshingAuth(
        Tokens(tokens.access_token, tokens.refresh_token), refresh_url=f"{url}/v1/auth/refresh"
    )
    return SyncClient(url, target=ReplicaSyncTarget(replica), auth=auth)


@dataclass
class SyncWindow:
    window: MainWindow
    state: AppState
    controller: SyncController


def open_window(
    qtbot: QtBot, replica: Replica, settings: QSettings, *, demo: bool = False
) -> SyncWindow:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    state = AppState(StoreOps(replica, window), home=replica.home, parent=window)
    window.attach(state)
    controller = install_sync(window, state, demo=demo)
    window.show()
    return SyncWindow(window, state, controller)
