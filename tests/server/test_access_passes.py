"""Access passes on the server: who may issue and withdraw them, keys at rest, the audit chain."""

from __future__ import annotations

import base64
import datetime as dt
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from sync.audit_chain import AuditChainBrokenError
from sync.ids import new_id
from sync.server import access_audit, crud, signing_keys
from sync.server.access_models import AccessAuditEntry, AccessPass, SigningKey
from sync.server.core.config import SIGNING_KEY_SECRET_FILE, ServerSettings
from sync.server.db import session_scope
from sync.token_errors import RefusalReason, RevokedTokenError, UnknownIssuerTokenError
from sync.tokens import AccessClaims, TrustedKey, public_key_from_text, read_header, verify
from tests.server.conftest import SECRET, UserFactory, bearer, login, on_both_databases
from tests.server.test_tenant_isolation import Person, accept, change, depot_and_rival


@dataclass(frozen=True)
class Site:
    ann: Person  # Acme, admin of the depot (created it)
    mike: Person  # Acme, manager of the depot, narrowed to hvac on floor 1
    tina: Person  # Acme, technician of the depot
    carl: Person  # Cool HVAC, contractor on the depot
    rex: Person  # Rival Co, manager of the depot by grant, admin of his own building
    depot: str
    acme: str  # Acme's account organisation id
    rival: str


def _person(client: TestClient, user_factory: UserFactory, email: str, org: str) -> Person:
    account = user_factory(email=email, org=org)
    return Person(account.id, bearer(login(client, account)["access_token"]), "dev")


@pytest.fixture
def site(app: FastAPI, client: TestClient, user_factory: UserFactory) -> Site:
    ann = _person(client, user_factory, "ann@acme.example", "Acme")
    mike = _person(client, user_factory, "mike@acme.example", "Acme")
    tina = _person(client, user_factory, "tina@acme.example", "Acme")
    carl = _person(client, user_factory, "carl@cool.example", "Cool HVAC")
    rex = _person(client, user_factory, "rex@rival.example", "Rival Co")
    depot, rival = depot_and_rival(client, ann, rex)
    with session_scope(app.state.engine) as session:
        crud.grant(session, user_id=mike.id, building_id=depot, role="manager",
                   systems=["hvac"], floors=[1])  # fmt: skip
        crud.grant(session, user_id=tina.id, building_id=depot, role="technician")
        crud.grant(session, user_id=carl.id, building_id=depot, role="contractor")
        crud.grant(session, user_id=rex.id, building_id=depot, role="manager")
        acme = crud.get_or_create_org(session, "Acme").id
    return Site(ann, mike, tina, carl, rex, depot, acme, rival)


def ask(building: str, **overrides: Any) -> dict[str, Any]:
    return {
        "building_id": building,
        "systems": ["hvac", "electrical"],
        "floors": [1, 2],
        "permissions": ["read", "annotate"],
        "contractor_id": "ACME-42",
        "expires_in": 8 * 3600,
        **overrides,
    }


def issue(client: TestClient, who: Person, body: dict[str, Any]) -> Any:
    return client.post("/v1/access/passes", json=body, headers=who.headers)


def trust(
    client: TestClient, who: Person
) -> tuple[dict[str, TrustedKey], set[str], dict[str, str]]:
    response = client.get("/v1/access/trust", headers=who.headers)
    assert response.status_code == 200, response.text
    data = response.json()
    keys = {
        k["kid"]: TrustedKey(k["kid"], k["org_id"], public_key_from_text(k["public_key"]))
        for k in data["keys"]
    }
    return keys, set(data["revoked"]), data["buildings"]


def device_check(client: TestClient, who: Person, token: str) -> AccessClaims:
    keys, revoked, buildings = trust(client, who)
    return verify(token, keys, revoked, dt.datetime.now(dt.UTC), buildings)


def passes_and_entries(app: FastAPI) -> tuple[int, int]:
    with Session(app.state.engine) as session:
        return (
            len(session.exec(select(AccessPass)).all()),
            len(session.exec(select(AccessAuditEntry)).all()),
        )


def test_an_admin_issues_a_pass_the_contractors_device_verifies(
    client: TestClient, site: Site
) -> None:
    response = issue(client, site.ann, ask(site.depot))
    assert response.status_code == 201, response.text
    issued = response.json()
    claims = device_check(client, site.carl, issued["token"])
    assert claims.building_id == site.depot and claims.org_id == site.acme
    assert [str(s) for s in claims.systems or ()] == ["electrical", "hvac"]
    assert claims.floors == (1, 2) and claims.contractor_id == "ACME-42"
    assert read_header(issued["token"])["kid"] == issued["kid"]


