"""Sync push and pull throughput, each measured against a raw HTTP + SQLite baseline.

Why: a technician's device may come back online with thousands of queued edits,
and a new tablet's first sync pulls a whole building; both must finish in
seconds, not minutes. Absolute numbers on shared, noisy 2-core machines mean
little, so the project's path is timed next to a raw baseline doing the same
work in the same process, and the ratio of medians is what the relative target
is set on (issue 3: >= 0.5x raw both ways; and at least 2,000 changes/s push,
5,000 rows/s pull on SQLite).

Everything runs in this one process on loopback:

- **Project:** ``create_app`` on a fresh SQLite file (WAL, ``synchronous=FULL``),
  served by uvicorn in a thread; one user, signed in with ``sign_in``. Device A
  is a :class:`Replica` whose outbox holds N queued changes (a building, its
  floors and rooms and equipment inserted through the store writer, then
  single-field equipment edits), pushed by ``SyncClient.push_pending`` at the
  protocol's default batch (100) and at the cap (500). Device B is a fresh
  replica pulling everything with ``SyncClient.pull_all`` (page 1000).
- **Raw:** a bare Starlette app served the same way. ``POST /raw/push`` takes
  the *same* change payloads (``ChangeIn`` JSON) in batches of the same size
  and ``executemany``-inserts them into a plain table in one transaction,
  returning a sequence per change; ``GET /raw/pull?after=&limit=`` returns pages
  of rows as JSON. Its client does what the project's client must do: reads a
  batch from a plain local outbox, POSTs it, deletes the acknowledged rows in
  one transaction; pulls pages into a plain local table with ``executemany``,
  one transaction per page with the cursor. Same PRAGMAs on every file.
- **First sync:** a fresh device's ``sync_once`` against a server holding a
  100,000-row building, next to a raw pull of the same rows. The server is
  loaded without HTTP (the push path is measured above): the first changes
  through the server's own ``push()`` in large batches, the rest written as
  the same rows, change log and stored answers with ``executemany`` (checked
  against a row ``push()`` wrote), so loading stays quick even while push is slow.

Every measurement gets fresh databases; project and raw alternate order each
round so drift in machine load hits both alike. Medians over rounds and the
ratio of medians are reported. Client and servers share one process (and its
GIL), the same for both sides. Prints one Markdown section to stdout, progress
to stderr, and exits 0 (a missed target shows as **FAIL**). Scratch files live
in ``bench/.tmp/`` and are removed.

Usage: python bench/sync_bench.py [--changes N] [--updates N] [--rounds R]
                                  [--first-sync-rows N] [--load-via-push N]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shutil
import sqlite3
import statistics
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from bench_common import scratch_dir, spread, timed
from sqlalchemy import insert
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from arxos_desktop.store.remote import ReplicaSyncTarget
from arxos_desktop.store.replica import Replica
from sync.client import RefreshingAuth, SyncClient, SyncReport, sign_in
from sync.outbox import read_changes
from sync.protocol import (
    DEFAULT_PULL_PAGE,
    DEFAULT_PUSH_BATCH,
    MAX_PUSH_BATCH,
    ChangeIn,
    PushRequest,
    ResultStatus,
)
from sync.server import crud
from sync.server.core.config import ServerSettings
from sync.server.db import SQLITE_BUSY_TIMEOUT_MS, session_scope
from sync.server.embedded import serve_in_thread as serve
from sync.server.field_clocks import after_change, as_mapping
from sync.server.main import create_app
from sync.server.models import Role, utcnow
from sync.server.replication import ChangeLogEntry, StoredRow
from sync.server.syncing import current_cursor, push

RATIO_TARGET = 0.5  # project throughput / raw throughput, both ways
PUSH_TARGET = 2_000.0  # changes/s, default batch
PULL_TARGET = 5_000.0  # rows/s
DEFAULT_BATCH = DEFAULT_PUSH_BATCH  # 100
MAX_BATCH = MAX_PUSH_BATCH  # 500
PAGE = DEFAULT_PULL_PAGE  # 1,000
LOAD_BATCH = 2_000  # changes per push() call when loading the first-sync building

EMAIL = "bench@example.com"
PASSWORD = "bench password 1234"
SECRET = "sync-bench-secret-" + "k" * 40
STATUSES = ("operational", "needs_service", "out_of_service", "decommissioned")
ROOM_NAMES = ("Office", "Conference", "Mechanical", "Electrical", "Storage", "Corridor")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sqlite_connect(path: Path) -> sqlite3.Connection:
    """A bare connection with the PRAGMAs both the server (``sync.server.db``) and replica use."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


