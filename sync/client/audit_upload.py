"""Sending the device's access log to the server, as one step of every sync.

Only entries past the last one the server acknowledged go, in batches small in
count and bytes (the server caps both). A batch the server refuses (the log was
altered here) stores nothing there; the refusal is reported and the
acknowledged position stays where it was, so every later sync is refused too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import httpx

from sync import jsonfast
from sync.client.errors import ServerError
from sync.client.target import SyncTarget

Request = Callable[..., httpx.Response]

#: Entries per upload (the server accepts up to 200).
MAX_ENTRIES: Final = 100
#: Bytes per upload, under the server's cap on access requests.
MAX_BYTES: Final = 7 * 1024
_JSON: Final = {"Content-Type": "application/json"}


def push_audit(request: Request, target: SyncTarget) -> int:
    """Upload what the server has not acknowledged; returns how many entries it took."""
    sent = 0
    while True:
        entries = _batch(target.unsent_audit(MAX_ENTRIES))
        if not entries:
            return sent
        body = {"device_id": target.device_id, "entries": entries}
        response = request(
            "POST", "/v1/access/audit", content=jsonfast.dumps_bytes(body), headers=_JSON
        )
        try:
            acknowledged = int(response.json()["acknowledged"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ServerError("The sync server answered the access log upload unreadably") from exc
        target.record_audit_ack(acknowledged)
        sent += len(entries)


def _batch(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The leading entries that fit in :data:`MAX_BYTES` (at least one)."""
    size = 64
    for count, entry in enumerate(entries):
        size += len(jsonfast.dumps_bytes(entry)) + 1
        if size > MAX_BYTES and count > 0:
            return entries[:count]
    return entries
