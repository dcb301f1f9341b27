"""Property: devices converge through inserts, parent deletes, restores, rejections, discards.

Two devices of a manager and one of a contractor whose grant covers only the
HVAC system edit, insert equipment and notes, delete equipment that has notes,
restore lost values, discard what the server refused and have their access
tokens expire, syncing in random order over a network that fails at random.
Then the network heals and every device syncs and gives up what was refused.
Nothing may be left waiting, the manager's devices must hold exactly the
server's rows, and the contractor's device exactly the server's version of
every row it holds, including every HVAC unit.

Runs on SQLite and PostgreSQL; ``ARXOS_LONG_TESTS=1`` (``make test-long``) tries
ten times as many examples.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arxos_desktop.store import NotFoundError, Replica, StillReferencedError, StoreError
from arxos_desktop.store.deletes import delete_row
from arxos_desktop.store.discard import discard_rejected
from arxos_desktop.store.equipment import create_equipment, update_equipment
from arxos_desktop.store.notes import add_note
from arxos_desktop.store.remote import ReplicaSyncTarget, open_conflicts, restore_losing_value
from sync.client import ClientSyncError, RefreshingAuth, SyncClient, Tokens
from sync.outbox import ChangeState, count_changes
from sync.server import crud
from sync.server.db import session_scope
from tests.conftest import build_sample
from tests.server.conftest import Account, UserFactory, login, on_both_databases
from tests.server.test_convergence import FlakyTransport, live_state, server_state

pytestmark = on_both_databases

#: Examples per run: 30 in the ordinary suite, 300 with ARXOS_LONG_TESTS=1 (make test-long).
EXAMPLES = 300 if os.environ.get("ARXOS_LONG_TESTS") == "1" else 30

STATUSES = ["operational", "needs_service", "out_of_service"]
SYSTEMS = ["hvac", "electrical"]

step = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.integers(0, 7), st.integers(0, 2)),
    st.tuples(st.just("insert"), st.integers(0, 2), st.integers(0, 1)),
    st.tuples(st.just("note"), st.integers(0, 2), st.integers(0, 7)),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 7)),
    st.tuples(st.just("sync"), st.integers(0, 2)),
    st.tuples(st.just("restore"), st.integers(0, 2)),
    st.tuples(st.just("discard"), st.integers(0, 2)),
    st.tuples(st.just("refresh"), st.integers(0, 2)),
    st.tuples(st.just("move"), st.integers(0, 2), st.integers(0, 7), st.integers(0, 1)),
    # The manager's two devices set one status; the later edit syncs first and wins.
    st.tuples(st.just("clash"), st.integers(0, 1), st.integers(0, 7), st.integers(0, 2)),
)
#: Syncs and clashes more often than the rest, so answers, conflicts and restores happen.
STEPS = st.one_of(
    step,
    st.tuples(st.just("sync"), st.integers(0, 2)),
    st.tuples(st.just("clash"), st.integers(0, 1), st.integers(0, 7), st.integers(0, 2)),
    st.tuples(st.just("restore"), st.integers(0, 2)),
)


class _SteadyRefresh(FlakyTransport):
    """Fails like its parent, except for token refreshes.

    A refresh whose answer is lost leaves the device with a refresh token the
    server has already rotated away, and the sign-in ends: that is the auth
    layer's business, not what this property is about.
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/refresh":
            return self.inner.handle_request(request)
        return super().handle_request(request)


class _Device:
    def __init__(self, replica: Replica, client: SyncClient, auth: RefreshingAuth) -> None:
        self.replica = replica
        self.client = client
        self.auth = auth


def _device(client: TestClient, transport: FlakyTransport, home: Path, account: Account) -> _Device:
    replica = Replica.open(home)
    tokens = login(client, account, device_id=replica.device_id)
    auth = RefreshingAuth(
        Tokens(tokens["access_token"], tokens["refresh_token"]),
        refresh_url="http://testserver/v1/auth/refresh",
    )
    http = httpx.Client(transport=transport, base_url="http://testserver")
    sync = SyncClient(
        "http://testserver",
        target=ReplicaSyncTarget(replica),
        auth=auth,
        http=http,
        attempts=3,
        max_wait=0.001,
    )
    return _Device(replica, sync, auth)


def _equipment(replica: Replica) -> list[str]:
    rows = replica.conn.execute("SELECT id FROM equipment WHERE deleted = 0 ORDER BY tag")
    return [row[0] for row in rows]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(STEPS, min_size=4, max_size=30), seed=st.integers(0, 2**16))