# --------------------------------------------------------------------------- devices


@dataclass
class Workload:
    """What a seeded device holds: its queued changes, the rows they make, their wire form."""

    home: Path
    building_id: str
    changes: int
    rows: int
    payloads: list[dict[str, Any]] = field(default_factory=list)  # ChangeIn JSON, outbox order
    device_id: str = ""


def equipment_values(building_id: str, floor_id: str, room_id: str, i: int) -> dict[str, Any]:
    """Realistic user values for one piece of equipment."""
    return {
        "building_id": building_id,
        "tag": f"VAV-{i // 1000}-{100 + i % 1000}",
        "name": f"VAV box serving room {300 + i % 40}",
        "system": "hvac",
        "type": "VAV terminal",
        "manufacturer": ("Trane", "Titus", "Price", "Johnson Controls")[i % 4],
        "model": f"VCCF-{8 + i % 6:02d}",
        "serial": f"K{i:08d}",
        "status": "operational",
        "floor_id": floor_id,
        "room_id": room_id,
        "install_date": "2019-05-01",
        "properties": {"cfm_max": 800 + i % 400, "reheat": "hot water"},
        "position": {"x": round(1.5 + (i % 50) * 1.1, 2), "y": round(2.0 + (i % 23), 2)},
    }


def seed_device(
    home: Path, *, changes: int, floors: int, rooms_per_floor: int, updates: int
) -> Workload:
    """A replica whose outbox holds exactly *changes* queued changes, made through the writer.

    A building with its floors and rooms, enough equipment inserts to reach
    ``changes - updates``, then *updates* single-field edits of that equipment
    (alternately a rename and a status change), all in a few big transactions.
    """
    structure = 1 + floors + floors * rooms_per_floor
    inserts = changes - updates - structure
    if inserts <= 0 or updates > inserts:
        raise ValueError(f"{changes} changes cannot hold {structure} structure rows and edits")
    with Replica.open(home) as replica:
        with replica.transaction() as writer:
            bid = writer.insert("building", {"name": "Bench Tower", "address": "1 Bench St"})["id"]
            places: list[tuple[str, str]] = []
            for level in range(floors):
                fid = writer.insert(
                    "floor", {"building_id": bid, "level": level, "name": f"Level {level}"}
                )["id"]
                for k in range(rooms_per_floor):
                    rid = writer.insert(
                        "room",
                        {
                            "building_id": bid,
                            "floor_id": fid,
                            "number": f"{level}{k:02d}",
                            "name": ROOM_NAMES[k % len(ROOM_NAMES)],
                            "area_m2": 12.5 + k,
                        },
                    )["id"]
                    places.append((fid, rid))
        equipment: list[str] = []
        for start in range(0, inserts, 10_000):
            with replica.transaction() as writer:
                for i in range(start, min(inserts, start + 10_000)):
                    fid, rid = places[i % len(places)]
                    values = equipment_values(bid, fid, rid, i)
                    equipment.append(writer.insert("equipment", values)["id"])
        with replica.transaction() as writer:
            for i in range(updates):
                eid = equipment[(i * 7) % len(equipment)]
                edit = (
                    {"name": f"VAV box {i} (relabelled)"}
                    if i % 2 == 0
                    else {"status": STATUSES[1 + i % 3]}
                )
                if not writer.update("equipment", eid, edit):
                    raise AssertionError("an edit recorded nothing")
        queued = read_changes(replica.conn)
        payloads = [
            ChangeIn(
                change_id=c.change_id,
                entity=c.entity,
                entity_id=c.entity_id,
                building_id=c.building_id,
                op=c.op,
                fields=c.fields,
                base_rev=c.base_rev,
                hlc=c.hlc,
            ).model_dump(mode="json")
            for c in queued
        ]
        device_id = replica.device_id
    if len(payloads) != changes:
        raise AssertionError(f"outbox holds {len(payloads)} changes, expected {changes}")
    return Workload(home, bid, changes, changes - updates, payloads, device_id)


