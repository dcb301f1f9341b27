"""Pushes from two devices at once, while a third polls: the puller must miss nothing.

A puller trusts the cursor: "I have everything up to N". That only holds if no
change with a sequence at or below N becomes visible after a pull answered N,
which is what the push lock (a PostgreSQL advisory lock, SQLite's write lock)
and the pull's snapshot bound are for. Several API processes on one PostgreSQL
are the case that needs it, so this runs there as well as on SQLite, over real
HTTP with uvicorn's worker threads serving requests concurrently.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from sync.clock import Stamp
from sync.ids import new_id
from sync.protocol import ChangeIn, PullResponse, PushRequest, PushResponse, ResultStatus
from tests.live_server import serve
from tests.server.conftest import UserFactory, on_both_databases

pytestmark = on_both_databases

BATCHES = 12
BATCH_SIZE = 20
STATUSES = ("operational", "needs_service", "out_of_service")

Replica = dict[tuple[str, str], dict[str, Any]]


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


class Device:
    """Builds changes with this device's clock (strictly increasing stamps)."""

    def __init__(self, building_id: str) -> None:
        self.id = f"dev-{new_id()[-12:]}"
        self.building_id = building_id
        self._counter = itertools.count()

    def change(self, entity: str, entity_id: str, op: str, fields: dict[str, Any]) -> ChangeIn:
        stamp = Stamp(time.time_ns() // 1_000_000, next(self._counter), self.id)
        return ChangeIn(
            change_id=new_id(),
            entity=entity,
            entity_id=entity_id,
            building_id=self.building_id,
            op=op,
            fields=fields,
            base_rev=0,
            hlc=stamp.pack(),
        )


def push(http: httpx.Client, device: Device, changes: list[ChangeIn]) -> PushResponse:
    body = PushRequest(device_id=device.id, changes=changes).model_dump(mode="json")
    response = http.post("/v1/sync/push", json=body)
    assert response.status_code == 200, response.text
    answer = PushResponse.model_validate(response.json())
    # Edits of the shared rows may lose to the other device's newer ones: merged.
    assert all(r.status is not ResultStatus.REJECTED for r in answer.results), answer.results
    return answer


def pull_page(http: httpx.Client, cursor: int, limit: int) -> PullResponse:
    response = http.get("/v1/sync/pull", params={"cursor": cursor, "limit": limit})
    assert response.status_code == 200, response.text
    return PullResponse.model_validate(response.json())


def apply(replica: Replica, page: PullResponse, cursor: int) -> None:
    """What a device does with a page; also checks the page is ordered after *cursor*."""
    seqs = [change.seq for change in page.changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
    assert all(cursor < seq <= page.cursor for seq in seqs), (cursor, seqs, page.cursor)
    for change in page.changes:
        replica[(change.entity, change.entity_id)] = {
            **change.fields,
            "_deleted": change.deleted,
            "_hlc": change.hlc,
        }


def full_pull(http: httpx.Client) -> Replica:
    replica: Replica = {}
    cursor, more = 0, True
    while more:
        page = pull_page(http, cursor, 500)
        apply(replica, page, cursor)
        cursor, more = page.cursor, page.has_more
    return replica


def test_a_puller_polling_during_concurrent_pushes_misses_nothing(
    app: FastAPI, base_url: str, user_factory: UserFactory
) -> None:
    tech = user_factory(org="Harbor Facilities")
    login = httpx.post(
        f"{base_url}/v1/auth/login", json={"email": tech.email, "password": tech.password}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    building_id = new_id()
    founder = Device(building_id)
    shared = [new_id() for _ in range(5)]  # rows both pushers keep editing
    floor_id = new_id()
    setup = [
        founder.change(
            "building", building_id, "insert", {"name": "Tower", "address": "", "meta": {}}
        ),
        founder.change("floor", floor_id, "insert", {"level": 1, "name": "L1"}),
        *(
            founder.change("equipment", eid, "insert", {"tag": f"AHU-{n}", "floor_id": floor_id})
            for n, eid in enumerate(shared)
        ),
    ]
    errors: list[BaseException] = []
    done = threading.Event()
    polled: Replica = {}
    pages = 0

    def pusher(number: int) -> None:
        device = Device(building_id)
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
            for batch in range(BATCHES):
                changes = []
                for i in range(BATCH_SIZE):
                    if i % 4 == 0:  # an edit of a row the other pusher edits too
                        status = STATUSES[(batch + i + number) % len(STATUSES)]
                        eid = shared[(batch + i) % len(shared)]
                        changes.append(
                            device.change("equipment", eid, "update", {"status": status})
                        )
                    else:
                        tag = f"P{number}-{batch}-{i}"
                        changes.append(device.change("equipment", new_id(), "insert", {"tag": tag}))
                push(http, device, changes)

    def puller() -> None:
        nonlocal pages
        cursor = 0
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
            while True:
                finished = done.is_set()  # read before the pull: one more after the end
                page = pull_page(http, cursor, 7)  # small pages: many cursors mid-push
                apply(polled, page, cursor)
                cursor, pages = page.cursor, pages + 1
                if finished and not page.has_more:
                    return

    def guarded(target: Any, *args: Any) -> Any:
        def run() -> None:
            try:
                target(*args)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        return threading.Thread(target=run, daemon=True)

    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
        push(http, founder, setup)
        poller = guarded(puller)
        poller.start()
        pushers = [guarded(pusher, n) for n in (1, 2)]
        for thread in pushers:
            thread.start()
        for thread in pushers:
            thread.join(60)
        done.set()
        poller.join(60)
        assert not errors, errors
        assert not poller.is_alive() and pages > 2 * BATCHES

        fresh = full_pull(http)
        assert len(fresh) == 2 + len(shared) + 2 * BATCHES * BATCH_SIZE * 3 // 4
        wrong = sorted(k for k in fresh.keys() | polled.keys() if polled.get(k) != fresh.get(k))
        assert not wrong, f"the puller missed or kept stale {len(wrong)} rows, e.g. {wrong[:3]}"

    with app.state.engine.connect() as conn:
        seqs = conn.execute(sa.text("SELECT seq FROM srv_change_log ORDER BY seq")).scalars().all()
    # Nothing was rejected, so no sequence was spent on a rolled-back change.
    assert seqs == list(range(1, len(setup) + 2 * BATCHES * BATCH_SIZE + 1))
