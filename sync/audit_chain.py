"""Hash-chained audit entries: removing or altering one breaks every hash after it.

Each entry's hash covers the previous entry's hash and the entry's canonical
JSON, so a check walks the chain from the start and names the first entry
that does not follow. The server's log and each device's log use the same
rules, so a device's log can be checked with the same code.

A chain may hold an entry *withheld*: its position and hashes without its body
(a server keeps a device's entry about a building the uploading account may not
see that way). Its own hash cannot be recomputed, but it still links its
neighbours, so removing or replacing it is still found.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson

from sync.errors import SyncError, SyncErrorKind

#: The "previous hash" of the first entry of a chain.
GENESIS: Final = "0" * 64


class AuditChainBrokenError(SyncError):
    """An audit log whose chain does not hold: an entry was removed, altered or inserted."""

    kind = SyncErrorKind.AUDIT_BROKEN


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes a chain hashes, the same on every end."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def chain_hash(previous: str, entry: Mapping[str, Any]) -> str:
    """The hash of one entry: SHA-256 over the previous entry's hash and this entry."""
    return hashlib.sha256(
        previous.encode("ascii") + b"\n" + canonical_json(dict(entry))
    ).hexdigest()


@dataclass(frozen=True)
class ChainedEntry:
    """One stored entry: its position, its stored hash, and what it says (None: withheld)."""

    seq: int
    prev_hash: str
    hash: str
    body: Mapping[str, Any] | None


def check_chain(entries: Iterable[ChainedEntry]) -> int:
    """The number of entries if the chain holds from the start; else :class:`AuditChainBrokenError`.

    *entries* come in ``seq`` order. A removed entry shows as a gap in ``seq`` or
    a ``prev_hash`` that is not its predecessor's hash; an altered one as a hash
    that does not match its body.
    """
    previous = GENESIS
    expected_seq: int | None = None
    count = 0
    for entry in entries:
        if expected_seq is not None and entry.seq != expected_seq:
            raise AuditChainBrokenError(f"Audit entry {expected_seq} is missing: the log was cut")
        if entry.prev_hash != previous:
            raise AuditChainBrokenError(
                f"Audit entry {entry.seq} does not follow the one before it: an entry was"
                " removed or replaced"
            )
        if entry.body is not None and chain_hash(previous, entry.body) != entry.hash:
            raise AuditChainBrokenError(f"Audit entry {entry.seq} was altered after it was written")
        previous = entry.hash
        expected_seq = entry.seq + 1
        count += 1
    return count