def test_devices_converge_through_inserts_deletes_rejections_and_discards(
    app: FastAPI,
    client: TestClient,
    user_factory: UserFactory,
    steps: list[tuple[Any, ...]],
    seed: int,
) -> None:
    transport = _SteadyRefresh(client._transport)
    transport.rng.seed(seed)
    manager = user_factory(org="Harbor Facilities")
    contractor = user_factory()
    with tempfile.TemporaryDirectory() as tmp:
        devices = [
            _device(client, transport, Path(tmp) / "m0", manager),
            _device(client, transport, Path(tmp) / "m1", manager),
            _device(client, transport, Path(tmp) / "c", contractor),
        ]
        sample = build_sample(devices[0].replica)
        devices[0].client.sync_once()
        with session_scope(app.state.engine) as session:
            crud.grant(
                session,
                user_id=contractor.id,
                building_id=sample.building_id,
                role="contractor",
                systems=["hvac"],
            )
        for d in devices[1:]:
            d.client.sync_once()
        transport.fail_rate = 0.25
        for number, s in enumerate(steps):
            if s[0] == "clash":
                _clash(devices[s[1]], devices[1 - s[1]], s[2], s[3])
            else:
                _run(devices[s[1]], s, sample.building_id, number)
        transport.fail_rate = 0.0
        for _ in range(2):
            for d in devices:
                d.client.sync_once()
                discard_rejected(d.replica)
        for d in devices:
            d.client.sync_once()
        for d in devices:
            assert count_changes(d.replica.conn) == 0, "everything acknowledged"
            assert count_changes(d.replica.conn, state=ChangeState.REJECTED) == 0
        truth = server_state_of(app, sample.building_id)
        for d in devices[:2]:
            assert live_state(d.replica, sample.building_id) == truth
        held = live_state(devices[2].replica, sample.building_id)
        assert {key: truth.get(key) for key in held} == held
        hvac = {
            key
            for key, values in truth.items()
            if key[0] == "equipment" and values["system"] == "hvac" and not values["deleted"]
        }
        assert hvac <= set(held)
        for d in devices:
            d.replica.close()


def server_state_of(app: FastAPI, building_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    return server_state(_Server(app), building_id)  # type: ignore[arg-type]


@dataclass
class _Server:
    """What :func:`server_state` reads of the convergence test's world: the app."""

    app: FastAPI


def _clash(first: _Device, second: _Device, target: int, status: int) -> None:
    """Both devices edit one status (the second later); the second syncs first."""
    try:
        for n, device in enumerate((first, second)):
            targets = _equipment(device.replica)
            if not targets:
                return
            wanted = STATUSES[(status + n) % len(STATUSES)]
            update_equipment(device.replica, targets[target % len(targets)], {"status": wanted})
        second.client.sync_once()
        first.client.sync_once()
    except NotFoundError:
        pass
    except ClientSyncError:
        pass


def _run(device: _Device, s: tuple[Any, ...], building_id: str, number: int) -> None:
    replica = device.replica
    targets = _equipment(replica)
    try:
        if s[0] == "edit" and targets:
            update_equipment(replica, targets[s[2] % len(targets)], {"status": STATUSES[s[3]]})
        elif s[0] == "move" and targets:
            update_equipment(replica, targets[s[2] % len(targets)], {"system": SYSTEMS[s[3]]})
        elif s[0] == "insert":
            create_equipment(
                replica, building_id=building_id, tag=f"N-{number}", system=SYSTEMS[s[2]]
            )
        elif s[0] == "note" and targets:
            add_note(
                replica,
                target_kind="equipment",
                target_id=targets[s[2] % len(targets)],
                text=f"n{number}",
            )
        elif s[0] == "delete" and targets:
            delete_row(replica, "equipment", targets[s[2] % len(targets)])
        elif s[0] == "restore":
            found = open_conflicts(replica)
            if found:
                restore_losing_value(replica, found[0]["id"])
        elif s[0] == "discard":
            discard_rejected(replica)
        elif s[0] == "refresh":
            device.auth.tokens = Tokens("expired.or.garbage", device.auth.tokens.refresh_token)
        elif s[0] == "sync":
            device.client.sync_once()
    except (NotFoundError, StillReferencedError):
        pass  # deleted here, or still has a work order: the app refuses too
    except StoreError as exc:
        # A change being sent when the network failed waits for its answer.
        assert "answer has not" in str(exc) or "being sent" in str(exc), exc
    except ClientSyncError:
        pass  # the network failed; the next sync resumes
