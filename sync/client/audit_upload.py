"""Sending the device's access log to the server, as one step of every sync.

Only entries past the last one the server acknowledged go, in batches small in
count and bytes (the server caps both). A batch the server refuses (the log was
altered here, or the signed-in account cannot vouch for them) stores nothing
there and is recorded in the organisation's log on the server; the device keeps
every entry, reports the refusal in the sync's report, and the user's own sync
carries on (a log that cannot be delivered must not stop edits from syncing).
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


def push_audit(request: Request, target: SyncTarget) -> tuple[int, str | None]:
    """Upload what the server has not acknowledged.

    Returns how many entries it took, and why it refused the rest (None if it did not).
    """
    sent = 0
    while True:
        entries = _batch(target.unsent_audit(MAX_ENTRIES))
        if not entries:
            return sent, None
        body = {"device_id": target.device_id, "entries": entries}
        try:
            response = request(
                "POST", "/v1/access/audit", content=jsonfast.dumps_bytes(body), headers=_JSON
            )
        except ServerError as refusal:
            return sent, str(refusal)
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
