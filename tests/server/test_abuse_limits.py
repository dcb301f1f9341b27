"""Every request's cost is bounded, and no error answer carries the request back.

Each test is an attack from issue 13 part 2, made through the real HTTP API (a
real uvicorn on loopback where the body must stream in).
"""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from sync.client import (
    RefreshingAuth,
    SignInRequiredError,
    SyncClient,
    SyncReport,
    TooManyRequestsError,
    sign_in,
)
from sync.clock import Stamp
from sync.ids import new_id
from sync.schema import MAX_JSON_BYTES, MAX_TEXT_CHARS
from sync.server import crud
from sync.server.core import security
from sync.server.core.config import ServerSettings
from sync.server.db import session_scope
from sync.server.main import create_app
from tests.live_server import serve
from tests.server.conftest import PASSWORD, SECRET, Account, UserFactory, bearer, login

MARKER = "ZZ-MARKER-7f3a9c-ZZ"


def _settings(tmp_path: Path, database_url: str, **limits: Any) -> ServerSettings:
    return ServerSettings(
        home=tmp_path / "server", database_url=database_url, secret_key=SECRET, **limits
    )


LimitedClient = Callable[..., TestClient]


@pytest.fixture
def limited(tmp_path: Path, database_url: str) -> Iterator[LimitedClient]:
    """Makes a client of an app with the given limits: ``limited(login_limit_per_account=...)``."""
    with ExitStack() as stack:

        def make(**limits: Any) -> TestClient:
            app = create_app(_settings(tmp_path, database_url, **limits))
            return stack.enter_context(TestClient(app))

        yield make


def _account(client: TestClient) -> Account:
    """A new user in the database of *client*'s app."""
    app: Any = client.app
    return _account_in(app)


def _stamp() -> str:
    return Stamp(int(time.time() * 1000), 0, "devA").pack()


def _change(entity: str, entity_id: str, building: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "change_id": new_id(),
        "entity": entity,
        "entity_id": entity_id,
        "building_id": building,
        "op": "insert",
        "fields": fields,
        "base_rev": 0,
        "hlc": _stamp(),
    }


def _building(building: str) -> dict[str, Any]:
    fields = {"name": "Tower", "address": "", "org_id": None, "meta": {}}
    return _change("building", building, building, fields)


def _push(client: TestClient, token: str, *changes: dict[str, Any]) -> httpx.Response:
    body = {"device_id": "devA", "changes": list(changes)}
    return client.post("/v1/sync/push", json=body, headers=bearer(token))


# -- request bodies ----------------------------------------------------------------------


def test_an_oversized_login_is_413_without_being_read(client: TestClient) -> None:
    body = b'{"email": "a@b.c", "password": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    answer = client.post(
        "/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert "larger than this server accepts" in answer.json()["detail"]
    assert len(answer.content) < 200


def test_a_push_over_its_cap_is_413(limited: LimitedClient) -> None:
    client = limited(push_body_max_bytes=64 * 1024)
    token = login(client, _account(client))["access_token"]
    building = new_id()
    answer = _push(client, token, _building(building) | {"pad": "x" * 70_000})
    assert answer.status_code == 413
    assert "65536 bytes" in answer.json()["detail"]


def test_a_streamed_body_is_cut_off_at_the_cap(app: FastAPI) -> None:
    """Chunked, with no Content-Length to refuse up front: counted as it arrives."""
    sent = 0

    def endless() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"email": "a@b.c", "password": "'
        for _ in range(64 * 1024):  # up to 1 GiB, if nobody stops it
            sent += 16 * 1024
            yield b"x" * (16 * 1024)

    with serve(app) as url:
        try:
            answer = httpx.post(
                f"{url}/v1/auth/login",
                content=endless(),
                headers={"Content-Type": "application/json"},
                timeout=30,
            )
        except httpx.WriteError:  # the server closed the connection while we were sending
            pass
        else:
            assert answer.status_code == 413
    assert sent < 64 * 1024 * 1024


