"""Faults: the server dies mid-batch, an answer is lost after the server committed."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import func, select

from arxos_desktop.store import Replica
from arxos_desktop.store.equipment import create_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget
from sync.client import ClientSyncError, SyncClient
from sync.outbox import count_changes
from sync.server import crud
from sync.server.db import create_db_engine, run_migrations, session_scope
from sync.server.replication import ChangeLogEntry, StoredRow
from tests.conftest import build_sample
from tests.server.conftest import SECRET, UserFactory


class KillDuringSecondPush(httpx.HTTPTransport):
    """Kills the server 5 ms into the second push: the first batch is acknowledged,
    the second is in the server's hands (being parsed, merged or committed) when it dies."""

    def __init__(self, server: subprocess.Popen[bytes]) -> None:
        super().__init__()
        self.server = server
        self.pushes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/push"):
            self.pushes += 1
            if self.pushes == 2:
                threading.Timer(0.005, self.server.kill).start()
        return super().handle_request(request)


class LoseFirstPushAnswer(httpx.BaseTransport):
    """The server handles the first push, then the connection drops before the answer."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.dropped = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/sync/push") and not self.dropped:
            self.dropped += 1
            response.read()
            raise httpx.ReadError("connection reset after the server committed", request=request)
        return response


def test_answer_lost_after_commit_is_retried_without_duplicates(
    app: FastAPI, client: TestClient, user_factory: UserFactory, tmp_path: Path
) -> None:
    account = user_factory()
    with session_scope(app.state.engine) as session:
        _, key = crud.create_api_key(session, user_id=account.id, name="faults")
    replica = Replica.open(tmp_path / "device")
    build_sample(replica)
    pending = count_changes(replica.conn)
    transport = LoseFirstPushAnswer(client._transport)
    http = httpx.Client(
        transport=transport,
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {key}"},
    )
    report = SyncClient(
        "http://testserver", target=ReplicaSyncTarget(replica), http=http
    ).sync_once()
    assert transport.dropped == 1
    assert report.accepted == pending and count_changes(replica.conn) == 0
    with session_scope(app.state.engine) as session:
        logged = session.exec(select(func.count()).select_from(ChangeLogEntry)).one()
        distinct = session.exec(select(func.count(func.distinct(ChangeLogEntry.change_id)))).one()
    assert logged == distinct == pending


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ARXOS_SERVER_HOME": str(home), "ARXOS_SECRET_KEY": SECRET}
    env["DATABASE_URL"] = f"sqlite:///{home / 'server.sqlite3'}"
    process = subprocess.Popen(
        [sys.executable, "-m", "arxos_desktop.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("sync service did not start")


def test_server_killed_mid_batch_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    home = tmp_path / "server"
    home.mkdir()
    url = f"sqlite:///{home / 'server.sqlite3'}"
    run_migrations(url)
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        user = crud.create_user(session, email="fault@example.com", password="long enough pw")
        _, key = crud.create_api_key(session, user_id=user.id, name="faults")
    replica = Replica.open(tmp_path / "device")
    sample = build_sample(replica)
    with replica.transaction():
        for n in range(1500):
            create_equipment(
                replica, building_id=sample.building_id, tag=f"SD-{n:04d}", system="fire"
            )
    pending = count_changes(replica.conn)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}
    server = _start_server(home, port)
    transport = KillDuringSecondPush(server)
    http = httpx.Client(base_url=base, headers=headers, transport=transport)
    client = SyncClient(
        base, target=ReplicaSyncTarget(replica), http=http, batch_size=500, attempts=1
    )
    try:
        with contextlib.suppress(ClientSyncError):
            client.sync_once()
        server.wait(timeout=10)
        left = count_changes(replica.conn)
        # The first batch was acknowledged; the second died with the server, whether
        # before or after its transaction committed (then its answer was lost).
        assert left in (pending - 500, pending - 1000), left
        server = _start_server(home, port)
        report = client.sync_once()
        assert report.rejected == 0
        assert count_changes(replica.conn) == 0
    finally:
        server.kill()
        server.wait(timeout=10)
    with session_scope(engine) as session:
        logged = session.exec(select(func.count()).select_from(ChangeLogEntry)).one()
        distinct = session.exec(select(func.count(func.distinct(ChangeLogEntry.change_id)))).one()
        rows = session.exec(select(func.count()).select_from(StoredRow)).one()
    assert logged == distinct == pending
    local = sum(
        replica.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in (
            "organizations",
            "buildings",
            "floors",
            "rooms",
            "equipment",
            "connections",
            "documents",
            "annotations",
            "work_orders",
            "notes",
            "attachments",
        )
    )
    assert rows == local
    engine.dispose()
