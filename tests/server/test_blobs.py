"""Blob transfer, both ends: resumable, verified upload and ranged, verified download.

Everything runs on the real service from ``conftest.py`` (signed in through a
dependency override, except the test of real sign-in). Most cases run in-process
(TestClient); the ones whose point is real streaming (round trip, a connection
dropped half-way, a stalled or overflowing body) run uvicorn on loopback in a thread.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync.server.api.deps import AuthUser, get_current_user
from sync.server.api.routes import blobs as blob_routes
from sync.server.api.routes.blobs import parse_range, router
from sync.server.blob_access import BLOB_FIELDS, blob_shas
from sync.server.blobs import (
    BlobBusyError,
    BlobHashMismatchError,
    BlobIdError,
    BlobOffsetMismatchError,
    BlobTooLargeError,
    LocalDiskBlobStorage,
)
from sync.server.core.config import ServerSettings
from sync.transfer import (
    DownloadCorruptError,
    LocalFileChangedError,
    download_blob,
    partial_path,
    upload_blob,
)
from tests.server.conftest import UserFactory, bearer, login

USER = AuthUser(id="u1", email="tech@example.com", org_id="o1", is_superuser=False)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BodyCounter:
    """ASGI wrapper counting the request-body bytes the app actually pulled."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.body_bytes = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def counting_receive() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                self.body_bytes += len(message.get("body", b""))
            return message

        await self.app(scope, counting_receive, send)


def mount_blobs(app: FastAPI) -> None:
    """Mount the blob router unless ``sync.server.api.main`` already does."""
    if not any(getattr(route, "path", "") == "/v1/blobs/{sha256}" for route in app.routes):
        app.include_router(router, prefix="/v1")


@pytest.fixture
def signed_in(app: FastAPI) -> BodyCounter:
    """The real service (conftest's ``app``), blobs mounted, every request signed in."""
    mount_blobs(app)
    app.dependency_overrides[get_current_user] = lambda: USER
    return BodyCounter(app)


@pytest.fixture
def api(signed_in: BodyCounter) -> Iterator[TestClient]:
    with TestClient(signed_in) as test_client:
        yield test_client


@pytest.fixture
def storage(settings: ServerSettings) -> LocalDiskBlobStorage:
    return LocalDiskBlobStorage(settings.blob_dir)


