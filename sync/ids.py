"""Client-generated, time-ordered ids.

UUIDv7 lets every device mint ids offline with no coordination, and their time
prefix keeps B-tree inserts append-mostly and rows roughly in creation order.
"""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> str:
    """A fresh UUIDv7 as a lowercase hyphenated string."""
    return str(uuid6.uuid7())


def is_valid_id(value: object) -> bool:
    """True when *value* is a canonical hyphenated UUID string."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False
