"""Devices' access logs reaching the server: only a batch that continues the device's
chain, from the device that signed in, is stored; each account's copy holds every
link, and the body only of entries about buildings that account can see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from sync.audit_chain import GENESIS, AuditChainBrokenError, chain_hash
from sync.server import access_audit, device_audit
from sync.server.access_models import AccessAuditEntry
from sync.server.db import session_scope
from sync.server.device_audit_models import DeviceAuditEntry
from tests.server.conftest import Account, UserFactory, bearer, login, on_both_databases
from tests.server.test_tenant_isolation import Person, depot_and_rival


@dataclass(frozen=True)
class Org:
    ann: Person  # Acme admin, signed in from device "ann-phone"
    rex: Person  # Rival Co admin
    rex_account: Account
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
    depot, rival = depot_and_rival(client, ann, rex)
    return Org(ann, rex, rex_account, depot, rival, str(ann_account.org_id))


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


def copy_of(app: FastAPI, user_id: str, device: str) -> dict[int, dict[str, Any] | None]:
    """One account's copy of a device's chain: seq → body (None: withheld)."""
    with session_scope(app.state.engine) as session:
        rows = session.exec(
            select(DeviceAuditEntry).where(
                DeviceAuditEntry.user_id == user_id, DeviceAuditEntry.device_id == device
            )
        ).all()
        return {r.seq: r.body for r in rows}


def mixed_chain(buildings: list[str]) -> list[dict[str, Any]]:
    """One entry per building, in one chain."""
    out: list[dict[str, Any]] = []
    previous = GENESIS
    for seq, building in enumerate(buildings, start=1):
        entry = chain(building, 1, start=seq, previous=previous)[0]
        out.append(entry)
        previous = entry["hash"]
    return out


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


def test_entries_about_another_organisations_building_are_kept_withheld(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    assert upload(client, org.ann, chain(org.depot, 1)).status_code == 200
    forged = chain(org.rival, 1, start=2, previous=chain(org.depot, 1)[0]["hash"])
    answer = upload(client, org.ann, forged)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"acknowledged": 2}
    assert org.rival not in answer.text
    held = copy_of(app, org.ann.id, "ann-phone")
    assert held[1] is not None and held[1]["building_id"] == org.depot
    assert held[2] is None  # its links are kept; nothing it says about Rival's building
    with session_scope(app.state.engine) as session:
        assert device_audit.verify_device_chain(session, org.ann.id, "ann-phone") == 2


def test_a_withheld_entry_is_still_checked_before_it_is_kept(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    forged = chain(org.rival, 2)
    forged[1]["body"] = {**forged[1]["body"], "outcome": "refused"}  # edited after hashing
    answer = upload(client, org.ann, forged)
    assert answer.status_code == 409
    assert "edited" in answer.json()["detail"]
    assert stored(app) == []


def test_a_removed_withheld_entry_is_found_by_the_check(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    assert (
        upload(client, org.ann, mixed_chain([org.depot, org.rival, org.depot])).status_code == 200
    )
    with session_scope(app.state.engine) as session:
        withheld = session.get(DeviceAuditEntry, (org.ann.id, "ann-phone", 2))
        assert withheld is not None and withheld.body is None
        session.delete(withheld)
        session.commit()
    with session_scope(app.state.engine) as session, pytest.raises(AuditChainBrokenError):
        device_audit.verify_device_chain(session, org.ann.id, "ann-phone")


@on_both_databases
def test_a_device_shared_by_two_accounts_fills_each_accounts_copy(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    entries = mixed_chain([org.depot, org.rival, org.depot, org.rival, org.depot])
    assert upload(client, org.ann, entries[:3]).json() == {"acknowledged": 3}
    # Rex signs in on ann's phone; the device last heard "3", so it sends 4 and 5.
    rex_login = login(client, org.rex_account, device_id="ann-phone")
    rex = Person(org.rex.id, bearer(rex_login["access_token"]), "ann-phone")
    behind = upload(client, rex, entries[3:])
    assert behind.json() == {"acknowledged": 0}  # rex's copy is empty: send from 1
    assert copy_of(app, rex.id, "ann-phone") == {}
    assert upload(client, rex, entries).json() == {"acknowledged": 5}
    rex_copy = copy_of(app, rex.id, "ann-phone")
    assert [seq for seq, body in sorted(rex_copy.items()) if body is not None] == [2, 4]
    # Back to ann, whose copy stops at 3: the device sends 4 and 5 to her.
    assert upload(client, org.ann, entries[3:]).json() == {"acknowledged": 5}
    ann_copy = copy_of(app, org.ann.id, "ann-phone")
    assert [seq for seq, body in sorted(ann_copy.items()) if body is not None] == [1, 3, 5]
    with session_scope(app.state.engine) as session:
        assert device_audit.verify_device_chain(session, rex.id, "ann-phone") == 5
        assert device_audit.verify_device_chain(session, org.ann.id, "ann-phone") == 5


def test_an_api_key_uploads_into_its_own_accounts_copy(
    app: FastAPI, client: TestClient, org: Org
) -> None:
    created = client.post("/v1/me/api-keys", json={"name": "kiosk"}, headers=org.ann.headers)
    assert created.status_code in (200, 201), created.text
    kiosk = Person(org.ann.id, bearer(created.json()["key"]), "kiosk-7")
    assert upload(client, kiosk, chain(org.depot, 2)).json() == {"acknowledged": 2}
    assert sorted(copy_of(app, org.ann.id, "kiosk-7")) == [1, 2]
    # The key reaches only its own account's copies: rex's copy of the kiosk stays empty.
    assert copy_of(app, org.rex.id, "kiosk-7") == {}


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


def test_a_copy_head_is_told_only_for_the_signed_in_device(client: TestClient, org: Org) -> None:
    upload(client, org.ann, chain(org.depot, 2))
    own = client.get("/v1/access/audit", params={"device_id": "ann-phone"}, headers=org.ann.headers)
    assert own.json() == {"acknowledged": 2}
    other = client.get(
        "/v1/access/audit", params={"device_id": "tina-laptop"}, headers=org.ann.headers
    )
    assert other.status_code == 409 and "another device" in other.json()["detail"]
    odd = client.get("/v1/access/audit", params={"device_id": "x'; --"}, headers=org.ann.headers)
    assert odd.status_code == 422 and "--" not in odd.text
    # Rex's account has no copy of ann's phone, whatever ann stored.
    rex_key = client.post("/v1/me/api-keys", json={"name": "k"}, headers=org.rex.headers).json()
    rex = client.get("/v1/access/audit", params={"device_id": "ann-phone"},
                     headers=bearer(rex_key["key"]))  # fmt: skip
    assert rex.json() == {"acknowledged": 0}