def clone_device(seed: Workload, home: Path) -> Path:
    """A copy of the seeded replica (same device id, same outbox) for one measurement."""
    shutil.copytree(seed.home, home)
    return home


# --------------------------------------------------------------------------- project side


@dataclass
class ProjectServer:
    url: str
    app: Any


@contextmanager
def project_server(home: Path) -> Iterator[ProjectServer]:
    """``create_app`` on a fresh SQLite file, served on loopback, with one user."""
    settings = ServerSettings(
        home=home,
        database_url=f"sqlite:///{home / 'server.sqlite3'}",
        secret_key=SECRET,
        access_token_minutes=120,
    )
    app = create_app(settings)
    with serve(app) as url:  # the lifespan has run: engine and migrations are ready
        with session_scope(app.state.engine) as session:
            crud.create_user(session, email=EMAIL, password=PASSWORD, full_name="Bench")
        yield ProjectServer(url, app)


def project_client(server: ProjectServer, replica: Replica, **kwargs: Any) -> SyncClient:
    tokens = sign_in(server.url, email=EMAIL, password=PASSWORD, device_id=replica.device_id)
    auth = RefreshingAuth(tokens, refresh_url=f"{server.url}/v1/auth/refresh")
    return SyncClient(server.url, target=ReplicaSyncTarget(replica), auth=auth, **kwargs)


def project_push(server: ProjectServer, home: Path, batch: int, expected: int) -> float:
    """Seconds for ``push_pending`` to send every queued change of the replica in *home*."""
    replica = Replica.open(home)
    client = project_client(server, replica, batch_size=batch)
    report = SyncReport()
    try:
        seconds = timed(lambda: client.push_pending(report))
    finally:
        client.close()
        replica.close()
    if report.pushed != expected or report.rejected:
        raise AssertionError(
            f"pushed {report.pushed}/{expected}, rejected {report.rejected}: "
            f"{report.rejections[:3]}"
        )
    return seconds


def project_pull(server: ProjectServer, home: Path, expected_rows: int) -> float:
    """Seconds for a fresh replica's ``pull_all`` (page 1000) to take in everything."""
    replica = Replica.open(home)
    client = project_client(server, replica, page_size=PAGE)
    report = SyncReport()
    try:
        seconds = timed(lambda: client.pull_all(report))
        held = sum(
            replica.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("buildings", "floors", "rooms", "equipment")
        )
    finally:
        client.close()
        replica.close()
    if report.pulled != expected_rows or held != expected_rows:
        raise AssertionError(f"pulled {report.pulled}, holds {held}, expected {expected_rows}")
    return seconds


# --------------------------------------------------------------------------- raw side

