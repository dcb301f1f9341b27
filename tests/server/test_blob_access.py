"""Who may read a blob: its uploader, or someone who may see a row citing it (both databases).

Everything goes through the real HTTP API with real sign-in: rows are pushed
with ``/v1/sync/push`` exactly as a device pushes them, so the references the
push records are the ones under test. A refused user must see what a missing
blob looks like, byte for byte where it matters (status, ``Upload-Offset``,
message), so no answer tells them that the blob exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from sync.clock import Stamp
from sync.ids import new_id
from sync.protocol import ChangeIn, PushRequest
from sync.server import crud
from sync.server.blob_access import BlobRef, record_blob_refs
from sync.server.blobs import BlobNotFoundError, LocalDiskBlobStorage
from sync.server.core.config import ServerSettings
from sync.server.db import alembic_config, create_db_engine, run_migrations, session_scope
from tests.server.conftest import UserFactory, bearer, login, on_both_databases

pytestmark = on_both_databases

DRAWING = b"%PDF-1.7 the plant room drawing"
PHOTO = b"\xff\xd8\xff a photo of the air handler"
AUDIO = b"RIFF a dictated note"
_clock = iter(range(1_700_000_000_000, 1_800_000_000_000, 10))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def url(digest: str) -> str:
    return f"/v1/blobs/{digest}"


@dataclass(frozen=True)
class Person:
    id: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Building:
    id: str
    floor1: str
    floor2: str
    ahu: str  # hvac, floor 1
    panel: str  # electrical, floor 1
    drawing: str  # document on floor 2, cites DRAWING
    photo: str  # attachment on the AHU, cites PHOTO
    note: str  # note on the panel, cites AUDIO


@pytest.fixture
def people(client: TestClient, user_factory: UserFactory) -> tuple[Person, Person]:
    """Ann of Acme, who owns the building, and Bob of another organisation."""
    ann = user_factory(email="ann@acme.example", org="Acme")
    bob = user_factory(email="bob@other.example", org="Other Co")
    return (
        Person(ann.id, bearer(login(client, ann)["access_token"])),
        Person(bob.id, bearer(login(client, bob)["access_token"])),
    )


def change(
    building_id: str, entity: str, entity_id: str, op: str, fields: dict[str, Any]
) -> dict[str, Any]:
    hlc = Stamp(next(_clock), 0, "dev-ann").pack()
    return ChangeIn(
        change_id=new_id(),
        entity=entity,
        entity_id=entity_id,
        building_id=building_id,
        op=op,
        fields=fields,
        base_rev=0,
        hlc=hlc,
    ).model_dump(mode="json")


def push(client: TestClient, who: Person, *changes: dict[str, Any]) -> None:
    body = PushRequest(device_id="dev-ann", changes=[ChangeIn(**c) for c in changes])
    response = client.post("/v1/sync/push", json=body.model_dump(mode="json"), headers=who.headers)
    assert response.status_code == 200, response.text
    assert {r["status"] for r in response.json()["results"]} == {"accepted"}, response.text


def put(
    client: TestClient, who: Person, digest: str, body: bytes, *, length: int, offset: int = 0
) -> httpx.Response:
    headers = {**who.headers, "Upload-Length": str(length), "Upload-Offset": str(offset)}
    return client.put(url(digest), content=body, headers=headers)


def upload(client: TestClient, who: Person, data: bytes) -> None:
    assert put(client, who, sha(data), data, length=len(data)).status_code == 201


@pytest.fixture
def building(client: TestClient, people: tuple[Person, Person]) -> Building:
    """Ann uploads three files and pushes a building whose rows cite them."""
    ann, _ = people
    for data in (DRAWING, PHOTO, AUDIO):
        upload(client, ann, data)
    b = Building(*(new_id() for _ in range(8)))
    push(
        client,
        ann,
        change(b.id, "building", b.id, "insert", {"name": "Depot", "address": "", "meta": {}}),
        change(b.id, "floor", b.floor1, "insert", {"level": 1, "name": "L1"}),
        change(b.id, "floor", b.floor2, "insert", {"level": 2, "name": "L2"}),
        change(
            b.id,
            "equipment",
            b.ahu,
            "insert",
            {"tag": "AHU-1", "system": "hvac", "floor_id": b.floor1},
        ),
        change(
            b.id,
            "equipment",
            b.panel,
            "insert",
            {"tag": "LP-1", "system": "electrical", "floor_id": b.floor1},
        ),
        change(
            b.id,
            "document",
            b.drawing,
            "insert",
            {
                "title": "Plant room",
                "file_name": "plant.pdf",
                "blob_sha256": sha(DRAWING),
                "floor_id": b.floor2,
            },
        ),
        change(
            b.id,
            "attachment",
            b.photo,
            "insert",
            {
                "target_kind": "equipment",
                "target_id": b.ahu,
                "blob_sha256": sha(PHOTO),
                "mime_type": "image/jpeg",
            },
        ),
        change(
            b.id,
            "note",
            b.note,
            "insert",
            {
                "target_kind": "equipment",
                "target_id": b.panel,
                "text": "Breaker 4 trips",
                "source": "dictated",
                "audio_sha256": sha(AUDIO),
            },
        ),
    )
    return b


def grant(app: FastAPI, who: Person, building: Building, **scope: Any) -> None:
    with session_scope(app.state.engine) as session:
        crud.grant(session, user_id=who.id, building_id=building.id, role="viewer", **scope)


@pytest.fixture
def storage(settings: ServerSettings) -> LocalDiskBlobStorage:
    return LocalDiskBlobStorage(settings.blob_dir)


CanRead = Callable[[Person, bytes], bool]


@pytest.fixture
def can_read(client: TestClient, storage: LocalDiskBlobStorage) -> CanRead:
    """Whether *who* may read *data*'s blob; HEAD and GET must agree on it, and a refusal
    must look exactly like a missing blob, with the caller's own upload progress."""

    def check(who: Person, data: bytes) -> bool:
        digest = sha(data)
        head = client.head(url(digest), headers=who.headers)
        got = client.get(url(digest), headers=who.headers)
        if head.status_code == 200:
            assert head.headers["Content-Length"] == str(len(data))
            assert (got.status_code, got.content) == (200, data)
            return True
        assert head.status_code == 404
        assert head.headers["Upload-Offset"] == str(storage.partial_size(digest, owner=who.id))
        assert head.headers["Cache-Control"] == "no-store"
        assert got.status_code == 404
        assert got.json() == {"detail": str(BlobNotFoundError(digest))}
        return False

    return check


