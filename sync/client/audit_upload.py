"""Sending the device's access log to the server, as one step of every sync.

Only entries past the last one the server acknowledged go, in batches small in
count and bytes (the server caps both). A batch the server refuses (the log was
altered here, or the signed-in account cannot vouch for them) stores nothing
there and is recorded in the organisation's log on the server; the device keeps
every entry, reports the refusal in the sync's report, and the user's own sync
carries on (a log that cannot be delivered must not stop edits from syncing).

The server keeps one copy of the device's chain per account. After another
account was signed in here, the copy of the one signed in now may be behind
what the device last heard acknowledged, so each upload starts by asking how
far the signed-in account's copy goes (one small read, skipped while the log is
empty) and sends from there; every account's copy ends up holding the whole
chain. An upload that finds the copy moved meanwhile is answered the same way.
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
    last = target.audit_head()
    if last == 0:
        return 0, None
    try:
        held = _acknowledged(
            request("GET", "/v1/access/audit", params={"device_id": target.device_id})
        )
    except ServerError as refusal:
        return 0, str(refusal)
    target.record_audit_ack(min(held, last))
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
        acknowledged = _acknowledged(response)
        first, last = int(entries[0]["seq"]), int(entries[-1]["seq"])
        if acknowledged == first - 1 or acknowledged < 0:
            # The batch followed what the server said it holds, yet it took none of it.
            return sent, "The sync server did not take this device's access log"
        # Never past what was sent: a server holding more than this device has (a replica
        # restored from a backup) must see the next entries, and refuse them if they differ.
        target.record_audit_ack(min(acknowledged, last))
        sent += sum(1 for entry in entries if int(entry["seq"]) <= acknowledged)


def _acknowledged(response: httpx.Response) -> int:
    try:
        return int(response.json()["acknowledged"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ServerError("The sync server answered the access log upload unreadably") from exc


def _batch(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The leading entries that fit in :data:`MAX_BYTES` (at least one)."""
    size = 64
    for count, entry in enumerate(entries):
        size += len(jsonfast.dumps_bytes(entry)) + 1
        if size > MAX_BYTES and count > 0:
            return entries[:count]
    return entries