@on_both_databases
def test_only_the_buildings_own_admins_and_managers_may_issue(
    app: FastAPI, client: TestClient, site: Site
) -> None:
    """A contractor of another org, a member without a managing role, a manager of another org."""
    for who in (site.carl, site.tina, site.rex):
        before = passes_and_entries(app)
        refused = issue(client, who, ask(site.depot))
        unknown = issue(client, who, ask(new_id()))
        assert refused.status_code == unknown.status_code == 403, who
        assert refused.json() == unknown.json()  # nothing tells whether the building exists
        assert site.depot not in refused.text
        assert passes_and_entries(app) == before


def test_a_rival_cannot_issue_for_their_own_building_under_acmes_name(
    client: TestClient, site: Site
) -> None:
    response = issue(client, site.rex, ask(site.rival))
    assert response.status_code == 201  # his own building, his own organisation's key
    keys, revoked, buildings = trust(client, site.carl)  # carl sees only the depot
    with pytest.raises(UnknownIssuerTokenError):
        verify(response.json()["token"], keys, revoked, dt.datetime.now(dt.UTC), buildings)


def test_a_narrowed_manager_cannot_hand_out_more_than_they_hold(
    client: TestClient, site: Site
) -> None:
    wider = issue(client, site.mike, ask(site.depot))
    assert wider.status_code == 422 and "systems" in wider.json()["detail"]
    allowed = issue(client, site.mike, ask(site.depot, systems=["hvac"], floors=[1]))
    assert allowed.status_code == 201, allowed.text


def test_a_pass_longer_than_the_server_allows_is_refused(client: TestClient, site: Site) -> None:
    response = issue(client, site.ann, ask(site.depot, expires_in=365 * 24 * 3600))
    assert response.status_code == 422 and "at most" in response.json()["detail"]


def test_bad_input_is_refused_without_echoing_it(client: TestClient, site: Site) -> None:
    response = issue(client, site.ann, ask(site.depot, contractor_id="<script>alert(1)</script>"))
    assert response.status_code == 422 and "<script>" not in response.text
    huge = client.post(
        "/v1/access/passes", content=b"{" + b" " * 20_000 + b"}", headers=site.ann.headers
    )
    assert huge.status_code == 413


@on_both_databases
def test_a_withdrawn_pass_reaches_devices_and_only_its_org_may_withdraw_it(
    client: TestClient, site: Site
) -> None:
    token = issue(client, site.ann, ask(site.depot)).json()
    path = f"/v1/access/passes/{token['token_id']}/revoke"
    by_rival = client.post(path, headers=site.rex.headers)
    nobody = client.post("/v1/access/passes/no-such-pass/revoke", headers=site.rex.headers)
    assert by_rival.status_code == nobody.status_code == 404
    assert by_rival.json() == nobody.json()
    assert device_check(client, site.carl, token["token"]).token_id == token["token_id"]
    assert client.post(path, headers=site.ann.headers).status_code == 204
    with pytest.raises(RevokedTokenError) as caught:
        device_check(client, site.carl, token["token"])
    assert caught.value.reason is RefusalReason.REVOKED


def test_rotation_keeps_old_passes_until_the_old_key_is_retired(
    client: TestClient, site: Site
) -> None:
    old = issue(client, site.ann, ask(site.depot)).json()
    assert client.post("/v1/access/keys/rotate", headers=site.carl.headers).status_code == 403
    rotated = client.post("/v1/access/keys/rotate", headers=site.ann.headers)
    assert rotated.status_code == 201
    new = issue(client, site.ann, ask(site.depot)).json()
    assert new["kid"] == rotated.json()["kid"] != old["kid"]
    assert device_check(client, site.carl, old["token"]).token_id == old["token_id"]
    retire = f"/v1/access/keys/{old['kid']}/retire"
    assert client.post(retire, headers=site.rex.headers).status_code == 404
    active = f"/v1/access/keys/{new['kid']}/retire"
    assert client.post(active, headers=site.ann.headers).status_code == 404  # the active key
    assert client.post(retire, headers=site.ann.headers).status_code == 204
    with pytest.raises(UnknownIssuerTokenError):
        device_check(client, site.carl, old["token"])
    assert device_check(client, site.carl, new["token"]).token_id == new["token_id"]