def looks_missing(client: TestClient, who: Person, digest: str) -> tuple[Any, ...]:
    head = client.head(url(digest), headers=who.headers)
    got = client.get(url(digest), headers=who.headers)
    detail = got.json()["detail"].replace(digest[:12], "<sha>")
    return head.status_code, sorted(head.headers), got.status_code, sorted(got.headers), detail


# -- reading ----------------------------------------------------------------------------------


def test_another_organisation_cannot_read_or_probe(
    client: TestClient, people: tuple[Person, Person], building: Building, can_read: CanRead
) -> None:
    ann, bob = people
    assert can_read(ann, DRAWING)
    assert not can_read(bob, DRAWING)
    # A stored blob Bob may not read answers exactly like one that was never uploaded.
    never = sha(b"never uploaded anywhere")
    assert looks_missing(client, bob, sha(DRAWING)) == looks_missing(client, bob, never)
    # The offset a HEAD reports is Bob's own progress, never somebody else's.
    assert put(client, bob, sha(DRAWING), DRAWING[:5], length=len(DRAWING)).status_code == 202
    head = client.head(url(sha(DRAWING)), headers=bob.headers)
    assert (head.status_code, head.headers["Upload-Offset"]) == (404, "5")
    assert not can_read(bob, DRAWING)


