"""Devices' access logs reaching the server: only a batch that continues the device's
chain, from the device that signed in, about buildings the user can see, is stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from sync.audit_chain import GENESIS, chain_hash
from sync.ids import new_id
from sync.server import access_audit
from sync.server.access_models import AccessAuditEntry
from sync.server.db import session_scope
from sync.server.device_audit_models import DeviceAuditEntry
from tests.server.conftest import UserFactory, bearer, login, on_both_databases
from tests.server.test_tenant_isolation import Person, accept, change


@dataclass(frozen=True)
class Org:
    ann: Person  # Acme admin, signed in from device "ann-phone"
    depot: str
    rival: str  # Rival Co's building, which ann cannot see
    acme: str


@pytest.fixture
def org(client: TestClient, user_factory: UserFactory) -> Org:
    ann_account = user_factory(email="ann@acme.example", org="Acme")
    rex_account = user_factory(email="rex@rival.example", org="Rival Co")
    ann_login = login(client, ann_account, device_id="ann-phone")
    ann = Person(ann_account.id, bearer(ann_login["access_token"]), "ann-phone")
    rex = Person(rex_account.id, bearer(login(client, rex_account)["access_token"]), "dev")
    depot, org_row, rival, rival_org = new_id(), new_id(), new_id(), new_id()
    accept(
        client,
        ann,
        change(None, "organization", org_row, "insert", {"name": "Acme Facilities"}),
        change(depot, "building", depot, "insert", {"name": "Depot", "org_id": org_row}),
    )
    accept(
        client,
        rex,
        change(None, "organization", rival_org, "insert", {"name": "Rival"}),
        change(rival, "building", rival, "insert", {"name": "Rival HQ", "org_id": rival_org}),
    )
    return Org(ann, depot, rival, str(ann_account.org_id))


def chain(
    building: str, count: int, *, start: int = 1, previous: str = GENESIS
) -> list[dict[str, Any]]:
    """Entries as a device hashes them."""
    out = []
    for seq in range(start, start + count):
        body = {"event": "write", "outcome": "accepted", "building_id": building, "n": seq}
        digest = chain_hash(previous, body)
        out.append({"seq": seq, "prev_hash": previous, "hash": digest, "body": body})
        previous = digest
    return out


def upload(client: TestClient, who: Person, entries: list[dict[str, Any]], device: str = "") -> Any:
    return client.post(
        "/v1/access/audit",
        json={"device_id": device or who.device, "entries": entries},
        headers=who.headers,
    )


def stored(app: FastAPI) -> list[tuple[str, int]]:
    with session_scope(app.state.engine) as session:
        rows = session.exec(select(DeviceAuditEntry)).all()
        return sorted((r.device_id, r.seq) for r in rows)


def refusals(app: FastAPI, org_id: str) -> list[dict[str, Any]]:
    with session_scope(app.state.engine) as session:
        rows = session.exec(select(AccessAuditEntry).where(AccessAuditEntry.org_id == org_id))
        return [r.body for r in rows if r.body["event"] == "device_log_refused"]


@on_both_databases
def test_batches_that_continue_the_chain_are_stored(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    entries = chain(org.depot, 5)
    first = upload(client, org.ann, entries[:3])
    assert first.status_code == 200, first.text
    assert first.json() == {"acknowledged": 3}
    # The answer was lost: the device resends 3 with 4 and 5; what is held is not stored twice.
    again = upload(client, org.ann, entries[2:])
    assert again.json() == {"acknowledged": 5}
    assert stored(app) == [("ann-phone", n) for n in range(1, 6)]


def test_an_edited_entry_is_refused_and_the_refusal_logged(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    upload(client, org.ann, chain(org.depot, 2))
    later = chain(org.depot, 2, start=3, previous=chain(org.depot, 2)[-1]["hash"])
    later[0]["body"] = {**later[0]["body"], "outcome": "refused"}
    answer = upload(client, org.ann, later)
    assert answer.status_code == 409
    assert "edited" in answer.json()["detail"]
    assert stored(app) == [("ann-phone", 1), ("ann-phone", 2)]
    [logged] = refusals(app, org.acme)
    assert logged["device_id"] == "ann-phone" and "edited" in logged["reason"]
    with session_scope(app.state.engine) as session:
        access_audit.verify_chain(session, org.acme)


def test_a_removed_entry_is_refused(app: FastAPI, client: TestClient, org: Org) -> None:
    entries = chain(org.depot, 4)
    answer = upload(client, org.ann, [entries[0], *entries[2:]])
    assert answer.status_code == 409
    assert "missing or was replaced" in answer.json()["detail"]
    assert stored(app) == []
    # Resending a stored entry with a different hash is an edit too.
    upload(client, org.ann, entries[:2])
    forged = chain(org.depot, 1, start=2, previous=entries[0]["hash"])[0]
    forged["body"]["n"] = 99
    forged["hash"] = chain_hash(entries[0]["hash"], forged["body"])
    assert upload(client, org.ann, [forged]).status_code == 409
    assert stored(app) == [("ann-phone", 1), ("ann-phone", 2)]


def test_entries_about_another_organisations_building_are_refused(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    assert upload(client, org.ann, chain(org.depot, 1)).status_code == 200
    forged = chain(org.rival, 1, start=2, previous=chain(org.depot, 1)[0]["hash"])
    answer = upload(client, org.ann, forged)
    assert answer.status_code == 409
    assert "building you cannot see" in answer.json()["detail"]
    assert org.rival not in answer.text
    assert stored(app) == [("ann-phone", 1)]
    assert len(refusals(app, org.acme)) == 1


def test_a_device_cannot_upload_as_another_device(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    answer = upload(client, org.ann, chain(org.depot, 1), device="tina-laptop")
    assert answer.status_code == 409
    assert "another device" in answer.json()["detail"]
    assert stored(app) == []
    assert len(refusals(app, org.acme)) == 1


def test_an_oversized_batch_is_refused_before_it_is_read(client: TestClient, org: Org) -> None:
    answer = upload(client, org.ann, chain(org.depot, 201))
    assert answer.status_code in (413, 422)