RAW_SERVER_DDL = (
    "CREATE TABLE raw_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL,"
    " device_id TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, building_id TEXT,"
    " op TEXT NOT NULL, fields TEXT NOT NULL, base_rev INTEGER NOT NULL, hlc TEXT NOT NULL)"
)
RAW_SERVER_INSERT = (
    "INSERT INTO raw_changes (change_id, device_id, entity, entity_id, building_id, op, fields,"
    " base_rev, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
RAW_SERVER_SELECT = (
    "SELECT seq, change_id, entity, entity_id, building_id, op, fields, base_rev, hlc"
    " FROM raw_changes WHERE seq > ? ORDER BY seq LIMIT ?"
)
RAW_PULLED_DDL = (
    "CREATE TABLE pulled (seq INTEGER PRIMARY KEY, change_id TEXT NOT NULL, entity TEXT NOT NULL,"
    " entity_id TEXT NOT NULL, building_id TEXT, op TEXT NOT NULL, fields TEXT NOT NULL,"
    " base_rev INTEGER NOT NULL, hlc TEXT NOT NULL)"
)
RAW_PULLED_INSERT = "INSERT INTO pulled VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
RAW_CURSOR_DDL = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
RAW_CURSOR_SET = "INSERT OR REPLACE INTO meta (key, value) VALUES ('cursor', ?)"


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def raw_app(db_path: Path) -> Starlette:
    """Two bare endpoints over one plain table: the least an HTTP sync service could do."""
    conn = sqlite_connect(db_path)
    conn.execute(RAW_SERVER_DDL)
    lock = threading.Lock()  # one writer at a time, like the project's push lock

    def store(body: dict[str, Any]) -> list[dict[str, Any]]:
        device = body["device_id"]
        changes = body["changes"]
        params = [
            (
                c["change_id"],
                device,
                c["entity"],
                c["entity_id"],
                c["building_id"],
                c["op"],
                compact(c["fields"]),
                c["base_rev"],
                c["hlc"],
            )
            for c in changes
        ]
        with lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                last = conn.execute("SELECT coalesce(max(seq), 0) FROM raw_changes").fetchone()[0]
                conn.executemany(RAW_SERVER_INSERT, params)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return [{"change_id": c["change_id"], "seq": last + k} for k, c in enumerate(changes, 1)]

    def page(after: int, limit: int) -> dict[str, Any]:
        with lock:
            rows = conn.execute(RAW_SERVER_SELECT, (after, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        out = [
            {
                "seq": r[0],
                "change_id": r[1],
                "entity": r[2],
                "entity_id": r[3],
                "building_id": r[4],
                "op": r[5],
                "fields": json.loads(r[6]),
                "base_rev": r[7],
                "hlc": r[8],
            }
            for r in rows
        ]
        return {"rows": out, "cursor": rows[-1][0] if rows else after, "has_more": more}

    async def push_endpoint(request: Request) -> Response:
        body = json.loads(await request.body())
        results = await run_in_threadpool(store, body)
        return Response(compact({"results": results}), media_type="application/json")

    async def pull_endpoint(request: Request) -> Response:
        after = int(request.query_params.get("after", "0"))
        limit = int(request.query_params.get("limit", str(PAGE)))
        answer = await run_in_threadpool(page, after, limit)
        return Response(compact(answer), media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            conn.close()

    return Starlette(
        routes=[
            Route("/raw/push", push_endpoint, methods=["POST"]),
            Route("/raw/pull", pull_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def raw_outbox(path: Path, payloads: list[dict[str, Any]]) -> sqlite3.Connection:
    """A plain local outbox holding the same change payloads, as JSON text."""
    conn = sqlite_connect(path)
    conn.execute(
        "CREATE TABLE outbox"
        " (seq INTEGER PRIMARY KEY, change_id TEXT NOT NULL UNIQUE, payload TEXT NOT NULL)"
    )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO outbox (change_id, payload) VALUES (?, ?)",
        [(p["change_id"], compact(p)) for p in payloads],
    )
    conn.execute("COMMIT")
    return conn


def raw_push(url: str, outbox: sqlite3.Connection, device_id: str, batch: int) -> int:
    """Read a batch from the local outbox, POST it, delete what was acknowledged; repeat."""
    sent = 0
    with httpx.Client(base_url=url, timeout=30.0) as http:
        while True:
            rows = outbox.execute(
                "SELECT seq, change_id, payload FROM outbox ORDER BY seq LIMIT ?", (batch,)
            ).fetchall()
            if not rows:
                return sent
            body = {"device_id": device_id, "changes": [json.loads(r[2]) for r in rows]}
            response = http.post("/raw/push", json=body)
            response.raise_for_status()
            results = response.json()["results"]
            local_seq = {r[1]: r[0] for r in rows}
            outbox.execute("BEGIN IMMEDIATE")
            outbox.executemany(
                "DELETE FROM outbox WHERE seq = ?", [(local_seq[r["change_id"]],) for r in results]
            )
            outbox.execute("COMMIT")
            sent += len(results)


def raw_pull(url: str, local: sqlite3.Connection, page: int) -> int:
    """Pull pages into a plain local table, one transaction per page with the cursor."""
    local.execute(RAW_PULLED_DDL)
    local.execute(RAW_CURSOR_DDL)
    cursor, pulled = 0, 0
    with httpx.Client(base_url=url, timeout=30.0) as http:
        while True:
            response = http.get("/raw/pull", params={"after": cursor, "limit": page})
            response.raise_for_status()
            answer = response.json()
            rows = [
                (
                    r["seq"],
                    r["change_id"],
                    r["entity"],
                    r["entity_id"],
                    r["building_id"],
                    r["op"],
                    compact(r["fields"]),
                    r["base_rev"],
                    r["hlc"],
                )
                for r in answer["rows"]
            ]
            local.execute("BEGIN IMMEDIATE")
            local.executemany(RAW_PULLED_INSERT, rows)
            local.execute(RAW_CURSOR_SET, (str(answer["cursor"]),))
            local.execute("COMMIT")
            pulled += len(rows)
            cursor = answer["cursor"]
            if not answer["has_more"]:
                return pulled


# --------------------------------------------------------------------------- rounds


@dataclass
class Series:
    """Per-round throughput of one measurement, project and raw."""

    project: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)


@dataclass
class Results:
    push: dict[int, Series] = field(default_factory=dict)  # batch size → changes/s
    pull: Series = field(default_factory=Series)  # rows/s


def bench_round(
    seed: Workload, root: Path, r: int, batches: Sequence[int], results: Results
) -> None:
    """One round: each push batch size and the pull, project and raw, in alternating order."""
    n = seed.changes
    with contextlib.ExitStack() as servers:
        pull_from: tuple[ProjectServer, str] | None = None
        for batch in batches:
            tag = f"r{r}-b{batch}"
            proj = servers.enter_context(project_server(root / f"srv-{tag}"))
            raw_url = servers.enter_context(serve(raw_app(root / f"raw-srv-{tag}.sqlite3")))
            device = clone_device(seed, root / f"dev-a-{tag}")
            outbox = raw_outbox(root / f"raw-dev-a-{tag}.sqlite3", seed.payloads)

            def run_project(
                proj: ProjectServer = proj, device: Path = device, b: int = batch
            ) -> float:
                return project_push(proj, device, b, n)

            def run_raw(
                url: str = raw_url, outbox: sqlite3.Connection = outbox, b: int = batch
            ) -> float:
                gc.collect()
                start = time.perf_counter()
                sent = raw_push(url, outbox, seed.device_id, b)
                seconds = time.perf_counter() - start
                if sent != n:
                    raise AssertionError(f"raw push sent {sent}/{n}")
                return seconds

            if r % 2 == 0:
                p, q = run_project(), run_raw()
            else:
                q, p = run_raw(), run_project()
            outbox.close()
            series = results.push.setdefault(batch, Series())
            series.project.append(n / p)
            series.raw.append(n / q)
            log(
                f"  round {r + 1}: push batch {batch}: {n / p:,.0f} vs {n / q:,.0f} changes/s "
                f"({series.project[-1] / series.raw[-1]:.2f}x)"
            )
            if pull_from is None:
                pull_from = (proj, raw_url)
        assert pull_from is not None
        proj, raw_url = pull_from

        def pull_project() -> float:
            return project_pull(proj, root / f"dev-b-r{r}", seed.rows)

        def pull_raw() -> float:
            local = sqlite_connect(root / f"raw-dev-b-r{r}.sqlite3")
            try:
                gc.collect()
                start = time.perf_counter()
                pulled = raw_pull(raw_url, local, PAGE)
                seconds = time.perf_counter() - start
            finally:
                local.close()
            if pulled != n:
                raise AssertionError(f"raw pull got {pulled}/{n}")
            return seconds

        if r % 2 == 0:
            p, q = pull_project(), pull_raw()
        else:
            q, p = pull_raw(), pull_project()
        results.pull.project.append(seed.rows / p)
        results.pull.raw.append(n / q)
        log(
            f"  round {r + 1}: pull page {PAGE}: {seed.rows / p:,.0f} vs {n / q:,.0f} rows/s "
            f"({results.pull.project[-1] / results.pull.raw[-1]:.2f}x)"
        )


# --------------------------------------------------------------------------- first sync


@dataclass
class FirstSync:
    rows: int
    via_push: int  # changes loaded through push()
    push_rate: float  # changes/s of that part
    direct_s: float  # seconds to write the remaining rows directly
    seconds: float  # the device's sync_once
    raw_seconds: float  # raw pull of the same number of rows


def bench_user_id(server: ProjectServer) -> str:
    with session_scope(server.app.state.engine) as session:
        user = crud.get_user_by_email(session, EMAIL)
        assert user is not None
        return user.id


def load_through_push(
    server: ProjectServer, payloads: list[dict[str, Any]], device_id: str
) -> float:
    """Apply *payloads* with the server's own ``push()``, ``LOAD_BATCH`` per transaction.

    Skips HTTP and the 500-change request cap; every change still goes through
    the full merge, validation and scope path. Returns the seconds taken.
    """
    engine = server.app.state.engine
    user_id = bench_user_id(server)
    start = time.perf_counter()
    for k in range(0, len(payloads), LOAD_BATCH):
        changes = [ChangeIn.model_validate(p) for p in payloads[k : k + LOAD_BATCH]]
        request = PushRequest.model_construct(device_id=device_id, changes=changes)
        with session_scope(engine) as session:

            def claim(building_id: str, session: Any = session) -> crud.BuildingAccess:
                crud.grant(
                    session, user_id=user_id, building_id=building_id, role=Role.ADMIN, commit=False
                )
                return crud.BuildingAccess(building_id, Role.ADMIN, None, None)

            answer = push(
                session,
                request,
                user_id=user_id,
                accesses=dict(crud.building_access(session, user_id)),
                claim_building=claim,
            )
            session.commit()
        bad = [r for r in answer.results if r.status is ResultStatus.REJECTED]
        if bad:
            raise AssertionError(f"load rejected {len(bad)} changes: {bad[0].reason}")
    return time.perf_counter() - start


def load_directly(server: ProjectServer, payloads: list[dict[str, Any]], device_id: str) -> float:
    """Write what ``push()`` writes for accepted inserts, with ``executemany``; returns seconds.

    Rows (values, a ``[hlc, seq]`` clock per field) and change-log entries (an
    accepted change's answer is its log entry), continuing the server's sequence.
    Only inserts (a building's first upload); :func:`check_loaded_rows` compares
    the result with rows from ``push()``.
    """
    engine = server.app.state.engine
    user_id = bench_user_id(server)
    now = utcnow()
    start = time.perf_counter()
    with session_scope(engine) as session:
        seq = current_cursor(session)
    for k in range(0, len(payloads), 10_000):
        rows: list[dict[str, Any]] = []
        log_entries: list[dict[str, Any]] = []
        for p in payloads[k : k + 10_000]:
            if p["op"] != "insert":
                raise ValueError("only inserts can be loaded directly")
            seq += 1
            ids = {"entity": p["entity"], "building_id": p["building_id"]}
            rows.append(
                ids
                | {
                    "id": p["entity_id"],
                    "values": dict(p["fields"]),
                    "clocks": after_change(None, p["fields"], p["hlc"], seq),
                    "deleted": False,
                    "created_hlc": p["hlc"],
                    "updated_hlc": p["hlc"],
                    "seq": seq,
                }
            )
            log_entries.append(
                ids
                | {
                    "seq": seq,
                    "change_id": p["change_id"],
                    "entity_id": p["entity_id"],
                    "op": p["op"],
                    "fields": dict(p["fields"]),
                    "hlc": p["hlc"],
                    "device_id": device_id,
                    "user_id": user_id,
                    "created_at": now,
                }
            )
        with session_scope(engine) as session:
            session.execute(insert(StoredRow), rows)
            session.execute(insert(ChangeLogEntry), log_entries)
            session.commit()
    return time.perf_counter() - start


def check_loaded_rows(server: ProjectServer, pushed_id: str, direct_id: str) -> None:
    """A directly written equipment row must look exactly like one ``push()`` wrote."""
    with session_scope(server.app.state.engine) as session:
        a = session.get(StoredRow, ("equipment", pushed_id))
        b = session.get(StoredRow, ("equipment", direct_id))
        assert a is not None and b is not None
        clocks_a, clocks_b = as_mapping(a.clocks), as_mapping(b.clocks)
        shape_a = (sorted(a.values), sorted(clocks_a), a.deleted, a.created_hlc == a.updated_hlc)
        shape_b = (sorted(b.values), sorted(clocks_b), b.deleted, b.created_hlc == b.updated_hlc)
        if (
            shape_a != shape_b
            or len(a.clocks) != len(b.clocks)  # stored the same way, not only equivalent
            or any(clock != [a.updated_hlc, a.seq] for clock in clocks_a.values())
            or any(clock != [b.updated_hlc, b.seq] for clock in clocks_b.values())
        ):
            raise AssertionError(f"direct load differs from push(): {shape_a} vs {shape_b}")


def bench_first_sync(root: Path, rows: int, via_push: int) -> FirstSync:
    """A fresh device's ``sync_once`` against a server already holding a *rows*-row building."""
    floors, rooms_per_floor = 25, 30
    log(f"first sync: seeding a {rows:,}-row building on a device")
    seed = seed_device(
        root / "big-seed", changes=rows, floors=floors, rooms_per_floor=rooms_per_floor, updates=0
    )
    payloads = seed.payloads
    via_push = min(max(via_push, 1 + floors + floors * rooms_per_floor + 1), rows)
    with (
        project_server(root / "big-srv") as server,
        serve(raw_app(root / "big-raw.sqlite3")) as raw_url,
    ):
        log(f"  loading {via_push:,} changes through push(), {LOAD_BATCH:,} per transaction")
        push_s = load_through_push(server, payloads[:via_push], seed.device_id)
        log(f"  ... {push_s:.1f} s ({via_push / push_s:,.0f} changes/s); the rest directly")
        direct_s = load_directly(server, payloads[via_push:], seed.device_id)
        if via_push < rows:
            check_loaded_rows(
                server, payloads[via_push - 1]["entity_id"], payloads[-1]["entity_id"]
            )
        replica = Replica.open(root / "big-dev")
        client = project_client(server, replica, page_size=PAGE)
        try:
            gc.collect()
            report = client.sync_once()
            held = replica.conn.execute("SELECT count(*) FROM equipment").fetchone()[0]
        finally:
            client.close()
            replica.close()
        if report.pulled != rows or held != rows - 1 - floors - floors * rooms_per_floor:
            raise AssertionError(f"first sync pulled {report.pulled}/{rows}, holds {held}")
        log(f"  first sync: {rows:,} rows in {report.seconds:.1f} s")
        outbox = raw_outbox(root / "big-raw-dev-a.sqlite3", payloads)
        raw_push(raw_url, outbox, seed.device_id, MAX_BATCH)
        outbox.close()
        local = sqlite_connect(root / "big-raw-dev-b.sqlite3")
        try:
            raw_s = timed(lambda: raw_pull(raw_url, local, PAGE))
        finally:
            local.close()
        log(f"  raw pull: {rows:,} rows in {raw_s:.1f} s")
    return FirstSync(rows, via_push, via_push / push_s, direct_s, report.seconds, raw_s)


# --------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def row(metric: str, series: Series, unit: str, absolute: float | None) -> str:
    """A table row: medians, ratio of medians, and which target (if any) was missed."""
    p, q = statistics.median(series.project), statistics.median(series.raw)
    ratio = p / q
    missed = [] if ratio >= RATIO_TARGET else ["ratio"]
    if absolute is not None and p < absolute:
        missed.append("absolute")
    target = f">= {RATIO_TARGET:.1f}x" + (f", >= {absolute:,.0f}/s" if absolute else "")
    result = f"**FAIL** ({', '.join(missed)})" if missed else "pass"
    return f"| {metric} ({unit}) | {p:,.0f} | {q:,.0f} | {ratio:.2f}x | {target} | {result} |"


def report(
    args: argparse.Namespace,
    seed: Workload,
    results: Results,
    first: FirstSync | None,
    load_before: float,
    seconds: float,
) -> str:
    updates = seed.changes - seed.rows
    lines = [
        "## Sync: push and pull vs a raw HTTP + SQLite baseline",
        "",
        f"{seed.changes:,} queued changes on device A ({seed.rows:,} inserts of a building, "
        f"{args.floors} floors, {args.floors * args.rooms:,} rooms and equipment, then "
        f"{updates:,} single-field equipment edits), pushed to a fresh server by "
        "`SyncClient.push_pending`; a fresh device B pulls the resulting "
        f"{seed.rows:,} rows with `SyncClient.pull_all` (page {PAGE:,}). Raw: the same "
        "`ChangeIn` JSON in batches of the same size from a plain local outbox to a bare "
        "Starlette endpoint that `executemany`-inserts into a plain table, and "
        f"{seed.changes:,} rows pulled back in pages of {PAGE:,} into a plain local table. "
        f"SQLite everywhere (WAL, synchronous=FULL); uvicorn on loopback in this process. "
        f"Median of {args.rounds} rounds, fresh databases each; higher is better.",
        "",
        "| metric | project | raw | ratio | target | result |",
        "|---|---:|---:|---:|---|---|",
    ]
    for batch, series in sorted(results.push.items()):
        absolute = PUSH_TARGET if batch == DEFAULT_BATCH else None
        lines.append(row(f"push, batch {batch}", series, "changes/s", absolute))
    lines.append(
        row(f"pull into a fresh replica, page {PAGE:,}", results.pull, "rows/s", PULL_TARGET)
    )
    if first is not None:
        rate = first.rows / first.seconds
        lines += [
            "",
            f"First sync of a {first.rows:,}-row building (1 building, 25 floors, 750 rooms, "
            "equipment): a fresh device's `sync_once` end to end, pages of "
            f"{PAGE:,}. Server loaded with `sync.server.syncing.push()` called in-process for "
            f"the first {first.via_push:,} changes ({LOAD_BATCH:,} per transaction, "
            f"{first.push_rate:,.0f} changes/s), the rest written directly as the same "
            f"rows and change log ({first.direct_s:.0f} s; checked against "
            "push()'s rows). Raw: the same rows pulled as in the table above.",
            "",
            "| metric | project | raw | ratio | target | result |",
            "|---|---:|---:|---:|---|---|",
            f"| first sync, {first.rows:,} rows (s) | {first.seconds:.1f} | "
            f"{first.raw_seconds:.1f} | | timed | — |",
            f"| first sync (rows/s) | {rate:,.0f} | {first.rows / first.raw_seconds:,.0f} | "
            f"{first.raw_seconds / first.seconds:.2f}x | >= {PULL_TARGET:,.0f}/s | "
            f"{verdict(rate >= PULL_TARGET)} |",
        ]
    raw_spread = max(spread(s.raw) for s in [*results.push.values(), results.pull])
    proj_spread = max(spread(s.project) for s in [*results.push.values(), results.pull])
    lines += [
        "",
        f"Method/noise: {os.cpu_count()} cores, load average {load_before:.2f} at start; "
        "project and raw alternate order each round; client, server and baseline share one "
        "process; round-to-round spread ±"
        f"{proj_spread:.0%} project, ±{raw_spread:.0%} raw (half range / median); "
        f"total {seconds:.0f} s.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000, help="queued changes on device A")
    parser.add_argument("--updates", type=int, default=1_000, help="of which equipment edits")
    parser.add_argument("--floors", type=int, default=10)
    parser.add_argument("--rooms", type=int, default=20, help="rooms per floor")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--first-sync-rows", type=int, default=100_000, help="0 skips the first-sync test"
    )
    parser.add_argument(
        "--load-via-push",
        type=int,
        default=10_000,
        help="first-sync changes loaded through push() (the rest are written directly)",
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    with scratch_dir("sync") as root:
        log(f"seeding device A with {args.changes:,} queued changes")
        seed = seed_device(
            root / "seed",
            changes=args.changes,
            floors=args.floors,
            rooms_per_floor=args.rooms,
            updates=args.updates,
        )
        results = Results()
        for r in range(args.rounds):
            with contextlib.ExitStack() as stack:
                round_dir = root / f"round-{r}"
                round_dir.mkdir()
                stack.callback(shutil.rmtree, round_dir, ignore_errors=True)
                bench_round(seed, round_dir, r, (DEFAULT_BATCH, MAX_BATCH), results)
        first = (
            bench_first_sync(root, args.first_sync_rows, args.load_via_push)
            if args.first_sync_rows
            else None
        )
    print(report(args, seed, results, first, load_before, time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