def test_partial_uploads_are_private_to_their_user(
    client: TestClient, people: tuple[Person, Person]
) -> None:
    ann, bob = people
    data = b"a file nobody has finished sending"
    assert put(client, ann, sha(data), data[:10], length=len(data)).status_code == 202
    assert client.head(url(sha(data)), headers=bob.headers).headers["Upload-Offset"] == "0"
    # Bob cannot continue Ann's partial either: his offset 10 is wrong for his own (empty) one.
    response = put(client, bob, sha(data), data[10:], length=len(data), offset=10)
    assert (response.status_code, response.headers["Upload-Offset"]) == (409, "0")
    assert put(client, ann, sha(data), data[10:], length=len(data), offset=10).status_code == 201


def test_a_grant_on_the_building_opens_its_files(
    app: FastAPI,
    client: TestClient,
    people: tuple[Person, Person],
    building: Building,
    can_read: CanRead,
) -> None:
    _, bob = people
    assert not any(can_read(bob, d) for d in (DRAWING, PHOTO, AUDIO))
    grant(app, bob, building)
    assert all(can_read(bob, d) for d in (DRAWING, PHOTO, AUDIO))
    with session_scope(app.state.engine) as session:
        crud.revoke_grant(session, user_id=bob.id, building_id=building.id)
    assert not can_read(bob, DRAWING)


def test_systems_and_floors_scope_the_files_too(
    app: FastAPI,
    client: TestClient,
    people: tuple[Person, Person],
    building: Building,
    can_read: CanRead,
) -> None:
    _, bob = people
    # Floor 1, HVAC only: not the floor-2 drawing, not the note on the electrical panel.
    grant(app, bob, building, systems=["hvac"], floors=[1])
    assert can_read(bob, PHOTO)
    assert not can_read(bob, DRAWING)
    assert not can_read(bob, AUDIO)
    grant(app, bob, building, floors=[2])
    assert can_read(bob, DRAWING)
    assert not can_read(bob, PHOTO)


def test_tombstoned_or_repointed_rows_stop_granting(
    app: FastAPI,
    client: TestClient,
    people: tuple[Person, Person],
    building: Building,
    can_read: CanRead,
) -> None:
    ann, bob = people
    grant(app, bob, building)
    assert can_read(bob, DRAWING) and can_read(bob, PHOTO)
    push(client, ann, change(building.id, "document", building.drawing, "delete", {}))
    assert not can_read(bob, DRAWING)
    assert can_read(ann, DRAWING)  # the uploader keeps access
    revised = b"%PDF-1.7 revised photo"
    upload(client, ann, revised)
    push(
        client,
        ann,
        change(building.id, "attachment", building.photo, "update", {"blob_sha256": sha(revised)}),
    )
    assert not can_read(bob, PHOTO)
    assert can_read(bob, revised)
    # Undeleting brings the reference back.
    push(
        client,
        ann,
        change(building.id, "document", building.drawing, "update", {"deleted": False}),
    )
    assert can_read(bob, DRAWING)


# -- uploading --------------------------------------------------------------------------------


def test_sending_the_bytes_proves_possession(
    app: FastAPI,
    client: TestClient,
    people: tuple[Person, Person],
    building: Building,
    settings: ServerSettings,
    can_read: CanRead,
    storage: LocalDiskBlobStorage,
) -> None:
    _, bob = people
    digest = sha(DRAWING)
    # No "already stored" shortcut for Bob: he is asked for the bytes, in as many parts as he likes.
    first = put(client, bob, digest, DRAWING[:7], length=len(DRAWING))
    assert (first.status_code, first.headers["Upload-Offset"]) == (202, "7")
    done = put(client, bob, digest, DRAWING[7:], length=len(DRAWING), offset=7)
    assert done.status_code == 201
    assert done.json() == {"sha256": digest, "size": len(DRAWING)}
    assert can_read(bob, DRAWING)
    # Now it is his, the usual shortcut applies, and the stored file is still the right one.
    again = put(client, bob, digest, DRAWING, length=len(DRAWING))
    assert again.status_code == 200
    assert storage.open(digest).read() == DRAWING
    assert storage.partial_size(digest, owner=bob.id) == 0


