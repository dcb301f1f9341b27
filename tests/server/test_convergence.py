"""Property: devices that edit offline and sync through a flaky network converge.

Several devices make random edits and deletes, sync in random order while the
network randomly fails before a request or loses the answer after the server
committed; then everyone syncs on a healthy network. All devices and the
server must hold identical rows, every field must hold its newest edit, and an
edit that lost without its author having seen the winner must have a conflict
record.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from arxos_desktop.store import NotFoundError, Replica
from arxos_desktop.store.codec import codec_for
from arxos_desktop.store.deletes import delete_row
from arxos_desktop.store.equipment import update_equipment
from arxos_desktop.store.remote import ReplicaSyncTarget
from sync.client import ClientSyncError, SyncClient
from sync.clock import Stamp
from sync.outbox import read_changes
from sync.server.core.config import ServerSettings
from sync.server.db import session_scope
from sync.server.main import create_app
from sync.server.replication import ChangeLogEntry, ConflictEntry, StoredRow
from tests.conftest import build_sample
from tests.server.conftest import SECRET

#: Few rows, fields and values, so devices collide often.
FIELDS = {
    "status": ["operational", "needs_service", "out_of_service"],
    "name": ["north", "south", "east"],
}


@dataclass(frozen=True)
class Edit:
    change_id: str
    entity_id: str
    field: str
    value: Any
    hlc: str
    base_rev: int


class FlakyTransport(httpx.BaseTransport):
    """Fails before sending, or loses the answer after the server handled it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.rng = random.Random(0)
        self.fail_rate = 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.rng.random() < self.fail_rate:
            raise httpx.ConnectError("network down", request=request)
        response = self.inner.handle_request(request)
        if self.rng.random() < self.fail_rate:
            response.read()
            raise httpx.ReadError("answer lost", request=request)
        return response


@dataclass
class World:
    app: FastAPI
    client: TestClient
    transport: FlakyTransport
    headers: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("server")
    app = create_app(
        ServerSettings(home=home, database_url=f"sqlite:///{home / 's.sqlite3'}", secret_key=SECRET)
    )
    with TestClient(app) as client:
        from sync.server import crud

        with session_scope(app.state.engine) as session:
            user = crud.create_user(session, email="conv@example.com", password="pw-long-enough")
            _, key = crud.create_api_key(session, user_id=user.id, name="convergence")
        yield World(
            app, client, FlakyTransport(client._transport), {"Authorization": f"Bearer {key}"}
        )


def make_client(world: World, replica: Replica) -> SyncClient:
    http = httpx.Client(
        transport=world.transport, base_url="http://testserver", headers=world.headers
    )
    return SyncClient(
        "http://testserver",
        target=ReplicaSyncTarget(replica),
        http=http,
        attempts=3,
        max_wait=0.001,
    )