def test_the_private_key_at_rest_is_not_the_plaintext_key(
    app: FastAPI, client: TestClient, site: Site
) -> None:
    issue(client, site.ann, ask(site.depot))
    with Session(app.state.engine) as session:
        row = session.exec(select(SigningKey)).one()
        secret = app.state.settings.signing_key_secret.get_secret_value()
        private = signing_keys.unseal(row, secret=secret)
        raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        stored = row.private_key_sealed
        assert raw.hex() not in stored
        assert raw not in base64.b64decode(stored)
        for text in (base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")):
            assert text.decode() not in stored
        with pytest.raises(signing_keys.SealError):
            signing_keys.unseal(row, secret="another server's secret, long enough")
        moved = SigningKey(**{**row.model_dump(), "org_id": new_id()})
        with pytest.raises(signing_keys.SealError):
            signing_keys.unseal(moved, secret=secret)  # a sealed key moved to another org


def test_the_server_audit_chain_detects_a_deleted_and_an_edited_entry(
    app: FastAPI, client: TestClient, site: Site
) -> None:
    first = issue(client, site.ann, ask(site.depot)).json()
    issue(client, site.ann, ask(site.depot))
    client.post(f"/v1/access/passes/{first['token_id']}/revoke", headers=site.ann.headers)
    client.post("/v1/access/keys/rotate", headers=site.ann.headers)
    table = AccessAuditEntry.__table__  # type: ignore[attr-defined]
    with Session(app.state.engine) as session:
        count = access_audit.verify_chain(session, site.acme)
        events = [e.body["event"] for e in session.exec(select(AccessAuditEntry))]
        assert count == 5 and events == ["key_created", "issue", "issue", "revoke", "rotate"]
        body = session.exec(select(AccessAuditEntry).where(AccessAuditEntry.seq == 3)).one().body
        session.execute(
            sa.update(table).where(table.c.seq == 3).values(body={**body, "actor": "nobody"})
        )
        with pytest.raises(AuditChainBrokenError, match="altered"):
            access_audit.verify_chain(session, site.acme)
        session.rollback()
        session.execute(sa.delete(table).where(table.c.seq == 2))
        with pytest.raises(AuditChainBrokenError, match="missing"):
            access_audit.verify_chain(session, site.acme)
        session.rollback()
        session.execute(sa.delete(table).where(table.c.seq == 5))
        with pytest.raises(AuditChainBrokenError, match="cut"):
            access_audit.verify_chain(session, site.acme)


# -- exchange: a pass becomes a sign-in limited to it --------------------------------------


def exchange(client: TestClient, token: str) -> Any:
    return client.post("/v1/access/exchange", json={"token": token, "device_id": "tablet-7"})


def _floors(client: TestClient, site: Site) -> dict[int, str]:
    floors = {level: new_id() for level in (1, 2)}
    accept(client, site.ann, *(
        change(site.depot, "floor", fid, "insert", {"level": level, "name": f"L{level}"})
        for level, fid in floors.items()
    ))  # fmt: skip
    return floors


def _equipment(site: Site, floor: str, system: str) -> dict[str, Any]:
    return change(site.depot, "equipment", new_id(), "insert",
                  {"tag": f"T-{new_id()[:6]}", "system": system, "floor_id": floor})  # fmt: skip


def _push_status(client: TestClient, headers: dict[str, str], one: dict[str, Any]) -> str:
    body = {"device_id": "tablet-7", "changes": [one]}
    response = client.post("/v1/sync/push", json=body, headers=headers)
    assert response.status_code == 200, response.text
    status: str = response.json()["results"][0]["status"]
    return status


@on_both_databases
def test_an_exchanged_pass_signs_in_with_exactly_its_scope_until_withdrawn(
    client: TestClient, site: Site
) -> None:
    floors = _floors(client, site)
    body = ask(site.depot, systems=["hvac"], floors=[1], permissions=["read", "write"])
    issued = issue(client, site.ann, body).json()
    answer = exchange(client, issued["token"])
    assert answer.status_code == 200, answer.text
    session = answer.json()
    assert "refresh_token" not in session and session["expires_in"] <= 8 * 3600
    headers = bearer(session["access_token"])
    [grant] = client.get("/v1/me/buildings", headers=headers).json()
    assert grant == {"building_id": site.depot, "role": "contractor",
                     "systems": ["hvac"], "floors": [1]}  # fmt: skip
    assert _push_status(client, headers, _equipment(site, floors[1], "hvac")) == "accepted"
    assert _push_status(client, headers, _equipment(site, floors[1], "electrical")) == "rejected"
    assert _push_status(client, headers, _equipment(site, floors[2], "hvac")) == "rejected"
    refused_key = client.post("/v1/me/api-keys", json={"name": "forever"}, headers=headers)
    assert refused_key.status_code == 403  # nothing may outlive the pass

    revoke = f"/v1/access/passes/{issued['token_id']}/revoke"
    assert client.post(revoke, headers=site.ann.headers).status_code == 204
    assert client.get("/v1/me/buildings", headers=headers).status_code == 401
    again = exchange(client, issued["token"])
    assert again.status_code == 403 and "withdrawn" in again.json()["detail"]


def test_a_read_pass_cannot_write_and_an_annotate_pass_only_remarks(
    client: TestClient, site: Site
) -> None:
    floors = _floors(client, site)
    unit = _equipment(site, floors[1], "hvac")
    assert _push_status(client, site.ann.headers, unit) == "accepted"

    def note() -> dict[str, Any]:
        values = {"target_kind": "equipment", "target_id": unit["entity_id"], "text": "dirty"}
        return change(site.depot, "note", new_id(), "insert", values)

    reader = issue(client, site.ann, ask(site.depot, permissions=["read"])).json()
    headers = bearer(exchange(client, reader["token"]).json()["access_token"])
    [grant] = client.get("/v1/me/buildings", headers=headers).json()
    assert grant["role"] == "viewer"
    assert _push_status(client, headers, _equipment(site, floors[1], "hvac")) == "rejected"
    assert _push_status(client, headers, note()) == "rejected"

    annotator = issue(client, site.ann, ask(site.depot)).json()  # read, annotate
    headers = bearer(exchange(client, annotator["token"]).json()["access_token"])
    [grant] = client.get("/v1/me/buildings", headers=headers).json()
    assert grant["role"] == "annotator"
    assert _push_status(client, headers, note()) == "accepted"
    assert _push_status(client, headers, _equipment(site, floors[1], "hvac")) == "rejected"
    moved = change(
        site.depot, "equipment", unit["entity_id"], "update", {"status": "needs_service"}
    )
    assert _push_status(client, headers, moved) == "rejected"


def test_a_forged_altered_or_oversized_pass_is_not_exchanged(
    app: FastAPI, client: TestClient, site: Site
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sync.tokens import issue as sign
    from sync.tokens import key_id_for

    genuine = issue(client, site.ann, ask(site.depot)).json()
    claims = device_check(client, site.carl, genuine["token"])
    stranger = Ed25519PrivateKey.generate()
    forged = sign(claims, stranger, key_id_for(stranger.public_key()))
    under_our_kid = sign(claims, stranger, genuine["kid"])
    head, payload, signature = genuine["token"].split(".")
    altered = f"{head}.{payload[:-2]}AA.{signature}"
    before = passes_and_entries(app)
    answers = [exchange(client, t) for t in (forged, under_our_kid, altered, "x" * 3000)]
    assert [a.status_code for a in answers] == [403, 403, 403, 422]
    assert "does not trust" in answers[0].json()["detail"]
    assert "altered" in answers[1].json()["detail"]
    assert all("x" * 50 not in a.text for a in answers)
    assert passes_and_entries(app) == before  # nothing logged, nobody signed in


def test_the_key_encryption_secret_is_generated_owner_only_or_taken_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARXOS_SERVER_SIGNING_KEY_SECRET", raising=False)
    home = tmp_path / "server-home"
    first = ServerSettings(home=home, secret_key=SECRET)
    again = ServerSettings(home=home, secret_key=SECRET)
    secret = first.signing_key_secret.get_secret_value()
    assert again.signing_key_secret.get_secret_value() == secret
    assert secret != first.secret_key.get_secret_value()  # not the sign-in key
    assert stat.S_IMODE((home / SIGNING_KEY_SECRET_FILE).stat().st_mode) == 0o600
    monkeypatch.setenv("ARXOS_SERVER_SIGNING_KEY_SECRET", "k" * 40)
    assert ServerSettings(home=home, secret_key=SECRET).signing_key_secret.get_secret_value() == (
        "k" * 40
    )