@pytest.fixture
def live(signed_in: BodyCounter) -> Iterator[str]:
    """Base URL of uvicorn serving the signed-in service on loopback, in a thread."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(signed_in, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(5)
    sock.close()


def put(
    client: httpx.Client | TestClient,
    digest: str,
    body: bytes | Iterator[bytes],
    *,
    length: int,
    offset: int = 0,
) -> httpx.Response:
    headers = {"Upload-Length": str(length), "Upload-Offset": str(offset)}
    return client.put(f"/v1/blobs/{digest}", content=body, headers=headers)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- live server: real streaming ---------------------------------------------------------------


def test_round_trip_of_a_few_megabytes(
    live: str, storage: LocalDiskBlobStorage, tmp_path: Path
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 123)
    source = tmp_path / "drawing.pdf"
    source.write_bytes(data)
    digest = sha(data)
    seen: list[tuple[int, int]] = []
    with httpx.Client(base_url=live) as http:
        upload_blob(
            http, digest, source, chunk_size=1024 * 1024, progress=lambda *p: seen.append(p)
        )
        dest = tmp_path / "copy" / "drawing.pdf"
        download_blob(http, digest, dest)
    assert seen[-1] == (len(data), len(data))
    assert dest.read_bytes() == data
    assert not partial_path(dest).exists()
    assert storage.open(digest).read() == data


def test_dropped_connection_resumes_and_sends_only_the_rest(
    live: str, storage: LocalDiskBlobStorage, tmp_path: Path
) -> None:
    data = os.urandom(2 * 1024 * 1024)
    half = len(data) // 2 + 12_345  # not a multiple of the server's write chunk
    digest = sha(data)
    source = tmp_path / "photo.jpg"
    source.write_bytes(data)
    port = int(live.rsplit(":", 1)[1])
    # Announce the whole file, send half of it, and hang up: a lost connection.
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.sendall(
            (
                f"PUT /v1/blobs/{digest} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\n"
                f"Upload-Length: {len(data)}\r\nUpload-Offset: 0\r\n\r\n"
            ).encode()
            + data[:half]
        )
    with httpx.Client(base_url=live) as http:
        deadline = time.monotonic() + 5
        while (offset := int(http.head(f"/v1/blobs/{digest}").headers["Upload-Offset"])) < half:
            assert time.monotonic() < deadline, f"server kept only {offset} bytes"
            time.sleep(0.02)
        assert offset == half

        sent: list[int] = []

        def count(request: httpx.Request) -> None:
            if request.method == "PUT":
                sent.append(len(request.content))

        http.event_hooks["request"] = [count]
        upload_blob(http, digest, source, chunk_size=256 * 1024)
    assert sum(sent) == len(data) - half
    assert storage.open(digest).read() == data


def test_chunked_body_longer_than_announced_keeps_partial(
    live: str, storage: LocalDiskBlobStorage
) -> None:
    data = os.urandom(64 * 1024)
    digest = sha(data)
    with httpx.Client(base_url=live) as http:
        assert put(http, digest, data[:1000], length=len(data)).status_code == 202

        def too_much() -> Iterator[bytes]:  # chunked: no Content-Length to reject early
            yield data[1000:]
            yield b"extra bytes"

        response = put(http, digest, too_much(), length=len(data), offset=1000)
        assert response.status_code == 400
        assert storage.partial_size(digest, owner=USER.id) == 1000


def test_stalled_upload_is_cut_off_and_keeps_its_bytes(
    live: str, storage: LocalDiskBlobStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blob_routes, "UPLOAD_IDLE_SECONDS", 0.3)
    digest = "e" * 64
    port = int(live.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(
            (
                f"PUT /v1/blobs/{digest} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                "Upload-Length: 1000\r\n\r\n"
            ).encode()
            + b"x" * 100
        )
        answer = raw.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 408")
    assert "upload-offset: 100" in answer.lower()
    assert storage.partial_size(digest, owner=USER.id) == 100


# --- in-process ----------------------------------------------------------------------------------


def test_corrupt_content_is_refused_and_nothing_stored(
    api: TestClient, storage: LocalDiskBlobStorage
) -> None:
    claimed = sha(b"the real drawing")
    response = put(api, claimed, b"something else!!", length=16)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "The uploaded file does not match its SHA-256; upload it again"
    )
    head = api.head(f"/v1/blobs/{claimed}")
    assert head.status_code == 404 and head.headers["Upload-Offset"] == "0"
    assert stored_files(storage.root) == []


def test_truncated_upload_stays_partial(api: TestClient) -> None:
    data = os.urandom(1000)
    digest = sha(data)
    response = put(api, digest, data[:400], length=1000)
    assert response.status_code == 202
    assert response.headers["Upload-Offset"] == "400"
    assert response.json() == {"sha256": digest, "offset": 400, "length": 1000}
    head = api.head(f"/v1/blobs/{digest}")
    assert (head.status_code, head.headers["Upload-Offset"]) == (404, "400")
    assert api.get(f"/v1/blobs/{digest}").status_code == 404
    assert put(api, digest, data[400:], length=1000, offset=400).status_code == 201
    assert api.get(f"/v1/blobs/{digest}").content == data


def test_offset_mismatch_is_409_with_the_right_offset(api: TestClient) -> None:
    data = os.urandom(1000)
    digest = sha(data)
    response = put(api, digest, data[500:], length=1000, offset=500)
    assert (response.status_code, response.headers["Upload-Offset"]) == (409, "0")
    put(api, digest, data[:400], length=1000)
    response = put(api, digest, data[100:], length=1000, offset=100)
    assert (response.status_code, response.headers["Upload-Offset"]) == (409, "400")
    assert "byte 400" in response.json()["detail"]


def test_too_large_is_413_without_reading_the_body(
    api: TestClient, signed_in: BodyCounter, settings: ServerSettings, storage: LocalDiskBlobStorage
) -> None:
    response = put(api, "a" * 64, b"x" * 1000, length=settings.blob_max_bytes + 1)
    assert response.status_code == 413
    assert signed_in.body_bytes == 0
    assert stored_files(storage.root) == []


def test_body_longer_than_announced_is_400(api: TestClient, storage: LocalDiskBlobStorage) -> None:
    response = put(api, "b" * 64, b"x" * 20, length=10)
    assert response.status_code == 400
    assert storage.partial_size("b" * 64, owner=USER.id) == 0
    assert put(api, "b" * 64, b"", length=10, offset=11).status_code == 400


def test_reupload_of_a_complete_blob_is_200(api: TestClient) -> None:
    data = b"site photo"
    digest = sha(data)
    assert put(api, digest, data, length=len(data)).status_code == 201
    again = put(api, digest, data, length=len(data))
    assert again.status_code == 200
    assert again.json() == {"sha256": digest, "size": len(data)}
    head = api.head(f"/v1/blobs/{digest}")
    assert (head.status_code, head.headers["Content-Length"]) == (200, str(len(data)))


def test_empty_blob(api: TestClient, tmp_path: Path) -> None:
    source = tmp_path / "empty.txt"
    source.write_bytes(b"")
    upload_blob(api, sha(b""), source)
    assert api.get(f"/v1/blobs/{sha(b'')}").content == b""


def test_ranged_download(api: TestClient) -> None:
    data = bytes(range(256)) * 4
    digest = sha(data)
    put(api, digest, data, length=len(data))
    url = f"/v1/blobs/{digest}"
    part = api.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    assert api.get(url, headers={"Range": "bytes=-5"}).content == data[-5:]
    assert api.get(url, headers={"Range": "bytes=1000-"}).content == data[1000:]
    whole = api.get(url, headers={"Range": "lines=1-2"})
    assert (whole.status_code, whole.content) == (200, data)
    assert whole.headers["ETag"] == f'"{digest}"'
    past = api.get(url, headers={"Range": "bytes=5000-"})
    assert (past.status_code, past.headers["Content-Range"]) == (416, f"bytes */{len(data)}")


def test_download_resumes_from_part_file_and_refuses_corruption(
    api: TestClient, tmp_path: Path
) -> None:
    data = os.urandom(100_000)
    digest = sha(data)
    put(api, digest, data, length=len(data))
    dest = tmp_path / "out" / "plan.pdf"
    dest.parent.mkdir()
    partial_path(dest).write_bytes(data[:30_000])
    ranges: list[str | None] = []
    api.event_hooks["request"] = [lambda r: ranges.append(r.headers.get("Range"))]
    download_blob(api, digest, dest)
    assert ranges == ["bytes=30000-"]
    assert dest.read_bytes() == data

    dest.unlink()
    partial_path(dest).write_bytes(data)  # every byte arrived, the rename did not
    download_blob(api, digest, dest)
    assert ranges[-1] == f"bytes={len(data)}-"
    assert dest.read_bytes() == data

    dest.unlink()
    partial_path(dest).write_bytes(b"garbage" + data[7:30_000])
    with pytest.raises(DownloadCorruptError):
        download_blob(api, digest, dest)
    assert not dest.exists() and not partial_path(dest).exists()


def test_changed_local_file_is_refused_before_sending(api: TestClient, tmp_path: Path) -> None:
    source = tmp_path / "note.wav"
    source.write_bytes(b"recorded audio")
    digest = sha(source.read_bytes())
    source.write_bytes(b"edited audio!!")
    requests: list[httpx.Request] = []
    api.event_hooks["request"] = [requests.append]
    with pytest.raises(LocalFileChangedError, match=r"note\.wav changed"):
        upload_blob(api, digest, source)
    assert requests == []


@pytest.mark.parametrize("bad", ["A" * 64, "a" * 63, "g" * 64, "%2E%2E", "a" * 64 + "%00"])
def test_malformed_sha_is_422(api: TestClient, bad: str) -> None:
    assert api.get(f"/v1/blobs/{bad}").status_code == 422
    assert api.head(f"/v1/blobs/{bad}").status_code == 422
    assert api.put(f"/v1/blobs/{bad}", headers={"Upload-Length": "1"}).status_code == 422


def test_slash_in_sha_matches_no_route(api: TestClient) -> None:
    assert api.get("/v1/blobs/..%2F..%2Fetc%2Fpasswd").status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Upload-Length": "-1"},
        {"Upload-Length": "ten"},
        {"Upload-Length": "1", "Upload-Offset": "-2"},
    ],
)
def test_garbage_headers_are_422(api: TestClient, headers: dict[str, str]) -> None:
    assert api.put(f"/v1/blobs/{'c' * 64}", headers=headers).status_code == 422


def test_real_sign_in_required(
    app: FastAPI, client: TestClient, user_factory: UserFactory, tmp_path: Path
) -> None:
    """Real auth (no override): anonymous callers get 401, a signed-in user round-trips."""
    mount_blobs(app)
    url = f"/v1/blobs/{'d' * 64}"
    assert client.get(url).status_code == 401
    assert client.head(url).status_code == 401
    assert client.put(url, headers={"Upload-Length": "1"}, content=b"x").status_code == 401
    client.headers.update(bearer(login(client, user_factory())["access_token"]))
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"%PDF-1.7 tiny")
    upload_blob(client, sha(b"%PDF-1.7 tiny"), source)
    assert client.get(f"/v1/blobs/{sha(b'%PDF-1.7 tiny')}").content == b"%PDF-1.7 tiny"


# --- storage and helpers -------------------------------------------------------------------------


def test_storage_rules(storage: LocalDiskBlobStorage) -> None:
    data = b"0123456789"
    digest = sha(data)
    with pytest.raises(BlobIdError):
        storage.partial_size("../../etc/passwd")
    with pytest.raises(BlobOffsetMismatchError):
        storage.append(digest, 3, [data])
    assert storage.append(digest, 0, [data[:4]]) == 4
    with pytest.raises(BlobTooLargeError):
        storage.append(digest, 4, [data[4:], b"!"], limit=6)
    assert storage.partial_size(digest) == 4
    with (
        storage._locked(storage.partial_path(digest), 4, create=False),
        pytest.raises(BlobBusyError),
    ):
        storage.append(digest, 4, [data[4:]])
    assert storage.append(digest, 4, [data[4:]]) == 10
    assert storage.finalize(digest).size == 10
    with storage.open(digest) as file:
        assert file.read() == data
    storage.append(sha(b"other"), 0, [b"not other"])
    with pytest.raises(BlobHashMismatchError):
        storage.finalize(sha(b"other"))
    assert storage.partial_size(sha(b"other")) == 0
    storage.append(sha(b"old"), 0, [b"ol"])
    assert storage.prune_partials(older_than_seconds=-1) == 1


def test_parse_range() -> None:
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=5-100", 10) == (5, 9)
    assert parse_range("bytes=-3", 10) == (7, 9)
    assert parse_range("bytes=0-1,4-5", 10) is None
    assert parse_range("bytes=5-2", 10) is None
    with pytest.raises(ValueError):
        parse_range("bytes=10-", 10)
    with pytest.raises(ValueError):
        parse_range("bytes=-0", 10)


def test_blob_fields_cover_every_file_row() -> None:
    assert BLOB_FIELDS == {
        "document": ("blob_sha256",),
        "attachment": ("blob_sha256",),
        "note": ("audio_sha256",),
    }
    assert blob_shas("note", {"audio_sha256": None}) == set()
    assert blob_shas("document", {"blob_sha256": "not a hash"}) == set()
    assert blob_shas("equipment", {"blob_sha256": sha(b"x")}) == set()