# -- error answers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param(
            "/v1/auth/login",
            {"email": MARKER * 40, "password": "x"},
            id="login-too-long",
        ),
        pytest.param(
            "/v1/auth/login",
            {"email": "a@b.c", "password": "x", MARKER: True},
            id="login-unknown-field",
        ),
        pytest.param(
            "/v1/sync/push",
            {"device_id": MARKER + "/", "changes": []},
            id="push-bad-device",
        ),
        pytest.param(
            "/v1/sync/push",
            {
                "device_id": "d",
                "changes": [
                    {
                        "change_id": new_id(),
                        "entity": MARKER,
                        "entity_id": new_id(),
                        "building_id": None,
                        "op": "insert",
                        "fields": {},
                        "base_rev": 0,
                        "hlc": MARKER,
                    }
                ],
            },
            id="push-bad-entity",
        ),
    ],
)
def test_error_answers_never_carry_the_input(
    client: TestClient, user_factory: UserFactory, path: str, body: dict[str, Any]
) -> None:
    token = login(client, user_factory())["access_token"]
    answer = client.post(path, json=body, headers=bearer(token))
    assert answer.status_code == 422
    assert MARKER not in answer.text
    assert all({"loc", "msg", "type"} == set(error) for error in answer.json()["detail"])


def test_a_body_that_is_not_json_is_not_echoed(
    client: TestClient, user_factory: UserFactory
) -> None:
    token = login(client, user_factory())["access_token"]
    for path in ("/v1/auth/login", "/v1/sync/push"):
        answer = client.post(
            path,
            content=f"{{{MARKER}".encode(),
            headers={**bearer(token), "Content-Type": "application/json"},
        )
        assert answer.status_code == 422
        assert MARKER not in answer.text


# -- field sizes ----------------------------------------------------------------------


def test_a_huge_note_or_property_bag_is_rejected_with_its_reason(
    client: TestClient, user_factory: UserFactory
) -> None:
    token = login(client, user_factory())["access_token"]
    building, floor, unit = new_id(), new_id(), new_id()
    note = {"target_kind": "equipment", "target_id": unit, "text": "x" * (MAX_TEXT_CHARS + 1)}
    bulky = {"tag": "B", "system": "hvac", "properties": {"notes": "y" * MAX_JSON_BYTES}}
    answer = _push(
        client,
        token,
        _building(building),
        _change("floor", floor, building, {"level": 1, "name": "L1"}),
        _change("equipment", unit, building, {"tag": "AHU-1", "system": "hvac"}),
        _change("note", new_id(), building, note),
        _change("equipment", new_id(), building, bulky),
    )
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * 3 + ["rejected"] * 2
    assert f"at most {MAX_TEXT_CHARS} characters" in results[3]["reason"]
    assert "properties" in results[4]["reason"] and "KiB" in results[4]["reason"]


# -- numbers the database cannot hold -------------------------------------------------


def test_a_cursor_beyond_64_bits_is_422(client: TestClient, user_factory: UserFactory) -> None:
    token = login(client, user_factory())["access_token"]
    for cursor in (2**63, 2**64 + 5):
        answer = client.get(f"/v1/sync/pull?cursor={cursor}", headers=bearer(token))
        assert answer.status_code == 422, answer.text
    assert client.get(f"/v1/sync/pull?cursor={2**63 - 1}", headers=bearer(token)).status_code == 200
    events = client.get(f"/v1/sync/events?cursor={2**63}", headers=bearer(token))
    assert events.status_code == 422
    push = {"device_id": "d", "changes": [], "cursor": 2**63}
    assert client.post("/v1/sync/push", json=push, headers=bearer(token)).status_code == 422


def test_json_numbers_without_a_finite_value_are_422(
    client: TestClient, user_factory: UserFactory
) -> None:
    token = login(client, user_factory())["access_token"]
    building = new_id()
    change = _change("equipment", new_id(), building, {"tag": "A", "system": "hvac"})
    for number in ("1e400", "-1e400"):
        raw = b'{"device_id": "d", "changes": [%s]}' % httpx.Request(
            "POST", "/", json=change | {"fields": {"properties": {"v": 0}}}
        ).content.replace(b'"v":0', b'"v": ' + number.encode()).replace(
            b'"v": 0', b'"v": ' + number.encode()
        )
        answer = client.post(
            "/v1/sync/push",
            content=raw,
            headers={**bearer(token), "Content-Type": "application/json"},
        )
        assert answer.status_code == 422, answer.text
        assert "finite" in answer.text


# -- sign-in attempts -----------------------------------------------------------------


def test_wrong_passwords_lock_the_account_for_a_while(limited: LimitedClient) -> None:
    client = limited(login_limit_per_account="3/minute", login_limit_per_address="100/minute")
    ann = _account(client)
    for _ in range(3):
        wrong = client.post("/v1/auth/login", json={"email": ann.email, "password": "nope"})
        assert wrong.status_code == 401
    # The fourth try is refused before the password is even checked, right or not.
    locked = client.post("/v1/auth/login", json={"email": ann.email, "password": ann.password})
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 60
    assert "try again in" in locked.json()["detail"]
    # Someone else is not affected.
    login(client, _account(client))