def test_wrong_bytes_for_a_stored_blob_are_refused_and_grant_nothing(
    client: TestClient,
    people: tuple[Person, Person],
    building: Building,
    settings: ServerSettings,
    can_read: CanRead,
    storage: LocalDiskBlobStorage,
) -> None:
    ann, bob = people
    digest = sha(DRAWING)
    forged = b"X" * len(DRAWING)
    response = put(client, bob, digest, forged, length=len(DRAWING))
    assert response.status_code == 422
    assert not can_read(bob, DRAWING)
    assert storage.partial_size(digest, owner=bob.id) == 0
    assert storage.open(digest).read() == DRAWING
    assert can_read(ann, DRAWING)


def test_the_first_upload_of_a_blob_still_answers_201_and_a_repeat_200(
    client: TestClient, people: tuple[Person, Person]
) -> None:
    ann, _ = people
    data = b"fresh site photo"
    assert put(client, ann, sha(data), data, length=len(data)).status_code == 201
    assert put(client, ann, sha(data), data, length=len(data)).status_code == 200


# -- the index itself -------------------------------------------------------------------------


def test_record_blob_refs_keeps_one_current_ref_per_row(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        run_migrations(engine)
        doc = {"entity": "document", "id": new_id(), "building_id": new_id(), "deleted": False}
        with Session(engine) as session:
            record_blob_refs(session, [{**doc, "values": {"blob_sha256": sha(b"1")}}])
            # The same row twice in one batch: the last state wins; other entities are ignored.
            record_blob_refs(
                session,
                [
                    {**doc, "values": {"blob_sha256": sha(b"2")}},
                    {**doc, "values": {"blob_sha256": sha(b"3")}},
                    {"entity": "floor", "id": new_id(), "building_id": None, "values": {}},
                ],
            )
            session.commit()
            refs = session.execute(sa.select(BlobRef.sha256, BlobRef.entity_id)).all()
            assert refs == [(sha(b"3"), doc["id"])]
            record_blob_refs(session, [{**doc, "deleted": True, "values": {}}])
            session.commit()
            assert session.execute(sa.select(BlobRef.sha256)).all() == []
    finally:
        engine.dispose()


def test_upgrading_indexes_the_rows_already_stored(database_url: str) -> None:
    """Files cited by rows pushed before revision 0004 stay readable after the upgrade."""
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0003")
        building_id = new_id()
        live, gone, note = new_id(), new_id(), new_id()
        rows = [
            ("document", live, {"blob_sha256": sha(b"live"), "title": "t"}, False),
            ("document", gone, {"blob_sha256": sha(b"gone"), "title": "t"}, True),
            ("note", note, {"audio_sha256": None, "text": "typed"}, False),
            ("floor", new_id(), {"level": 1}, False),
        ]
        stored = sa.table(
            "srv_rows",
            *(sa.column(n) for n in ("entity", "id", "building_id", "deleted", "created_hlc")),
            *(sa.column(n) for n in ("updated_hlc", "seq")),
            sa.column("values", sa.JSON()),
            sa.column("clocks", sa.JSON()),
        )
        with engine.begin() as conn:
            conn.execute(
                sa.insert(stored),
                [
                    {
                        "entity": entity,
                        "id": row_id,
                        "building_id": building_id,
                        "values": values,
                        "clocks": {},
                        "deleted": deleted,
                        "created_hlc": "",
                        "updated_hlc": "",
                        "seq": 1,
                    }
                    for entity, row_id, values, deleted in rows
                ],
            )
        run_migrations(engine)
        with Session(engine) as session:
            refs = session.execute(
                sa.select(BlobRef.entity, BlobRef.entity_id, BlobRef.sha256, BlobRef.building_id)
            ).all()
        assert refs == [("document", live, sha(b"live"), building_id)]
        with engine.connect() as conn:  # 0006 marks the building's deleted row too
            marks = conn.execute(sa.text("SELECT building_id, seq FROM srv_delete_marks")).all()
        assert [tuple(m) for m in marks] == [(building_id, 1)]
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
        left = set(sa.inspect(engine).get_table_names())
        assert "srv_rows" in left and not {"srv_blob_refs", "srv_blob_uploads"} & left
    finally:
        engine.dispose()