def live_state(replica: Replica, building_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    state = {}
    for entity in ("building", "floor", "room", "equipment", "connection", "workorder", "note"):
        codec = codec_for(entity)
        for row in replica.conn.execute(
            f"{codec.select_sql} WHERE building_id = ?", (building_id,)
        ):
            wire = codec.row_to_wire(row)
            state[(entity, wire["id"])] = {k: wire[k] for k in (*codec.user_fields, "deleted")}
    return state


def server_state(world: World, building_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    with session_scope(world.app.state.engine) as session:
        rows = session.exec(select(StoredRow).where(StoredRow.building_id == building_id))
        return {
            (r.entity, r.id): {
                **{k: r.values.get(k) for k in codec_for(r.entity).user_fields},
                "deleted": r.deleted,
            }
            for r in rows
            if r.entity
            in ("building", "floor", "room", "equipment", "connection", "workorder", "note")
        }


step = st.one_of(
    st.tuples(
        st.just("edit"),
        st.integers(0, 2),
        st.integers(0, 1),
        st.sampled_from(sorted(FIELDS)),
        st.integers(0, 3),
    ),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("sync"), st.integers(0, 2)),
    # Two devices edit the same field; the later edit syncs first, so the earlier one loses.
    st.tuples(
        st.just("clash"),
        st.integers(0, 2),
        st.integers(0, 1),
        st.sampled_from(sorted(FIELDS)),
        st.integers(1, 2),
    ),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(step, min_size=4, max_size=30), seed=st.integers(0, 2**16))
def test_devices_converge_and_nothing_is_lost_silently(
    world: World, steps: list[tuple[Any, ...]], seed: int
) -> None:
    world.transport.rng.seed(seed)
    with tempfile.TemporaryDirectory() as tmp:
        devices = [Replica.open(Path(tmp) / f"d{i}") for i in range(3)]
        clients = [make_client(world, d) for d in devices]
        sample = build_sample(devices[0])
        world.transport.fail_rate = 0.0
        for c in clients:
            c.sync_once()
        targets = [
            sample.ahu_id,
            sample.vav_id,
            devices[0].conn.execute("SELECT id FROM equipment WHERE tag = 'RTU-9'").fetchone()[0],
        ]
        made: list[Edit] = []
        world.transport.fail_rate = 0.3
        for s in steps:
            device = devices[s[1]]
            try:
                if s[0] == "edit":
                    field, value = s[3], FIELDS[s[3]][s[4] % len(FIELDS[s[3]])]
                    if update_equipment(device, targets[s[2]], {field: value}):
                        change = read_changes(device.conn)[-1]
                        made.append(
                            Edit(
                                change.change_id,
                                change.entity_id,
                                field,
                                value,
                                change.hlc,
                                change.base_rev,
                            )
                        )
                elif s[0] == "delete":
                    # AHU-1 has a work order, so deleting it is refused: pick the others.
                    if targets[s[2]] != sample.ahu_id:
                        delete_row(device, "equipment", targets[s[2]])
                        c = read_changes(device.conn)[-1]
                        made.append(
                            Edit(c.change_id, c.entity_id, "deleted", True, c.hlc, c.base_rev)
                        )
                elif s[0] == "clash":
                    first, second = devices[s[1]], devices[(s[1] + s[4]) % 3]
                    for n, who in enumerate((first, second)):
                        value = FIELDS[s[3]][(s[4] + n) % len(FIELDS[s[3]])]
                        if update_equipment(who, targets[s[2]], {s[3]: value}):
                            c = read_changes(who.conn)[-1]
                            made.append(
                                Edit(c.change_id, c.entity_id, s[3], value, c.hlc, c.base_rev)
                            )
                    clients[devices.index(second)].sync_once()
                    clients[s[1]].sync_once()
                else:
                    clients[s[1]].sync_once()
            except NotFoundError:
                pass  # the row was deleted on this device
            except ClientSyncError:
                pass  # the network failed; the next sync resumes
        world.transport.fail_rate = 0.0
        for _ in range(2):
            for c in clients:
                c.sync_once()
        for d in devices:
            assert read_changes(d.conn) == [], "everything acknowledged"
        truth = server_state(world, sample.building_id)
        for d in devices:
            assert live_state(d, sample.building_id) == truth
        check_nothing_lost(world, made, truth)
        for d in devices:
            d.close()


def check_nothing_lost(
    world: World, made: list[Edit], truth: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """Each field holds its newest edit; every other edit was either seen by a later
    edit of the same field (its author knowingly replaced it), has a conflict record,
    or was agreed with by a newer edit of the same value (whose fate it shares)."""
    with session_scope(world.app.state.engine) as session:
        losers = {
            (c.entity_id, c.field, repr(c.loser_value)) for c in session.exec(select(ConflictEntry))
        }
        # Accepted changes are known by their log entry; merged ones also store an answer.
        seq_of = {e.change_id: int(e.seq or 0) for e in session.exec(select(ChangeLogEntry))}
    newest: dict[tuple[str, str], Edit] = {}
    for edit in made:
        key = (edit.entity_id, edit.field)
        if key not in newest or edit.hlc > newest[key].hlc:
            newest[key] = edit
    for (entity_id, field), edit in newest.items():
        assert truth[("equipment", entity_id)][field] == edit.value, (
            f"{field} of {entity_id} is not its newest edit"
        )
    for edit in made:
        if truth[("equipment", edit.entity_id)][edit.field] == edit.value:
            continue
        node = Stamp.parse(edit.hlc).node
        replaced_knowingly = any(
            later.entity_id == edit.entity_id
            and later.field == edit.field
            and later.hlc > edit.hlc
            and (Stamp.parse(later.hlc).node == node or later.base_rev >= seq_of[edit.change_id])
            for later in made
        )
        recorded = (edit.entity_id, edit.field, repr(edit.value)) in losers
        # Another device later wrote the same value: agreement, not a conflict (see the
        # merge rule); this edit's fate is that one's, which this loop checks as well.
        agreed = any(
            later.entity_id == edit.entity_id
            and later.field == edit.field
            and later.value == edit.value
            and later.hlc > edit.hlc
            for later in made
        )
        assert replaced_knowingly or recorded or agreed, (
            f"edit {edit.field}={edit.value!r} lost without a conflict record"
        )
