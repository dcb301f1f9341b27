"""Deterministic UUIDv7-shaped ids for the demo building.

Real ids come from :func:`sync.ids.new_id` and are random; the demo must be
byte-for-byte reproducible, so its ids are minted from a fixed clock and a
seeded generator instead, while still looking exactly like UUIDv7 (time
prefix, version nibble 7, RFC 4122 variant) so nothing downstream can tell.
"""

from __future__ import annotations

import random
import uuid
from typing import Final

#: 2025-01-06T08:00:00Z in Unix milliseconds: the demo's "creation" instant.
BASE_MS: Final = 1_736_150_400_000


class DemoIds:
    """Mints UUIDv7 strings whose time field advances one millisecond per id.

    The order of calls fixes the ids, so the generator must create rows in a
    fixed order; with the same seed every run yields the same sequence.
    """

    def __init__(self, seed: int, base_ms: int = BASE_MS) -> None:
        self._rng = random.Random(seed)
        self._next_ms = base_ms

    def new(self) -> str:
        """The next id: 48-bit ms timestamp, version 7, 12 + 62 seeded random bits."""
        ms = self._next_ms
        self._next_ms += 1
        rand_a = self._rng.getrandbits(12)
        rand_b = self._rng.getrandbits(62)
        value = (ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= rand_a << 64
        value |= 0b10 << 62
        value |= rand_b
        return str(uuid.UUID(int=value))
