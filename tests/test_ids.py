"""Ids minted offline: canonical UUIDv7 text, unique and in creation order."""

from __future__ import annotations

import re
import time
import uuid

from sync.ids import ID_PATTERN, is_valid_id, new_id


def test_new_ids_are_canonical_uuid7_in_creation_order() -> None:
    before_ms = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)  # a B-tree insert appends; rows sort as they were made
    for text in (ids[0], ids[-1]):
        parsed = uuid.UUID(text)
        assert re.fullmatch(ID_PATTERN, text) and is_valid_id(text)
        assert str(parsed) == text
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
        assert abs((parsed.int >> 80) - before_ms) < 60_000  # its time prefix is now
