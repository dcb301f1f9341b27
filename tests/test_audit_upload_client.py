"""The device's side of sending its access log: where it starts, how it follows the
server's answers, and that it stops when the server takes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from sync.client.audit_upload import push_audit
from sync.client.errors import ServerError


class Log:
    """A device log of *count* entries, with the acknowledged position the device keeps."""

    device_id = "tablet-1"

    def __init__(self, count: int) -> None:
        self.entries = [
            {"seq": n, "prev_hash": "0" * 64, "hash": f"{n:064x}", "body": {"n": n}}
            for n in range(1, count + 1)
        ]
        self.ack = 0
        self.acks: list[int] = []

    def audit_head(self) -> int:
        return len(self.entries)

    def unsent_audit(self, limit: int) -> list[dict[str, Any]]:
        return self.entries[self.ack : self.ack + limit]

    def record_audit_ack(self, acknowledged: int) -> None:
        self.ack = acknowledged
        self.acks.append(acknowledged)


class Server:
    """Holds one copy's head; answers what a real server answers, or *stuck* forever."""

    def __init__(self, head: int = 0, *, stuck: bool = False) -> None:
        self.head = head
        self.stuck = stuck
        self.calls: list[tuple[str, int | None]] = []

    def __call__(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        assert path == "/v1/access/audit"
        if method == "GET":
            self.calls.append(("GET", None))
            return httpx.Response(200, json={"acknowledged": self.head})
        entries = orjson.loads(kwargs["content"])["entries"]
        self.calls.append(("POST", entries[0]["seq"]))
        if not self.stuck and entries[0]["seq"] <= self.head + 1:
            self.head = max(self.head, entries[-1]["seq"])
        return httpx.Response(200, json={"acknowledged": self.head})


def test_an_empty_log_asks_nothing() -> None:
    server = Server()
    assert push_audit(server, Log(0)) == (0, None)  # type: ignore[arg-type]
    assert server.calls == []


def test_it_starts_from_the_signed_in_accounts_copy_not_from_what_it_last_heard() -> None:
    log = Log(5)
    log.ack = 5  # another account's copy took everything
    server = Server(head=2)  # this account's copy stops at 2
    assert push_audit(server, log) == (3, None)  # type: ignore[arg-type]
    assert server.calls == [("GET", None), ("POST", 3)]
    assert server.head == 5 and log.ack == 5


def test_it_never_records_more_than_it_has() -> None:
    log = Log(3)
    server = Server(head=9)  # a replica restored from an older backup
    assert push_audit(server, log) == (0, None)  # type: ignore[arg-type]
    assert log.ack == 3


def test_a_server_that_takes_nothing_ends_the_upload_with_a_reason() -> None:
    log = Log(4)
    reported = push_audit(Server(stuck=True), log)  # type: ignore[arg-type]
    assert reported[0] == 0
    assert reported[1] is not None and "did not take" in reported[1]
    assert log.ack == 0


def test_a_refusal_to_say_where_the_copy_stops_is_reported() -> None:
    def refusing(method: str, path: str, **kwargs: Any) -> httpx.Response:
        raise ServerError("This sign-in was made from another device")

    assert push_audit(refusing, Log(2)) == (0, "This sign-in was made from another device")