def test_one_address_cannot_spray_many_accounts(limited: LimitedClient) -> None:
    client = limited(login_limit_per_account="100/minute", login_limit_per_address="4/minute")
    for _ in range(4):
        email = f"{new_id()}@example.com"
        answer = client.post("/v1/auth/login", json={"email": email, "password": "guess"})
        assert answer.status_code == 401
    answer = client.post("/v1/auth/login", json={"email": "x@example.com", "password": "guess"})
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) >= 1


class _SlowChecks:
    """Counts password checks running at once; each takes *seconds*."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()
        self.real = security.verify_password

    def __call__(self, password_hash: str, password: str) -> tuple[bool, str | None]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(self.seconds)
            return self.real(password_hash, password)
        finally:
            with self.lock:
                self.running -= 1


def test_password_checks_run_a_few_at_a_time(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = _SlowChecks(0.2)
    monkeypatch.setattr(security, "verify_password", checks)
    settings = _settings(
        tmp_path,
        database_url,
        password_hash_concurrency=2,
        password_hash_wait_seconds=0.3,
        login_limit_per_address="1000/minute",
    )
    app = create_app(settings)
    codes: list[int] = []
    with serve(app) as url:

        def attempt(n: int) -> None:
            body = {"email": f"nobody{n}@example.com", "password": "guess"}
            codes.append(httpx.post(f"{url}/v1/auth/login", json=body, timeout=30).status_code)

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert checks.most <= 2
    assert sorted(set(codes)) == [401, 429]  # those that waited too long were told to retry


# -- unfinished uploads ---------------------------------------------------------------


def test_unfinished_uploads_are_limited_per_user(limited: LimitedClient) -> None:
    client = limited(blob_partial_max_count=4, blob_partial_quota_bytes=4 * 512 * 1024 * 1024)
    token = login(client, _account(client))["access_token"]
    huge = 512 * 1024 * 1024

    def start(n: int, length: int = huge) -> httpx.Response:
        sha = f"{n:064x}"
        headers = {
            **bearer(token),
            "Upload-Length": str(length),
            "Upload-Offset": "0",
            "Content-Type": "application/octet-stream",
        }
        return client.put(f"/v1/blobs/{sha}", content=b"x", headers=headers)

    for n in range(4):
        assert start(n).status_code == 202
    fifth = start(4)
    assert fifth.status_code == 413
    assert "unfinished uploads" in fifth.json()["detail"]
    # Resuming one of the four is still fine.
    resumed = client.put(
        f"/v1/blobs/{0:064x}",
        content=b"y",
        headers={
            **bearer(token),
            "Upload-Length": str(huge),
            "Upload-Offset": "1",
            "Content-Type": "application/octet-stream",
        },
    )
    assert resumed.status_code == 202
    # And another user has a quota of their own.
    other = login(client, _account(client))["access_token"]
    token = other
    assert start(4).status_code == 202


def test_unfinished_upload_bytes_are_limited_per_user(limited: LimitedClient) -> None:
    client = limited(blob_partial_quota_bytes=1000)
    token = login(client, _account(client))["access_token"]
    headers = {**bearer(token), "Upload-Offset": "0", "Content-Type": "application/octet-stream"}
    first = client.put(
        f"/v1/blobs/{1:064x}", content=b"x" * 600, headers=headers | {"Upload-Length": "700"}
    )
    assert first.status_code == 202
    second = client.put(
        f"/v1/blobs/{2:064x}", content=b"x", headers=headers | {"Upload-Length": "500"}
    )
    assert second.status_code == 413
    assert "1000 bytes" in second.json()["detail"]


# -- metrics --------------------------------------------------------------------------


def test_metrics_are_off_unless_the_operator_sets_a_token(client: TestClient) -> None:
    answer = client.get("/metrics")
    assert answer.status_code == 404
    assert "ARXOS_SERVER_METRICS_TOKEN" in answer.json()["detail"]
    assert "arxos_http_requests_total" not in answer.text


def test_metrics_answer_only_the_scraper(limited: LimitedClient) -> None:
    client = limited(metrics_token=SecretStr("scrape-" + "s" * 20))
    user = login(client, _account(client))["access_token"]
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer(user)).status_code == 401
    scraped = client.get("/metrics", headers=bearer("scrape-" + "s" * 20))
    assert scraped.status_code == 200
    assert "arxos_http_requests_total" in scraped.text


# -- files on disk --------------------------------------------------------------------


def test_server_files_are_readable_by_their_owner_only(
    tmp_path: Path, user_factory: UserFactory, client: TestClient
) -> None:
    user_factory()  # a write, so the WAL and its index exist
    home = tmp_path / "server"
    database = home / "server.sqlite3"
    paths = [database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))]
    assert all(path.exists() for path in paths), list(home.iterdir())
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    for folder in (home, home / "blobs"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_older_world_readable_database_is_tightened(tmp_path: Path) -> None:
    home = tmp_path / "server"
    home.mkdir(mode=0o755)
    database = home / "server.sqlite3"
    database.touch(mode=0o644)
    database.chmod(0o644)
    app = create_app(_settings(tmp_path, f"sqlite:///{database}"))
    with TestClient(app):
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
        assert stat.S_IMODE(home.stat().st_mode) == 0o700


# -- the client honours Retry-After -----------------------------------------------------


def test_sign_in_waits_out_a_server_busy_checking_passwords(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(security, "verify_password", _SlowChecks(0.8))
    settings = _settings(
        tmp_path, database_url, password_hash_concurrency=1, password_hash_wait_seconds=0.2
    )
    app = create_app(settings)
    with serve(app) as url:
        ann = _account_in(app)
        busy = threading.Thread(
            target=httpx.post,
            args=(f"{url}/v1/auth/login",),
            kwargs={"json": {"email": "other@example.com", "password": "x"}, "timeout": 30},
        )
        busy.start()
        time.sleep(0.1)  # the other sign-in holds the only slot for 0.8 s
        started = time.monotonic()
        tokens = sign_in(url, email=ann.email, password=ann.password, device_id="tablet")
        waited = time.monotonic() - started
        busy.join()
    assert tokens.access_token
    assert waited >= 1.0  # refused after 0.2 s with Retry-After: 1, and it waited that out


def test_sign_in_says_how_long_an_account_is_locked(tmp_path: Path, database_url: str) -> None:
    app = create_app(_settings(tmp_path, database_url, login_limit_per_account="1/minute"))
    with serve(app) as url:
        ann = _account_in(app)
        with pytest.raises(SignInRequiredError):
            sign_in(url, email=ann.email, password="wrong", device_id="tablet")
        started = time.monotonic()
        with pytest.raises(TooManyRequestsError) as refused:
            sign_in(url, email=ann.email, password=ann.password, device_id="tablet")
        assert time.monotonic() - started < 5  # a long wait is reported, not slept through
    assert 1 <= refused.value.retry_after <= 60
    assert "try again in" in str(refused.value)


class AskToWaitOnce(httpx.HTTPTransport):
    """Answers the first pull 429 with ``Retry-After: 1``, as a server shedding load does."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sync/pull"):
            self.times.append(time.monotonic())
            if len(self.times) == 1:
                return httpx.Response(
                    429, headers={"Retry-After": "1"}, json={"detail": "busy"}, request=request
                )
        return super().handle_request(request)


