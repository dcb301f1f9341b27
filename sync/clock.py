"""Hybrid logical clock (Kulkarni et al.): wall time that never goes backwards.

Stamps order every edit across devices even when their clocks disagree, which is
what field-level last-writer-wins needs. A stamp packs to a fixed-width string so
that string order equals causal order and SQLite can compare stamps with ``<``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sync.errors import ClockError

#: The packed form (see :meth:`Stamp.pack`); also the wire protocol's pattern for stamps.
STAMP_PATTERN = r"^([0-9]{15})-([0-9a-f]{6})-([A-Za-z0-9_.\-]{1,64})$"
_PACKED = re.compile(STAMP_PATTERN)
MAX_COUNTER = 0xFFFFFF
#: A remote stamp further ahead of our wall clock than this is refused, so one
#: device with a wildly wrong clock cannot drag every other clock into the future.
MAX_DRIFT_MS = 24 * 3600 * 1000


def wall_clock_ms() -> int:
    """Milliseconds since the epoch from the system clock."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, order=True, slots=True)
class Stamp:
    """One HLC reading: physical milliseconds, logical counter, node (device) id."""

    wall_ms: int
    counter: int
    node: str

    def pack(self) -> str:
        """Fixed-width text whose lexicographic order is the stamps' order."""
        return f"{self.wall_ms:015d}-{self.counter:06x}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        """Inverse of :meth:`pack`; raises :class:`ClockError` on anything else."""
        match = _PACKED.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ClockError(f"not a clock stamp: {text!r}")
        return cls(int(match.group(1)), int(match.group(2), 16), match.group(3))

    def __str__(self) -> str:
        return self.pack()


class HybridClock:
    """A thread-safe HLC for one node.

    ``last`` restores the clock after a restart so stamps stay monotonic even if
    the system clock was set back while the app was closed.
    """

    def __init__(
        self,
        node: str,
        *,
        last: Stamp | None = None,
        now_ms: Callable[[], int] = wall_clock_ms,
        max_drift_ms: int = MAX_DRIFT_MS,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", node):
            raise ClockError(f"node id must be 1-64 of [A-Za-z0-9_.-], got {node!r}")
        self.node = node
        self._now_ms = now_ms
        self._max_drift_ms = max_drift_ms
        self._lock = threading.Lock()
        self._wall = last.wall_ms if last else 0
        self._counter = last.counter if last else 0

    @property
    def last(self) -> Stamp:
        """The most recent stamp issued or observed."""
        with self._lock:
            return Stamp(self._wall, self._counter, self.node)

    def tick(self) -> Stamp:
        """A new stamp for a local event, strictly greater than any before."""
        with self._lock:
            physical = self._now_ms()
            if physical > self._wall:
                self._wall, self._counter = physical, 0
            else:
                self._bump_counter()
            return Stamp(self._wall, self._counter, self.node)

    def observe(self, remote: Stamp) -> Stamp:
        """Merge a stamp received from elsewhere; later ticks sort after it."""
        with self._lock:
            physical = self._now_ms()
            if remote.wall_ms - physical > self._max_drift_ms:
                raise ClockError(
                    f"remote clock {remote.node!r} is "
                    f"{(remote.wall_ms - physical) // 1000} s ahead of ours"
                )
            newest = max(self._wall, remote.wall_ms, physical)
            if newest == self._wall == remote.wall_ms:
                self._counter = max(self._counter, remote.counter)
                self._bump_counter()
            elif newest == self._wall:
                self._bump_counter()
            elif newest == remote.wall_ms:
                self._wall, self._counter = newest, remote.counter
                self._bump_counter()
            else:
                self._wall, self._counter = newest, 0
            return Stamp(self._wall, self._counter, self.node)

    def _bump_counter(self) -> None:
        if self._counter >= MAX_COUNTER:
            # Counter exhausted within one millisecond: borrow the next one.
            self._wall += 1
            self._counter = 0
        else:
            self._counter += 1
