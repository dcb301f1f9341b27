"""`arx server audit verify`: every organisation's and device's chain on the server checked,
and a deleted or an edited entry named with the chain it broke."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from arxos_desktop.cli.main import run
from sync.server import access_audit
from sync.server.db import session_scope
from tests.server.test_device_audit import Org, chain, org, upload

__all__ = ["org"]


def verify(database_url: str) -> tuple[int, dict[str, Any]]:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = run(["server", "audit", "verify", "--database-url", database_url, "--json"])
    return code, json.loads(buffer.getvalue())


def verdicts(doc: dict[str, Any]) -> dict[str, str | None]:
    return {c["kind"] + ":" + c["name"]: c["broken"] for c in doc["chains"]}


def seeded(app: FastAPI, client: TestClient, org: Org) -> None:
    assert upload(client, org.ann, chain(org.depot, 3)).status_code == 200
    with session_scope(app.state.engine) as session:
        for n in range(3):
            access_audit.append(
                session, org.acme, event="issue", actor=org.ann.id, details={"n": n}
            )
        session.commit()


def test_intact_chains_pass(app: FastAPI, client: TestClient, org: Org, database_url: str) -> None:
    seeded(app, client, org)
    code, doc = verify(database_url)
    assert code == 0 and doc["intact"]
    device = [c for c in doc["chains"] if c["kind"] == "device"]
    assert [(c["name"], c["entries"]) for c in device] == [
        ("device ann-phone of ann@acme.example", 3)
    ]
    assert any(c["kind"] == "organization" and c["entries"] >= 3 for c in doc["chains"])


def test_a_deleted_and_an_edited_entry_are_found(
    app: FastAPI, client: TestClient, org: Org, database_url: str
) -> None:
    seeded(app, client, org)
    with app.state.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM srv_device_audit WHERE seq = 2"))
        conn.execute(
            sa.text(
                "UPDATE srv_access_audit SET body = :body WHERE org_id = :org AND seq = 2"
            ),
            {"body": json.dumps({"event": "issue", "actor": "someone-else", "n": 1}),
             "org": org.acme},
        )  # fmt: skip
    code, doc = verify(database_url)
    assert code == 13 and not doc["intact"]
    found = verdicts(doc)
    assert found["device:device ann-phone of ann@acme.example"] == (
        "Audit entry 2 is missing: the log was cut"
    )
    [org_verdict] = [v for k, v in found.items() if k.startswith("organization:Acme")]
    assert org_verdict == "Audit entry 2 was altered after it was written"


def test_entries_cut_off_the_end_are_found(
    app: FastAPI, client: TestClient, org: Org, database_url: str
) -> None:
    seeded(app, client, org)
    with app.state.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM srv_device_audit WHERE seq = 3"))
    code, doc = verify(database_url)
    assert code == 13
    assert "entries were cut" in str(verdicts(doc)["device:device ann-phone of ann@acme.example"])