def test_the_sync_loop_waits_as_long_as_the_server_asks(
    app: FastAPI, user_factory: UserFactory, tmp_path: Path
) -> None:
    from arxos_desktop.store import Replica
    from arxos_desktop.store.remote import ReplicaSyncTarget

    tech = user_factory()
    replica = Replica.open(tmp_path / "device")
    with serve(app) as url:
        tokens = sign_in(url, email=tech.email, password=tech.password, device_id="tablet")
        transport = AskToWaitOnce()
        http = httpx.Client(base_url=url, transport=transport, timeout=30)
        auth = RefreshingAuth(tokens, refresh_url=f"{url}/v1/auth/refresh")
        client = SyncClient(url, target=ReplicaSyncTarget(replica), auth=auth, http=http)
        try:
            client.pull_all(SyncReport())
        finally:
            client.close()
    assert len(transport.times) == 2
    assert transport.times[1] - transport.times[0] >= 1.0


def _account_in(app: FastAPI) -> Account:
    with session_scope(app.state.engine) as session:
        user = crud.create_user(session, email=f"{new_id()}@example.com", password=PASSWORD)
        return Account(user.id, user.email, PASSWORD, None)


@pytest.mark.parametrize("path", ["/v1/me/api-keys", "/v1/sync/push"])
def test_a_signed_out_body_is_refused_before_it_is_read(client: TestClient, path: str) -> None:
    answer = client.post(
        path, content=b"{" + MARKER.encode(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 401  # not 422: the body was never parsed
    assert MARKER not in answer.text
